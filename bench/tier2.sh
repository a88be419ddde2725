#!/usr/bin/env bash
# Tier-2 benchmark: every bench_*.py of the corpus and the project's own
# examples/nbody.py under `cpjit run --tier 1|uops|jit`, `python3` and
# `pypy3` (when installed). Prints a Markdown table of the median CPU time
# (user+sys, robust on a shared, loaded machine) and median wall time of
# RUNS runs each, then the geometric-mean ratios.
#   RUNS=3 bash bench/tier2.sh > bench/results/tier2.md
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${CORPUS:-../shared/corpus}"
runs="${RUNS:-3}"
bin=target/release/cpjit
progs=("$corpus"/bench_*.py bench/programs/bench_*.py examples/nbody.py)
have_pypy=0
command -v pypy3 >/dev/null && have_pypy=1

# median of numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

measure() { # label command... -> "cpu wall"
  local cpus=() walls=()
  for _ in $(seq "$runs"); do
    local t tf
    tf=$(mktemp)
    /usr/bin/time -o "$tf" -f "%U %S %e" "$@" >/dev/null 2>/dev/null || true
    t=$(tail -1 "$tf")
    rm -f "$tf"
    cpus+=("$(echo "$t" | awk '{print $1+$2}')")
    walls+=("$(echo "$t" | awk '{print $3}')")
  done
  echo "$(printf '%s\n' "${cpus[@]}" | median) $(printf '%s\n' "${walls[@]}" | median)"
}

echo "# Tier-2 benchmark results"
echo
echo "Machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'). Runs per cell: $runs (median). Times in seconds: CPU (user+sys) / wall."
echo "python3: $(python3 --version 2>&1)$([ $have_pypy = 1 ] && echo "; pypy3: $(pypy3 --version 2>&1 | tail -1)" || echo "; pypy3: not installed")."
echo
header="| program | tier 1 | uops | jit | python3 |"
sep="|---|---|---|---|---|"
if [ $have_pypy = 1 ]; then header="$header pypy3 |"; sep="$sep---|"; fi
echo "$header jit vs tier 1 | jit vs python3 |"
echo "$sep---|---|"
l1=0; lp=0; n=0
for p in "${progs[@]}"; do
  name=$(basename "$p" .py)
  read -r c1 w1 < <(measure "$bin" run --tier 1 "$p")
  read -r cu wu < <(measure "$bin" run --tier uops "$p")
  read -r cj wj < <(measure "$bin" run --tier jit "$p")
  read -r cp wp < <(measure python3 "$p")
  row="| $name | $c1 / $w1 | $cu / $wu | $cj / $wj | $cp / $wp |"
  if [ $have_pypy = 1 ]; then
    read -r cy wy < <(measure pypy3 "$p")
    row="$row $cy / $wy |"
  fi
  r1=$(awk -v a="$c1" -v b="$cj" 'BEGIN {printf "%.2fx", a/b}')
  rp=$(awk -v a="$cp" -v b="$cj" 'BEGIN {printf "%.2fx", a/b}')
  echo "$row $r1 | $rp |"
  l1=$(awk -v s="$l1" -v a="$c1" -v b="$cj" 'BEGIN {print s + log(a/b)}')
  lp=$(awk -v s="$lp" -v a="$cp" -v b="$cj" 'BEGIN {print s + log(a/b)}')
  n=$((n + 1))
done
echo
echo "Geometric mean (CPU time): jit is $(awk -v s="$l1" -v n="$n" 'BEGIN {printf "%.2fx", exp(s/n)}') faster than tier 1 and $(awk -v s="$lp" -v n="$n" 'BEGIN {printf "%.2fx", exp(s/n)}') faster than python3."
