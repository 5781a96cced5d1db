# Memory and handle shapes for the live leak-detection test, in real processes (compressed time).
#   shapes.py leak KIB_PER_S SECONDS [GROW_SECONDS]   native memory from C malloc, touched, never freed;
#                                                     with GROW_SECONDS it stops growing then (a cache at its size)
#   shapes.py sawleak KIB_PER_S AMP_MIB PERIOD_S SECONDS   the same leak under a sawtooth: AMP_MIB allocated
#                                                     over PERIOD_S, then freed, again and again
#   shapes.py saw AMP_MIB PERIOD_S SECONDS            the sawtooth alone
#   shapes.py fds PER_S SECONDS                       opens /dev/null PER_S times a second, never closes
#   shapes.py restart LIFE_S SECONDS PROGRAM ARGS...  runs PROGRAM ARGS, stops it after LIFE_S and starts it again
# Each exits on its own after SECONDS, so nothing outlives the test.
import ctypes, os, subprocess, sys, time

libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
libc.mallopt(-3, 64 * 1024)  # M_MMAP_THRESHOLD: big blocks are mmapped, so free() gives them back
TICK = 0.05
CHUNK = 16 * 1024  # below the threshold: from the heap, and never freed


def run(seconds, leak_kib_s=0.0, grow_s=None, amp_mib=0.0, period_s=1.0):
    start = time.time()
    leaked = 0.0
    blocks = []
    block = 1024 * 1024
    while time.time() - start < seconds:
        now = time.time() - start
        if leak_kib_s > 0 and (grow_s is None or now < grow_s):
            want = leak_kib_s * 1024 * min(now, grow_s if grow_s is not None else now)
            while leaked + CHUNK <= want:
                libc.memset(libc.malloc(CHUNK), 1, CHUNK)
                leaked += CHUNK
        if amp_mib > 0:
            phase = (now % period_s) / period_s
            target = int(amp_mib * phase)
            if target < len(blocks):  # the collection: everything goes at once
                for p in blocks:
                    libc.free(p)
                blocks = []
            while len(blocks) < target:
                p = libc.malloc(block)
                libc.memset(p, 1, block)
                blocks.append(p)
        time.sleep(TICK)


mode = sys.argv[1]
if mode == "leak":
    run(float(sys.argv[3]), leak_kib_s=float(sys.argv[2]), grow_s=float(sys.argv[4]) if len(sys.argv) > 4 else None)
elif mode == "sawleak":
    run(float(sys.argv[5]), leak_kib_s=float(sys.argv[2]), amp_mib=float(sys.argv[3]), period_s=float(sys.argv[4]))
elif mode == "saw":
    run(float(sys.argv[4]), amp_mib=float(sys.argv[2]), period_s=float(sys.argv[3]))
elif mode == "fds":
    per_s, seconds = float(sys.argv[2]), float(sys.argv[3])
    files, start = [], time.time()
    while time.time() - start < seconds:
        if len(files) < per_s * (time.time() - start):
            files.append(open(os.devnull))
        time.sleep(TICK)
elif mode == "restart":
    life, seconds, argv = float(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
    start = time.time()
    while time.time() - start < seconds:
        child = subprocess.Popen(argv)
        try:
            child.wait(timeout=min(life, max(0.1, seconds - (time.time() - start))))
        except subprocess.TimeoutExpired:
            child.terminate()
            child.wait()
else:
    sys.exit("unknown mode " + mode)
