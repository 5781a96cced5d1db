package io.leakwatch.service;

/**
 * Path text for the Windows side, as plain strings: the install command runs on Windows, but its
 * arguments are built (and tested) on any OS, where java.nio would not split on backslashes.
 */
final class WindowsPaths {
    private WindowsPaths() {
    }

    /** The directory part of {@code path} ("" when there is none). */
    static String parent(String path) {
        int cut = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
        return cut < 0 ? "" : path.substring(0, cut);
    }

    /** A file named {@code name} in the same directory as {@code path}. */
    static String sibling(String path, String name) {
        String parent = parent(path);
        if (parent.isEmpty()) {
            return name;
        }
        char separator = path.charAt(parent.length());
        return parent + separator + name;
    }
}
