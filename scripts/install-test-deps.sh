#!/usr/bin/env bash
# Installs the Debian packages the test suite starts as real peers, when they are missing,
# and fetches the Node binary the container image ships (see image_node).
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

# The container test builds its base image around the Node the Dockerfile ships (its default
# BASE_IMAGE's version), not this machine's: the official binary from the npm registry
# (node-linux-<arch>), kept in the user's cache across `npm ci`; test/helpers/podman.ts
# imageNode() reads the same path.
image_node() {
  local version arch dir tmp
  version=$(sed -n 's/^ARG BASE_IMAGE=.*node:\([0-9][0-9.]*\)-.*/\1/p' Dockerfile)
  [ -n "$version" ] || { echo "Dockerfile: no node:<version> in the default BASE_IMAGE" >&2; return 1; }
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) echo "no Node binary package for $(uname -m)" >&2; return 1 ;; esac
  dir="${XDG_CACHE_HOME:-$HOME/.cache}/o365-exporter/node-v$version-linux-$arch"
  [ -x "$dir/node" ] && return 0
  echo "fetching the image's Node $version (npm package node-linux-$arch)"
  tmp=$(mktemp -d)
  npm pack "node-linux-$arch@$version" --pack-destination "$tmp" --silent >/dev/null
  tar -xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$tmp" package/bin/node
  mkdir -p "$dir"
  mv "$tmp/package/bin/node" "$dir/node.partial"
  mv "$dir/node.partial" "$dir/node"
  rm -rf "$tmp"
}
image_node

missing=()
for bin in "${!NEED[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${NEED[$bin]}")
done
# The bench's reference client (bench/client/reference-client.c) links OpenSSL.
[ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
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
