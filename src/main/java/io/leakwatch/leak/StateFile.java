package io.leakwatch.leak;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The leak state file as a file, whatever it holds ({@link LeakStateCodec} says what): where it is,
 * whose it is, and how it is replaced. At start and at every save:
 * <ul>
 * <li>links in the configured path are followed once, at start, and only links owned by leakwatch's
 *     user or by root; afterwards every operation names an entry of the file's directory (through a
 *     handle on the directory where the OS has one) and never follows a link at that entry;
 * <li>a directory that every user may write without the sticky bit, or that belongs to another user,
 *     is refused; one its group may write is used, with a warning;
 * <li>a save writes a new owner-only temporary file next to the file (created, never an existing one)
 *     and renames it over the file only while the file is still the one leakwatch last read or wrote
 *     (same file key), or gone: a link or another file put there meanwhile is left alone;
 * <li>a file leakwatch did not write (not a regular file, another user's, not a state file by its
 *     content) is never replaced, and nothing is saved for the run;
 * <li>a lock file next to it ({@code NAME.lock}, holding the pid) keeps a second leakwatch off it;
 * <li>temporary files of a save that was killed are removed at start (this name's, this user's);
 * <li>a file that is leakwatch's but not fully usable is renamed aside before the first save, and an
 *     older default file that was read is removed once its content is saved under the new name.
 * </ul>
 * Not thread-safe: its owner calls one method at a time.
 */
final class StateFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateFile.class);
    private static final int MAX_LINK_HOPS = 40;
    private static final DateTimeFormatter ASIDE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the content codec made of the bytes it read; decides what may happen to the file. */
    enum Verdict {
        /** Ours and fully read: the next save replaces it. */
        USABLE,
        /** Ours by its content, but not fully usable (damaged, another version or window): renamed aside before the first save. */
        KEEP_ASIDE,
        /** Not a state file: never replaced, and nothing is saved this run. */
        FOREIGN
    }

    /** What a {@link Decoder} returns. */
    interface Decoded {
        Verdict verdict();
    }

    /** Reads the content from the file's bytes; {@code size} is the file's size. Bad bytes are a verdict, not an exception. */
    @FunctionalInterface
    interface Decoder<T extends Decoded> {
        T decode(InputStream in, long size) throws IOException;
    }

    @FunctionalInterface
    interface Encoder {
        void encode(OutputStream out) throws IOException;
    }

    /** The file and the content read from it at start. */
    record Opened<T>(StateFile file, T content) {
    }

    /** Another leakwatch saves to the same file: a user's mistake (one line, exit 2). */
    static final class InUse extends Exception {
        InUse(String message) {
            super(message, null, false, false);
        }
    }

    /** Why the file cannot be used this run. */
    private static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The file read at start, to rename aside before the first save or to remove after it. */
    private record Retire(String name, Object identity, boolean aside) {
    }

    private final Path file; // as configured: for messages
    private final String refusal; // why nothing is saved this run; null while saving is allowed
    private final StateDirectory dir;
    private final String name;
    private final String legacyName; // an older default name, read when there is no file yet; null if none
    private final Clock clock;
    private final UserPrincipal self; // leakwatch's user; null where files have no POSIX owner
    private FileChannel lock;
    private Object current; // the identity of the file at `name` that leakwatch last read or wrote; null: none
    private Retire retire;

    private StateFile(Path file, String refusal, StateDirectory dir, String name, String legacyName, Clock clock, UserPrincipal self) {
        this.file = file;
        this.refusal = refusal;
        this.dir = dir;
        this.name = name;
        this.legacyName = legacyName;
        this.clock = clock;
        this.self = self;
    }

    /**
     * Opens the file, reads it and locks it. Never throws for the file's sake: a file or directory that is
     * not safe to use gives a file whose {@link #refusal()} says why, and nothing is saved.
     *
     * @param legacyName an older default name in the same directory, read (once) when the file does not exist
     * @param nothing    the content when there is nothing to read
     * @throws InUse another leakwatch holds the lock
     */
    static <T extends Decoded> Opened<T> open(Path file, String legacyName, Clock clock, Decoder<T> decoder, T nothing) throws InUse {
        return open(file, legacyName, clock, decoder, nothing, true);
    }

    /** @param handle false: through the directory's path even where a handle is possible (tests run both ways) */
    static <T extends Decoded> Opened<T> open(Path file, String legacyName, Clock clock, Decoder<T> decoder, T nothing,
                                              boolean handle) throws InUse {
        StateDirectory dir = null;
        try {
            UserPrincipal self = selfOrNull();
            Path target = followLinks(file, self);
            Path directory = checkedDirectory(target.getParent(), self);
            dir = StateDirectory.open(directory, handle);
            StateFile state = new StateFile(file, null, dir, target.getFileName().toString(), legacyName, clock, self);
            T content = state.read(decoder, nothing);
            state.lock();
            state.removeLeftovers();
            return new Opened<>(state, content);
        } catch (Refused e) {
            closeQuietly(dir);
            return new Opened<>(refused(file, e.getMessage()), nothing);
        } catch (IOException | RuntimeException e) {
            closeQuietly(dir);
            return new Opened<>(refused(file, file + ": cannot use it (" + oneLine(e) + ")"), nothing);
        } catch (InUse e) {
            closeQuietly(dir);
            throw e;
        }
    }

    private static StateFile refused(Path file, String why) {
        return new StateFile(file, why, null, null, null, null, null);
    }

    /** Why nothing is saved this run (one line naming the file), or null. */
    String refusal() {
        return refusal;
    }

    // ---------------------------------------------------------------- start

    /** The user whose files are "ours": the owner of this process (Linux: of /proc/self). Null without POSIX owners. */
    private static UserPrincipal selfOrNull() throws IOException {
        Path root = Path.of("/").toAbsolutePath();
        if (!root.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return null;
        }
        Path proc = Path.of("/proc/self");
        if (Files.isDirectory(proc)) {
            return Files.getOwner(proc);
        }
        return root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
    }

    /** The file the configured path names: links followed, each owned by leakwatch's user or root. */
    private static Path followLinks(Path file, UserPrincipal self) throws IOException, Refused {
        Path p = file.toAbsolutePath();
        for (int hops = 0; ; hops++) {
            BasicFileAttributes a = attributesOrNull(p);
            if (a == null || !a.isSymbolicLink()) {
                return p;
            }
            if (hops >= MAX_LINK_HOPS) {
                throw new Refused(file + ": too many levels of symbolic links");
            }
            if (a instanceof PosixFileAttributes link && !isSelfOrRoot(link.owner(), self)) {
                throw new Refused(file + ": the symbolic link " + p + " belongs to user " + link.owner().getName()
                        + ", not leakwatch's user or root: not followed");
            }
            p = p.resolveSibling(Files.readSymbolicLink(p)).normalize();
        }
    }

    private static BasicFileAttributes attributesOrNull(Path p) throws IOException {
        try {
            return StateDirectory.attributesOf(p);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The directory's real path, created (owner-only) if missing; refused when other users may replace files in it. */
    private static Path checkedDirectory(Path directory, UserPrincipal self) throws IOException, Refused {
        if (!Files.isDirectory(directory)) {
            if (self == null) {
                Files.createDirectories(directory);
            } else {
                Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        }
        Path real = directory.toRealPath();
        if (self == null) {
            return real; // Windows: the ACLs of %LOCALAPPDATA% (or the chosen folder) decide
        }
        PosixFileAttributes a = Files.readAttributes(real, PosixFileAttributes.class);
        boolean sticky = ((Integer) Files.getAttribute(real, "unix:mode") & 01000) != 0;
        Set<PosixFilePermission> p = a.permissions();
        if (p.contains(PosixFilePermission.OTHERS_WRITE) && !sticky) {
            throw new Refused("the directory " + real + " may be written by every user (and has no sticky bit): any of them could "
                    + "replace the file; choose a directory only leakwatch's user can write");
        }
        if (!isSelfOrRoot(a.owner(), self)) {
            throw new Refused("the directory " + real + " belongs to user " + a.owner().getName()
                    + ", not leakwatch's user or root; choose a directory of leakwatch's user");
        }
        if (p.contains(PosixFilePermission.GROUP_WRITE) && !sticky) {
            LOG.warn("leak detection: --leak.state-file: the directory {} may be written by group {}: its members can replace "
                    + "the saved history (leakwatch never writes through what they put there)", real, a.group().getName());
        }
        return real;
    }

    private static boolean isSelfOrRoot(UserPrincipal owner, UserPrincipal self) {
        return owner.equals(self) || owner.getName().equals("root");
    }

    /** Why the entry is not leakwatch's file, or null when it is. */
    private String notOurs(BasicFileAttributes a) {
        if (a.isSymbolicLink()) {
            return "is a symbolic link leakwatch did not follow at start";
        }
        if (!a.isRegularFile()) {
            return "is not a regular file";
        }
        if (self != null && a instanceof PosixFileAttributes p && !p.owner().equals(self)) {
            return "belongs to user " + p.owner().getName() + ", not to leakwatch's user " + self.getName();
        }
        return null;
    }

    /** The file (or the older default one) through the codec; a file that is not ours is refused, an empty one is nothing. */
    private <T extends Decoded> T read(Decoder<T> decoder, T nothing) throws IOException, Refused {
        String source = name;
        BasicFileAttributes a = dir.attributesOrNull(name);
        if (a == null && legacyName != null && !legacyName.equals(name)) {
            source = legacyName;
            a = dir.attributesOrNull(legacyName);
        }
        if (a == null) {
            return nothing;
        }
        boolean legacy = !source.equals(name);
        String problem = notOurs(a);
        if (problem != null) {
            if (legacy) {
                LOG.warn("leak detection: --leak.state-file: {} {}: left alone", dir.path.resolve(source), problem);
                return nothing;
            }
            throw new Refused(file + " " + problem + ": leaving it alone (point --leak.state-file elsewhere, or remove it)");
        }
        Object identity = identity(a);
        if (!legacy) {
            current = identity;
        }
        if (a.size() == 0) {
            return nothing; // ours and empty: created by hand, or a save cut short by a power loss
        }
        T content;
        try (InputStream in = Channels.newInputStream(dir.open(source, StandardOpenOption.READ))) {
            content = decoder.decode(in, a.size());
        }
        switch (content.verdict()) {
            case FOREIGN -> {
                String what = (legacy ? dir.path.resolve(source) : file) + " is not a leakwatch leak state file";
                if (!legacy) {
                    throw new Refused(what + ": leaving it alone (point --leak.state-file elsewhere, or remove it)");
                }
                LOG.warn("leak detection: --leak.state-file: {}: left alone", what);
                return nothing;
            }
            case KEEP_ASIDE -> retire = new Retire(source, identity, true);
            case USABLE -> retire = legacy ? new Retire(source, identity, false) : null;
        }
        if (legacy) {
            LOG.info("leak detection: --leak.state-file: read the history from {}, the older default name; it is saved as {} "
                    + "from now on", dir.path.resolve(source), dir.path.resolve(name));
        }
        return content;
    }

    private void lock() throws IOException, Refused, InUse {
        String lockName = name + ".lock";
        BasicFileAttributes a = dir.attributesOrNull(lockName);
        String problem = a == null ? null : notOurs(a);
        if (problem != null) {
            throw new Refused(dir.path.resolve(lockName) + " " + problem + ": cannot lock " + file);
        }
        SeekableByteChannel channel = dir.open(lockName, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (!(channel instanceof FileChannel fc)) {
            channel.close();
            throw new Refused("cannot lock " + file + " on this file system");
        }
        FileLock held;
        try {
            held = fc.tryLock();
        } catch (OverlappingFileLockException e) {
            held = null; // this JVM holds it
        }
        if (held == null) {
            String holder = holder(fc);
            fc.close();
            throw new InUse("--leak.state-file " + file + " is in use by another leakwatch" + holder
                    + ": give each instance its own --leak.state-file");
        }
        fc.truncate(0);
        fc.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        lock = fc;
    }

    /** " (process N)" from the lock file, or nothing. */
    private static String holder(FileChannel fc) {
        ByteBuffer b = ByteBuffer.allocate(16);
        try {
            fc.read(b, 0);
        } catch (IOException e) {
            return ""; // Windows: the holder's lock covers reads too
        }
        String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
        return pid.matches("\\d{1,10}") ? " (process " + pid + ")" : "";
    }

    /** Temporary files of saves that were killed: our names, our files; only while holding the lock. */
    private void removeLeftovers() throws IOException {
        String names = Pattern.quote(name) + (legacyName == null ? "" : "|" + Pattern.quote(legacyName));
        Pattern temp = Pattern.compile("(?:" + names + ")\\.?\\d+\\.tmp");
        int removed = 0;
        for (String entry : dir.names()) {
            BasicFileAttributes a;
            if (temp.matcher(entry).matches() && (a = dir.attributesOrNull(entry)) != null && notOurs(a) == null) {
                dir.delete(entry);
                removed++;
            }
        }
        if (removed > 0) {
            LOG.info("leak detection: --leak.state-file: removed {} temporary file(s) left in {} by a save that was interrupted",
                    removed, dir.path);
        }
    }

    // ---------------------------------------------------------------- saving

    /**
     * Writes the content to a new temporary file and renames it over the file, unless the file is no longer
     * the one leakwatch last read or wrote. The file read at start is first renamed aside when it was not
     * fully usable.
     *
     * @throws IOException the save failed or was refused (one line naming the file); nothing was replaced
     */
    void save(Encoder encoder) throws IOException {
        if (refusal != null) {
            throw new IOException(refusal);
        }
        if (retire != null && retire.aside()) {
            keepAside();
        }
        checkUnchanged(); // before writing megabytes for nothing
        String temp = name + "." + Long.toUnsignedString(RANDOM.nextLong()) + ".tmp";
        try {
            try (SeekableByteChannel channel = dir.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024)) {
                encoder.encode(out);
                out.flush();
                if (channel instanceof FileChannel fc) {
                    fc.force(true); // on disk before the rename: a power loss leaves the old file or the new, never an empty one
                }
            }
            Object written = identity(dir.attributes(temp));
            checkUnchanged(); // and right before the rename
            dir.rename(temp, name);
            current = written;
        } finally {
            try {
                dir.delete(temp);
            } catch (NoSuchFileException e) {
                // renamed: the usual case
            } catch (IOException e) {
                LOG.debug("leak detection: cannot remove {}: {}", temp, e.toString());
            }
        }
        if (retire != null && !retire.aside()) {
            if (changedSince(retire.name(), retire.identity()) == null && dir.attributesOrNull(retire.name()) != null) {
                dir.delete(retire.name());
                LOG.info("leak detection: --leak.state-file: removed {}, the older default file, now saved as {}",
                        dir.path.resolve(retire.name()), dir.path.resolve(name));
            }
            retire = null;
        }
    }

    private void checkUnchanged() throws IOException {
        String changed = changedSince(name, current);
        if (changed != null) {
            throw new IOException(file + " " + changed + ": not saving over it (remove it, or restart leakwatch)");
        }
    }

    /** What is at {@code entry} now if it is not the file {@code expected} names (null: it is, or there is nothing). */
    private String changedSince(String entry, Object expected) throws IOException {
        BasicFileAttributes a = dir.attributesOrNull(entry);
        if (a == null) {
            return null; // gone: a new file replaces nothing
        }
        if (a.isSymbolicLink()) {
            return "is now a symbolic link, put there after leakwatch started";
        }
        if (!identity(a).equals(expected)) {
            String problem = notOurs(a);
            return problem != null ? problem : "was replaced by a file leakwatch did not write";
        }
        return null;
    }

    /** Renames the file read at start to {@code NAME.YYYYMMDDTHHMMSSZ}, if it is still there and still that file. */
    private void keepAside() throws IOException {
        String changed = changedSince(retire.name(), retire.identity());
        if (changed != null) {
            throw new IOException(dir.path.resolve(retire.name()) + " " + changed + ": not renaming it");
        }
        if (dir.attributesOrNull(retire.name()) != null) {
            String stamp = retire.name() + "." + ASIDE.format(clock.instant());
            String aside = stamp;
            for (int n = 2; dir.attributesOrNull(aside) != null; n++) {
                aside = stamp + "-" + n;
            }
            dir.rename(retire.name(), aside);
            LOG.warn("leak detection: --leak.state-file: kept the old file as {}", dir.path.resolve(aside));
        }
        if (retire.name().equals(name)) {
            current = null;
        }
        retire = null;
    }

    /** The file's identity: its file key (device and inode), or where there is none its times and size. */
    private static Object identity(BasicFileAttributes a) {
        Object key = a.fileKey();
        return key != null ? key : List.of(a.creationTime(), a.lastModifiedTime(), a.size());
    }

    /** Releases the lock (a file that was never opened has none). */
    @Override
    public void close() {
        closeQuietly(lock);
        closeQuietly(dir);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("leak detection: closing the state file: {}", e.toString());
            }
        }
    }

    /** The exception in one line; a file system error as "FILE: what" (its message alone is often just the file). */
    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof FileSystemException f && f.getReason() == null) {
            m = f.getFile() + ": " + (e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NoSuchFileException ? "no such file or directory"
                    : e instanceof FileAlreadyExistsException ? "already exists"
                    : e instanceof NotDirectoryException ? "not a directory" : e.getClass().getSimpleName());
        }
        m = m.replace('\r', ' ').replace('\n', ' ');
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }
}
