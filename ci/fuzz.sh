#!/usr/bin/env bash
# Bounded differential fuzzing for CI: the fuzz tools' own tests, then
# FUZZ_PROGRAMS (default 300) generated programs under python3 and every
# available cpjit mode, then a bounded front-end (hostile input) run.
# Exits non-zero on any mismatch, crash or timeout. Modes that are not built
# are reported as unavailable and skipped.
#   FUZZ_SEED     first seed (default: fixed, so CI is reproducible)
#   FUZZ_MODES    modes (default 1,uops,jit)
#   CPJIT         the binary (default target/release/cpjit)
#   FUZZ_SKIP_SELFTEST=1  skips the tools' unit tests
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${CPJIT:-target/release/cpjit}"
if [ ! -x "$bin" ]; then
  echo "fuzz: $bin not found; build it first (make build)" >&2
  exit 1
fi
status=0
if [ "${FUZZ_SKIP_SELFTEST:-0}" != 1 ]; then
  echo "== fuzz tools self-test"
  python3 -m unittest discover -s fuzz/tests || status=1
fi
echo "== differential fuzzing"
python3 fuzz/driver.py --programs "${FUZZ_PROGRAMS:-300}" --seed "${FUZZ_SEED:-20261123}" \
  --modes "${FUZZ_MODES:-1,uops,jit}" --cpjit "$bin" --out target/fuzz-out \
  --summary-json target/fuzz-out/summary.json || status=1
echo "== front-end fuzzing (hostile input)"
python3 fuzz/hostile.py --inputs "${FUZZ_HOSTILE_INPUTS:-300}" --seed "${FUZZ_SEED:-20261123}" \
  --cpjit "$bin" --out target/fuzz-out/hostile || status=1
exit $status
