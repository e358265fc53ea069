#!/usr/bin/env bash
# The demo (README "Try it"): starts the local Clore emulator, runs `pulumi up` of the
# root project (Pulumi.yaml: the gpu-rental example) against it, prints the outputs (the ssh command), then destroys it.
# No account, no network: a throwaway file backend and a demo key.
set -euo pipefail
cd "$(dirname "$0")/.."
CLORE_SKIP_PYTHON=1 . scripts/setup.sh

work=$(mktemp -d)
cleanup() {
  [ -n "${emu_pid:-}" ] && kill "$emu_pid" 2>/dev/null || true
  rm -rf "$work" Pulumi.demo.yaml
}
trap cleanup EXIT

# The emulator prints its URL and demo key; 0.05 makes a 20 s boot take 1 s.
node dist/provider/emulator/main.js --port 0 --time-scale 0.05 > "$work/emulator.out" &
emu_pid=$!
for _ in $(seq 100); do grep -q '^API key' "$work/emulator.out" 2>/dev/null && break; sleep 0.1; done
base_url=$(grep -o 'http://[^ ]*' "$work/emulator.out" | head -1)
api_key=$(sed -n 's/^API key: *//p' "$work/emulator.out" | head -1)
[ -n "$base_url" ] && [ -n "$api_key" ] || { cat "$work/emulator.out"; echo "demo: the emulator did not start" >&2; exit 1; }
echo "demo: Clore emulator at $base_url"

# The provider's marketplace cache goes to the throwaway dir too: its entries are keyed by
# this emulator's random port, so they would only pile up under ~/.cache.
export PULUMI_BACKEND_URL="file://$work/backend" PULUMI_CONFIG_PASSPHRASE=demo CLORE_CACHE_DIR="$work/cache"
mkdir -p "$work/backend"
pulumi stack init demo --non-interactive >/dev/null
pulumi config set clore:baseUrl "$base_url"
printf '%s' "$api_key" | pulumi config set --secret clore:apiKey
printf '%s' "demo-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')" | pulumi config set --secret sshPassword
pulumi up --yes --skip-preview --non-interactive
echo
echo "demo: stack outputs"
pulumi stack output
echo
echo "demo: connect with: $(pulumi stack output sshCommand)   (password: pulumi config get sshPassword)"
pulumi destroy --yes --skip-preview --non-interactive
pulumi stack rm demo --yes --non-interactive >/dev/null
# Ask the emulator itself: every order it ever created must have ended.
active=$(node -e 'fetch(process.argv[1] + "/_emulator/orders?active=true").then(r => r.json()).then(o => console.log((o.orders ?? o).length))' "${base_url%/v1}")
[ "$active" = 0 ] || { echo "demo: the emulator still has $active active order(s)!" >&2; exit 1; }
echo "demo: destroyed; the emulator has no active orders left."
