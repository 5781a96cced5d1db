package io.leakwatch.guard;

import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Caps the label values a process brings, in bytes of UTF-8 (what Prometheus'
 * {@code label_value_length_limit} and remote stores such as Mimir count), cut at a character
 * boundary (never inside a surrogate pair or a UTF-8 sequence) and ending with {@link #MARKER}:
 * <ul>
 * <li>{@code process}: at most {@link #MAX_NAME_BYTES}. On Linux a name can be argv[0]'s basename,
 * which a local user sets to anything up to 64 KiB, and it is repeated on every series of the
 * process; the snapshot counts the names cut, for the self-metric.</li>
 * <li>{@code cmdline}: at most the --collector.process.cmdline-max-length (0: no cap). A command line
 * of 64 KiB is one label value a store may refuse, and with it the whole scrape.</li>
 * </ul>
 * Runs after redaction, so a secret is hidden before anything is cut: a cut only removes text.
 * A process's cut info is kept from one collection to the next (by identity: backends and
 * redaction hand over the same info for a lifetime), so a long command line is cut once, not every
 * scrape. Used from the collector thread only.
 */
public final class LabelCapBackend extends GuardingBackend {
    public static final int MAX_NAME_BYTES = 128;
    /** The default cap of the cmdline label, in bytes of UTF-8: Mimir's default label length limit. */
    public static final int DEFAULT_CMDLINE_BYTES = 2048;
    public static final String MARKER = "...";

    private final int maxCmdlineBytes; // 0: no cap
    private Map<ProcessInfo, ProcessInfo> capped = new IdentityHashMap<>(); // last collection's, by the info handed over

    public LabelCapBackend(ProcessBackend delegate) {
        this(delegate, DEFAULT_CMDLINE_BYTES);
    }

    /** @param maxCmdlineBytes the most bytes of UTF-8 in a cmdline label, the marker included; 0 = no cap */
    public LabelCapBackend(ProcessBackend delegate, int maxCmdlineBytes) {
        super(delegate);
        if (maxCmdlineBytes < 0 || (maxCmdlineBytes > 0 && maxCmdlineBytes <= MARKER.length())) {
            throw new IllegalArgumentException("cmdline cap must be 0 (none) or more than " + MARKER.length() + " bytes: " + maxCmdlineBytes);
        }
        this.maxCmdlineBytes = maxCmdlineBytes;
    }

    @Override
    ProcessSnapshot guard(ProcessSnapshot snapshot) {
        List<ProcessSample> processes = snapshot.processes();
        Map<ProcessInfo, ProcessInfo> next = new IdentityHashMap<>();
        List<ProcessSample> out = null;
        int cutNames = 0;
        for (int i = 0; i < processes.size(); i++) {
            ProcessSample s = processes.get(i);
            ProcessInfo info = s.info();
            ProcessInfo result = capped.get(info);
            boolean nameFits = fits(info.name(), MAX_NAME_BYTES);
            boolean cmdlineFits = maxCmdlineBytes == 0 || fits(info.cmdline(), maxCmdlineBytes);
            if (result == null && !(nameFits && cmdlineFits)) {
                String name = nameFits ? info.name() : cap(info.name(), MAX_NAME_BYTES);
                String cmdline = cmdlineFits ? info.cmdline() : cap(info.cmdline(), maxCmdlineBytes);
                result = name == info.name() && cmdline == info.cmdline() ? info
                        : new ProcessInfo(name, info.pid(), info.pidLabel(), info.parentPid(), info.processGroupId(), info.owner(),
                        cmdline, info.startTimeSeconds());
            }
            if (result == null) {
                result = info; // short labels: nothing to cut, nothing to remember
            } else {
                next.put(info, result); // counted once: a label that needed counting is not counted again, cut or not
            }
            if (result != info) {
                if (!result.name().equals(info.name())) {
                    cutNames++;
                }
                if (out == null) {
                    out = new ArrayList<>(processes.subList(0, i)); // copy only when a long label shows up
                }
                out.add(s.withInfo(result));
            } else if (out != null) {
                out.add(s);
            }
        }
        capped = next;
        if (out == null) {
            return snapshot;
        }
        return snapshot.withProcessesAndCutNames(out, cutNames);
    }

    /** Processes whose labels were counted and are remembered until their next collection (tests). */
    int remembered() {
        return capped.size();
    }

    @Override
    void forget() {
        capped = new IdentityHashMap<>();
    }

    /** Surely within maxBytes without counting: at most 3 bytes of UTF-8 per char (a surrogate pair: 4 for 2). */
    private static boolean fits(String text, int maxBytes) {
        return (long) text.length() * 3 <= maxBytes;
    }

    /** The name itself when it fits in {@link #MAX_NAME_BYTES}, else its longest prefix that fits with the marker. */
    static String cap(String name) {
        return cap(name, MAX_NAME_BYTES);
    }

    /**
     * The text itself when its UTF-8 fits in maxBytes, else its longest prefix of whole characters
     * that fits with {@link #MARKER}. An unpaired surrogate counts as the 3 bytes of the replacement
     * character the exposition writes for it.
     */
    static String cap(String text, int maxBytes) {
        int budget = maxBytes - MARKER.length();
        int bytes = 0;
        int end = 0; // the prefix that fits within budget
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > maxBytes) {
                return text.substring(0, end) + MARKER;
            }
            bytes += len;
            i += Character.charCount(cp);
            if (bytes <= budget) {
                end = i;
            }
        }
        return text; // all of it fits
    }
}
