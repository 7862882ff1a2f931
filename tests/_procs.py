"""Looking at the processes a test started (psutil), without tripping over ones that just ended."""

from __future__ import annotations

import psutil


def command(p: psutil.Process) -> str:
    """A process's command line; "" for one that has ended since it was listed, or is a zombie
    its parent has not reaped yet (a server's short-lived helpers end at any moment)."""
    try:
        return " ".join(p.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):  # ZombieProcess is a NoSuchProcess
        return ""


def still_running(procs: list[psutil.Process], timeout: float = 30) -> list[psutil.Process]:
    """Those of ``procs`` still running after up to ``timeout`` s (a zombie is not running: it
    has ended and only waits for its parent to read its exit status)."""
    _gone, alive = psutil.wait_procs(procs, timeout=timeout)
    left = []
    for p in alive:
        try:
            if p.status() != psutil.STATUS_ZOMBIE:
                left.append(p)
        except psutil.NoSuchProcess:
            continue
    return left
