#!/usr/bin/env bash
# Builds the release artifacts of this checkout into release/ (git-ignored; CLORE_RELEASE_DIR
# overrides), version from package.json:
#   npm     pulumi-clore-<v>.tgz                               the npm package (npm pack)
#   plugin  pulumi-resource-clore-v<v>-linux-amd64.tar.gz      the resource-provider plugin for
#           Python, YAML and Go programs: a launcher and one esbuild bundle, run on the
#           `node` (>= 22) on PATH; install with `pulumi plugin install resource clore <v> --file …`
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
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' EXIT
  # keepNames: our error classes set and check `this.name`. The dynamic path's engine-log
  # lookup of @pulumi/pulumi's package.json never runs in the plugin; leave it unresolved.
  npx esbuild provider/plugin/main.ts --bundle --platform=node --target=node22 --keep-names \
    --external:@pulumi/pulumi/package.json --outfile="$stage/plugin.js" --log-level=warning
  # packageVersion() finds this next to the bundle: GetPluginInfo must report exactly the
  # version the SDKs ask for.
  node -e 'const p = require("./package.json"); process.stdout.write(JSON.stringify({ name: p.name, version: p.version, license: p.license }) + "\n")' > "$stage/package.json"
  printf '#!/bin/sh\n# Pulumi resource plugin "clore" v%s: runs the bundle next to this file on the node (>= 22) on PATH.\nexec node "$(dirname "$0")/plugin.js" "$@"\n' "$version" > "$stage/pulumi-resource-clore"
  chmod 755 "$stage/pulumi-resource-clore"
  tarball=$out/pulumi-resource-clore-v$version-linux-amd64.tar.gz
  tar -C "$stage" -czf "$tarball" pulumi-resource-clore plugin.js package.json
  log "plugin: $tarball"
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
