#!/usr/bin/env bash
# jmh.sh - JMH micro-benchmarks of the /proc parsers, the /proc reads, the exposition writer and the redaction.
#
#   src/bench/jmh.sh                     # all, with the GC profiler (gc.alloc.rate.norm = bytes/op)
#   src/bench/jmh.sh ProcParsers -f 1    # any JMH arguments: a regex of benchmarks, options
#
# One op is one process (parsers, writer), one file read / one whole collect (ProcReadBenchmark) or one
# command line (CmdlineRedactorBenchmark).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -o -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/jmh.classpath -Dmdep.includeScope=test
CP="target/test-classes:target/classes:$(cat target/jmh.classpath)"
if [ $# -eq 0 ]; then
  set -- -prof gc -f 1 -wi 3 -w 1s -i 5 -r 1s 'io\.leakwatch\..*Benchmark'
fi
exec java -cp "$CP" org.openjdk.jmh.Main "$@"
