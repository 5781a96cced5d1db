#!/usr/bin/env bash
# Measures what docs/containers.md and docs/fleet.md quote about the image, and records it in
# docker/measured.properties; the docs' tables are generated from that file (MeasuredFiguresTest
# fails when they differ). From the repository root, as root, with podman, runc and mmdebstrap:
#   docker/measure.sh
# It builds the jar and the image the way docs/containers.md says, runs the image as the default
# (its own user, no capabilities) and as the privileged variant (root with SYS_PTRACE and
# DAC_READ_SEARCH), beside a process of another user, and records:
#   image, runtime base and jar sizes; the JVM's resident memory in the container after 100 scrapes;
#   processes exported and series per host and per process (another user's process, leak
#   detection on); how long SIGTERM takes to stop the container.
# Then it regenerates the docs' tables (mvn test -Dtest=MeasuredFiguresTest -Dleakwatch.docs.update=true).
# Takes 2 to 4 minutes; everything it starts is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in podman runc mmdebstrap setpriv curl mvn; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is not installed" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "$0: run as root (podman as root, a process of another user)" >&2; exit 2; }

run=leakwatch-measure-$$
image=localhost/$run:latest
out=docker/measured.properties
podman=(podman --runtime runc)
ulimits=(--ulimit nofile=1024:4096 --ulimit nproc=1024:2048)
other=
cleanup() {
  "${podman[@]}" rm --force --volumes --time 5 "$run-default" "$run-privileged" >/dev/null 2>&1 || true
  "${podman[@]}" rmi --force "$image" >/dev/null 2>&1 || true
  if [ -n "$other" ]; then kill "$other" 2>/dev/null || true; fi
}
trap cleanup EXIT

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }

echo "building the jar and the image..." >&2
mvn -q -B -ntp package -DskipTests
bases=$(docker/debian-base.sh)
read -r jdk runtime <<<"$bases"
build_start=$(date +%s%N)
"${podman[@]}" build --layers=false --pull=never --format docker "${ulimits[@]}" --ignorefile docker/Dockerfile.dockerignore \
  -f docker/Dockerfile --build-arg JAR=context --build-arg JDK_IMAGE="$jdk" --build-arg RUNTIME_IMAGE="$runtime" \
  -q -t "$image" . >/dev/null
build_s=$(awk -v ns=$(( $(date +%s%N) - build_start )) 'BEGIN { printf "%.0f", ns / 1e9 }')
image_bytes=$("${podman[@]}" image inspect --format '{{.Size}}' "$image")
runtime_bytes=$("${podman[@]}" image inspect --format '{{.Size}}' "$runtime")
jar_bytes=$(stat -c %s target/leakwatch.jar)

setpriv --reuid=12345 --regid=12345 --clear-groups sleep 900 &
other=$!

# start NAME OPTIONS...: a container as docs/containers.md runs it, with a short leak window so the
# leak series exist within a minute; prints the published port
start() {
  local name=$1; shift
  # --no-healthcheck: podman runs health checks from systemd timers, which a host without systemd
  # lacks (and says so on every run); the check costs nothing measured here
  "${podman[@]}" run -d --name "$name" "${ulimits[@]}" --no-healthcheck --read-only -v /proc:/host/proc:ro \
    -v /etc/passwd:/etc/passwd:ro -v /etc/group:/etc/group:ro -p 127.0.0.1::9182 "$@" "$image" \
    --leak.state-file= --leak.sample-interval=1s --leak.window=60s >/dev/null
  "${podman[@]}" port "$name" 9182/tcp | sed 's/.*://'
}

# scrape_until PORT: /metrics once the other user's process has its leak-floor series
scrape_until() {
  local body
  for _ in $(seq 1 120); do
    body=$(curl -sf "http://127.0.0.1:$1/metrics" || true)
    if grep -q "^leakwatch_leak_private_bytes_floor_growth_bytes_per_second{.*process_id=\"$other\"" <<<"$body"; then
      printf '%s\n' "$body"
      return
    fi
    sleep 1
  done
  echo "$0: no leak series for process $other within 2 minutes" >&2
  exit 1
}

per_process() { grep -v '^#' | grep -c "process_id=\"$other\"" || true; }

echo "running the default container..." >&2
port=$(start "$run-default" --cap-drop ALL --security-opt no-new-privileges)
metrics=$(scrape_until "$port")
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/metrics"; done
metrics=$(curl -sf "http://127.0.0.1:$port/metrics")
pid=$("${podman[@]}" inspect --format '{{.State.Pid}}' "$run-default")
rss_kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
processes=$(grep -c '^windows_process_info{' <<<"$metrics")
per_host=$(grep -v '^#' <<<"$metrics" | grep -v '^$' | grep -vc 'process_id="' || true)
per_process_default=$(per_process <<<"$metrics")
kernel_threads=0 # on the host, from stat's flags (PF_KTHREAD), as leakwatch tells them apart
for stat in /proc/[0-9]*/stat; do
  line=$(<"$stat") 2>/dev/null || continue
  read -r -a fields <<<"${line##*) }"
  if (( fields[6] & 0x200000 )); then kernel_threads=$((kernel_threads + 1)); fi
done
start_ns=$(date +%s%N)
"${podman[@]}" stop --time 30 "$run-default" >/dev/null
sigterm_s=$(awk -v ns=$(( $(date +%s%N) - start_ns )) 'BEGIN { printf "%.1f", ns / 1e9 }')
exit_code=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$run-default")

echo "running the privileged variant..." >&2
port=$(start "$run-privileged" --user 0:0 --cap-drop ALL --cap-add SYS_PTRACE --cap-add DAC_READ_SEARCH \
  --security-opt no-new-privileges)
per_process_privileged=$(scrape_until "$port" | per_process)

{
  echo "# Written by docker/measure.sh; docs/containers.md and docs/fleet.md show these (MeasuredFiguresTest)."
  echo "date=$(date -u +%Y-%m-%d)"
  echo "machine=$(nproc) cores, Linux $(uname -r | cut -d- -f1), podman $(podman --version | awk '{ print $3 }') with runc"
  echo "image.mb=$(mb "$image_bytes")"
  echo "runtime.base.mb=$(mb "$runtime_bytes")"
  echo "jar.mb=$(mb "$jar_bytes")"
  echo "build.seconds=$build_s"
  echo "rss.mb=$(mb $(( rss_kb * 1024 )))"
  echo "scrapes=100"
  echo "processes=$processes"
  echo "kernel.threads.left.out=$kernel_threads"
  echo "series.per.host=$per_host"
  echo "series.per.process.default=$per_process_default"
  echo "series.per.process.privileged=$per_process_privileged"
  echo "sigterm.seconds=$sigterm_s"
  echo "sigterm.exit.code=$exit_code"
} >"$out"
cat "$out"
mvn -q -B -ntp test -Dtest=MeasuredFiguresTest -Dleakwatch.docs.update=true
echo "updated $out and the docs' tables; review with git diff" >&2
