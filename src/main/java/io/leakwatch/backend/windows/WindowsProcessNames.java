package io.leakwatch.backend.windows;

/** windows_exporter's process label: the image name without ".exe" (any case); PID 0 is "Idle". */
final class WindowsProcessNames {
    static final String IDLE = "Idle";
    private static final String EXE = ".exe";

    private WindowsProcessNames() {
    }

    /** @param imageName ImageName from the record; null for PID 0 */
    static String of(long pid, String imageName) {
        if (pid == 0) {
            return IDLE; // Windows leaves its name NULL; Wine may not
        }
        if (imageName == null) {
            return "";
        }
        int cut = imageName.length() - EXE.length();
        if (cut > 0 && imageName.regionMatches(true, cut, EXE, 0, EXE.length())) {
            return imageName.substring(0, cut);
        }
        return imageName;
    }
}
