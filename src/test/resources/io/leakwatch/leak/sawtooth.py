# Allocates 40 MiB of native memory over 4 s, frees it all, and again: a GC-like sawtooth
# with no net growth. Big blocks are mmapped (M_MMAP_THRESHOLD), so free() really returns them.
import ctypes, sys, time

libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
libc.mallopt(-3, 64 * 1024)  # M_MMAP_THRESHOLD
block = 1024 * 1024
deadline = time.time() + float(sys.argv[1])
while time.time() < deadline:
    blocks = []
    for _ in range(40):
        p = libc.malloc(block)
        libc.memset(p, 1, block)
        blocks.append(p)
        time.sleep(0.1)
    for p in blocks:
        libc.free(p)
    time.sleep(0.5)
