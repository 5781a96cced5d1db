package io.leakwatch.guard;

import io.leakwatch.model.ProcessBackend;
import io.leakwatch.model.ProcessInfo;
import io.leakwatch.model.ProcessSample;
import io.leakwatch.model.ProcessSnapshot;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Caps the {@code process} label: a name longer than {@link #MAX_NAME_BYTES} bytes of UTF-8
 * (on Linux a name can be argv[0]'s basename, which a local user sets to anything up to 64 KiB,
 * and it is repeated on every series of the process) is cut at a character boundary and ends
 * with {@link #MARKER}, and the snapshot counts it, for the self-metric. Runs after redaction,
 * so a secret is hidden before anything is cut.
 */
public final class LabelCapBackend extends GuardingBackend {
    public static final int MAX_NAME_BYTES = 128;
    public static final String MARKER = "...";

    public LabelCapBackend(ProcessBackend delegate) {
        super(delegate);
    }

    @Override
    ProcessSnapshot guard(ProcessSnapshot snapshot) {
        List<ProcessSample> processes = snapshot.processes();
        List<ProcessSample> out = null;
        int cut = 0;
        for (int i = 0; i < processes.size(); i++) {
            ProcessSample s = processes.get(i);
            String name = s.info().name();
            String capped = name.length() * 3 <= MAX_NAME_BYTES ? name : cap(name); // 3 bytes per char at most (a pair: 4 per 2)
            if (capped != name) {
                if (out == null) {
                    out = new ArrayList<>(processes.subList(0, i)); // copy only when a long name shows up
                }
                ProcessInfo info = s.info();
                out.add(s.withInfo(new ProcessInfo(capped, info.pid(), info.pidLabel(), info.parentPid(), info.processGroupId(),
                        info.owner(), info.cmdline(), info.startTimeSeconds())));
                cut++;
            } else if (out != null) {
                out.add(s);
            }
        }
        if (out == null) {
            return snapshot;
        }
        return new ProcessSnapshot(out, snapshot.skippedVanished(), snapshot.skippedMalformed(), snapshot.droppedOverLimit(),
                snapshot.pendingRedaction(), snapshot.cutNames() + cut);
    }

    /** The name itself when it fits, else its longest prefix that fits with the marker. */
    static String cap(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_NAME_BYTES) {
            return name;
        }
        int budget = MAX_NAME_BYTES - MARKER.length();
        int bytes = 0;
        int end = 0;
        while (end < name.length()) {
            int cp = name.codePointAt(end);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + len > budget) {
                break;
            }
            bytes += len;
            end += Character.charCount(cp);
        }
        return name.substring(0, end) + MARKER;
    }
}
