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
  # Bounded: the tools' self-test, 300 programs in every mode (1, uops, jit)
  # and 300 hostile inputs (see ci/fuzz.sh and ROBUSTNESS.md for the time).
  bash ci/fuzz.sh
fi
