#!/usr/bin/env bash
# MapLibre glyph ranges (SDF protobufs of 256 code points, as `GET /fonts/{fontstack}/{range}.pbf`
# serves them) built from the Noto Sans TTFs that npm installed, with fontnik's `build-glyphs`
# (its Linux binary ships inside the npm package: nothing is downloaded). Noto Sans covers all of
# Vietnamese: precomposed letters (U+1EA0–U+1EF9), ă â đ ê ô ơ ư and the combining marks.
# Idempotent: a font is rebuilt only when its TTF changed. Usage: scripts/build-glyphs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${GEO_IOC_GLYPHS_DIR:-build/glyphs}"
TTF=node_modules/@expo-google-fonts/noto-sans
BUILD=node_modules/.bin/build-glyphs

build() {
  local name="$1" ttf="$2" dir want tmp
  dir="$OUT/$name"
  want="$(sha256sum "$ttf" | cut -c1-16)"
  [ "$(cat "$dir/.source" 2>/dev/null)" = "$want" ] && return 0
  echo "building glyphs of $name"
  mkdir -p "$OUT"
  tmp="$(mktemp -d "$OUT/.building.XXXXXX")"
  "$BUILD" "$ttf" "$tmp"
  echo "$want" > "$tmp/.source"
  chmod 755 "$tmp"
  # Swapped in whole, so a running server never sees half a font.
  rm -rf "$dir"
  mv "$tmp" "$dir"
}

build "Noto Sans Regular" "$TTF/400Regular/NotoSans_400Regular.ttf"
build "Noto Sans Bold" "$TTF/700Bold/NotoSans_700Bold.ttf"
