#!/usr/bin/env bash
# The whole suite: unit and integration tests, then the corpus in every mode.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --workspace --all-targets
cargo test --release --workspace
bash ci/corpus.sh
