package io.leakwatch.service;

/** One-line explanations for the Win32 errors the SCM calls return to a user at a prompt. */
final class ServiceErrors {
    static final int ACCESS_DENIED = 5;
    static final int SERVICE_REQUEST_TIMEOUT = 1053;
    static final int SERVICE_ALREADY_RUNNING = 1056;
    static final int SERVICE_DOES_NOT_EXIST = 1060;
    static final int SERVICE_NOT_ACTIVE = 1062;
    static final int FAILED_SERVICE_CONTROLLER_CONNECT = 1063;
    static final int SERVICE_MARKED_FOR_DELETE = 1072;
    static final int SERVICE_EXISTS = 1073;
    static final int SERVICE_SPECIFIC_ERROR = 1066;

    private ServiceErrors() {
    }

    static String describe(String serviceName, int code) {
        String what = switch (code) {
            case ACCESS_DENIED -> "access denied: run it from an elevated prompt (Run as administrator)";
            case SERVICE_REQUEST_TIMEOUT -> "service '" + serviceName + "' did not answer in time";
            case SERVICE_ALREADY_RUNNING -> "service '" + serviceName + "' is already running";
            case SERVICE_DOES_NOT_EXIST -> "service '" + serviceName + "' is not installed";
            case SERVICE_NOT_ACTIVE -> "service '" + serviceName + "' is not running";
            case FAILED_SERVICE_CONTROLLER_CONNECT ->
                    "'service run' is what the Service Control Manager starts; use 'leakwatch service start'";
            case SERVICE_MARKED_FOR_DELETE ->
                    "service '" + serviceName + "' is marked for deletion: close services.msc and any open handle, then retry";
            case SERVICE_EXISTS -> "service '" + serviceName + "' is already installed; 'leakwatch service uninstall' first";
            case SERVICE_SPECIFIC_ERROR ->
                    "leakwatch stopped while starting; leakwatch.log (next to the config file, or the jar) says why";
            default -> "failed";
        };
        return what + " (Win32 error " + code + ")";
    }
}
