#!/usr/bin/env bash
# The README's main job: run the bundled n-body simulation under the JIT, then
# compare its wall time under the interpreter alone (--tier 1) and the JIT.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/cpjit
prog=examples/nbody.py
now() { date +%s.%N; }
t0=$(now)
"$bin" run --tier jit "$prog"
t1=$(now)
"$bin" run --tier 1 "$prog" >/dev/null
t2=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
  jit = b - a; t1 = c - b;
  printf "n-body: --tier 1 %.2fs, jit %.2fs: the JIT is %.2fx the speed of the interpreter\n", t1, jit, t1 / jit
}'
