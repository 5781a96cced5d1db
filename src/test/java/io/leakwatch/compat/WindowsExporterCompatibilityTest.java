package io.leakwatch.compat;

import io.leakwatch.Settings;
import io.leakwatch.config.UsageException;
import io.leakwatch.logging.LogFormat;
import io.leakwatch.logging.LogLines;
import io.leakwatch.logging.Logging;
import io.leakwatch.testing.ChildExporter;
import io.leakwatch.testing.Http;
import io.leakwatch.testing.TestExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumingThat;

/**
 * A windows_exporter setup starts leakwatch unchanged: its shipped config files, config files in
 * its documented shape, every one of its flags, and logs a log tool can read.
 */
class WindowsExporterCompatibilityTest {
    @TempDir
    Path dir;

    private Path resource(String name) throws IOException {
        Path file = dir.resolve(Path.of(name).getFileName().toString());
        try (InputStream in = getClass().getResourceAsStream("/" + name)) {
            Files.copy(in, file);
        }
        return file;
    }

    private static Settings parse(String... args) throws UsageException {
        List<String> all = new ArrayList<>(List.of("--web.listen-address=127.0.0.1:0", "--no-leak.enabled"));
        all.addAll(List.of(args));
        return Settings.parse(all);
    }

    private static String refused(String... args) {
        UsageException e = assertThrows(UsageException.class, () -> parse(args));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    private static String warnings(Settings s) {
        s.warnings().forEach(w -> assertFalse(w.contains("\n"), w));
        return String.join("\n", s.warnings());
    }

    @Test
    void windowsExportersShippedConfigYamlLoadsAsItIs() throws Exception {
        Settings s = parse("--config.file=" + resource("windows_exporter/config.yaml"));
        assertEquals("warn", s.log().level());
        assertEquals(LogFormat.LOGFMT, s.log().format());
        String w = warnings(s);
        assertTrue(w.contains("not served here: cpu, cpu_info, exchange, iis, logical_disk, memory, net, os, "
                + "performancecounter, remote_fx, service, system, tcp, time, terminal_services, textfile"), w);
        assertTrue(w.contains("config file keys of collectors leakwatch does not provide are ignored: "
                + "collector.textfile.directories, collector.service.include, collector.performancecounter.objects"), w);
        assertEquals(2, s.warnings().size(), "one line for the collectors, one for the keys: " + w);
        assertTrue(s.process().filter().selects("anything"));
    }

    @Test
    void windowsExportersExampleConfigLoadsAndSaysThatItLeavesOutProcess() throws Exception {
        Path example = resource("windows_exporter/example_config.yml");
        // its collectors are cpu,logical_disk,net,os,service,system: windows_exporter would serve no process metrics
        assertTrue(refused("--config.file=" + example).contains("the process collector is not enabled"));
        Settings s = parse("--config.file=" + example, "--collectors.enabled=[defaults],process");
        assertEquals("debug", s.log().level());
        assertEquals(0.5, s.http().timeoutMarginSeconds());
        assertEquals("/metrics", s.http().telemetryPath());
        assertTrue(warnings(s).contains("collector.service.include, collector.scheduled_task.include"), warnings(s));
    }

    @Test
    void aFleetConfigWithManyCollectorsLoads() throws Exception {
        Settings s = parse("--config.file=" + resource("compat/fleet-many-collectors.yml"));
        assertTrue(s.process().filter().selects("firefox"));
        assertTrue(s.process().filter().selects("lw-app"));
        assertFalse(s.process().filter().selects("firefox2"));
        assertFalse(s.process().filter().selects("Idle"), "exclude (?i)idle");
        assertEquals("belownormal", s.self().priority());
        assertTrue(warnings(s).contains("--process.memory-limit has no effect"), warnings(s));
        assertEquals(new Logging.Target.Stderr(), s.log().target());
        assertFalse(s.self().debugEndpoints());
        String w = warnings(s);
        for (String key : List.of("collector.service.include", "collector.service.start-mode-include",
                "collector.textfile.directories", "collector.performancecounter.objects", "collector.update.scrape_interval",
                "collector.dfsr.sources-enabled", "collector.container.containerd-state-dir", "collector.cpu", "collector.paging")) {
            assertTrue(w.contains(key), key + " in " + w);
        }
        assertTrue(w.contains("counter-version has no effect"), w);
        assertTrue(s.http().enabledCollectors().containsAll(List.of("process", "cpu", "textfile")));
    }

    @Test
    void keysWindowsExporterWouldRefuseAreStillErrors() throws Exception {
        assertTrue(refused("--config.file=" + resource("compat/refused-typo.yml")).contains("collector.service.includ"));
        assertTrue(refused("--config.file=" + resource("compat/refused-cpu-setting.yml")).contains("collector.cpu.counters"));
        assertTrue(refused("--config.file=" + resource("compat/refused-unknown-top.yml")).contains("unknown key 'logging.level'"));
        // values of collectors leakwatch does not run are not checked: accepted, and ignored with the warning
        for (String file : List.of("compat/other-textfile-scalar.yml", "compat/other-bad-service-regex.yml")) {
            assertTrue(warnings(parse("--config.file=" + resource(file))).contains("are ignored: collector."), file);
        }
        // windows_exporter's decoder compiles a YAML regex as written, before wrapping it in ^(?:...)$
        Path unbalanced = Files.writeString(dir.resolve("unbalanced.yml"), "collector:\n  process:\n    include: \"a)|(b\"\n");
        String line = refused("--config.file=" + unbalanced);
        assertTrue(line.contains("collector.process.include: invalid regex") && line.contains("unexpected )"), line);
        assertFalse(line.contains("internal error"), line);
        for (String key : new String[]{"exclude", "cmdline-redact"}) {
            Path file = Files.writeString(dir.resolve(key + ".yml"), "collector:\n  process:\n    " + key + ": \"a)\"\n");
            String refusal = refused("--config.file=" + file);
            assertTrue(refusal.contains(key) && refusal.contains("unexpected )"), refusal);
        }
        assertTrue(parse("--collector.process.include=a)|(b").process().filter().selects("abc"),
                "on the command line it is taken as windows_exporter takes it");
    }

    @Test
    void jsonAndHoconTakeNestedAndDottedKeys() throws Exception {
        Settings s = parse("--config.file=" + resource("compat/fleet.json"));
        assertTrue(s.process().filter().selects("firefox"));
        assertFalse(s.process().filter().selects("firefox2"));
        assertTrue(warnings(s).contains("collector.service.include"), warnings(s));
        Path hocon = Files.writeString(dir.resolve("c.conf"), "\"collector.process.exclude\" = sshd\ncollector.service.include = x\n");
        assertFalse(parse("--config.file=" + hocon).process().filter().selects("sshd"));
    }

    /** Every flag windows_exporter has (global, web, log and every collector's), with a value it accepts. */
    static final List<String> EVERY_WINDOWS_EXPORTER_FLAG = List.of(
            "--telemetry.path=/metrics", "--web.disable-exporter-metrics=false",
            "--collectors.enabled=[defaults],process,container,dfsr,dhcp,dns,exchange,file,hyperv,iis,mscluster,mssql,"
                    + "netframework,performancecounter,printer,scheduled_task,smtp,tcp,textfile,time,update",
            "--collectors.disabled=update", "--scrape.timeout-margin=0.5", "--debug.enabled=false",
            "--process.priority=normal", "--process.memory-limit=0", "--log.level=info", "--log.format=logfmt",
            "--log.file=stderr", "--web.config.file=",
            "--collector.process.include=.+", "--collector.process.exclude=", "--collector.process.iis=false",
            "--collector.process.cmdline", "--collector.process.counter-version=2",
            "--collector.container.containerd-state-dir=C:\\state", "--collector.container.enabled=container,hostprocess",
            "--collector.dfsr.sources-enabled=connection,folder,volume", "--collector.dhcp.enabled=server_metrics",
            "--collector.dns.enabled=metrics,wmi_stats", "--collector.exchange.enabled=ADAccessProcesses",
            "--collector.exchange.list", "--collector.file.file-patterns=C:\\logs\\*.log",
            "--collector.hyperv.enabled=cpu,memory", "--collector.iis.app-exclude=", "--collector.iis.app-include=.+",
            "--collector.iis.site-exclude=", "--collector.iis.site-include=.+", "--collector.logical_disk.enabled=metrics",
            "--collector.logical_disk.volume-exclude=", "--collector.logical_disk.volume-include=.+",
            "--collector.mscluster.enabled=cluster,node", "--collector.mssql.enabled=accessmethods",
            "--collector.net.enabled=metrics", "--collector.net.nic-exclude=", "--collector.net.nic-include=.+",
            "--collector.netframework.enabled=clrexceptions", "--collector.performancecounter.objects=- name: x",
            "--collector.physical_disk.disk-exclude=", "--collector.physical_disk.disk-include=.+",
            "--collector.printer.exclude=", "--collector.printer.include=.+",
            "--collector.scheduled_task.exclude=/Microsoft/.+", "--collector.scheduled_task.include=.+",
            "--collector.service.exclude=", "--collector.service.include=(?P<svc>windows_exporter)",
            "--collector.service.start-mode-include=auto,manual", "--collector.smtp.server-exclude=",
            "--collector.smtp.server-include=.+", "--collector.tcp.enabled=metrics,connections_state",
            "--collector.textfile.directories=C:\\textfile", "--collector.time.enabled=system_time,ntp",
            "--no-collector.update.online", "--collector.update.scrape-interval=6h");

    @Test
    void everyWindowsExporterFlagIsAccepted() throws Exception {
        Settings s = parse(EVERY_WINDOWS_EXPORTER_FLAG.toArray(String[]::new));
        String w = warnings(s);
        assertTrue(w.contains("flags of collectors leakwatch does not provide are ignored: --collector.container.containerd-state-dir"), w);
        assertTrue(w.contains("--collector.update.online") && w.contains("--collector.exchange.list"), w);
        assertTrue(w.contains("counter-version has no effect"), w);
        // the value syntax is the same too: a space instead of '='
        assertTrue(parse("--collector.service.include", "svc.*", "--collector.update.online").warnings().stream()
                .anyMatch(x -> x.contains("--collector.service.include, --collector.update.online")));
        // values of collectors leakwatch does not run are not checked; names windows_exporter does not have are errors
        for (String other : List.of("--collector.service.include=(", "--collector.update.scrape-interval=soon",
                "--collector.update.online=maybe", "--collector.service.include=(a{1000}){1000}")) {
            assertTrue(warnings(parse(other)).contains(other.substring(0, other.indexOf('='))), other);
        }
        assertTrue(refused("--collector.nosuch.flag=1").contains("unknown flag --collector.nosuch.flag"));
        assertTrue(refused("--collector.service.includ=x").contains("unknown flag --collector.service.includ"));
        assertTrue(refused("--collector.process.counter-version=256").contains("0 to 255"));
        assertTrue(refused("--process.memory-limit=lots").contains("whole number of bytes"));
        assertTrue(refused("--log.format=text").contains("logfmt, json"));
    }

    @Test
    void aLogFileThatCannotBeWrittenIsOneLineAndExitCode2() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int code = io.leakwatch.Main.run(List.of("--web.listen-address=127.0.0.1:0", "--no-leak.enabled",
                        "--log.file=" + notADirectory.resolve("leakwatch.log")),
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), new java.io.PrintStream(err, true));
        assertEquals(2, code);
        String text = err.toString();
        assertTrue(text.startsWith("leakwatch: --log.file: cannot write ") && text.indexOf('\n') == text.length() - 1, text);
    }

    @Test
    void collectIsAcceptedForEnabledCollectorsLeakwatchDoesNotServe() throws Exception {
        try (TestExporter exporter = TestExporter.start("--collectors.enabled=process,cpu", "--collector.process.include=java")) {
            int port = exporter.port;
            HttpResponse<byte[]> cpu = Http.get(port, "/metrics?collect[]=cpu");
            assertEquals(200, cpu.statusCode());
            assertFalse(Http.body(cpu).contains("windows_process_"));
            assertTrue(Http.body(Http.get(port, "/metrics?collect[]=process&collect[]=cpu")).contains("windows_process_info"));
            assertEquals(400, Http.get(port, "/metrics?collect[]=memory").statusCode(), "not enabled");
        }
    }

    @Test
    void debugEndpointsAreOffByDefaultAndServeJvmDiagnosticsWhenOn() throws Exception {
        try (TestExporter off = TestExporter.start("--collector.process.include=java")) {
            assertEquals(404, Http.get(off.port, "/debug/threads").statusCode());
        }
        try (TestExporter on = TestExporter.start("--collector.process.include=java", "--debug.enabled")) {
            int port = on.port;
            String threads = Http.body(Http.get(port, "/debug/threads"));
            assertTrue(threads.contains("java.lang.Thread.State"), threads.substring(0, Math.min(300, threads.length())));
            String heap = Http.body(Http.get(port, "/debug/heap"));
            assertTrue(heap.contains("java.lang.String"), heap.substring(0, Math.min(300, heap.length())));
        }
    }

    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");

    /**
     * A real run with windows_exporter's own config file (log.level warn, many collectors), logging
     * at info to see the start: every line parses, and the collectors warning comes once. On Linux,
     * {@code niceOfEveryThread} gets the nice value of each of the child's threads, read while it runs.
     */
    private void everyLineOfARealRunParses(String format, Function<String, Map<String, String>> parse,
                                           Consumer<List<Long>> niceOfEveryThread, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--config.file=" + resource("windows_exporter/config.yaml"),
                "--log.level=info", "--log.format=" + format, "--no-leak.enabled", "--collector.process.include=java"));
        args.addAll(List.of(more));
        try (ChildExporter child = ChildExporter.start(List.of(), args.toArray(String[]::new))) {
            assertEquals(200, Http.get(child.port, "/metrics").statusCode());
            assumingThat(LINUX, () -> niceOfEveryThread.accept(niceOfEveryThread(child.pid())));
            List<String> lines = child.log();
            assertTrue(lines.size() >= 3, lines.toString());
            int notServed = 0;
            for (String line : lines) {
                Map<String, String> record = parse.apply(line);
                assertEquals(List.of("time", "level", "source", "msg"), List.copyOf(record.keySet()).subList(0, 4), line);
                if (record.get("msg").contains("not served here")) {
                    notServed++;
                    assertTrue(record.get("source").startsWith("Main.java:"), "the line that logged it: " + line);
                }
            }
            assertEquals(1, notServed, "one warning for the collectors leakwatch does not serve: " + lines);
            assertEquals(List.of(), child.exceptionLines());
        }
    }

    /** Linux: field 19 of /proc/PID/task/TID/stat for every thread. */
    private static List<Long> niceOfEveryThread(long pid) throws IOException {
        List<Long> nice = new ArrayList<>();
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String stat = Files.readString(task.resolve("stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                nice.add(Long.parseLong(fields[16])); // field 19 of stat: nice
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // a thread ended while listed
        }
        assertFalse(nice.isEmpty(), "no thread of " + pid);
        return nice;
    }

    @Test
    void logfmtLinesOfARealRunParseAndBelownormalIsNiceTenOnEveryThread() throws Exception {
        everyLineOfARealRunParses("logfmt", LogLines::logfmt,
                nice -> assertTrue(nice.stream().allMatch(n -> n == 10), "nice of every thread, the HTTP server's included: " + nice),
                "--process.priority=belownormal");
    }

    @Test
    void jsonLinesOfARealRunParse() throws Exception {
        everyLineOfARealRunParses("json", LogLines::json,
                nice -> assertEquals(1, nice.stream().distinct().count(), "normal priority leaves every thread's nice as it was: " + nice));
    }
}
