#!/usr/bin/env bash
# The full test run (README "Run every test"; .ci/run calls this): installs what it needs,
# checks types, lint and format, then runs every mocha suite, the end-to-end ones on the real
# Pulumi engine included. Arguments go to mocha instead of the default (every spec), e.g.
# `bash scripts/test.sh test/sdk/errors.spec.ts`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
npx tsc --noEmit -p test/tsconfig.json
# Lint and format (biome.json): `npx biome check --write .` fixes most of what this reports.
npx biome ci .
if [ $# -eq 0 ]; then set -- 'test/**/*.spec.ts'; fi
exec npx mocha "$@"
