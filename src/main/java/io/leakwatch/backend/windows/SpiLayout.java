package io.leakwatch.backend.windows;

/**
 * x64 layout of SYSTEM_PROCESS_INFORMATION as compat.md tabulates it (phnt ntexapi.h, Wine winternl.h,
 * golang.org/x/sys/windows, and a record captured from Wine 8 agree).
 */
final class SpiLayout {
    static final int NEXT_ENTRY_OFFSET = 0x00;
    static final int NUMBER_OF_THREADS = 0x04;
    static final int WORKING_SET_PRIVATE_SIZE = 0x08;
    static final int CREATE_TIME = 0x20;
    static final int USER_TIME = 0x28;
    static final int KERNEL_TIME = 0x30;
    static final int IMAGE_NAME_LENGTH = 0x38;
    static final int IMAGE_NAME_BUFFER = 0x40;
    static final int BASE_PRIORITY = 0x48;
    static final int UNIQUE_PROCESS_ID = 0x50;
    static final int INHERITED_FROM_UNIQUE_PROCESS_ID = 0x58;
    static final int HANDLE_COUNT = 0x60;
    static final int SESSION_ID = 0x64;
    static final int VIRTUAL_SIZE = 0x78;
    static final int PAGE_FAULT_COUNT = 0x80;
    static final int PEAK_WORKING_SET_SIZE = 0x88;
    static final int WORKING_SET_SIZE = 0x90;
    static final int QUOTA_PAGED_POOL_USAGE = 0xA0;
    static final int QUOTA_NON_PAGED_POOL_USAGE = 0xB0;
    static final int PAGEFILE_USAGE = 0xB8;
    static final int PRIVATE_PAGE_COUNT = 0xC8;
    static final int READ_OPERATION_COUNT = 0xD0;
    static final int WRITE_OPERATION_COUNT = 0xD8;
    static final int OTHER_OPERATION_COUNT = 0xE0;
    static final int READ_TRANSFER_COUNT = 0xE8;
    static final int WRITE_TRANSFER_COUNT = 0xF0;
    static final int OTHER_TRANSFER_COUNT = 0xF8;

    /** Size of the fixed part; the thread array follows it. */
    static final int HEADER_SIZE = 0x100;
    /** Size of one SYSTEM_THREAD_INFORMATION. */
    static final int THREAD_SIZE = 0x50;

    private SpiLayout() {
    }
}
