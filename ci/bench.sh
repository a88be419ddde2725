#!/usr/bin/env bash
# Measures everything and writes BENCHMARKS.md, bench/charts/*.svg and
# bench/results/latest.json. Called by `make bench` (after `make build`).
# Arguments, or BENCH_ARGS from the environment, go to cpjit-bench:
#   make bench BENCH_ARGS=--quick
#   bash ci/bench.sh --compare bench/results/latest.json
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p cpjit-bench
# The stencil toolchain's and the runtime's benchmark binaries are measured
# when they exist; build them if their packages define them.
log="$(mktemp)"; trap 'rm -f "$log"' EXIT
for bin in cpjit-stencils cpjit-emit-bench cpjit-llvm-baseline; do
  if ! cargo build --release --quiet --workspace --bin "$bin" 2>"$log"; then
    why="$(grep -m1 '^error' "$log" || tail -1 "$log")"
    echo "bench: $bin not built ($why); its section will say not available" >&2
  fi
done
args=()
if [ -n "${CORPUS:-}" ]; then args+=(--corpus "$CORPUS"); fi
# shellcheck disable=SC2206 # BENCH_ARGS is a list of words by design.
args+=(${BENCH_ARGS:-})
target/release/cpjit-bench "${args[@]}" "$@"
