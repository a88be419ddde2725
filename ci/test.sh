#!/usr/bin/env bash
# The whole suite: lints, unit and integration tests, the corpus in every
# mode, and a bounded differential fuzzing run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo build --release --workspace --all-targets
cargo clippy --release --workspace --all-targets -- -D warnings
cargo test --release --workspace
bash ci/corpus.sh
# Executor churn (invalidation, freeing, RSS); ci/soak.sh 60 for the full soak.
bash ci/soak.sh "${CPJIT_SOAK_SECONDS:-10}"
if [ "${CPJIT_SKIP_FUZZ:-0}" != 1 ]; then
  # Tier-2 modes have known fuzz failures (tests/known-failures/); CI fuzzes
  # tier 1 until they are fixed. Run all modes with: bash ci/fuzz.sh
  FUZZ_MODES="${FUZZ_MODES:-1}" FUZZ_PROGRAMS="${FUZZ_PROGRAMS:-150}" FUZZ_SKIP_SELFTEST=1 bash ci/fuzz.sh
fi
