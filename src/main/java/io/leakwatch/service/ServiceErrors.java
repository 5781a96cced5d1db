package io.leakwatch.service;

import com.sun.jna.platform.win32.WinError;

/** One-line explanations for the Win32 errors the SCM calls return to a user at a prompt. */
final class ServiceErrors {
    static final int ACCESS_DENIED = WinError.ERROR_ACCESS_DENIED;
    static final int SERVICE_REQUEST_TIMEOUT = WinError.ERROR_SERVICE_REQUEST_TIMEOUT;
    static final int SERVICE_ALREADY_RUNNING = WinError.ERROR_SERVICE_ALREADY_RUNNING;
    static final int SERVICE_DOES_NOT_EXIST = WinError.ERROR_SERVICE_DOES_NOT_EXIST;
    static final int SERVICE_NOT_ACTIVE = WinError.ERROR_SERVICE_NOT_ACTIVE;
    static final int FAILED_SERVICE_CONTROLLER_CONNECT = WinError.ERROR_FAILED_SERVICE_CONTROLLER_CONNECT;
    static final int SERVICE_MARKED_FOR_DELETE = WinError.ERROR_SERVICE_MARKED_FOR_DELETE;
    static final int SERVICE_EXISTS = WinError.ERROR_SERVICE_EXISTS;
    static final int SERVICE_SPECIFIC_ERROR = WinError.ERROR_SERVICE_SPECIFIC_ERROR;
    static final int FILE_NOT_FOUND = WinError.ERROR_FILE_NOT_FOUND;
    static final int PATH_NOT_FOUND = WinError.ERROR_PATH_NOT_FOUND;
    static final int PROCESS_ABORTED = WinError.ERROR_PROCESS_ABORTED;

    private ServiceErrors() {
    }

    static String describe(String serviceName, int code) {
        String what = switch (code) {
            case ACCESS_DENIED -> "access denied: run it from an elevated prompt (Run as administrator)";
            case SERVICE_REQUEST_TIMEOUT -> "service '" + serviceName + "' did not answer in time (when starting: "
                    + didNotConnect(30) + ")";
            case FILE_NOT_FOUND, PATH_NOT_FOUND -> "Windows cannot find the program of service '" + serviceName
                    + "' (when starting: the Java it runs may have been removed by an update; install the service again)";
            case PROCESS_ABORTED -> javaEnded();
            case SERVICE_ALREADY_RUNNING -> "service '" + serviceName + "' is already running";
            case SERVICE_DOES_NOT_EXIST -> "service '" + serviceName + "' is not installed";
            case SERVICE_NOT_ACTIVE -> "service '" + serviceName + "' is not running";
            case FAILED_SERVICE_CONTROLLER_CONNECT ->
                    "'service run' is what the Service Control Manager starts; use 'leakwatch service start'";
            case SERVICE_MARKED_FOR_DELETE ->
                    "service '" + serviceName + "' is marked for deletion: close services.msc and any open handle, then retry";
            case SERVICE_EXISTS -> "service '" + serviceName + "' is already installed; 'leakwatch service uninstall' first";
            case SERVICE_SPECIFIC_ERROR -> stoppedWhileStarting(0);
            default -> "failed";
        };
        return what + " (Win32 error " + code + ")";
    }

    /** StartService's or the SCM's 1053 at a start: the process never connected. */
    static String didNotConnect(long seconds) {
        return "java.exe did not connect to Windows within " + seconds + " s (ServicesPipeTimeout): Java itself starts"
                + " that slowly here (a slow disk, a virus scan of leakwatch.jar); see events 7000 and 7009 in the System"
                + " event log, and raise HKLM\\SYSTEM\\CurrentControlSet\\Control\\ServicesPipeTimeout if it persists";
    }

    /** 1067 at a start: java.exe exited before ServiceMain reported anything. */
    static String javaEnded() {
        return "java.exe ended before leakwatch started: Java refused one of its options, or the Java changed since"
                + " 'service install' checked it";
    }

    /** @param exitCode leakwatch's exit code as the service reported it (0 when unknown) */
    static String stoppedWhileStarting(int exitCode) {
        return "leakwatch stopped while starting" + (exitCode == 0 ? "" : " with exit code " + exitCode)
                + "; leakwatch.log (next to the config file, or the jar) says why";
    }
}
