package io.leakwatch;

import java.util.Optional;

/**
 * The class archive the Linux launcher passes to the JVM when the build made one next to the jar
 * (leakwatch.jsa, see {@link ArchiveTraining}). It fits only the Java and the jar it was made with;
 * with any other the JVM quietly runs without it, and without the JDK's own archive too, so a start
 * takes longer and more memory. The launcher names the archive in a system property; this says so in
 * the log when the JVM did not use it.
 */
final class ClassArchive {
    /** Set by the launcher to the archive it passed with -XX:SharedArchiveFile. */
    static final String PROPERTY = "leakwatch.class-archive";

    private ClassArchive() {
    }

    /**
     * @param archive the archive the launcher passed (null when none)
     * @param vmInfo  the JVM's java.vm.info, which says "sharing" while an archive is in use
     * @return a line for the log when the archive was passed but is not in use
     */
    static Optional<String> unusedNotice(String archive, String vmInfo) {
        if (archive == null || archive.isEmpty() || vmInfo == null || vmInfo.contains("sharing")) {
            return Optional.empty();
        }
        return Optional.of("the class archive " + archive + " was made for another Java or another leakwatch.jar, "
                + "so this start runs without one (slower, more memory): rebuild it with this Java "
                + "(mvn package), or delete it to use the JDK's own");
    }
}
