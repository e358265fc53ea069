#!/usr/bin/env bash
# Debian packages the tests use as independent checks of our own servers: OpenSSH's client
# and server (sshd for the detached-job specs) and redis-server (the shared rate-limit
# store). Each test starts its own on 127.0.0.1 and stops it by PID; none is left running.
# Idempotent: a package already installed is skipped, `apt-get update` runs once, only when
# something is missing. Needs root (or sudo); without either it says what to install and
# the specs that need a missing binary skip with a reason.
set -euo pipefail
want=(openssh-client openssh-server redis-server)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "system-packages: not root: install ${missing[*]} (apt-get install -y ${missing[*]}) for the SSH and Redis specs" >&2
    exit 0
  fi
fi
echo "system-packages: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
# policy-rc.d: install the packages without starting their system services (the tests start
# their own on loopback).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  $sudo sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
  trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
