#!/usr/bin/env bash
# Runs a few small programs under valgrind memcheck in every mode.
# Fails (exit 1) on any memcheck error or definite leak.
# JIT code memory that is freed and reused is safe under valgrind: the one
# writer of executable memory issues VALGRIND_DISCARD_TRANSLATIONS
# (src/jit/memory/valgrind.rs; see docs/stress.md).
# --smc-check=all-non-file is kept as a second line of defence: valgrind then
# also notices code rewritten in the anonymous JIT mapping by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CPJIT:-target/release/cpjit}"
progs="${VALGRIND_PROGS:-../shared/corpus/arith.py ../shared/corpus/control.py ../shared/corpus/functions.py}"
status=0
for p in $progs; do
  for mode in 1 uops jit; do
    if valgrind -q --smc-check=all-non-file --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        "$bin" run --tier "$mode" "$p" > /tmp/cpjit-vg.out 2> /tmp/cpjit-vg.err; then rc=0; else rc=$?; fi
    if [ "$rc" -eq 99 ]; then
      echo "FAIL valgrind $mode $p"; cat /tmp/cpjit-vg.err; status=1
    else
      echo "ok   valgrind $mode $p (exit $rc)"
    fi
  done
done
exit $status
