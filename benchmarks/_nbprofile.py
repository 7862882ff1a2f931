"""pytest plugin used by ``bench_notebooks.py``: CPU and wall time per notebook.

Loaded with ``-p _nbprofile`` (``benchmarks/`` on ``PYTHONPATH``) and active only
when ``DCTEACH_NBPROFILE`` names a folder. Each pytest process (the main one,
or every pytest-xdist worker) appends JSON lines to ``<folder>/<pid>.jsonl``:

* one ``{"kind": "item", ...}`` line per notebook cell: the wall time of its
  whole protocol (setup, call, teardown; the first cell's setup starts the kernel,
  the last cell's teardown stops it), the CPU time the pytest process spent
  on it (starting the kernel, sending, receiving, sanitizing, comparing) and
  the CPU time its kernel spent meanwhile (for the first cell: the kernel's
  start-up too);
* one ``{"kind": "kernel", ...}`` line per notebook: the CPU time of its kernel
  process (user + system, start-up included), read just before nbval stops it.

Nothing here changes what is run or compared.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

_DIR = os.environ.get("DCTEACH_NBPROFILE")
#: kernel CPU seconds last read, per notebook (the final reading is taken before nbval stops it)
_last_kernel_cpu: dict[str, float] = {}


def _write(record: dict) -> None:
    with open(Path(_DIR) / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


def _kernel_cpu(kernel) -> float | None:
    import psutil

    process = getattr(getattr(kernel.km, "provisioner", None), "process", None)
    if process is None:
        return None
    try:
        t = psutil.Process(process.pid).cpu_times()
    except psutil.Error:
        return None
    return t.user + t.system + t.children_user + t.children_system


def pytest_configure(config):
    if not _DIR:
        return
    from nbval.plugin import IPyNbFile

    if getattr(IPyNbFile.teardown, "_nbprofile", False):
        return
    original = IPyNbFile.teardown

    def teardown(self):
        if self.kernel is not None and self.kernel.is_alive():
            cpu = _kernel_cpu(self.kernel)
            if cpu is not None:
                _last_kernel_cpu[str(self.fspath)] = cpu
                _write({"kind": "kernel", "file": str(self.fspath), "cpu": cpu})
        original(self)

    teardown._nbprofile = True
    IPyNbFile.teardown = teardown


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if not _DIR or not str(item.fspath).endswith(".ipynb"):
        yield
        return
    file = str(item.fspath)

    def kernel_cpu() -> float:
        kernel = getattr(item.parent, "kernel", None)
        if kernel is not None and kernel.is_alive():
            cpu = _kernel_cpu(kernel)
            if cpu is not None:
                _last_kernel_cpu[file] = cpu
        return _last_kernel_cpu.get(file, 0.0)

    kernel0 = kernel_cpu()
    cpu, wall = time.process_time(), time.perf_counter()
    yield
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    _write({"kind": "item", "file": file, "name": item.name, "wall": wall, "cpu": cpu,
            "kernel_cpu": kernel_cpu() - kernel0})
