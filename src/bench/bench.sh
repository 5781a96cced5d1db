#!/usr/bin/env bash
# bench.sh - leakwatch vs Debian's prometheus-process-exporter on the same processes, same run.
#
#   src/bench/bench.sh                 # N=1000, the README table
#   src/bench/bench.sh -N 1000,4000,10000   # the cost curve (sizes above pid_max are skipped)
#   src/bench/bench.sh -L 10000        # also the long run: RSS at scrape 1,000 and 10,000
#
# For each N: spawns N 'sleep' processes (plus 5 whose comm is cut at 15 bytes), starts leakwatch
# through its launcher (src/main/dist/leakwatch, i.e. the default JVM flags; JAVA_OPTS passes
# through) and prometheus-process-exporter (one group per process: name "{{.Comm}}-{{.PID}}",
# cmdline ['.+'], defaults otherwise), then scrapes them ALTERNATELY (one leakwatch scrape, one
# process-exporter scrape, ...) so machine noise hits both alike. Reports per exporter:
#   start_s     launch to first HTTP 200 of the metrics path
#   med_ms/p99_ms  curl time_total over the K timed scrapes (p99 = nearest rank)
#   cpu_ms      utime+stime of the exporter process over the timed scrapes / K
#   rss_mb      VmRSS after warm-up + timed scrapes
#   private_mb  RssAnon + VmSwap at the same moment: the memory only this process holds, what
#               leakwatch reports as windows_process_private_bytes on Linux
#   bytes/gzip  body bytes of one plain and one gzip scrape; series = sample lines
# and the floor: CPU (user+sys) of `cat` reading the same files leakwatch reads per process
# (stat, status, io; plus a stat() of fd/ as leakwatch counts handles), median of K runs.
# Ratios are leakwatch / process-exporter and leakwatch / floor, from the same run.
#
# Options:
#   -N LIST   comma list of process counts [1000]
#   -K K      timed scrapes per exporter [30]    -W W  warm-up scrapes [10]
#   -L S      long run: after the table, scrape leakwatch until S scrapes in total at the first N,
#             printing RSS and private memory every 1,000 (0 = off) [0]
#   -M        also print leakwatch's Native Memory Tracking summary (JVM areas, committed MB) at
#             the end (after the long run with -L); NMT itself costs ~1-2 MB, so RSS reads higher
#   -P        skip process-exporter (smoke runs where it is missing)
#   -j JAR    leakwatch jar [target/leakwatch.jar]; LEAKWATCH_CLASSPATH overrides (build tests)
#   -o DIR    keep bodies and raw numbers in DIR [temporary, removed]
#   -p PORT   first port; uses PORT and PORT+1 [19380]
#   -I        isolate: run everything in a new PID namespace with its own /proc (needs root or
#             user namespaces), so the exporters see exactly the N processes and nothing that other
#             work on the machine starts or stops; RSS and cost then depend on N alone.
# leakwatch starts with the launcher's defaults and an empty XDG_STATE_HOME (a first start: no leak
# history of earlier runs to read).
# Output: human table on stdout, plus "RESULT ..." key=value lines a script can parse.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
NLIST=1000; K=30; W=10; LONG=0; NMT=0; NOPEER=0; JAR="$REPO/target/leakwatch.jar"; OUT=""; PORT=19380; ISOLATE=0
ARGS=("$@")
while getopts "N:K:W:L:MPj:o:p:Ih" opt; do
  case $opt in
    N) NLIST=$OPTARG;; K) K=$OPTARG;; W) W=$OPTARG;; L) LONG=$OPTARG;; M) NMT=1;; P) NOPEER=1;;
    j) JAR=$OPTARG;; o) OUT=$OPTARG;; p) PORT=$OPTARG;; I) ISOLATE=1;;
    *) sed -n '2,40p' "$0" >&2; exit 2;;
  esac
done
if [ $ISOLATE -eq 1 ] && [ -z "${LEAKWATCH_BENCH_ISOLATED:-}" ]; then
  # PID 1 of the namespace is this script: when it ends, the kernel ends everything it started
  exec unshare --pid --fork --mount-proc env LEAKWATCH_BENCH_ISOLATED=1 "$0" "${ARGS[@]}"
fi
LAUNCHER="$REPO/src/main/dist/leakwatch"
PE=$(command -v prometheus-process-exporter || true)
[ $NOPEER -eq 0 ] && [ -z "$PE" ] && { echo "bench: prometheus-process-exporter not installed (apt-get install prometheus-process-exporter, or -P)" >&2; exit 2; }
if [ -z "${LEAKWATCH_CLASSPATH:-}" ] && [ ! -f "$JAR" ]; then
  echo "bench: $JAR missing: build it first (mvn -q -B package -DskipTests)" >&2; exit 2
fi
for tool in curl awk gzip; do command -v $tool >/dev/null || { echo "bench: needs $tool" >&2; exit 2; }; done

TICK=$(getconf CLK_TCK)
WORK=$(mktemp -d /tmp/leakwatch-bench.XXXXXX)
[ -n "$OUT" ] && mkdir -p "$OUT"
LW_PORT=$PORT; PE_PORT=$((PORT + 1))
LW_URL="http://127.0.0.1:$LW_PORT/metrics"; PE_URL="http://127.0.0.1:$PE_PORT/metrics"
DUMMIES=(); LW_PID=""; PE_PID=""

log() { echo "[bench] $*" >&2; }

stop_pid() {  # TERM, wait up to 5 s, then KILL; only PIDs this script started
  local p=$1
  [ -z "$p" ] && return
  kill -TERM "$p" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null
  wait "$p" 2>/dev/null
}
stop_dummies() {
  if [ ${#DUMMIES[@]} -gt 0 ]; then
    kill -TERM "${DUMMIES[@]}" 2>/dev/null
    wait "${DUMMIES[@]}" 2>/dev/null
  fi
  DUMMIES=()
}
cleanup() {
  stop_pid "$LW_PID"; LW_PID=""
  stop_pid "$PE_PID"; PE_PID=""
  stop_dummies
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cpu_ticks() {  # utime+stime of one PID (comm may hold spaces: fields after the last ')')
  local line rest
  line=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
  rest=${line##*) }
  set -- $rest
  echo $(( ${12} + ${13} ))
}
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
private_kb() { awk '/^(RssAnon|VmSwap):/{s+=$2} END{print s+0}' "/proc/$1/status" 2>/dev/null || echo 0; }
mb() { awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }
# median, nearest-rank p99 (input: one number per line) -> "median p99"
med_p99() { sort -g | awk '{a[NR]=$1} END{ if(NR==0){print "NaN NaN"; exit}
  m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; r=int(0.99*NR); if(r<0.99*NR)r++; if(r<1)r=1;
  printf "%.2f %.2f\n", m, a[r] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0==0) print "-"; else printf "%.3f", a/b }'; }

# Launch to first 200; echoes seconds, or "FAIL".
wait_first_200() {
  local url=$1 pid=$2 t0=$3 i code
  for ((i = 0; i < 1200; i++)); do
    kill -0 "$pid" 2>/dev/null || { echo FAIL; return; }
    code=$(curl -s --max-time 60 -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)
    if [ "$code" = 200 ]; then awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; return; fi
    sleep 0.02
  done
  echo FAIL
}

start_leakwatch() {
  local t0
  t0=$(date +%s.%N)
  mkdir -p "$WORK/state"
  local opts=${JAVA_OPTS:-}
  [ $NMT -eq 1 ] && opts="$opts -XX:NativeMemoryTracking=summary"
  XDG_STATE_HOME="$WORK/state" JAVA_OPTS="$opts" LEAKWATCH_JAR="$JAR" "$LAUNCHER" --web.listen-address="127.0.0.1:$LW_PORT" \
    > "$WORK/lw.log" 2>&1 &
  LW_PID=$!
  LW_START=$(wait_first_200 "$LW_URL" "$LW_PID" "$t0")
  [ "$LW_START" = FAIL ] && { log "leakwatch did not answer:"; tail -20 "$WORK/lw.log" >&2; exit 4; }
  # the launcher execs java: LW_PID is the JVM itself
}
start_peer() {
  local t0
  cat > "$WORK/pe.yml" <<'YAML'
process_names:
  - name: "{{.Comm}}-{{.PID}}"
    cmdline:
    - '.+'
YAML
  t0=$(date +%s.%N)
  "$PE" -config.path "$WORK/pe.yml" -web.listen-address "127.0.0.1:$PE_PORT" > "$WORK/pe.log" 2>&1 &
  PE_PID=$!
  PE_START=$(wait_first_200 "$PE_URL" "$PE_PID" "$t0")
  [ "$PE_START" = FAIL ] && { log "process-exporter did not answer:"; tail -20 "$WORK/pe.log" >&2; exit 4; }
}

scrape() {  # url outfile -> appends "time_total http_code" to outfile
  curl -s --max-time 120 -o /dev/null -w '%{time_total} %{http_code}\n' "$1" >> "$2"
}
body_stats() {  # url name -> sets BYTES GZBYTES SERIES
  curl -s --max-time 120 -o "$WORK/$2.body" "$1"
  curl -s --max-time 120 -H 'Accept-Encoding: gzip' -o "$WORK/$2.body.gz" "$1"
  BYTES=$(wc -c < "$WORK/$2.body"); GZBYTES=$(wc -c < "$WORK/$2.body.gz")
  SERIES=$(grep -vc '^#' "$WORK/$2.body")
  [ -n "$OUT" ] && cp "$WORK/$2.body" "$OUT/$2-N$N.txt"
}

# The floor: what `cat` needs to read the files leakwatch reads per process.
floor() {
  local i
  TIMEFORMAT='%U %S'
  for ((i = 0; i < K; i++)); do
    { time cat /proc/[0-9]*/stat /proc/[0-9]*/status /proc/[0-9]*/io > /dev/null 2>&1; } 2>> "$WORK/floor_files.txt"
    { time stat -c %s /proc/[0-9]*/fd > /dev/null 2>&1; } 2>> "$WORK/floor_fd.txt"
  done
  FLOOR_FILES=$(awk '{print ($1+$2)*1000}' "$WORK/floor_files.txt" | med_p99 | cut -d' ' -f1)
  FLOOR_FD=$(awk '{print ($1+$2)*1000}' "$WORK/floor_fd.txt" | med_p99 | cut -d' ' -f1)
  FLOOR_ALL=$(awk -v a="$FLOOR_FILES" -v b="$FLOOR_FD" 'BEGIN{printf "%.2f", a+b}')
  rm -f "$WORK/floor_files.txt" "$WORK/floor_fd.txt"
}

run_one() {
  N=$1
  local pid_max i
  pid_max=$(cat /proc/sys/kernel/pid_max)
  if [ $((N + $(ls -d /proc/[0-9]* | wc -l) + 1000)) -gt "$pid_max" ]; then
    log "N=$N skipped: pid_max is $pid_max"; return
  fi
  mkdir -p "$WORK/bin"
  ln -sf "$(command -v sleep)" "$WORK/bin/bench-a-very-long-process-name"   # comm cut at 15 bytes
  for ((i = 0; i < N; i++)); do sleep 3600 & DUMMIES+=($!); done
  for i in 1 2 3 4 5; do "$WORK/bin/bench-a-very-long-process-name" 3600 & DUMMIES+=($!); done
  sleep 1
  NPROC=$(ls -d /proc/[0-9]* | wc -l)
  log "N=$N: $NPROC processes on the machine; load $(cut -d' ' -f1-3 /proc/loadavg)"

  start_leakwatch
  PE_START="-"
  [ $NOPEER -eq 0 ] && start_peer
  log "first 200: leakwatch ${LW_START}s, process-exporter ${PE_START}s"

  for ((i = 0; i < W; i++)); do
    scrape "$LW_URL" "$WORK/warm.txt"; [ $NOPEER -eq 0 ] && scrape "$PE_URL" "$WORK/warm.txt"
  done
  : > "$WORK/lw.txt"; : > "$WORK/pe.txt"
  local lw0 pe0 lw1 pe1 busy0 busy1 t1 t2
  busy0=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat); t1=$(date +%s.%N)
  lw0=$(cpu_ticks "$LW_PID"); [ $NOPEER -eq 0 ] && pe0=$(cpu_ticks "$PE_PID")
  for ((i = 0; i < K; i++)); do
    scrape "$LW_URL" "$WORK/lw.txt"; [ $NOPEER -eq 0 ] && scrape "$PE_URL" "$WORK/pe.txt"
  done
  lw1=$(cpu_ticks "$LW_PID"); [ $NOPEER -eq 0 ] && pe1=$(cpu_ticks "$PE_PID")
  busy1=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat); t2=$(date +%s.%N)
  LW_RSS=$(mb "$(rss_kb "$LW_PID")"); LW_PRIV=$(mb "$(private_kb "$LW_PID")")
  read -r LW_MED LW_P99 < <(awk '{print $1*1000}' "$WORK/lw.txt" | med_p99)
  LW_CPU=$(awk -v a="$lw0" -v b="$lw1" -v t="$TICK" -v k="$K" 'BEGIN{printf "%.2f", (b-a)*1000/t/k}')
  LW_BAD=$(awk '$2!=200' "$WORK/lw.txt" | wc -l)
  body_stats "$LW_URL" leakwatch; LW_BYTES=$BYTES; LW_GZ=$GZBYTES; LW_SERIES=$SERIES
  if [ $NOPEER -eq 0 ]; then
    PE_RSS=$(mb "$(rss_kb "$PE_PID")"); PE_PRIV=$(mb "$(private_kb "$PE_PID")")
    read -r PE_MED PE_P99 < <(awk '{print $1*1000}' "$WORK/pe.txt" | med_p99)
    PE_CPU=$(awk -v a="$pe0" -v b="$pe1" -v t="$TICK" -v k="$K" 'BEGIN{printf "%.2f", (b-a)*1000/t/k}')
    PE_BAD=$(awk '$2!=200' "$WORK/pe.txt" | wc -l)
    body_stats "$PE_URL" process-exporter; PE_BYTES=$BYTES; PE_GZ=$GZBYTES; PE_SERIES=$SERIES
  else
    PE_RSS=-; PE_PRIV=-; PE_MED=-; PE_P99=-; PE_CPU=-; PE_BAD=0; PE_BYTES=-; PE_GZ=-; PE_SERIES=-
  fi
  local others
  others=$(awk -v s0="$busy0" -v s1="$busy1" -v t1="$t1" -v t2="$t2" -v n="$(nproc)" -v t="$TICK" \
    'BEGIN{printf "%.0f", (s1-s0)/t/((t2-t1)*n)*100}')
  floor

  printf '\nN=%s  (%s processes on the machine; %s cores; machine busy %s%% during the timed scrapes; K=%s)\n' \
    "$N" "$NPROC" "$(nproc)" "$others" "$K"
  printf '%-28s %14s %18s %10s\n' figure leakwatch process-exporter ratio
  printf '%-28s %14s %18s %10s\n' "start to first 200 (s)" "$LW_START" "$PE_START" "$(ratio "$LW_START" "$PE_START")"
  printf '%-28s %14s %18s %10s\n' "median latency (ms)" "$LW_MED" "$PE_MED" "$(ratio "$LW_MED" "$PE_MED")"
  printf '%-28s %14s %18s %10s\n' "p99 latency (ms)" "$LW_P99" "$PE_P99" "$(ratio "$LW_P99" "$PE_P99")"
  printf '%-28s %14s %18s %10s\n' "CPU per scrape (ms)" "$LW_CPU" "$PE_CPU" "$(ratio "$LW_CPU" "$PE_CPU")"
  printf '%-28s %14s %18s %10s\n' "RSS after warm-up (MB)" "$LW_RSS" "$PE_RSS" "$(ratio "$LW_RSS" "$PE_RSS")"
  printf '%-28s %14s %18s %10s\n' "private after warm-up (MB)" "$LW_PRIV" "$PE_PRIV" "$(ratio "$LW_PRIV" "$PE_PRIV")"
  printf '%-28s %14s %18s %10s\n' "bytes per scrape" "$LW_BYTES" "$PE_BYTES" "$(ratio "$LW_BYTES" "$PE_BYTES")"
  printf '%-28s %14s %18s %10s\n' "bytes per scrape, gzip" "$LW_GZ" "$PE_GZ" "$(ratio "$LW_GZ" "$PE_GZ")"
  printf '%-28s %14s %18s %10s\n' "series per scrape" "$LW_SERIES" "$PE_SERIES" "$(ratio "$LW_SERIES" "$PE_SERIES")"
  printf '%-28s %14s %18s %10s\n' "non-200 answers" "$LW_BAD" "$PE_BAD" ""
  printf 'floor: cat of stat+status+io %s ms CPU, + stat() of every fd/ %s ms = %s ms; leakwatch CPU / floor = %s (/ files only: %s)\n' \
    "$FLOOR_FILES" "$FLOOR_FD" "$FLOOR_ALL" "$(ratio "$LW_CPU" "$FLOOR_ALL")" "$(ratio "$LW_CPU" "$FLOOR_FILES")"
  echo "RESULT n=$N procs=$NPROC busy_pct=$others k=$K lw_start_s=$LW_START pe_start_s=$PE_START" \
    "lw_med_ms=$LW_MED pe_med_ms=$PE_MED lw_p99_ms=$LW_P99 pe_p99_ms=$PE_P99 lw_cpu_ms=$LW_CPU pe_cpu_ms=$PE_CPU" \
    "lw_rss_mb=$LW_RSS pe_rss_mb=$PE_RSS lw_private_mb=$LW_PRIV pe_private_mb=$PE_PRIV lw_bytes=$LW_BYTES pe_bytes=$PE_BYTES lw_gzip=$LW_GZ pe_gzip=$PE_GZ" \
    "lw_series=$LW_SERIES pe_series=$PE_SERIES floor_files_ms=$FLOOR_FILES floor_fd_ms=$FLOOR_FD floor_ms=$FLOOR_ALL" \
    "lw_non200=$LW_BAD pe_non200=$PE_BAD"
  [ -n "$OUT" ] && cp "$WORK/lw.txt" "$OUT/leakwatch-N$N.scrapes" && [ $NOPEER -eq 0 ] && cp "$WORK/pe.txt" "$OUT/process-exporter-N$N.scrapes"

  stop_pid "$PE_PID"; PE_PID=""
  if [ "$LONG" -gt 0 ] && [ "$N" = "${NLIST%%,*}" ]; then long_run; fi
  [ $NMT -eq 1 ] && nmt_summary
  stop_pid "$LW_PID"; LW_PID=""
  stop_dummies
  rm -f "$WORK"/*.txt "$WORK"/*.body*
}

# Scrapes leakwatch until LONG scrapes in total (one curl process per 100 scrapes, keep-alive),
# printing RSS every 1,000 (or at LONG if smaller): growth from the first print to the end is
# what a leak would show.
long_run() {
  local done=$((W + K + 2)) batch rss_first="" priv_first="" first_at=0 rss priv t0 step next
  step=$(( LONG < 1000 ? LONG : 1000 )); next=$step
  log "long run: $LONG scrapes of leakwatch at N=$N"
  t0=$(date +%s)
  while [ $done -lt "$LONG" ]; do
    batch=$(( next - done )); [ $batch -gt 100 ] && batch=100; [ $batch -lt 1 ] && batch=1
    curl -s --max-time 600 "${LW_URL}?i=[1-$batch]" > /dev/null
    done=$((done + batch))
    if [ $done -ge $next ]; then
      rss=$(rss_kb "$LW_PID"); priv=$(private_kb "$LW_PID")
      [ -z "$rss_first" ] && { rss_first=$rss; priv_first=$priv; first_at=$done; }
      printf 'long run: scrape %6d  RSS %s MB  private %s MB  (%ds)\n' "$done" "$(mb "$rss")" "$(mb "$priv")" \
        $(( $(date +%s) - t0 ))
      next=$((next + step))
    fi
  done
  kill -0 "$LW_PID" 2>/dev/null || { log "leakwatch died during the long run"; exit 4; }
  echo "RESULT long n=$N scrapes=$done first_at=$first_at rss_first_mb=$(awk -v k="$rss_first" 'BEGIN{printf "%.1f", k/1024}')" \
    "rss_end_mb=$(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}')" \
    "growth_mb=$(awk -v a="$rss_first" -v b="$rss" 'BEGIN{printf "%.2f", (b-a)/1024}')" \
    "private_first_mb=$(mb "$priv_first") private_end_mb=$(mb "$priv")"
}

# The JVM's own account of its memory (Native Memory Tracking, -M): committed MB per area.
nmt_summary() {
  local jcmd
  jcmd="$(dirname "$(readlink -f "/proc/$LW_PID/exe")")/jcmd"
  [ -x "$jcmd" ] || { log "no jcmd next to leakwatch's java: no NMT summary"; return; }
  "$jcmd" "$LW_PID" VM.native_memory summary scale=KB 2>/dev/null | awk -v pid="$LW_PID" -v th="$(awk '/^Threads:/{print $2}' "/proc/$LW_PID/status")" '
    /^Total:/ { sub(/.*committed=/, ""); sub(/KB.*/, ""); printf "NMT total committed %.1f MB (threads: %s)\n", $0/1024, th; next }
    /^-/ { name=$0; sub(/^- */, "", name); sub(/ *\(.*/, "", name); c=$0; sub(/.*committed=/, "", c); sub(/KB.*/, "", c)
           if (c+0 >= 100) printf "NMT %-28s %7.1f MB\n", name, c/1024 }'
  # NMT counts a mapped class archive as committed whole: what of it is resident, and what private
  awk '/^[0-9a-f]+-[0-9a-f]+ /{ f = ($6 ~ /\.jsa$/) ? "archive" : ($6 ~ /libjvm\.so$/) ? "libjvm" : ""; next }
       f != "" && /^Rss:/ { rss[f] += $2 } f != "" && /^Anonymous:/ { anon[f] += $2 }
       END { for (k in rss) printf "smaps %-8s resident %.1f MB, of it private %.1f MB\n", k, rss[k]/1024, anon[k]/1024 }' \
    "/proc/$LW_PID/smaps" 2>/dev/null
}

echo "leakwatch benchmark $(date -u +%Y-%m-%dT%H:%MZ) on $(uname -sr), $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo);" \
  "java $(java -version 2>&1 | awk -F'"' 'NR==1{print $2}'); process-exporter $(dpkg-query -W -f '${Version}' prometheus-process-exporter 2>/dev/null || echo '?')"
echo "JAVA_OPTS=${JAVA_OPTS:-} (appended to the launcher defaults)${LEAKWATCH_BENCH_ISOLATED:+; isolated in a PID namespace (only processes of the benchmark are visible)}"
IFS=, read -r -a SIZES <<< "$NLIST"
for n in "${SIZES[@]}"; do run_one "$n"; done
