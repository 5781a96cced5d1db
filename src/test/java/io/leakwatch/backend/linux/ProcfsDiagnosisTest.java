package io.leakwatch.backend.linux;

import io.leakwatch.testing.ProcFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** {@code leakwatch diagnose} on Linux: on a procfs fixture with known answers, and on this machine's /proc. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcfsDiagnosisTest {
    @TempDir
    Path tmp;

    @Test
    void reportsWhatEachFileGaveAndWhichFieldsWereZero() throws Exception {
        ProcFixture proc = new ProcFixture(tmp.resolve("proc"));
        proc.addProcess(100, "agent", "/usr/bin/agent --x", 2048);
        proc.addProcess(200, "kworker/0:1", "", 0);
        proc.addProcess(300, "broken", "/bin/broken", 10);
        Files.writeString(proc.dir(300).resolve("stat"), "300 (broken) R garbage");
        Files.write(proc.dir(200).resolve("cmdline"), new byte[0]); // a kernel thread
        proc.addProcess(400, "gone", "/bin/gone", 10);
        Files.delete(proc.dir(400).resolve("io")); // exited between two reads
        Files.writeString(proc.root().resolve("mounts"), "proc " + proc.root() + " proc rw,nosuid,hidepid=invisible 0 0\n");

        List<String> lines = ProcfsDiagnosis.run(proc.root(), true, 100);
        String text = String.join("\n", lines);
        assertTrue(text.contains("stat: btime " + ProcFixture.BTIME + ", clock ticks "), text);
        assertTrue(text.contains("mount options: rw,nosuid,hidepid=invisible (hidepid: other users' processes are hidden)"), text);
        assertTrue(lines.contains("process entries: 4"), text);
        assertTrue(lines.contains("file stat: malformed x1; ok x3"), text);
        assertTrue(lines.contains("file io: gone x1; ok x3"), text);
        assertTrue(lines.contains("file cmdline: empty x1; ok x3"), text);
        assertTrue(lines.contains("collection: 2 processes, 1 vanished, 1 malformed"), text);
        assertTrue(lines.contains("cmdline: 1 of 2"), text);
        assertTrue(text.contains("leakwatch's own pid 100: agent, owner '"), text);
        assertTrue(text.contains("working set private 2097152 bytes"), text);
        assertTrue(text.contains("field working set private (status RssAnon): 0 in 1, absent in 0 of 2"), text);
        assertFalse(text.contains("--x"), "no command line is printed");
    }

    @Test
    void aDirectoryThatIsNotProcfsIsOneLineNotAnException() {
        List<String> lines = ProcfsDiagnosis.run(tmp, true, 1);
        assertTrue(lines.get(lines.size() - 1).startsWith("stat: --path.procfs: "), lines.toString());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void onThisMachineItFindsItselfWithMemory() {
        long pid = ProcessHandle.current().pid();
        List<String> lines = ProcfsDiagnosis.run(Path.of("/proc"), true, pid);
        String own = lines.stream().filter(l -> l.startsWith("leakwatch's own pid " + pid + ": ")).findFirst().orElseThrow();
        assertFalse(own.contains("NOT collected"), own);
        long privateBytes = Long.parseLong(own.replaceAll(".*working set private (\\d+) bytes.*", "$1"));
        assertTrue(privateBytes > 0, own);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("file stat: ")), lines.toString());
    }
}
