#!/usr/bin/env bash
# Publishes what scripts/release.sh built (release/, or CLORE_RELEASE_DIR) to the registries
# users install from. The release workflow (.github/workflows/release.yml) runs it against the
# public ones; the registry test (test/release/registries.e2e.spec.ts) against local stand-ins.
# Only the parts whose option is given are published.
#   --tag vX.Y.Z          the release tag; must be v + package.json's version (checked first)
#   --npm-registry URL    npm publish of pulumi-clore-<v>.tgz (auth: the registry's token in
#                         .npmrc or NODE_AUTH_TOKEN, as npm takes it)
#   --pypi-url URL        twine upload of the wheel and sdist (auth: TWINE_USERNAME and
#                         TWINE_PASSWORD, e.g. __token__ and a PyPI API token)
#   --go-tag REMOTE       commits the generated Go SDK to sdk/go on a release commit, tags it
#                         sdk/go/v<v> (how Go tags a sub-module) and pushes the tag to REMOTE;
#                         proxy.golang.org then serves `go get <module>@v<v>`
#   --goproxy-dir DIR     adds the Go module (goproxy/ of the release) to a module-proxy
#                         directory, the stand-in of proxy.golang.org
#   --assets-dir DIR      copies the plugin archives and their checksums into DIR, the
#                         stand-in of the GitHub release's assets
# Usage: bash scripts/publish.sh --tag v0.2.0 [--npm-registry URL] [--pypi-url URL]
#          [--go-tag REMOTE | --goproxy-dir DIR] [--assets-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "publish: ERROR: $*" >&2; exit 2; }
log() { echo "publish: $*" >&2; }
tag="" npm_registry="" pypi_url="" go_remote="" goproxy_dir="" assets_dir=""
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    --tag) tag=${2:?--tag needs a value}; shift ;;
    --npm-registry) npm_registry=${2:?--npm-registry needs a URL}; shift ;;
    --pypi-url) pypi_url=${2:?--pypi-url needs a URL}; shift ;;
    --go-tag) go_remote=${2:?--go-tag needs a git remote}; shift ;;
    --goproxy-dir) goproxy_dir=${2:?--goproxy-dir needs a directory}; shift ;;
    --assets-dir) assets_dir=${2:?--assets-dir needs a directory}; shift ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
  shift
done
version=$(node -p 'require("./package.json").version')
[ "$tag" = "v$version" ] || die "--tag '$tag' is not v$version (package.json's version): bump package.json or tag v$version"
out=${CLORE_RELEASE_DIR:-$PWD/release}
need() { for f in "$@"; do [ -e "$f" ] || die "$f is missing: run 'bash scripts/release.sh' first"; done; }

if [ -n "$npm_registry" ]; then
  need "$out/pulumi-clore-$version.tgz"
  npm publish "$out/pulumi-clore-$version.tgz" --registry "$npm_registry" --access public
  log "npm: pulumi-clore@$version -> $npm_registry"
fi

if [ -n "$pypi_url" ]; then
  need "$out/pulumi_clore-$version-py3-none-any.whl" "$out/pulumi_clore-$version.tar.gz"
  twine upload --non-interactive --disable-progress-bar --repository-url "$pypi_url" \
    "$out/pulumi_clore-$version-py3-none-any.whl" "$out/pulumi_clore-$version.tar.gz"
  log "PyPI: pulumi-clore $version -> $pypi_url"
fi

if [ -n "$goproxy_dir" ]; then
  need "$out/goproxy"
  mkdir -p "$goproxy_dir"
  # One module version per release: merge its files and its line of @v/list.
  (cd "$out/goproxy" && find . -type f ! -name list) | while read -r f; do
    mkdir -p "$goproxy_dir/$(dirname "$f")" && cp "$out/goproxy/$f" "$goproxy_dir/$f"
  done
  (cd "$out/goproxy" && find . -name list) | while read -r f; do
    sort -u "$out/goproxy/$f" "$goproxy_dir/$f" 2>/dev/null > "$goproxy_dir/$f.new" || sort -u "$out/goproxy/$f" > "$goproxy_dir/$f.new"
    mv -f "$goproxy_dir/$f.new" "$goproxy_dir/$f"
  done
  log "Go: the module's v$version -> module-proxy directory $goproxy_dir"
fi

if [ -n "$go_remote" ]; then
  need "$out/sdk/go/go.mod"
  # The tag must name a commit whose sdk/go is the generated SDK: a release commit on top of
  # the tagged one (no branch moves), holding it.
  git rm -rq --cached --ignore-unmatch sdk/go
  rm -rf sdk/go && mkdir -p sdk && cp -r "$out/sdk/go" sdk/go
  git add -f sdk/go
  git -c user.name="${GIT_AUTHOR_NAME:-pulumi-clore release}" -c user.email="${GIT_AUTHOR_EMAIL:-release@invalid}" \
    commit -q -m "Go SDK v$version (generated from provider/plugin/schema.json)"
  git tag "sdk/go/v$version"
  git push "$go_remote" "refs/tags/sdk/go/v$version"
  log "Go: tagged sdk/go/v$version and pushed it to $go_remote"
fi

if [ -n "$assets_dir" ]; then
  shopt -s nullglob
  archives=("$out"/pulumi-resource-clore-v"$version"-*.tar.gz "$out"/pulumi-resource-clore-v"$version"-*.zip "$out"/*checksums*)
  [ ${#archives[@]} -gt 0 ] || die "no plugin archives in $out: run 'bash scripts/release.sh plugin' first"
  mkdir -p "$assets_dir" && cp "${archives[@]}" "$assets_dir/"
  log "plugin: ${#archives[@]} files -> $assets_dir"
fi
