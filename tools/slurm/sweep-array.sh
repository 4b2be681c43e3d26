#!/usr/bin/env bash
# One shard of an authsim sweep per Slurm array task; merge them afterwards.
#
#   sbatch --array=1-8 tools/slurm/sweep-array.sh scenarios/gas-compare-n.toml out/gas-n
#   # when all tasks are done (or submit it with --dependency=afterok:<array job id>):
#   authsim merge --out out/gas-n/merged out/gas-n/shard-*
#
# Task k of an array of N tasks runs `authsim sweep --shard k/N` into OUT/shard-k. The shards
# are deterministic, so the merged folder is byte-identical to an unsharded run. The array must
# be numbered 1..N (Slurm sets SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT); set SHARDS to
# override N. AUTHSIM names the binary (default: `authsim` on PATH, e.g. from
# `cargo install --path .` or target/release/authsim). Extra arguments go to `authsim sweep`
# (e.g. --seed, --replications, --set).
#SBATCH --job-name=authsim-sweep
#SBATCH --cpus-per-task=4
#SBATCH --time=02:00:00
#SBATCH --output=slurm-%A_%a.out
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: sbatch --array=1-N $0 SWEEP.toml OUT_DIR [authsim sweep options...]" >&2
  exit 2
fi
sweep=$1 out=$2
shift 2
k=${SLURM_ARRAY_TASK_ID:?not an array task: submit with sbatch --array=1-N}
n=${SHARDS:-${SLURM_ARRAY_TASK_COUNT:?SLURM_ARRAY_TASK_COUNT unset: set SHARDS=N}}
"${AUTHSIM:-authsim}" sweep "$sweep" --shard "$k/$n" --out "$out/shard-$k" \
  --jobs "${SLURM_CPUS_PER_TASK:-1}" --quiet "$@"
