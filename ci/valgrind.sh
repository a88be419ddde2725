#!/usr/bin/env bash
# Runs a few small programs under valgrind memcheck in every mode.
# Fails (exit 1) on any memcheck error or definite leak.
# Executors are freed and their code memory reused while programs run
# (invalidation), and src/jit/memory does not issue
# VALGRIND_DISCARD_TRANSLATIONS: --smc-check=all-non-file makes valgrind
# notice code rewritten in anonymous mappings instead of running stale
# translations.
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
