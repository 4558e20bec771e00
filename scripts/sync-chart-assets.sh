#!/usr/bin/env bash
# Copies the repository's one source of rules, dashboards and config schema into the Helm
# chart, which reads them with .Files (a chart cannot reach outside its directory, and
# symlinks do not survive `helm package`):
#   rules/*.yml               -> helm/o365-exporter/files/rules/
#   dashboards/*.json         -> helm/o365-exporter/files/dashboards/
#   docs/config.schema.json   -> helm/o365-exporter/values.schema.json (properties.config)
# Run it after changing any of those; test/packaging/helm.test.ts fails while the copies differ.
# --check: change nothing, list what differs, exit 1 if anything does.
set -euo pipefail
cd "$(dirname "$0")/.."

chart=helm/o365-exporter
check=false
[ "${1:-}" = "--check" ] && check=true
drift=0

# sync SRC_DIR PATTERN DEST_DIR: DEST holds exactly the SRC files matching PATTERN, same bytes.
sync() {
  local src=$1 pattern=$2 dest=$3 f name
  mkdir -p "$dest"
  for f in "$src"/$pattern; do
    [ -f "$f" ] || continue
    name=$(basename "$f")
    if ! cmp -s "$f" "$dest/$name"; then
      drift=1
      if $check; then echo "differs: $dest/$name (from $f)"; else cp "$f" "$dest/$name"; fi
    fi
  done
  for f in "$dest"/$pattern; do
    [ -f "$f" ] || continue
    if [ ! -f "$src/$(basename "$f")" ]; then
      drift=1
      if $check; then echo "stale: $f (no $src/$(basename "$f"))"; else rm "$f"; fi
    fi
  done
}

sync rules '*.yml' "$chart/files/rules"
sync dashboards '*.json' "$chart/files/dashboards"

# The chart's values.schema.json checks `config` with the exporter's own generated schema.
if [ -f docs/config.schema.json ]; then
  node --input-type=module - "$chart/values.schema.json" docs/config.schema.json "$check" <<'EOF' || drift=1
import fs from 'node:fs';
const [valuesFile, configFile, check] = process.argv.slice(2);
const values = JSON.parse(fs.readFileSync(valuesFile, 'utf8'));
const { $schema: _s, title: _t, ...config } = JSON.parse(fs.readFileSync(configFile, 'utf8'));
if (JSON.stringify(values.properties.config) === JSON.stringify(config)) process.exit(0);
if (check === 'true') {
  console.log(`differs: ${valuesFile} properties.config (from ${configFile})`);
} else {
  values.properties.config = config;
  fs.writeFileSync(valuesFile, `${JSON.stringify(values, null, 2)}\n`);
}
process.exit(1);
EOF
fi

if $check && [ $drift -ne 0 ]; then
  echo "chart assets differ from their source: run scripts/sync-chart-assets.sh" >&2
  exit 1
fi
$check || [ $drift -eq 0 ] || echo "synced chart assets into $chart"
