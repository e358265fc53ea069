#!/usr/bin/env bash
# Everything a fresh clone needs, idempotent: the pinned toolchain (node 24, pulumi), npm
# packages from the lockfile, the build, and the Python venv with the official SDK.
# Source it (`. scripts/setup.sh`) so the toolchain stays on PATH afterwards.
set -euo pipefail
_setup_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$_setup_root/scripts/install-tools.sh"
. "$_setup_root/scripts/env.sh"
cd "$_setup_root"
# npm ci only when the lockfile changed since the last install (saves ~20 s per run).
if ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node scripts/link-self.js
npm run --silent build
if [ "${CLORE_SKIP_PYTHON:-}" != 1 ]; then
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import clore_ai' 2>/dev/null; then
    echo "setup: creating .venv with the official Python SDK (clore-ai==0.1.1)" >&2
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check clore-ai==0.1.1
  fi
fi
cd - >/dev/null
