package io.leakwatch.leak;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The entries of one directory, reached by name and never through a symbolic link at that name.
 * On Linux and macOS every operation goes through a handle on the directory opened once
 * (openat, renameat, unlinkat), so renaming the directory or putting a link in its place later
 * changes nothing; elsewhere (Windows) through the directory's path. New files are readable and
 * writable by their owner only, where the file system has POSIX permissions.
 * Not thread-safe.
 */
abstract class StateDirectory implements Closeable {
    private static final FileAttribute<?>[] OWNER_ONLY = {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
    private static final FileAttribute<?>[] NO_ATTRIBUTES = {};

    /** The directory's real path, for messages (and for the operations, where there is no handle). */
    final Path path;
    /** POSIX file system: attributes are {@link java.nio.file.attribute.PosixFileAttributes} (with owners). */
    final boolean posix;

    private StateDirectory(Path path) {
        this.path = path;
        this.posix = path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /**
     * @param realDirectory an existing directory, its links already resolved
     * @param handle        false: by path even where a handle is possible (tests run both ways)
     */
    static StateDirectory open(Path realDirectory, boolean handle) throws IOException {
        DirectoryStream<Path> stream = Files.newDirectoryStream(realDirectory);
        if (handle && stream instanceof SecureDirectoryStream<Path> secure) {
            return new Handle(realDirectory, secure);
        }
        stream.close();
        return new ByPath(realDirectory);
    }

    /** The entry's own attributes (a link's, not its target's); POSIX ones where {@link #posix}. */
    abstract BasicFileAttributes attributes(String name) throws IOException;

    /** A path's own attributes (a link's, not its target's); POSIX ones where the file system has them. */
    static BasicFileAttributes attributesOf(Path p) throws IOException {
        if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }

    /** The entry's attributes, or null when there is no such entry. */
    final BasicFileAttributes attributesOrNull(String name) throws IOException {
        try {
            return attributes(name);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Opens the entry without following a link there; a file created is its owner's only. */
    final SeekableByteChannel open(String name, OpenOption... options) throws IOException {
        Set<OpenOption> set = new HashSet<>(List.of(options));
        set.add(LinkOption.NOFOLLOW_LINKS);
        return open(name, set, posix ? OWNER_ONLY : NO_ATTRIBUTES);
    }

    abstract SeekableByteChannel open(String name, Set<OpenOption> options, FileAttribute<?>[] attributes) throws IOException;

    /** Renames an entry atomically, replacing the entry {@code to} (a link there is replaced, never followed). */
    abstract void rename(String from, String to) throws IOException;

    abstract void delete(String name) throws IOException;

    /** The names of the entries. */
    abstract List<String> names() throws IOException;

    /** Through a handle on the directory: the *at() system calls. */
    private static final class Handle extends StateDirectory {
        private final SecureDirectoryStream<Path> dir;

        Handle(Path path, SecureDirectoryStream<Path> dir) {
            super(path);
            this.dir = dir;
        }

        @Override
        BasicFileAttributes attributes(String name) throws IOException {
            Path p = Path.of(name);
            if (posix) {
                return dir.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
            }
            return dir.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        }

        @Override
        SeekableByteChannel open(String name, Set<OpenOption> options, FileAttribute<?>[] attributes) throws IOException {
            return dir.newByteChannel(Path.of(name), options, attributes);
        }

        @Override
        void rename(String from, String to) throws IOException {
            dir.move(Path.of(from), dir, Path.of(to));
        }

        @Override
        void delete(String name) throws IOException {
            dir.deleteFile(Path.of(name));
        }

        @Override
        List<String> names() throws IOException {
            // a second handle on the same directory ("." through the first): a stream is iterated only once
            return fileNames(dir.newDirectoryStream(Path.of("."), LinkOption.NOFOLLOW_LINKS));
        }

        @Override
        public void close() throws IOException {
            dir.close();
        }
    }

    /** The names in a directory stream, which this closes. */
    private static List<String> fileNames(DirectoryStream<Path> stream) throws IOException {
        List<String> out = new ArrayList<>();
        try (stream) {
            stream.forEach(p -> out.add(p.getFileName().toString()));
        }
        return out;
    }

    /** Through the directory's path (no *at() calls on this platform): each entry still without following links. */
    private static final class ByPath extends StateDirectory {
        ByPath(Path path) {
            super(path);
        }

        @Override
        BasicFileAttributes attributes(String name) throws IOException {
            return attributesOf(path.resolve(name));
        }

        @Override
        SeekableByteChannel open(String name, Set<OpenOption> options, FileAttribute<?>[] attributes) throws IOException {
            return Files.newByteChannel(path.resolve(name), options, attributes);
        }

        @Override
        void rename(String from, String to) throws IOException {
            try {
                Files.move(path.resolve(from), path.resolve(to), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(path.resolve(from), path.resolve(to), StandardCopyOption.REPLACE_EXISTING);
            }
        }

        @Override
        void delete(String name) throws IOException {
            Files.delete(path.resolve(name));
        }

        @Override
        List<String> names() throws IOException {
            return fileNames(Files.newDirectoryStream(path));
        }

        @Override
        public void close() {
        }
    }
}
