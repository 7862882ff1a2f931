"""Run one notebook in a fresh, capped kernel (asyncio; many can run at once).

Caps: a per-cell timeout (the kernel is interrupted and the next cell runs; a
kernel that ignores the interrupt is declared stuck and killed), a memory cap
(``RLIMIT_AS`` set in the kernel process before it starts), a cap on the output
kept per cell, a working directory of its own, and an overall deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import subprocess
from dataclasses import dataclass, field

__all__ = ["RunResult", "RunSettings", "run_notebook"]


@dataclass(frozen=True)
class RunSettings:
    """Limits for one notebook run."""

    timeout: float = 30.0
    memory_mb: int = 2048
    max_output_chars: int = 100_000
    startup_timeout: float = 60.0
    lang: str = "en"
    kernel_name: str = "python3"
    sandbox: object = None  # a dcteach.exercises._sandbox.Sandbox, or None (--no-sandbox)
    banks_root: str | None = None  # folder holding banks/ with the student banks


@dataclass
class RunResult:
    """What happened: executed cells (outputs capped), and how the run ended."""

    cells: list = field(default_factory=list)
    timed_out: list[int] = field(default_factory=list)
    truncated: list[int] = field(default_factory=list)
    last_cell: int | None = None
    kernel_died: bool = False
    exit_code: int | None = None
    stuck: bool = False
    start_error: str | None = None


def _limit_memory(limit_bytes: int) -> None:  # runs in the kernel process before exec
    resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _client_class():
    from nbclient import NotebookClient

    class CappedClient(NotebookClient):
        """A NotebookClient that keeps at most ``max_output_chars`` per cell."""

        def __init__(self, *args, max_output_chars: int, **kwargs):
            super().__init__(*args, **kwargs)
            self._cap = max_output_chars
            self._sizes: dict[int, int] = {}
            self.truncated: list[int] = []

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            size = len(content.get("text", "")) + sum(
                len(v) if isinstance(v, str) else 64 for v in (content.get("data") or {}).values()
            ) + len(str(content.get("traceback", "")))
            used = self._sizes.get(cell_index, 0)
            self._sizes[cell_index] = used + size
            if used + size <= self._cap:
                return super().output(outs, msg, display_id, cell_index)
            if cell_index not in self.truncated:
                self.truncated.append(cell_index)
                outs.append(_note(f"[output capped at {self._cap} characters by the grader]\n"))
            return None

    return CappedClient


def _note(text: str):
    from nbformat.v4 import new_output

    return new_output("stream", name="stderr", text=text)


def _pythonpath(settings: RunSettings) -> str:
    if settings.sandbox is not None:
        return settings.sandbox.pythonpath
    import dcteach

    return os.path.dirname(os.path.dirname(os.path.abspath(dcteach.__file__)))


def kernel_environment(settings: RunSettings, workdir: str) -> dict:
    """The kernel's whole environment (nothing inherited from the grader)."""
    from dcteach.exercises._sandbox import kernel_env, prepare_workdir

    prepare_workdir(workdir)
    extra = {"DCTEACH_EXERCISES": settings.banks_root} if settings.banks_root else {}
    return kernel_env(workdir, _pythonpath(settings), settings.lang, extra)


def kernel_command(settings: RunSettings, workdir: str, runtime_dir: str | None, env: dict,
                   command: list[str]) -> list[str]:
    """``command`` wrapped in the sandbox (or as it is without one)."""
    if settings.sandbox is None:
        return command
    extra = [settings.banks_root] if settings.banks_root else []
    settings.sandbox.extra_ro = extra
    return settings.sandbox.wrap(command, workdir, runtime_dir, env)


def _kernel_spec(settings: RunSettings, workdir: str, runtime_dir: str, env: dict):
    """An in-memory kernelspec: the grader never reads a kernelspec folder a student could write."""
    import sys

    from jupyter_client.kernelspec import KernelSpec

    command = [sys.executable, "-s", "-m", "ipykernel_launcher", "-f", "{connection_file}",
               "--HistoryManager.hist_file=:memory:", "--HistoryManager.enabled=False"]
    argv = kernel_command(settings, workdir, runtime_dir, env, command)
    return KernelSpec(argv=argv, display_name="dcteach grading", language="python",
                      interrupt_mode="message", env={})


async def _execute(client, km, nb, settings: RunSettings, result: RunResult) -> None:
    from nbclient.exceptions import DeadKernelError

    replies: dict[int, dict] = {}

    def on_executed(cell, cell_index, execute_reply):
        replies[cell_index] = (execute_reply or {}).get("content", {})

    client.on_cell_executed = on_executed
    previous_timed_out = False
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        result.last_cell = index
        try:
            await client.async_execute_cell(cell, index, execution_count=index + 1)
        except DeadKernelError:
            result.kernel_died = True
            return
        timed_out = replies.get(index, {}).get("ename") == "CellTimeoutError"
        if timed_out:
            result.timed_out.append(index)
            if previous_timed_out:  # the interrupt did not stop the previous cell
                result.stuck = True
                return
        previous_timed_out = timed_out


async def run_notebook(nb, settings: RunSettings, workdir: str) -> RunResult:  # noqa: C901
    """Execute every code cell of ``nb`` (an ``nbformat`` notebook) in a new kernel.

    Errors in cells do not stop the run. The notebook object is updated in
    place with (capped) outputs; the result says how the run ended. Never
    raises for anything the notebook does.
    """
    from jupyter_client.manager import AsyncKernelManager

    import tempfile

    result = RunResult(cells=nb.cells)
    started = None
    runtime_dir = tempfile.mkdtemp(prefix="dcteach-ipc-")
    env = kernel_environment(settings, workdir)
    km = AsyncKernelManager(kernel_name="dcteach-grading", transport="ipc",
                            ip=os.path.join(runtime_dir, "k"),
                            connection_file=os.path.join(runtime_dir, "kernel.json"))
    km._kernel_spec = _kernel_spec(settings, workdir, runtime_dir, env)
    client = _client_class()(
        nb, km=km, timeout=max(1, int(round(settings.timeout))), allow_errors=True,
        interrupt_on_timeout=True, record_timing=False, iopub_timeout=2,
        raise_on_iopub_timeout=False, startup_timeout=int(settings.startup_timeout),
        max_output_chars=settings.max_output_chars,
        error_on_timeout={"ename": "CellTimeoutError", "evalue": f"cell ran longer than {settings.timeout:g} s",
                          "traceback": []},
    )
    limit = settings.memory_mb * 1024 * 1024
    n_code = sum(1 for c in nb.cells if c.cell_type == "code")
    deadline = settings.startup_timeout + (settings.timeout + 3) * (n_code + 2)
    try:
        await km.start_kernel(
            cwd=workdir, env=env,
            preexec_fn=lambda: _limit_memory(limit),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        started = getattr(km.provisioner, "process", None)
        client.kc = km.client()
        client.kc.start_channels()
        await client.kc.wait_for_ready(timeout=settings.startup_timeout)
        client.kc.allow_stdin = False
        client.reset_execution_trackers()
        await asyncio.wait_for(_execute(client, km, nb, settings, result), timeout=deadline)
    except asyncio.TimeoutError:
        result.stuck = True
    except RuntimeError as exc:  # kernel failed to start or died during start-up
        if result.last_cell is None:
            result.start_error = f"the kernel did not start: {exc}"
        else:
            result.kernel_died = True
    finally:
        result.truncated = list(client.truncated)
        with contextlib.suppress(Exception):
            if client.kc is not None:
                client.kc.stop_channels()
        with contextlib.suppress(Exception):
            if km.has_kernel:
                result.exit_code = await km.provisioner.poll()
                if result.exit_code is not None and result.start_error is None:
                    result.kernel_died = True
                await km.shutdown_kernel(now=True)
        with contextlib.suppress(Exception):
            await km.cleanup_resources()
        await _reap(started)
        import shutil

        shutil.rmtree(runtime_dir, ignore_errors=True)
    return result


async def _reap(process) -> None:
    """Kill and wait until the kernel's process (bwrap: its whole PID namespace) is gone."""
    if process is None:
        return
    with contextlib.suppress(Exception):
        process.kill()
    for _ in range(100):
        if process.poll() is not None:
            return
        await asyncio.sleep(0.05)
