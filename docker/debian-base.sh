#!/usr/bin/env bash
# Base images for docker/Dockerfile made from Debian packages, for machines that reach Debian's
# package archive but no container registry. Builds (once) and prints two image names:
#   localhost/leakwatch-debian-jdk:bookworm-KEY      OpenJDK 17 (jlink, jar), only for building
#   localhost/leakwatch-debian-runtime:bookworm-KEY  glibc, libstdc++, zlib, bash: what the JRE needs
# then build the image with them (the && stops there when this script fails; a process
# substitution, read ... < <(docker/debian-base.sh), would hide the failure):
#   bases=$(docker/debian-base.sh) && read -r jdk runtime <<<"$bases" &&
#   podman build -f docker/Dockerfile --build-arg JDK_IMAGE=$jdk --build-arg RUNTIME_IMAGE=$runtime --layers=false ...
#
# Cache: the images themselves, in podman's image store (root: /var/lib/containers/storage).
# KEY is a hash of this script, so editing the package lists below rebuilds; an existing image is
# reused as it is. Refresh (security updates): podman rmi the two images, or pass --refresh.
# A lock (/run/lock/leakwatch-debian-base.lock) makes concurrent callers wait for one build.
# Packages come from this machine's default Debian archive for bookworm, plus updates and security
# (mmdebstrap's default for a stable release); LEAKWATCH_DEBIAN_SOURCES=/path/to/sources.list
# (or a deb822 .sources file) uses other mirrors.
# Needs: root, mmdebstrap, podman (Debian packages of the same names).
set -euo pipefail

suite=bookworm
refresh=false
case "${1:-}" in
  --refresh) refresh=true ;;
  "") ;;
  *) echo "usage: $0 [--refresh]" >&2; exit 2 ;;
esac
for tool in mmdebstrap podman flock sha256sum; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is not installed (apt-get install mmdebstrap podman)" >&2; exit 2; }
done

key=$(sha256sum "$0" | cut -c1-12)
jdk_image=localhost/leakwatch-debian-jdk:$suite-$key
runtime_image=localhost/leakwatch-debian-runtime:$suite-$key
arch=$(dpkg --print-architecture)
sources=()
if [ -n "${LEAKWATCH_DEBIAN_SOURCES:-}" ]; then sources=("$LEAKWATCH_DEBIAN_SOURCES"); fi

# Documentation, manuals and translations are left out; copyright files stay.
slim=(--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*'
      --dpkgopt='path-exclude=/usr/share/locale/*')

exists() { podman image exists "$1"; }

build_runtime() {
  # "extract": the packages (and what they depend on) unpacked, no package manager run inside,
  # nothing else. /etc/passwd and /etc/group are base-passwd's defaults (root, nobody, ...).
  # gconv (iconv's charset modules, 8 MB) is not used by the JVM.
  mmdebstrap --quiet --variant=extract --include=base-files,base-passwd,libc6,libstdc++6,zlib1g,bash,dash \
    "${slim[@]}" --dpkgopt='path-exclude=/usr/lib/*/gconv/*' \
    --extract-hook='cp "$1/usr/share/base-passwd/passwd.master" "$1/etc/passwd"' \
    --extract-hook='cp "$1/usr/share/base-passwd/group.master" "$1/etc/group"' \
    "$suite" - "${sources[@]}" \
    | podman import --quiet --message "leakwatch runtime base: Debian $suite packages" \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$runtime_image" >/dev/null
}

build_jdk() {
  mmdebstrap --quiet --variant=extract --include=openjdk-17-jdk-headless,dash,coreutils \
    "${slim[@]}" "$suite" - "${sources[@]}" \
    | podman import --quiet --message "leakwatch build base: Debian $suite OpenJDK 17" \
        --change "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-$arch" \
        --change "ENV PATH=/usr/lib/jvm/java-17-openjdk-$arch/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
        - "$jdk_image" >/dev/null
}

mkdir -p /run/lock
exec 9>/run/lock/leakwatch-debian-base.lock
flock 9
if $refresh; then
  podman rmi --force "$jdk_image" "$runtime_image" >/dev/null 2>&1 || true
fi
exists "$runtime_image" || { echo "building $runtime_image with mmdebstrap..." >&2; build_runtime; }
exists "$jdk_image" || { echo "building $jdk_image with mmdebstrap..." >&2; build_jdk; }
echo "$jdk_image $runtime_image"
