package io.leakwatch.backend.linux;

/**
 * The Linux process name: comm, except that the kernel cuts comm at 15 bytes
 * (TASK_COMM_LEN - 1), so a cut comm is replaced by argv[0]'s basename when that starts with it.
 */
final class ProcessNames {
    static final int COMM_MAX_BYTES = 15;

    private ProcessNames() {
    }

    static boolean mayBeCut(int commByteLength) {
        return commByteLength == COMM_MAX_BYTES;
    }

    static String resolve(String comm, int commByteLength, String argv0Basename) {
        if (mayBeCut(commByteLength) && argv0Basename != null
                && argv0Basename.length() > comm.length() && argv0Basename.startsWith(comm)) {
            return argv0Basename;
        }
        return comm;
    }
}
