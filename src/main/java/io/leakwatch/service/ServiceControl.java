package io.leakwatch.service;

/** The Service Control Manager operations leakwatch needs (Windows: {@link WindowsServiceControl}). */
public interface ServiceControl {
    /** Registers the service: automatic start, restart on failure. */
    void install(ServiceDefinition definition) throws ServiceException;

    /** Stops the service if it runs, then deletes it. */
    void uninstall(String name) throws ServiceException;

    /** Starts the service and waits until it runs or fails. */
    void start(String name) throws ServiceException;

    /** Stops the service and waits until it has stopped. */
    void stop(String name) throws ServiceException;

    /** The command line the service is registered with (its ImagePath). */
    String commandLine(String name) throws ServiceException;

    /** Connects this process to the SCM as the service and runs {@code body} until it is stopped. */
    void run(String name, ServiceBody body) throws ServiceException;

    /** An SCM call failed with a Win32 error. */
    final class ServiceException extends Exception {
        private final int win32Error;

        public ServiceException(String serviceName, int win32Error) {
            this(ServiceErrors.describe(serviceName, win32Error), win32Error, false);
        }

        /** @param message one line for the user; {@code withCode} appends the Win32 code to it */
        public ServiceException(String message, int win32Error, boolean withCode) {
            super(withCode ? message + " (Win32 error " + win32Error + ")" : message, null, false, false);
            this.win32Error = win32Error;
        }

        public int win32Error() {
            return win32Error;
        }
    }
}
