"""Run one command and report its wall time, CPU time and peak memory as JSON on stdout.

    python benchmarks/measure.py STDOUT_FILE STDERR_FILE -- COMMAND...

Peak memory is ``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the largest peak RSS of any single
process in the command's tree, not their sum.  For that to cover worker processes the tree
must be reaped by us: corpusclean's pool starts its workers from a multiprocessing
*forkserver*, which the main process never waits for (Python 3.11 only stops it in tests),
so when the command exits the forkserver and its workers are orphaned and their usage would
be lost.  This wrapper therefore makes itself a *child subreaper* (Linux ``prctl``), so
orphans are re-parented to it, and reaps every descendant before reading the usage.  One
wrapper process per measurement keeps the numbers of different runs apart (RUSAGE_CHILDREN
only grows).

It also reports ``other_cpu_seconds``: CPU time the rest of the machine used during the run
(from /proc/stat), which shows when other work was competing for the cores.

If psutil is importable, the summed RSS of the whole tree is also sampled (every 50 ms).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import resource
import subprocess
import sys
import threading
import time

PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _busy_cpu_seconds() -> float | None:
    """CPU seconds all processes of the machine have used since boot (Linux /proc/stat), or None."""
    try:
        with open("/proc/stat", encoding="ascii") as handle:
            fields = handle.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu":
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _sample_tree_rss(pid: int, stop: threading.Event, peak: list[int]) -> None:
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    me = psutil.Process()
    while not stop.is_set():
        total = 0
        processes = [root] + _safe_children(root) + [p for p in _safe_children(me) if p.pid != pid]
        seen = set()
        for process in processes:
            if process.pid in seen:
                continue
            seen.add(process.pid)
            try:
                total += process.memory_info().rss
            except psutil.Error:
                pass
        peak[0] = max(peak[0], total)
        stop.wait(0.05)


def _safe_children(process) -> list:
    import psutil

    try:
        return process.children(recursive=True)
    except psutil.Error:
        return []


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    stdout_path, stderr_path, command = argv[0], argv[1], argv[3:]
    subreaper = _become_subreaper()
    try:
        import psutil  # noqa: F401
        have_psutil = True
    except ImportError:
        have_psutil = False
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before = _busy_cpu_seconds()
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        stop, peak = threading.Event(), [0]
        sampler = None
        if have_psutil:
            sampler = threading.Thread(target=_sample_tree_rss, args=(process.pid, stop, peak), daemon=True)
            sampler.start()
        returncode = process.wait()
        seconds = time.perf_counter() - started
        busy_after = _busy_cpu_seconds()
        stop.set()
        if sampler is not None:
            sampler.join()
    # reap the orphans (forkserver, workers) so their usage is counted
    deadline = time.monotonic() + 60
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        except OSError as error:  # pragma: no cover
            if error.errno == errno.EINTR:
                continue
            break
        if pid == 0:
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = (usage.ru_utime - before.ru_utime) + (usage.ru_stime - before.ru_stime)
    # CPU the rest of the machine used meanwhile: other work competing for the cores
    other = None if busy_before is None or busy_after is None else max(0.0, busy_after - busy_before - own)
    scale = 1 if sys.platform.startswith("linux") else 1 / 1024  # ru_maxrss: KB on Linux, bytes on macOS
    print(json.dumps({
        "returncode": returncode,
        "seconds": seconds,
        "cpu_user_seconds": usage.ru_utime - before.ru_utime,
        "cpu_system_seconds": usage.ru_stime - before.ru_stime,
        "peak_rss_max_process_mb": usage.ru_maxrss * scale / 1024,
        "peak_rss_sum_mb": peak[0] / 2**20 if have_psutil else None,
        "other_cpu_seconds": other,
        "subreaper": subreaper,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
