#!/bin/bash
# Runs src/main/dist/leakwatch.cmd under Wine's cmd.exe with a stand-in java.exe that prints its argv:
# a JAVA_HOME set with quotes, an install folder with a space, a quoted regex with *, and the script
# started by a quoted name found on PATH. Wine's cmd is not Windows' cmd (it does not have the %~dp0
# bug the launcher works around), so this checks the launcher's expansions, not cmd.exe itself.
# Needs: apt-get install wine64 gcc-mingw-w64-x86-64
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
export WINEPREFIX=${WINEPREFIX:-/tmp/leakwatch-cmd-wineprefix} WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
WINE=/usr/lib/wine/wine64
mkdir -p "$WORK/jdk/bin" "$WORK/leak watch"
printf '#include <stdio.h>\nint wmain(int c, wchar_t **v) { for (int i = 0; i < c; i++) wprintf(L"argv[%%d]=[%%ls]\\n", i, v[i]); return 3; }\n' > "$WORK/java.c"
x86_64-w64-mingw32-gcc -municode -O2 -o "$WORK/jdk/bin/java.exe" "$WORK/java.c"
cp "$HERE/../../main/dist/leakwatch.cmd" "$WORK/leak watch/"
W=$($WINE winepath -w "$WORK" 2>/dev/null)
printf '@echo off\r\nset JAVA_HOME="%s\\jdk"\r\ncall "%s\\leak watch\\leakwatch.cmd" --collectors.enabled process --collector.process.include="svchost.*"\r\nset JAVA_HOME=\r\nset "PATH=%s\\jdk\\bin;%s\\leak watch;%%PATH%%"\r\ncd /d %s\\jdk\r\n"leakwatch.cmd" --version\r\n' \
  "$W" "$W" "$W" "$W" "$W" > "$WORK/run.cmd"
[ -d "$WINEPREFIX" ] || $WINE wineboot --init >/dev/null 2>&1
$WINE cmd /c "$($WINE winepath -w "$WORK/run.cmd" 2>/dev/null)" 2>/dev/null | tr -d '\r' | sed "s|$(printf '%s' "$W" | sed 's/\\/\\\\/g')|<dir>|g"
$WINE wineserver -k 2>/dev/null || /usr/lib/wine/wineserver -k 2>/dev/null || true
