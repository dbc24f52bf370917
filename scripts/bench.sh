#!/usr/bin/env bash
# The benchmark behind BENCHMARKS.md: Agora against `wc -w` and the Python
# oracle on a generated corpus, all in one sitting on one machine.
#
#   scripts/bench.sh              # 200 MB corpus, 5 runs of each command
#   scripts/bench.sh --mb 1000    # the 1 GB corpus (peak-memory target)
#   scripts/bench.sh --runs 3 --no-oracle
#
# Needs ../shared/bench (make_corpus.py, reference.py, themes.toml), python3
# and GNU time (/usr/bin/time). Corpora are generated once into $BENCH_DIR
# (default /tmp/agora-bench) and reused. Every figure is the median of the
# runs after one warm-up; ratios compare medians of the same sitting.
# Timing is never asserted anywhere: these machines are shared and noisy.
set -euo pipefail
cd "$(dirname "$0")/.."

mb=200 runs=5 oracle=1
while [ $# -gt 0 ]; do
  case "$1" in
    --mb) mb=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --no-oracle) oracle=0; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; exit 2 ;;
  esac
done

shared=../shared/bench
[ -f "$shared/make_corpus.py" ] || { echo "bench: $shared is missing" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) is missing: apt-get install time" >&2; exit 2; }
bench_dir=${BENCH_DIR:-/tmp/agora-bench}
corpus=$bench_dir/corpus-${mb}mb
out=$bench_dir/out
mkdir -p "$bench_dir"

if [ ! -f "$corpus/metadata.csv" ]; then
  echo "bench: generating a ${mb} MB corpus in $corpus" >&2
  rm -rf "$corpus"
  python3 "$shared/make_corpus.py" --src ../shared/corpus --out "$corpus" --mb "$mb" --seed 42 >&2
fi
cargo build --release --quiet
agora=$PWD/target/release/agora

python=python3
if [ "$oracle" = 1 ]; then
  venv=target/bench-venv
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check snowballstemmer==3.1.1 pycountry==26.2.16
  fi
  python=$PWD/$venv/bin/python
fi

bytes=$(find -L "$corpus" -name '*.txt' -print0 | xargs -0 cat | wc -c)
files=$(find -L "$corpus" -name '*.txt' | wc -l)

# measure NAME CMD...: one warm-up, then $runs runs; prints "NAME median_wall_s median_peak_kib".
measure() {
  local name=$1; shift
  "$@" >/dev/null 2>&1 || { echo "bench: '$*' failed" >&2; exit 1; }
  local times=() rss=() tf line
  tf=$(mktemp)
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$tf" -f '%e %M' "$@" >/dev/null 2>&1
    line=$(tail -n 1 "$tf")
    times+=("${line% *}"); rss+=("${line#* }")
  done
  rm -f "$tf"
  local mt mr
  mt=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mr=$(printf '%s\n' "${rss[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$name $mt $mr"
}

results=$(mktemp)
{
  # The counting is what is compared: CSV tables only. The Parquet copies
  # and report.html, written by default, are timed apart (last agora line).
  csv_only=(--format csv --no-report)
  # The themes job: theme counts, co-occurrence and keyword counts.
  themes_job=(--tables themes,cooccurrence,keywords "${csv_only[@]}")
  measure "agora-j1" "$agora" run --input "$corpus" --themes "$shared/themes.toml" --out "$out/j1" --threads 1 "${themes_job[@]}"
  measure "agora-j2" "$agora" run --input "$corpus" --themes "$shared/themes.toml" --out "$out/j2" --threads 2 "${themes_job[@]}"
  # The full default job (every table, keyness included).
  measure "agora-full-j1" "$agora" run --input "$corpus" --themes "$shared/themes.toml" --out "$out/full1" --threads 1 "${csv_only[@]}"
  measure "agora-full-j2" "$agora" run --input "$corpus" --themes "$shared/themes.toml" --out "$out/full" --threads 2 "${csv_only[@]}"
  # The same, as a user runs it: Parquet copies and report.html too.
  measure "agora-full-j2-all" "$agora" run --input "$corpus" --themes "$shared/themes.toml" --out "$out/all" --threads 2
  measure "wc-w" sh -c "find -L '$corpus' -name '*.txt' -print0 | xargs -0 cat | wc -w"
  if [ "$oracle" = 1 ]; then
    measure "reference-p2" "$python" "$shared/reference.py" "$corpus" --themes "$shared/themes.toml" --out "$out/ref" --procs 2
  fi
} > "$results"

tokens=$("$python" -c "import json,sys; print(json.load(open(sys.argv[1]))['counts']['tokens'])" "$out/j2/manifest.json")

echo
echo "corpus: $corpus ($files files, $bytes bytes, $tokens tokens); $runs runs each, medians"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(date -u +%Y-%m-%d)"
echo
awk -v bytes="$bytes" -v tokens="$tokens" '
  { name[NR]=$1; t[NR]=$2; r[NR]=$3; idx[$1]=NR }
  END {
    printf "%-18s %9s %9s %10s %10s\n", "command", "wall s", "MB/s", "Mtok/s", "peak MiB"
    for (i = 1; i <= NR; i++)
      printf "%-18s %9.2f %9.1f %10.2f %10.1f\n", name[i], t[i], bytes/1e6/t[i], tokens/1e6/t[i], r[i]/1024
    print ""
    w = t[idx["wc-w"]]; j1 = t[idx["agora-j1"]]; j2 = t[idx["agora-j2"]]
    printf "agora --threads 2 vs wc -w:          %.2fx throughput (target >= 1.5x)\n", w/j2
    if ("reference-p2" in idx)
      printf "agora --threads 2 vs reference.py:   %.1fx throughput (target >= 16x)\n", t[idx["reference-p2"]]/j2
    printf "agora --threads 2 vs --threads 1:    %.2fx (target >= 1.8x)\n", j1/j2
    printf "full default job vs themes job:      %.0f%% of its throughput (target >= 60%%)\n", 100*j2/t[idx["agora-full-j2"]]
  }' "$results"
rm -f "$results"
