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
exit $status
