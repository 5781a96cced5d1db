package io.leakwatch.leak;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The state file's mechanics, whatever it holds: a content codec of a few words stands for the real one.
 * Most cases run twice: through a handle on the directory (Linux) and through its path (as on Windows).
 */
class StateFileTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-05-04T03:02:01Z"), ZoneOffset.UTC);
    /** Another user, for the cases that need root to set up. */
    private static final int STRANGER = 65534;

    @TempDir
    Path dir;

    /** The content: "ours ..." is usable, "ours-damaged ..." is ours but kept aside, anything else is foreign. */
    record Text(String text, StateFile.Verdict verdict) implements StateFile.Decoded {
        static final Text NOTHING = new Text(null, StateFile.Verdict.USABLE);

        static Text decode(java.io.InputStream in, long size) throws IOException {
            String t = new String(in.readNBytes(1000), StandardCharsets.UTF_8);
            return new Text(t, t.startsWith("ours-damaged") ? StateFile.Verdict.KEEP_ASIDE
                    : t.startsWith("ours") ? StateFile.Verdict.USABLE : StateFile.Verdict.FOREIGN);
        }
    }

    private static StateFile.Opened<Text> open(Path file, boolean handle) throws StateFile.InUse {
        return open(file, null, handle);
    }

    private static StateFile.Opened<Text> open(Path file, String legacy, boolean handle) throws StateFile.InUse {
        return StateFile.open(file, legacy, CLOCK, Text::decode, Text.NOTHING, handle);
    }

    private static void save(StateFile f, String text) throws IOException {
        f.save(out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> names(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static boolean root() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    }

    @ParameterizedTest(name = "handle on the directory: {0}")
    @ValueSource(booleans = {true, false})
    void savesReplaceTheFileWithOwnerOnlyFilesAndLeaveNoTemporaryFile(boolean handle) throws Exception {
        Path file = dir.resolve("new/state.json");
        StateFile.Opened<Text> opened = open(file, handle);
        assertNull(opened.file().refusal());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())), "a directory it creates");
        try (StateFile f = opened.file()) {
            save(f, "ours 1");
            save(f, "ours 2");
            assertEquals("ours 2", Files.readString(file));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(List.of("state.json", "state.json.lock"), names(file.getParent()));
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(dir.resolve("new/state.json.lock")));
        }
        try (StateFile again = open(file, handle).file()) {
            assertNull(again.refusal(), "the lock is released on close");
        }
    }

    @ParameterizedTest(name = "handle on the directory: {0}")
    @ValueSource(booleans = {true, false})
    void aSymlinkPlantedAfterStartIsNeverWrittenThrough(boolean handle) throws Exception {
        for (String victimContent : List.of("", "precious\n")) {
            for (boolean existedAtStart : List.of(true, false)) {
                Path sub = Files.createTempDirectory(dir, "case");
                Path file = sub.resolve("state.json");
                Path victim = Files.writeString(dir.resolve("victim-" + sub.getFileName()), victimContent);
                if (existedAtStart) {
                    Files.writeString(file, "ours 0");
                }
                try (StateFile f = open(file, handle).file()) {
                    Files.deleteIfExists(file);
                    Files.createSymbolicLink(file, victim); // as a local user would, in a directory they may write
                    IOException e = assertThrows(IOException.class, () -> save(f, "ours 1"));
                    assertTrue(e.getMessage().contains(file + " is now a symbolic link"), e.getMessage());
                    assertEquals(victimContent, Files.readString(victim), "the link's target is unchanged");
                    assertTrue(Files.isSymbolicLink(file), "and the link is left alone");
                    assertEquals(List.of("state.json", "state.json.lock"), names(sub), "no temporary file left");

                    Files.delete(file); // the operator removes it: saving works again
                    save(f, "ours 2");
                    assertEquals("ours 2", Files.readString(file));
                }
            }
        }
    }

    @ParameterizedTest(name = "handle on the directory: {0}")
    @ValueSource(booleans = {true, false})
    void anotherFilePutInItsPlaceAfterStartIsNotSavedOver(boolean handle) throws Exception {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "ours 0");
        try (StateFile f = open(file, handle).file()) {
            Files.move(Files.writeString(dir.resolve("other"), "someone's"), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            IOException e = assertThrows(IOException.class, () -> save(f, "ours 1"));
            assertTrue(e.getMessage().contains("was replaced by a file leakwatch did not write"), e.getMessage());
            assertEquals("someone's", Files.readString(file));
        }
    }

    @Test
    void aDirectoryMovedOrReplacedByALinkAfterStartIsNotFollowed() throws Exception {
        Path state = Files.createDirectory(dir.resolve("state"));
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        try (StateFile f = open(state.resolve("s.json"), true).file()) {
            Files.move(state, dir.resolve("moved"));
            Files.createSymbolicLink(state, elsewhere);
            save(f, "ours 1");
        }
        assertEquals(List.of(), names(elsewhere), "the directory opened at start is the one written");
        assertEquals("ours 1", Files.readString(dir.resolve("moved/s.json")));
    }

    @ParameterizedTest(name = "handle on the directory: {0}")
    @ValueSource(booleans = {true, false})
    void aLinkThatWasThereAtStartIsFollowedOnceAndStaysALink(boolean handle) throws Exception {
        Path real = Files.createDirectories(dir.resolve("real")).resolve("state.json");
        Path link = dir.resolve("link.json");
        Files.createSymbolicLink(link, Path.of("real", "state.json")); // relative, as people write them
        try (StateFile f = open(link, handle).file()) {
            save(f, "ours 1");
            assertTrue(Files.isSymbolicLink(link));
            assertTrue(Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS));
            Files.delete(link);
            Files.createSymbolicLink(link, dir.resolve("elsewhere.json")); // re-pointed while running: not followed
            save(f, "ours 2");
        }
        assertEquals("ours 2", Files.readString(real));
        assertFalse(Files.exists(dir.resolve("elsewhere.json")));
        assertEquals(List.of("state.json", "state.json.lock"), names(real.getParent()), "the temporary file was next to the target");
    }

    @ParameterizedTest(name = "handle on the directory: {0}")
    @ValueSource(booleans = {true, false})
    void whatIsNotOursIsRefusedInOneLineAndLeftAlone(boolean handle) throws Exception {
        Path foreign = Files.writeString(dir.resolve("notes.txt"), "my notes\n");
        Path directory = Files.createDirectory(dir.resolve("a-directory"));
        Path fifo = dir.resolve("a-fifo"); // refused on sight, never opened: opening a FIFO to read waits for a writer
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        for (Path file : List.of(foreign, directory, fifo)) {
            StateFile.Opened<Text> opened = open(file, handle);
            String why = opened.file().refusal();
            assertTrue(why != null && why.startsWith(file + " ") && !why.contains("\n"), String.valueOf(why));
            assertTrue(why.contains(file == foreign ? "is not a leakwatch leak state file" : "is not a regular file"), why);
            IOException e = assertThrows(IOException.class, () -> save(opened.file(), "ours 1"));
            assertEquals(why, e.getMessage());
            opened.file().close();
        }
        assertEquals("my notes\n", Files.readString(foreign));
        assertEquals(List.of("a-directory", "a-fifo", "notes.txt"), names(dir), "nothing created next to them, not even a lock");
    }

    @ParameterizedTest(name = "handle on the directory: {0}")
    @ValueSource(booleans = {true, false})
    void anotherUsersFileOrLinkIsNotOurs(boolean handle) throws Exception {
        assumeTrue(root(), "needs root to make a file of another user");
        Path empty = Files.createFile(dir.resolve("empty.json")); // an empty file counted as missing before
        Path theirs = Files.writeString(dir.resolve("theirs.json"), "ours 0");
        Path victim = Files.writeString(dir.resolve("victim"), "");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), victim);
        for (Path p : List.of(empty, theirs, link)) {
            Files.setAttribute(p, "unix:uid", STRANGER, LinkOption.NOFOLLOW_LINKS);
            StateFile.Opened<Text> opened = open(p, handle);
            String why = opened.file().refusal();
            assertTrue(why != null && why.contains("belongs to user"), String.valueOf(why));
            assertThrows(IOException.class, () -> save(opened.file(), "ours 1"));
        }
        assertEquals("", Files.readString(victim));
        assertEquals(0, Files.size(empty));
        assertEquals("ours 0", Files.readString(theirs));
    }

    @Test
    void aDirectoryOtherUsersMayWriteIsRefusedUnlessSticky() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        String why = open(open.resolve("s.json"), true).file().refusal();
        assertTrue(why != null && why.contains("may be written by every user"), String.valueOf(why));

        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        try (StateFile f = open(sticky.resolve("s.json"), true).file()) {
            assertNull(f.refusal(), "like /tmp: others cannot replace our files");
            save(f, "ours 1");
        }

        Path group = Files.createDirectory(dir.resolve("group"));
        Files.setPosixFilePermissions(group, PosixFilePermissions.fromString("rwxrwxr-x"));
        List<String> warnings = logged(() -> {
            try (StateFile f = open(group.resolve("s.json"), true).file()) {
                assertNull(f.refusal());
            }
        });
        assertTrue(warnings.stream().anyMatch(w -> w.contains("may be written by group")), warnings.toString());

        if (root()) {
            Path theirs = Files.createDirectory(dir.resolve("theirs"));
            Files.setAttribute(theirs, "unix:uid", STRANGER);
            why = open(theirs.resolve("s.json"), true).file().refusal();
            assertTrue(why != null && why.contains("belongs to user"), String.valueOf(why));
            assertEquals(List.of(), names(theirs));
        }
    }

    @Test
    void aSecondOpenOfTheSameFileIsRefusedInOneLine() throws Exception {
        Path file = dir.resolve("state.json");
        try (StateFile first = open(file, true).file()) {
            save(first, "ours 1");
            Path leftover = Files.writeString(dir.resolve("state.json.123.tmp"), "the first one's save in flight");
            StateFile.InUse e = assertThrows(StateFile.InUse.class, () -> open(file, true));
            assertEquals("--leak.state-file " + file + " is in use by another leakwatch (process " + ProcessHandle.current().pid()
                    + "): give each instance its own --leak.state-file", e.getMessage());
            assertTrue(Files.exists(leftover), "the second one removes nothing");
            save(first, "ours 2");
        }
        assertEquals("ours 2", Files.readString(file));
    }

    @Test
    void leftoverTemporaryFilesOfOursAreRemovedAtStart() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        for (String name : List.of("state.json.123.tmp", "state.json4567.tmp", "old.json.9.tmp", "other.json.1.tmp", "state.json.1.tmp.keep")) {
            Files.writeString(dir.resolve(name), "x");
        }
        Files.createSymbolicLink(dir.resolve("state.json.77.tmp"), victim);
        if (root()) {
            Files.setAttribute(Files.writeString(dir.resolve("state.json.55.tmp"), "x"), "unix:uid", STRANGER);
        }
        try (StateFile f = open(dir.resolve("state.json"), "old.json", true).file()) {
            assertNull(f.refusal());
        }
        List<String> expected = new java.util.ArrayList<>(List.of("other.json.1.tmp", "state.json.1.tmp.keep", "state.json.77.tmp",
                "state.json.lock", "victim"));
        if (root()) {
            expected.add(2, "state.json.55.tmp");
        }
        assertEquals(expected, names(dir));
        assertEquals("precious", Files.readString(victim));
    }

    @ParameterizedTest(name = "handle on the directory: {0}")
    @ValueSource(booleans = {true, false})
    void aFileOfOursNotFullyUsableIsKeptAsideAtTheFirstSaveNotAtStart(boolean handle) throws Exception {
        Path file = dir.resolve("state.json");
        Files.writeString(dir.resolve("state.json.20260504T030201Z"), "an earlier one");
        Files.writeString(file, "ours-damaged 0");
        try (StateFile f = open(file, handle).file()) {
            assertEquals(List.of("state.json", "state.json.20260504T030201Z", "state.json.lock"), names(dir), "nothing renamed at start");
            save(f, "ours 1");
            save(f, "ours 2");
        }
        assertEquals("ours 2", Files.readString(file));
        assertEquals("ours-damaged 0", Files.readString(dir.resolve("state.json.20260504T030201Z-2")));
        assertEquals("an earlier one", Files.readString(dir.resolve("state.json.20260504T030201Z")));
        assertEquals(4, names(dir).size(), names(dir).toString());
    }

    @ParameterizedTest(name = "handle on the directory: {0}")
    @ValueSource(booleans = {true, false})
    void theOlderDefaultFileIsReadOnceAndRemovedOnceSavedUnderTheNewName(boolean handle) throws Exception {
        Path file = dir.resolve("state-9182.json");
        Path old = Files.writeString(dir.resolve("state.json"), "ours old");
        StateFile.Opened<Text> opened = open(file, "state.json", handle);
        assertEquals("ours old", opened.content().text());
        try (StateFile f = opened.file()) {
            assertTrue(Files.exists(old), "kept until it is saved under the new name");
            save(f, "ours new");
        }
        assertEquals(List.of("state-9182.json", "state-9182.json.lock"), names(dir));

        Files.writeString(old, "ours old");
        try (StateFile f = open(file, "state.json", handle).file()) {
            save(f, "ours newer");
        }
        assertEquals("ours old", Files.readString(old), "not read (nor removed) when the new file exists");

        Files.delete(file);
        Files.writeString(old, "my notes");
        opened = open(file, "state.json", handle);
        assertNull(opened.content().text(), "a foreign older file is not read");
        try (StateFile f = opened.file()) {
            save(f, "ours 1");
        }
        assertEquals("my notes", Files.readString(old), "nor touched");
    }

    @Test
    void anEmptyFileOfOursIsNothingAndIsReplaced() throws Exception {
        Path file = Files.createFile(dir.resolve("state.json"));
        StateFile.Opened<Text> opened = open(file, true);
        assertNull(opened.content().text());
        try (StateFile f = opened.file()) {
            assertNull(f.refusal());
            save(f, "ours 1");
        }
        assertEquals("ours 1", Files.readString(file));
    }

    @Test
    void aDirectoryWhereNothingCanBeCreatedIsOneLineNamingTheFile() throws Exception {
        String why = open(Path.of("/proc/leak-state.json"), true).file().refusal(); // even root cannot create files there
        assertEquals("/proc/leak-state.json: cannot use it (leak-state.json.lock: no such file or directory)", why);
    }

    @Test
    void aLinkChainIsBounded() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);
        String why = open(a, true).file().refusal();
        assertTrue(why != null && why.contains("too many levels of symbolic links"), String.valueOf(why));
    }

    private interface Body {
        void run() throws Exception;
    }

    private static List<String> logged(Body body) throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(StateFile.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try {
            body.run();
        } finally {
            logger.detachAppender(events);
        }
        return events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
