#!/usr/bin/env bash
# Runs `agora count` as N shard processes on this machine, then `agora merge`:
# the local equivalent of a scheduler's job array (docs/scaling.md). The tables
# are byte for byte those of `agora run` with the same options.
#
#   scripts/run-sharded.sh N [agora options...]
#   e.g. scripts/run-sharded.sh 4 --input corpus --out tables --threads 1
#
# --out (default: output) is where the merged tables go; every other option is
# given to each shard. Partials go to a temporary folder, removed at the end
# unless KEEP_PARTIALS=1. AGORA names the binary (default: target/release/agora,
# built if missing). Exit status: the first shard's failure (2 or 3), else the
# merge's (0, or 1 when files were skipped).
set -euo pipefail

if [ $# -lt 1 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 N [agora count options...] [--out DIR]" >&2
  exit 2
fi
n=$1
shift
cd "$(dirname "$0")/.."
agora=${AGORA:-target/release/agora}
if [ ! -x "$agora" ]; then
  cargo build --release --locked >&2
fi

# --out goes to the merge; the rest to every shard.
out=output
args=()
while [ $# -gt 0 ]; do
  case $1 in
    -o|--out) out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

partials=$(mktemp -d "${TMPDIR:-/tmp}/agora-partials.XXXXXX")
if [ "${KEEP_PARTIALS:-0}" != 1 ]; then
  trap 'rm -rf "$partials"' EXIT
else
  echo "partials kept in $partials" >&2
fi

pids=()
for ((i = 0; i < n; i++)); do
  "$agora" count --shard "$i/$n" --partial "$partials" --quiet ${args[@]+"${args[@]}"} &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do
  # 1 only means some files were skipped; the merge reports it again.
  wait "$pid" || { rc=$?; if [ "$rc" -ne 1 ] && [ "$status" -eq 0 ]; then status=$rc; fi; }
done
if [ "$status" -ne 0 ]; then
  echo "run-sharded: a shard failed (exit $status); nothing merged" >&2
  exit "$status"
fi
exec_status=0
"$agora" merge "$partials" --out "$out" || exec_status=$?
exit "$exec_status"
