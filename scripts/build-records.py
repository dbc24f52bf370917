#!/usr/bin/env python3
"""Build whole meeting records from a file-per-turn Security Council corpus.

For each meeting of a corpus named like `UNSC_<year>_SPV.<meeting>[ResumptionN]_spch<NNN>.txt`
(../shared/corpus/unsc2020 by default), joins its turn files in turn order into one record, the
way `pdftotext` gives a verbatim record: a cover page, the notice on corrections, the turns
hard-wrapped at --width characters, and page furniture between pages (footers with page and job
numbers, running heads with date, title and symbol). Everything generated is deterministic: the
same corpus gives the same bytes.

Writes, into --out (which should be outside the repository, e.g. target/records):
  S_PV.<meeting>[_ResumptionN].txt   one record per meeting, UTF-8
  truth.tsv                          record, turn, line of its speaker header, source file

The records are the test set of tests/records.rs (docs/records.md): segmenting them must give
back the turns of the source files. Python 3 standard library only.
"""

import argparse
import datetime
import os
import re
import sys
import textwrap

NAME = re.compile(r"^UNSC_(\d{4})_SPV\.(\d+)(?:Resumption(\d+))?_spch(\d+)\.txt$")
# A running head the source files kept glued into a turn: it gives the meeting's date and title.
INLINE_HEAD = re.compile(r"(\d\d)/(\d\d)/(\d{4}) (.{3,200}?) S/PV\.\d+")
# Lines per page of the two columns a record page holds, as pdftotext reads them.
PAGE_LINES = 60
DEFAULT_TITLE = "Maintenance of international peace and security"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NOTICE = [
    "This record contains the text of speeches delivered in English and of the translation of",
    "speeches delivered in other languages. The final text will be printed in the Official",
    "Records of the Security Council. Corrections should be submitted to the original languages",
    "only. Corrected records will be reissued electronically on the Official Document System",
    "of the United Nations (http://documents.un.org).",
]


def decode(data):
    """UTF-8 (with or without a byte-order mark), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def meetings(corpus):
    """{(meeting, resumption): [(turn, file name, text)]}, turns in order."""
    found = {}
    for name in sorted(os.listdir(corpus)):
        m = NAME.match(name)
        if not m:
            continue
        with open(os.path.join(corpus, name), "rb") as f:
            text = decode(f.read())
        key = (int(m.group(2)), int(m.group(3) or 0))
        found.setdefault(key, []).append((int(m.group(4)), name, text))
    for turns in found.values():
        turns.sort()
    return found


def build(key, turns, width):
    """The record's lines, and the line (from 1) of each turn's speaker header."""
    meeting, resumption = key
    symbol = f"S/PV.{meeting}" + (f" (Resumption {resumption})" if resumption else "")
    date, title = None, DEFAULT_TITLE
    for _, _, text in turns:
        m = INLINE_HEAD.search(text)
        if m:
            date = datetime.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            title = m.group(4)
            break
    if date is None:
        # Invented, but in order: two meeting numbers a day from the first of 2020.
        date = datetime.date(2020, 1, 1) + datetime.timedelta(days=(meeting - 8698) // 2)
    job = f"20-{(meeting * 7919 + resumption) % 100000:05d}"
    dmy = date.strftime("%d/%m/%Y")
    body, starts = [], []
    for _, _, text in turns:
        starts.append(len(body))
        text = " ".join(text.split())
        body.extend(textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False) or [""])
    pages = (len(body) + PAGE_LINES - 1) // PAGE_LINES + 1
    lines = [
        f"United Nations {symbol}",
        "Security Council",
        "Seventy-fifth year",
        f"{meeting}th meeting",
        f"{WEEKDAYS[date.weekday()]}, {date.day} {date.strftime('%B')} {date.year}, 10 a.m.",
        "New York",
        "President: Mr. Example . . . . . . . . . . . . . . . . . . . . . . (Member State)",
        "Members: Belgium . . . . . . . . . . . . . . . . . . . . . . . Mr. Example",
        "Agenda",
        title,
        *NOTICE,
        f"{job} (E)",
        f"*{job.replace('-', '')}*",
        "The meeting was called to order at 10.05 a.m.",
    ]
    page, header_lines = 1, []
    for k, line in enumerate(body):
        if k and k % PAGE_LINES == 0:
            # Footer of the page that ends, then the next page's running head.
            footer = f"{page}/{pages} {job}" if page % 2 else f"{job} {page}/{pages}"
            page += 1
            head = f"{dmy} {title} {symbol}" if page % 2 == 0 else f"{symbol} {title} {dmy}"
            lines.extend([footer, "\f" + head])
        if k in starts:
            header_lines.append(len(lines) + 1)
        lines.append(line)
    lines.append(f"{page}/{pages} {job}")
    return lines, header_lines


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--corpus",
        default=os.path.join(root, "..", "shared", "corpus", "unsc2020", "speeches_txt_2020"),
        help="folder of UNSC_*_spchNNN.txt files (default: ../shared/corpus/unsc2020/…)",
    )
    parser.add_argument(
        "--out", default=os.path.join(root, "target", "records"), help="folder for the records"
    )
    parser.add_argument("--width", type=int, default=80, help="line width of the text (default 80)")
    args = parser.parse_args()
    found = meetings(args.corpus)
    if not found:
        sys.exit(f"build-records.py: no UNSC_*_spchNNN.txt files in {args.corpus}")
    os.makedirs(args.out, exist_ok=True)
    truth = ["record\tturn\tline\tsource"]
    for key in sorted(found):
        meeting, resumption = key
        name = f"S_PV.{meeting}" + (f"_Resumption{resumption}" if resumption else "") + ".txt"
        lines, header_lines = build(key, found[key], args.width)
        with open(os.path.join(args.out, name), "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(lines) + "\n")
        for (turn, source, _), line in zip(found[key], header_lines):
            truth.append(f"{name}\t{turn}\t{line}\t{source}")
    with open(os.path.join(args.out, "truth.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(truth) + "\n")
    print(f"{len(found)} records, {len(truth) - 1} turns in {args.out}")


if __name__ == "__main__":
    main()
