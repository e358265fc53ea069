#!/usr/bin/env bash
# The full test run (README "Run every test"; .ci/run calls this): installs what it needs,
# then runs every mocha suite, including the end-to-end ones on the real Pulumi engine.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
npx tsc --noEmit -p test/tsconfig.json
exec npx mocha "$@"
