#!/usr/bin/env bash
# Runs ../shared/corpus under every execution mode.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus="${CORPUS:-../shared/corpus}"
if [ ! -x "$corpus/run-corpus" ]; then
  echo "corpus: $corpus/run-corpus not found; skipping the corpus" >&2
  exit 0
fi
bin=target/release/cpjit
modes="${CPJIT_MODES:-1 uops jit}"
status=0
for mode in $modes; do
  echo "== corpus, --tier $mode"
  "$corpus/run-corpus" -- "$bin" run --tier "$mode" || status=1
done
# Extra pass with a 4 KiB JIT memory limit: most compilations fail and those
# loops fall back to the interpreter (docs/stress.md). About 5 s of CPU; set
# CPJIT_SMALL_JIT_MEMORY=0 to skip it.
if [ "${CPJIT_SMALL_JIT_MEMORY:-1}" != 0 ]; then
  echo "== corpus, --tier jit --jit-memory-limit 4096"
  "$corpus/run-corpus" -- "$bin" run --tier jit --jit-memory-limit 4096 || status=1
fi
exit $status
