#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
echo "cpjit demo: not ready yet"
