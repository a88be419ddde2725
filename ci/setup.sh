#!/usr/bin/env bash
# Installs what cpjit needs on a fresh Debian 12 machine: LLVM 19 (build time
# only: the runtime does not link it) and the tools the tests drive.
# Idempotent: does nothing when everything is present.
set -euo pipefail

need=()
[ -x /usr/lib/llvm-19/bin/llvm-config ] || need+=(llvm-19-dev)
command -v llvm-objdump-19 >/dev/null 2>&1 || need+=(llvm-19)
command -v gdb >/dev/null 2>&1 || need+=(gdb)
command -v python3 >/dev/null 2>&1 || need+=(python3)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup: cannot install ${need[*]}: not root and no sudo." >&2
    echo "setup: install them with: apt-get install ${need[*]}" >&2
    exit 1
  fi
fi
if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null; }; then
  echo "setup: apt-get could not install ${need[*]}." >&2
  echo "setup: cpjit needs LLVM 19 at /usr/lib/llvm-19 (Debian package llvm-19-dev) to build its stencils." >&2
  exit 1
fi
[ -x /usr/lib/llvm-19/bin/llvm-config ] || { echo "setup: llvm-19-dev installed but /usr/lib/llvm-19/bin/llvm-config is missing" >&2; exit 1; }
