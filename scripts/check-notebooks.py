#!/usr/bin/env python3
"""Runs the Python snippets of docs/notebooks.md, so that the page cannot rot.

    python scripts/check-notebooks.py DOCS_MD FOLDER

FOLDER must hold `output/`, the tables of a seeds run (`agora run --out FOLDER/output`).
The ```python blocks of DOCS_MD run in order, in one namespace, from FOLDER, as a
notebook would run them. Then this script checks what they loaded: the types the page
promises, the empty country kept as text, and (on a small table written here) that
Namibia's "NA" survives and an empty year is missing. Exit status 1 on any failure.
"""

import os
import re
import shutil
import sys
import tempfile


def blocks(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M)


def main():
    docs, folder = sys.argv[1], sys.argv[2]
    found = blocks(docs)
    if not found:
        sys.exit(f"check-notebooks: no ```python block in {docs}")
    os.chdir(folder)
    ns = {"__name__": "notebook"}
    for i, code in enumerate(found, 1):
        try:
            exec(compile(code, f"{docs} block {i}", "exec"), ns)
        except Exception as e:  # noqa: BLE001 - report which block failed
            sys.exit(f"check-notebooks: {docs} block {i} failed: {type(e).__name__}: {e}")

    import pandas as pd
    import polars as pl

    counts = ns["counts"]
    assert str(counts["year"].dtype) == "Int64", counts.dtypes
    assert str(counts["rate_per_10k"].dtype) == "Float64", counts.dtypes
    assert str(counts["hits"].dtype) == "Int64", counts.dtypes
    assert pd.api.types.is_string_dtype(counts["country_iso3"]), counts.dtypes
    # The Security Council President: the empty country, kept as text.
    assert (counts["country_iso3"] == "").any(), "the empty country was lost"
    assert not counts["country_iso3"].isna().any(), "text read as missing"
    # Parquet and CSV give the same frame.
    pq = ns["counts_pq"]
    assert list(pq.columns) == list(counts.columns)
    assert str(pq["year"].dtype) == "Int64", pq.dtypes
    pd.testing.assert_frame_equal(
        pq.astype({"country_iso3": "string", "country_name": "string", "theme": "string"}),
        counts, check_dtype=False)
    assert len(ns["trend"]) > 0 and len(ns["top_terms"]) > 0
    speeches = ns["speeches"]
    assert speeches["session"].isna().any(), "Security Council turns have no session"
    cooc = ns["cooc_pl"]
    assert cooc.schema["npmi"] == pl.Float64 and cooc.schema["n_ab"] == pl.Int64, cooc.schema
    assert cooc.filter(pl.col("country_iso3") == "").height > 0, "the empty country was lost"
    assert ns["counts_pl"].schema["year"] == pl.Int64
    assert ns["strong"].height > 0

    # Namibia and a missing year, on a table written here with the seeds'
    # datapackage.json (the seeds have no Namibia).
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy("output/datapackage.json", tmp)
        with open(f"{tmp}/theme_counts.csv", "w", encoding="utf-8") as f:
            f.write("country_iso3,country_name,year,theme,hits,tokens,rate_per_10k,"
                    "speeches,speeches_with_theme\n"
                    ",,,peace,0,0,,1,0\n"
                    "NA,Namibia,2021,peace,2,400,50.000000,1,1\n")
        for frame in (ns["read_agora"]("theme_counts", out=tmp),
                      ns["read_agora_pl"]("theme_counts", out=tmp).to_pandas()):
            assert list(frame["country_iso3"]) == ["", "NA"], frame
            assert pd.isna(frame["year"].iloc[0]) and frame["year"].iloc[1] == 2021, frame
            assert pd.isna(frame["rate_per_10k"].iloc[0]), frame
    print(f"check-notebooks: {len(found)} blocks of {docs} ran and loaded typed tables")


if __name__ == "__main__":
    main()
