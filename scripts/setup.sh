#!/usr/bin/env bash
# Everything a fresh clone needs, idempotent: the pinned toolchain (node 24, pulumi), npm
# packages from the lockfile, the build, and the Python venv (.venv) with the official SDK
# and the pulumi Python package.
# Source it (`. scripts/setup.sh`) so the toolchain stays on PATH afterwards; the install
# steps run in a child bash with strict mode, so the caller's shell options stay as they
# were, and a failed step makes the source return non-zero.
#   CLORE_SKIP_PYTHON=1  no Python venv
#   CLORE_SKIP_BUILD=1   no `npm run build` (dist/ as it is)
# A script that sourced it exports CLORE_SETUP_DONE=1 to its children: a second source in
# the same run (the README-demo test runs scripts/demo.sh under scripts/test.sh's mocha) only
# puts the toolchain on PATH, as long as the lockfile is the one installed. An interactive
# shell does not get the flag, so a demo or test run started from it later still builds.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Executed, not sourced: the install steps (the sourcing code below runs this).
  set -euo pipefail
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  bash scripts/install-tools.sh
  bash scripts/system-packages.sh
  . scripts/env.sh
  # npm ci only when the lockfile changed since the last successful one (saves ~20 s per
  # run). The stamp is a copy of the lockfile it installed; npm's own
  # node_modules/.package-lock.json never equals package-lock.json (no root entry).
  if ! cmp -s package-lock.json node_modules/.clore-lock-stamp; then
    # No lifecycle scripts: our `prepare` would build here and again below.
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.clore-lock-stamp
  fi
  node scripts/link-self.js
  if [ "${CLORE_SKIP_BUILD:-}" != 1 ]; then
    npm run --silent build
  fi
  if [ "${CLORE_SKIP_PYTHON:-}" != 1 ]; then
    # The official Python SDK for the tests, and the pulumi package for Python Pulumi programs
    # (env.sh points the Python language host at this venv), plus semver, which generated
    # Python SDKs import besides pulumi's own dependency packaging. The stamp holds the pins
    # last installed: a changed pin reinstalls, an unchanged one costs nothing.
    py_pins="clore-ai==0.1.1 pulumi==$CLORE_PULUMI_PYTHON_VERSION semver==3.1.2"
    if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.clore-pins 2>/dev/null)" != "$py_pins" ]; then
      echo "setup: installing into .venv: $py_pins" >&2
      [ -x .venv/bin/python ] || python3 -m venv .venv
      rm -f .venv/.clore-pins
      # shellcheck disable=SC2086 # one word per pin
      .venv/bin/pip install --quiet --disable-pip-version-check $py_pins
      echo "$py_pins" > .venv/.clore-pins
    fi
  fi
  exit 0
fi

_clore_setup_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "${CLORE_SETUP_DONE:-}" = 1 ] &&
   cmp -s "$_clore_setup_root/package-lock.json" "$_clore_setup_root/node_modules/.clore-lock-stamp" &&
   { [ "${CLORE_SKIP_PYTHON:-}" = 1 ] || [ -x "$_clore_setup_root/.venv/bin/python" ]; }; then
  : # set up earlier in this run
elif bash "$_clore_setup_root/scripts/setup.sh"; then
  # Only scripts pass the flag on (see the top).
  case $- in *i*) ;; *) export CLORE_SETUP_DONE=1 ;; esac
else
  _clore_setup_rc=$?
  echo "setup: failed (exit $_clore_setup_rc)" >&2
  unset _clore_setup_root
  return "$_clore_setup_rc"
fi
. "$_clore_setup_root/scripts/env.sh"
unset _clore_setup_root _clore_setup_rc
