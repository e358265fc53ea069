#!/usr/bin/env bash
# Builds the release artifacts into release/ (git-ignored), from a clean build:
#   release/pulumi-clore-<version>.tgz   the npm package (what `npm install <tgz>` installs)
# Prints the paths. README "Start a project" installs from here until the package is published.
set -euo pipefail
cd "$(dirname "$0")/.."
CLORE_SKIP_PYTHON=1 CLORE_SKIP_BUILD=1 . scripts/setup.sh
rm -rf release
mkdir -p release
# prepack rebuilds dist/ from scratch, so nothing stale is packed.
npm pack --silent --pack-destination release > /dev/null
ls -1 "$PWD"/release/*.tgz
