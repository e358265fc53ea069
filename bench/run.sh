#!/usr/bin/env bash
# The Issue 7 benchmark, one command: `bash bench/run.sh [pulumi|readers|machines|rss|plugin|ssh|reconnect|checkpoint|binary]` (about 12 min
# for all; not part of the tests). Sets up like the tests do (scripts/setup.sh: toolchain, npm
# packages, dist/ — BENCH_SKIP_BUILD=1 skips the build — and the Python venv with the official
# SDK), then runs bench/run.ts from a snapshot and prints one Markdown table. BENCH_KEEP=1
# keeps the work dirs under .tmp/ for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
CLORE_SKIP_BUILD=${BENCH_SKIP_BUILD:-} . scripts/setup.sh

# Run from a snapshot of what is measured: a rebuild of dist/ or an `npm ci` in the work
# tree during the ~12 min run would otherwise change the code under test (or delete it).
# node_modules is hard-linked (npm replaces files, it never rewrites them in place);
# dist/ is copied (tsc rewrites files in place).
mkdir -p .tmp
snap=$(mktemp -d "$repo/.tmp/bench-snapshot-XXXXXX")
release=$(mktemp -d "$repo/.tmp/bench-release-XXXXXX")
trap '[ "${BENCH_KEEP:-}" = 1 ] || rm -rf "$snap" "$release"' EXIT
# The plugin rows measure the release tarball: built here, from the same tree as the snapshot.
case " ${*:-plugin} " in
  *" plugin "* | *" binary "*) CLORE_RELEASE_DIR=$release CLORE_PLUGIN_TARGETS=linux-amd64 bash scripts/release.sh plugin ;;
esac
export BENCH_PLUGIN_RELEASE=$release
for attempt in 1 2 3 4 5; do
  rm -rf "$snap"/* && mkdir -p "$snap/node_modules" "$snap/test"
  cp package.json tsconfig.json "$snap/"
  # provider/ and test/helpers/: test/pulumi/harness.ts starts emulators from the sources and
  # checks dist/ is newer than them (-p keeps their times, so the snapshot is not rebuilt).
  cp -rp dist bench provider "$snap/"
  cp -rp test/pulumi test/helpers "$snap/test/"
  for m in node_modules/* node_modules/.bin node_modules/.package-lock.json; do
    [ "$m" = node_modules/pulumi-clore ] || cp -al "$m" "$snap/node_modules/"
  done
  ln -s .. "$snap/node_modules/pulumi-clore"
  if (cd "$snap" && node -e 'for (const m of ["@pulumi/pulumi", "pulumi-clore", "pulumi-clore/dynamic", "pulumi-clore/emulator", "ts-node"]) require.resolve(m); require("pulumi-clore/sdk")') 2>/dev/null; then
    break
  fi
  [ "$attempt" = 5 ] && { echo "bench: node_modules is incomplete (an npm ci running?); try again" >&2; exit 1; }
  echo "bench: node_modules incomplete (npm ci running elsewhere?), retrying the snapshot in 10 s" >&2
  sleep 10
done
export BENCH_REPO=$repo
cd "$snap"
node -r ts-node/register bench/run.ts "$@"
