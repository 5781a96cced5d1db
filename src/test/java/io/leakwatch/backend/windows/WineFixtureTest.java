package io.leakwatch.backend.windows;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A SYSTEM_PROCESS_INFORMATION buffer written by Wine 8's NtQuerySystemInformation, dumped by
 * src/test/wine-spi/spiprobe.c together with its own decoding (see the README next to the fixture).
 * The parser must reproduce every value the probe printed, for every record.
 */
class WineFixtureTest {
    private static final String DIR = "/io/leakwatch/backend/windows/wine8/";
    private static final Pattern HEAD = Pattern.compile("^PID (\\d+) PPID (\\d+) name='([^']*)' nameOffsetInBuf=(-?\\d+)$");
    private static final Pattern PAIR = Pattern.compile("([A-Za-z/]+)=([0-9/]+)");

    @Test
    void parserReproducesTheProbesDecodingForEveryRecord() throws IOException {
        Map<String, String> meta = meta();
        byte[] bytes = resource("spi-wine8.bin");
        long base = Long.decode(meta.get("base"));
        assertEquals(Integer.parseInt(meta.get("length")), bytes.length);
        assertEquals("8", meta.get("pointerSize"));

        SpiParse parse = SpiParser.parse(bytes, base);
        List<Map<String, String>> expected = decodedRecords();

        assertEquals(0, parse.malformed(), parse.problem());
        assertEquals(Integer.parseInt(meta.get("records")), expected.size());
        assertEquals(expected.size(), parse.records().size());
        for (int i = 0; i < expected.size(); i++) {
            Map<String, String> e = expected.get(i);
            SpiRecord r = parse.records().get(i);
            String where = "record " + i + " (pid " + e.get("PID") + ")";
            assertEquals(e.get("PID"), Long.toString(r.pid()), where);
            assertEquals(e.get("PPID"), Long.toString(r.parentPid()), where);
            assertEquals(e.get("name"), r.imageName(), where);
            assertEquals(e.get("threads"), Long.toString(r.threads()), where);
            assertEquals(e.get("handles"), Long.toString(r.handleCount()), where);
            assertEquals(e.get("session"), Long.toString(r.sessionId()), where);
            assertEquals(e.get("basePrio"), Integer.toString(r.basePriority()), where);
            assertEquals(e.get("WorkingSetPrivateSize"), Long.toString(r.workingSetPrivateSize()), where);
            assertEquals(e.get("WorkingSetSize"), Long.toString(r.workingSetSize()), where);
            assertEquals(e.get("PeakWorkingSetSize"), Long.toString(r.peakWorkingSetSize()), where);
            assertEquals(e.get("PagefileUsage"), Long.toString(r.pagefileUsage()), where);
            assertEquals(e.get("PrivatePageCount"), Long.toString(r.privatePageCount()), where);
            assertEquals(e.get("VirtualSize"), Long.toString(r.virtualSize()), where);
            assertEquals(e.get("PageFaultCount"), Long.toString(r.pageFaultCount()), where);
            assertEquals(e.get("QuotaPagedPool").split("/")[0], Long.toString(r.quotaPagedPoolUsage()), where);
            assertEquals(e.get("QuotaNonPagedPool").split("/")[0], Long.toString(r.quotaNonPagedPoolUsage()), where);
            assertEquals(e.get("UserTime"), Long.toString(r.userTime()), where);
            assertEquals(e.get("KernelTime"), Long.toString(r.kernelTime()), where);
            assertEquals(e.get("CreateTime"), Long.toString(r.createTime()), where);
            String[] ops = e.get("ops r/w/o").split("/");
            String[] io = e.get("bytes r/w/o").split("/");
            assertEquals(List.of(ops), List.of(Long.toString(r.readOperationCount()),
                    Long.toString(r.writeOperationCount()), Long.toString(r.otherOperationCount())), where);
            assertEquals(List.of(io), List.of(Long.toString(r.readTransferCount()),
                    Long.toString(r.writeTransferCount()), Long.toString(r.otherTransferCount())), where);
        }
    }

    @Test
    void fixtureShowsTheLeakerAndUnalignedRecords() throws IOException {
        Map<String, String> meta = meta();
        SpiParse parse = SpiParser.parse(resource("spi-wine8.bin"), Long.decode(meta.get("base")));
        SpiRecord leaker = parse.records().stream().filter(r -> "leaker.exe".equals(r.imageName())).findFirst().orElseThrow();
        assertEquals("leaker", WindowsProcessNames.of(leaker.pid(), leaker.imageName()));
        assertTrue(leaker.workingSetSize() > 8 << 20, "the leaker had touched several MiB when the probe ran");
        // The probe's first NextEntryOffset (0x1b6) is not a multiple of 8: Wine packs records.
        assertNotEquals(0, (resource("spi-wine8.bin")[0] & 0xFF) % 8);
    }

    @Test
    void parsingAtAnotherBaseAddressRejectsEveryName() throws IOException {
        // Names are absolute pointers: with the wrong base none of them lies inside the buffer.
        SpiParse parse = SpiParser.parse(resource("spi-wine8.bin"), Long.decode(meta().get("base")) + (1L << 32));
        assertEquals(0, parse.records().size());
        assertEquals(10, parse.malformed());
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = WineFixtureTest.class.getResourceAsStream(DIR + name)) {
            assertNotNull(in, "missing test resource " + DIR + name);
            return in.readAllBytes();
        }
    }

    static Map<String, String> meta() throws IOException {
        Map<String, String> meta = new HashMap<>();
        for (String line : new String(resource("spi-wine8.bin.meta"), StandardCharsets.US_ASCII).split("\r?\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                meta.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return meta;
    }

    /** The probe's lines for each record, from the PID line up to its thread-time sum (the rest are other APIs). */
    static List<Map<String, String>> decodedRecords() throws IOException {
        List<Map<String, String>> out = new ArrayList<>();
        Map<String, String> current = null;
        for (String line : new String(resource("spi-wine8.decoded.txt"), StandardCharsets.UTF_8).split("\r?\n")) {
            Matcher head = HEAD.matcher(line);
            if (head.matches()) {
                current = new HashMap<>();
                current.put("PID", head.group(1));
                current.put("PPID", head.group(2));
                current.put("name", head.group(3));
                out.add(current);
                continue;
            }
            if (current == null || line.contains("sum(") || line.contains("PMC_EX") || line.contains("Get")
                    || line.contains("QueryFull") || line.contains("OpenProcess")) {
                continue;
            }
            String text = line.replace("IO ops r/w/o=", "ops r/w/o=").replace(" bytes r/w/o=", ";bytes r/w/o=");
            if (text.contains("ops r/w/o=")) {
                for (String part : text.trim().split(";")) {
                    String[] kv = part.split("=");
                    current.put(kv[0], kv[1]);
                }
                continue;
            }
            Matcher pair = PAIR.matcher(line);
            while (pair.find()) {
                current.put(pair.group(1), pair.group(2));
            }
        }
        return out;
    }
}
