package io.leakwatch.backend.linux;

/** /proc/PID/io: bytes and read/write system calls (rchar, wchar, syscr, syscw). */
record ProcIo(long readBytes, long writeBytes, long readCalls, long writeCalls) {
}
