package io.leakwatch;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Optional;

/**
 * {@code --process.memory-limit}: windows_exporter passes it to Go's soft memory limit. A running
 * JVM cannot lower its own limits, so this checks the limit against what the JVM may use (heap,
 * metaspace, code cache, direct buffers) and says what to change when it does not fit; with ZGC or
 * Shenandoah, whose collectors honour a soft heap target, it also sets SoftMaxHeapSize. Not
 * thread-safe: call once at startup.
 */
final class OwnMemoryLimit {
    /** HotSpot's value for "no limit" on MaxMetaspaceSize. */
    private static final long UNLIMITED = Long.MAX_VALUE / 2;

    private OwnMemoryLimit() {
    }

    /** What the JVM may use, by part, in bytes; metaspace is -1 when unbounded. */
    record Ceiling(long heap, long metaspace, long codeCache, long direct) {
        long total() {
            return heap + Math.max(0, metaspace) + codeCache + direct;
        }
    }

    static Ceiling ceiling() {
        long heap = Runtime.getRuntime().maxMemory();
        long metaspace = option("MaxMetaspaceSize");
        long direct = option("MaxDirectMemorySize");
        return new Ceiling(heap, metaspace < 0 || metaspace >= UNLIMITED ? -1 : metaspace,
                Math.max(0, option("ReservedCodeCacheSize")), direct <= 0 ? heap : direct);
    }

    /**
     * @param limit bytes; 0 or less means no limit, as in windows_exporter
     * @return a warning to log, or empty when the JVM fits within the limit
     */
    static Optional<String> apply(long limit) {
        if (limit <= 0) {
            return Optional.empty();
        }
        Ceiling c = ceiling();
        setSoftMaxHeap(limit - (c.total() - c.heap()));
        String parts = "heap " + mib(c.heap()) + ", metaspace " + (c.metaspace() < 0 ? "unbounded" : mib(c.metaspace()))
                + ", code cache " + mib(c.codeCache()) + ", direct buffers " + mib(c.direct());
        if (c.heap() >= limit) {
            return Optional.of("--process.memory-limit=" + limit + ": the JVM's heap alone may grow to " + mib(c.heap())
                    + " and a running JVM cannot lower it; start leakwatch with a smaller -Xmx (JAVA_OPTS), e.g. -Xmx"
                    + Math.max(16, limit / 4 / (1 << 20)) + "m");
        }
        if (c.metaspace() < 0 || c.total() > limit) {
            return Optional.of("--process.memory-limit=" + limit + ": the JVM may use up to " + mib(c.total())
                    + (c.metaspace() < 0 ? " plus unbounded metaspace" : "") + " (" + parts
                    + "); set -Xmx and -XX:MaxMetaspaceSize (JAVA_OPTS) to stay below the limit");
        }
        return Optional.empty();
    }

    private static void setSoftMaxHeap(long bytes) {
        boolean softGc = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .anyMatch(n -> n.startsWith("ZGC") || n.startsWith("Shenandoah"));
        if (!softGc || bytes <= 0) {
            return;
        }
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long max = Runtime.getRuntime().maxMemory();
            hotspot.setVMOption("SoftMaxHeapSize", Long.toString(Math.min(bytes, max)));
        } catch (RuntimeException e) {
            // not writeable on this JVM: the warning above still tells the user
        }
    }

    private static long option(String name) {
        try {
            VMOption o = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name);
            return Long.parseUnsignedLong(o.getValue()) < 0 ? -1 : Long.parseLong(o.getValue());
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }
}
