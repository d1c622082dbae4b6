#!/usr/bin/env python3
"""The disk's durable-write rate, for tests/bench/bench_writes.sh (standard library only).

  fsync_rate.py DIR [SECONDS]

In a new file in DIR (so on the filesystem of the database being measured), for SECONDS each
(default 3), two loops of one 4 KiB write followed by fdatasync:
  overwrite  the same 4 KiB block again and again (a log that is reused in place: SQLite's WAL
             after a checkpoint, PostgreSQL's preallocated WAL segments);
  append     each block after the last (a growing file: the size changes, so fdatasync also
             writes the inode).
Prints one line: "FSYNC overwrite=<per s> append=<per s> overwrite_p50_ms=… append_p50_ms=…".
"""
import os
import statistics
import sys
import time


def loop(path: str, seconds: float, append: bool) -> tuple[float, float]:
    block = os.urandom(4096)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, block)
        os.fsync(fd)
        times = []
        offset = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            t = time.perf_counter()
            if append:
                offset += 4096
            os.pwrite(fd, block, offset)
            os.fdatasync(fd)
            times.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - start
    finally:
        os.close(fd)
        os.unlink(path)
    return len(times) / elapsed, statistics.median(times) * 1000


def main() -> int:
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    folder = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) == 3 else 3.0
    path = os.path.join(folder, f"fsync-rate-{os.getpid()}.bin")
    over, over_p50 = loop(path, seconds, append=False)
    app, app_p50 = loop(path, seconds, append=True)
    print(f"FSYNC overwrite={over:.1f} append={app:.1f} overwrite_p50_ms={over_p50:.3f} "
          f"append_p50_ms={app_p50:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
