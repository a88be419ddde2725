#!/usr/bin/env bash
# Tier-1 interpreter vs python3 on every bench_* program of the corpus.
# Prints a Markdown table of user CPU seconds (best of N runs, alternating
# the two so machine load hits both alike). Usage: ci/bench-tier1.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${CORPUS:-../shared/corpus}"
bin=target/release/cpjit
runs="${1:-3}"
utime() { /usr/bin/time -f %U "$@" 2>&1 >/dev/null | tail -1; }
echo "| program | python3 (s) | cpjit --tier 1 (s) | speedup |"
echo "|---|---:|---:|---:|"
for py in "$corpus"/bench_*.py; do
  name="$(basename "$py" .py)"
  bp=999; bc=999
  for _ in $(seq "$runs"); do
    p=$(utime python3 "$py"); c=$(utime "$bin" run --tier 1 "$py")
    bp=$(awk -v a="$p" -v b="$bp" 'BEGIN{print (a<b)?a:b}')
    bc=$(awk -v a="$c" -v b="$bc" 'BEGIN{print (a<b)?a:b}')
  done
  echo "| $name | $bp | $bc | $(awk -v a="$bp" -v b="$bc" 'BEGIN{printf "%.2fx", a/b}') |"
done
