#!/usr/bin/env bash
# Vendor uPlot (MIT) into search_api/static/vendor/ from the npm registry.
# Run by hand when upgrading; the vendored files are committed, so neither the tests nor a
# deployment needs npm or the network. The tarball's integrity is checked against the pin.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=1.6.32
INTEGRITY="sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw=="
DEST=search_api/static/vendor

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "uplot@$VERSION" >/dev/null)
tarball="$tmp/uplot-$VERSION.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "uplot@$VERSION: integrity mismatch ($actual)" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$tmp"
mkdir -p "$DEST"
cp "$tmp/package/dist/uPlot.iife.min.js" "$DEST/uPlot.iife.min.js"
cp "$tmp/package/dist/uPlot.min.css" "$DEST/uPlot.min.css"
cp "$tmp/package/LICENSE" "$DEST/uPlot.LICENSE"
printf 'uplot %s (npm, %s)\n' "$VERSION" "$INTEGRITY" > "$DEST/VERSIONS.txt"
ls -l "$DEST"
