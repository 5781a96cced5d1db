#!/bin/sh
# Builds the Windows installer, target/leakwatch-<version>-amd64.msi (-amd64-jre.msi with a Java
# runtime inside), with wixl and msibuild
# (Debian: apt-get install wixl msitools); mvn package runs it after the jar and the zip.
#   build-msi.sh <project version> <target folder> [<Java runtime folder to put inside>]
# Without wixl it says so and builds nothing, except in CI (CI=true), where that is an error.
set -eu

version="$1"
target="$2"
jre="${3:-}"
here="$(cd "$(dirname "$0")" && pwd)"
dist="$here/../dist"

if ! command -v wixl >/dev/null 2>&1 || ! command -v msibuild >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "[msi] wixl and msibuild are missing: CI needs the Debian packages wixl and msitools" >&2
    exit 1
  fi
  echo "[msi] skipped: wixl or msibuild not found (Debian: apt-get install wixl msitools)"
  exit 0
fi

stage="$target/msi"
rm -rf "$stage"
mkdir -p "$stage"
cp "$target/leakwatch.jar" "$stage/leakwatch.jar"
cp "$target/jna-windows/com/sun/jna/win32-x86-64/jnidispatch.dll" "$stage/jnidispatch-x64.dll"
cp "$target/jna-windows/com/sun/jna/win32-aarch64/jnidispatch.dll" "$stage/jnidispatch-arm64.dll"
# text files with CRLF, as in the zip (cmd.exe needs them; Notepad shows them)
for file in "$dist/leakwatch.cmd" "$dist/leakwatch.example.yml" "$here/config.yaml"; do
  sed 's/\r*$/\r/' "$file" > "$stage/$(basename "$file")"
done
cp "$here/find-java.js" "$here/leakwatch.wxs" "$stage/"

# MSI versions are numbers only: 0.1.0-SNAPSHOT is 0.1.0
product_version="$(printf '%s' "$version" | sed 's/[^0-9.].*//')"
set -- -a x64 -D "Version=$product_version" -D Jar=leakwatch.jar -D Launcher=leakwatch.cmd \
  -D Example=leakwatch.example.yml -D Config=config.yaml -D JnaX64=jnidispatch-x64.dll \
  -D JnaArm64=jnidispatch-arm64.dll -D FindJava=find-java.js
inputs="leakwatch.wxs"
if [ -n "$jre" ]; then
  if [ ! -f "$jre/bin/java.exe" ] || [ ! -f "$jre/release" ]; then
    echo "[msi] $jre is not a Windows Java runtime (no bin/java.exe or release file)" >&2
    exit 1
  fi
  cp -R "$jre" "$stage/jre"
  (cd "$stage" && find jre -type f | LC_ALL=C sort | wixl-heat -p "" --component-group CG_Jre --var var.JreDir \
    --directory-ref APPLICATIONFOLDER --win64 > jre.wxs)
  set -- "$@" -D JreDir=. -D Win64=yes
  inputs="leakwatch.wxs jre.wxs"
fi
suffix=""
if [ -n "$jre" ]; then
  suffix="-jre"
fi
msi="leakwatch-$version-amd64$suffix.msi"
# shellcheck disable=SC2086 # the inputs are two known names
(cd "$stage" && wixl "$@" -o "$msi" $inputs)

set --
while IFS= read -r query; do
  case "$query" in
    '' | --*) continue ;;
  esac
  set -- "$@" -q "$query"
done < "$here/finish.sql"
msibuild "$stage/$msi" "$@"
mv "$stage/$msi" "$target/$msi"
if [ -n "$jre" ]; then
  echo "[msi] built $target/$msi with the Java runtime in $jre"
else
  echo "[msi] built $target/$msi"
fi
