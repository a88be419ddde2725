#!/usr/bin/env bash
# Fills DIR (default fuzz/afl/in) with starting inputs for AFL: the corpus
# programs, the fuzzer regressions and a few generated programs.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${1:-fuzz/afl/in}"
mkdir -p "$dir"
cp ../shared/corpus/*.py "$dir"/ 2>/dev/null || true
cp tests/regressions/*.py "$dir"/
for s in 1 2 3 4 5; do python3 fuzz/gen.py --seed "$s" > "$dir/gen$s.py"; done
echo "afl inputs: $(ls "$dir" | wc -l) files in $dir"
