#!/bin/bash
# Regenerate a real SYSTEM_PROCESS_INFORMATION fixture from Wine's implementation.
# Needs: apt-get install -y --no-install-recommends wine64 wine gcc-mingw-w64-x86-64
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${SRC:-$HERE}; OUT=${OUT:-$HERE/../resources/io/leakwatch/backend/windows/wine8}
export WINEPREFIX=${WINEPREFIX:-/tmp/spi-wineprefix} WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
WINE=/usr/lib/wine/wine64
mkdir -p "$OUT"; OUT=$(realpath "$OUT"); BUILD=$(mktemp -d)
x86_64-w64-mingw32-gcc -O2 -Wall -o "$BUILD/spiprobe.exe" "$SRC/spiprobe.c" -lntdll -lpsapi
x86_64-w64-mingw32-gcc -O2 -Wall -o "$BUILD/leaker.exe"   "$SRC/leaker.c" -lpsapi
[ -d "$WINEPREFIX" ] || $WINE wineboot --init >/dev/null 2>&1
$WINE "$BUILD/leaker.exe" 30 > "$OUT/leaker.txt" 2>&1 & LEAK=$!
sleep 2
$WINE "$BUILD/spiprobe.exe" "$($WINE winepath -w "$OUT/spi-wine8.bin" 2>/dev/null)" > "$OUT/spi-wine8.decoded.txt" 2>/dev/null
wait $LEAK
$WINE wineserver -k 2>/dev/null || /usr/lib/wine/wineserver -k || true
rm -rf "$BUILD"
echo "fixture: $(ls -l "$OUT" | tail -n +2 | awk '{print $5, $9}' | tr '\n' ' ')"
