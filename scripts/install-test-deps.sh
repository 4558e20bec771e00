#!/usr/bin/env bash
# Installs the Debian packages the test suite starts as real peers, when they are missing.
# As root it installs them (apt-get); otherwise it only says what is missing and fails,
# because a test that needs a peer must not pass without it.
set -euo pipefail

# binary -> Debian package
declare -A NEED=(
  [prometheus]=prometheus
  [promtool]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager
  [prometheus-blackbox-exporter]=prometheus-blackbox-exporter
  [turnserver]=coturn
  [chromium]=chromium
  [openssl]=openssl
  [ip]=iproute2
  [nft]=nftables
  [podman]=podman
  [runc]=runc
  [wrk]=wrk
  [python3]=python3
  [cc]=gcc
  [nginx]=nginx-light
  [dnsmasq]=dnsmasq-base
)

missing=()
for bin in "${!NEED[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${NEED[$bin]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
  echo "test peers missing: ${packages[*]} (run as root, or: sudo apt-get install -y ${packages[*]})" >&2
  exit 1
fi
echo "installing test peers: ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# Debian starts some of these as services on install; tests start their own on loopback.
for svc in prometheus prometheus-alertmanager prometheus-blackbox-exporter prometheus-node-exporter coturn nginx; do
  (command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null) || true
  pkill -x "$svc" 2>/dev/null || true
done
