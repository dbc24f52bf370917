#!/usr/bin/env bash
# Agora on Slurm: a job array counts the shards, a dependent job merges them.
# Submit from a login node (docs/scaling.md):
#
#   deploy/slurm/agora-array.sh            # uses the settings below
#   SHARDS=64 CORPUS=/scratch/corpus deploy/slurm/agora-array.sh
#
# Every node must see the corpus at the same path (a shared file system, or an
# object store mounted read-only, e.g. with mountpoint-s3 or gcsfuse), and the
# partials folder must be shared too: the merge job reads every partial. The
# shard of each task is read from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT
# (`--shard env`); options shared by all tasks can live in an agora.toml.
set -euo pipefail

SHARDS=${SHARDS:-16}                         # array size = number of shards
CORPUS=${CORPUS:-/shared/corpus}             # --input, same path on every node
THEMES=${THEMES:-/shared/themes.toml}        # --themes
WORK=${WORK:-/shared/agora/$(date +%Y-%m-%d)}  # partials and logs of this night
OUT=${OUT:-/shared/agora/tables}             # --out of the merge
AGORA=${AGORA:-agora}                        # the binary, on PATH of every node
CPUS=${CPUS:-4}                              # cores per shard task
PARTITION=${PARTITION:-}                     # e.g. "--partition=batch"

mkdir -p "$WORK/partials" "$WORK/logs"

count_job=$(sbatch --parsable $PARTITION \
  --job-name=agora-count --array="0-$((SHARDS - 1))" \
  --cpus-per-task="$CPUS" --mem=2G --time=02:00:00 \
  --output="$WORK/logs/count-%a.log" \
  --wrap="$AGORA count --shard env --input '$CORPUS' --themes '$THEMES' \
          --partial '$WORK/partials' --threads $CPUS --log-format json")

# afterany, not afterok: a shard that exits 1 (some files skipped) still
# wrote its partial; the merge refuses (exit 2) if a shard's partial is missing.
sbatch --parsable $PARTITION \
  --job-name=agora-merge --dependency="afterany:$count_job" \
  --cpus-per-task=1 --mem=4G --time=00:30:00 \
  --output="$WORK/logs/merge.log" \
  --wrap="$AGORA merge '$WORK/partials' --out '$OUT' --log-format json"
echo "submitted count array $count_job ($SHARDS shards) and its merge; logs in $WORK/logs" >&2
