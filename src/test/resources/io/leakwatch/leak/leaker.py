# Leaks native memory steadily, the way the seed's Go service did: a buffer from C malloc
# (there: a DLL result) filled and never freed. 64 KiB every 1/16 s = 1 MiB/s. Exits on its own.
import ctypes, sys, time

libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
step = 64 * 1024
deadline = time.time() + float(sys.argv[1])
while time.time() < deadline:
    libc.memset(libc.malloc(step), 1, step)  # touched, so it is resident private memory
    time.sleep(1 / 16)
