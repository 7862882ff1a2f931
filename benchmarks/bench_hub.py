"""Load test of the course hub on loopback: a class arrives, spawns, and runs a notebook.

Starts the course's hub (``dcteach.hub.local``, the same code as ``dcteach hub``)
and measures, side by side in one run:

1. the floor: one student alone spawns and runs the notebook; the CPU seconds
   it costs (their server from its first instruction, their kernel, and the
   hub and proxy meanwhile), split into server start, kernel start and the
   notebook's cells; times N over the machine's cores, beside the arrival
   window: if the floor exceeds the window, no scheduling meets the target;
2. N students arriving evenly over ``--arrival`` seconds (a class walking in):
   spawn p50/p95, notebook run p50/p95, failures, memory per student, and how
   busy the machine's cores were;
3. students all at once, in growing groups (``--burst``), stopping at the first
   group that fails a spawn or runs over the target: where it saturates.

CPU seconds are what the machine is asked to do; wall times also depend on what
else runs on the machine (the load average is printed with each figure).

Each student: create user, start server (REST API), open the notebook's
session, run every code cell through the kernel websocket, record the memory
(USS) of their server and kernel, stop. Bounded: at most ``--students`` users
in a scenario, a timeout per spawn and run; only 127.0.0.1.

    python benchmarks/bench_hub.py --students 30 --arrival 120
    python benchmarks/bench_hub.py --floor-only --repeat 3      # the CPU floor alone, three students
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dcteach.hub import local  # noqa: E402
from dcteach.hub.remote import UserServer  # noqa: E402

TARGET_RUN_P95 = 30.0  # seconds (issue 14)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def _load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def _tree_of(hub, name: str):
    """The student's server and its children (kernels, terminals)."""
    import psutil

    for proc in psutil.Process(hub.process.pid).children(recursive=True):
        try:
            if proc.environ().get("JUPYTERHUB_USER") == name and "singleuser" in " ".join(proc.cmdline()):
                return [proc] + proc.children(recursive=True)
        except (psutil.Error, OSError):
            continue
    return []


def _hub_side(hub):
    """The hub, its proxy and its services: every process of the hub's tree that is no student's."""
    import psutil

    root = psutil.Process(hub.process.pid)
    procs = [root]
    for proc in root.children(recursive=True):
        try:
            if "JUPYTERHUB_USER" not in proc.environ():
                procs.append(proc)
        except (psutil.Error, OSError):
            continue
    return procs


def _uss_mb(procs) -> float:
    total = 0
    for proc in procs:
        try:
            total += proc.memory_full_info().uss
        except Exception:
            pass
    return total / 2**20


def _rss_mb(procs) -> float:
    total = 0
    for proc in procs:
        try:
            total += proc.memory_info().rss
        except Exception:
            pass
    return total / 2**20


def _cpu_s(procs, children: bool = True) -> float:
    """User + system CPU seconds of ``procs`` (with their ended children, e.g. a wrapper's subprocess)."""
    total = 0.0
    for proc in procs:
        try:
            t = proc.cpu_times()
            total += t.user + t.system + ((t.children_user + t.children_system) if children else 0.0)
        except Exception:
            pass
    return total


def _code_cells(nb: dict) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"] if c["cell_type"] == "code"
            and "raises-exception" not in c.get("metadata", {}).get("tags", [])]


def alone(hub, name: str, notebook: str, timeout: float) -> dict:
    """One student with the machine to themselves: CPU seconds of each stage, and the hub's meanwhile."""
    hub_cpu0 = _cpu_s(_hub_side(hub), children=False)
    out = {"spawn": hub.start_server(name, timeout=timeout)}
    out["server_start_cpu"] = _cpu_s(_tree_of(hub, name))
    server = UserServer(hub.url, name, hub.token)
    codes = _code_cells(server.read(notebook))
    began = time.monotonic()
    kernel = server.start_kernel(notebook)
    server.execute(kernel, ["pass"], timeout)  # the kernel answers: started
    out["kernel_wall"] = time.monotonic() - began
    cpu1 = _cpu_s(_tree_of(hub, name))
    out["kernel_start_cpu"] = cpu1 - out["server_start_cpu"]
    began = time.monotonic()
    server.execute(kernel, codes, timeout)
    out["cells_wall"] = time.monotonic() - began
    procs = _tree_of(hub, name)
    out["cells_cpu"] = _cpu_s(procs) - cpu1
    out["kernel_cpu"] = _cpu_s(procs[1:])  # the kernel's own share (start + cells)
    out["mem_mb"] = _uss_mb(procs)
    out["server_mb"], out["rss_mb"] = _uss_mb(procs[:1]), _rss_mb(procs)
    out["hub_cpu"] = _cpu_s(_hub_side(hub), children=False) - hub_cpu0
    out["student_cpu"] = out["server_start_cpu"] + out["kernel_start_cpu"] + out["cells_cpu"]
    out["total_cpu"] = out["student_cpu"] + out["hub_cpu"]
    server.shutdown_kernel(kernel)
    return out


def one_student(hub, name: str, notebook: str, timeout: float) -> dict:
    out = {"name": name, "ok": False}
    try:
        out["spawn"] = hub.start_server(name, timeout=timeout)
        server = UserServer(hub.url, name, hub.token)
        began = time.monotonic()
        codes = _code_cells(server.read(notebook))
        kernel = server.start_kernel(notebook)
        server.execute(kernel, codes, timeout)
        out["run"] = time.monotonic() - began
        procs = _tree_of(hub, name)
        out["mem_mb"] = _uss_mb(procs)
        out["cpu_s"] = _cpu_s(procs)  # server from its start + kernel
        server.shutdown_kernel(kernel)
        out["ok"] = True
    except Exception as exc:  # a failed spawn or run is a result, not a crash
        out["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
    return out


def stop_all(hub, names) -> None:
    for name in names:
        try:
            hub.api("DELETE", f"/users/{name}/server")
        except Exception:
            pass
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        running = [n for n in names if (hub.api("GET", f"/users/{n}") or {}).get("servers")]
        if not running:
            return
        time.sleep(1)


def scenario(hub, names, notebook, arrival: float, timeout: float) -> tuple[list[dict], dict]:
    """Students arrive evenly over ``arrival`` seconds; returns their results and the machine's CPU use."""
    import psutil

    results: list[dict] = []
    lock = threading.Lock()

    def arrive(index_name):
        index, name = index_name
        time.sleep(arrival * index / max(1, len(names)))
        r = one_student(hub, name, notebook, timeout)
        with lock:
            results.append(r)

    machine0, hub0, began = psutil.cpu_times(), _cpu_s(_hub_side(hub), children=False), time.monotonic()
    with ThreadPoolExecutor(len(names)) as pool:
        list(pool.map(arrive, enumerate(names)))
    wall = time.monotonic() - began
    machine1 = psutil.cpu_times()
    busy = sum(getattr(machine1, f) - getattr(machine0, f) for f in ("user", "nice", "system", "irq", "softirq"))
    idle = sum(getattr(machine1, f) - getattr(machine0, f) for f in ("idle", "iowait"))
    usage = {"wall": wall, "machine_busy": busy / max(1e-9, busy + idle),
             "hub_cpu": _cpu_s(_hub_side(hub), children=False) - hub0,
             "students_cpu": sum(r.get("cpu_s", 0.0) for r in results), "load": _load()}
    return results, usage


def report(label: str, results: list[dict], usage: dict, cores: int) -> dict:
    ok = [r for r in results if r["ok"]]
    spawn = [r["spawn"] for r in results if "spawn" in r]
    run = [r["run"] for r in ok]
    mem = [r["mem_mb"] for r in ok]
    summary = {"ok": len(ok), "n": len(results), "spawn_p50": _pct(spawn, 50), "spawn_p95": _pct(spawn, 95),
               "run_p50": _pct(run, 50), "run_p95": _pct(run, 95)}
    ours = (usage["students_cpu"] + usage["hub_cpu"]) / (usage["wall"] * cores)
    print(f"{label}: {len(ok)}/{len(results)} ok in {usage['wall']:.0f} s | spawn p50 {summary['spawn_p50']:.1f} s "
          f"p95 {summary['spawn_p95']:.1f} s | run p50 {summary['run_p50']:.1f} s p95 {summary['run_p95']:.1f} s "
          f"max {max(run, default=float('nan')):.1f} s | memory per student (server+kernel USS) "
          f"median {statistics.median(mem) if mem else float('nan'):.0f} MB max {max(mem, default=float('nan')):.0f} MB")
    print(f"  CPU: students {usage['students_cpu']:.0f} s + hub/proxy {usage['hub_cpu']:.0f} s = "
          f"{ours:.0%} of {cores} cores over the wall time; the machine's cores were {usage['machine_busy']:.0%} "
          f"busy (everything on it; load average {usage['load']} at the end)")
    for r in results:
        if not r["ok"]:
            print(f"  FAILED {r['name']}: {r.get('error')}")
    return summary


def met(summary: dict) -> bool:
    return summary["ok"] == summary["n"] and summary["run_p95"] <= TARGET_RUN_P95


def print_alone(i: int, a: dict) -> None:
    print(f"  alone #{i}: spawn {a['spawn']:.1f} s, kernel {a['kernel_wall']:.1f} s, cells {a['cells_wall']:.1f} s wall"
          f" | CPU: server start {a['server_start_cpu']:.2f} + kernel start {a['kernel_start_cpu']:.2f}"
          f" + cells {a['cells_cpu']:.2f} (kernel's own share of start+cells {a['kernel_cpu']:.2f})"
          f" + hub/proxy {a['hub_cpu']:.2f} = {a['total_cpu']:.2f} s | memory (USS) {a['mem_mb']:.0f} MB, of which the server "
          f"{a['server_mb']:.0f} MB; RSS {a['rss_mb']:.0f} MB"
          f" | load {_load()}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--arrival", type=float, default=120.0, help="seconds over which the class arrives")
    parser.add_argument("--notebook", default="02_enablers_and_priority_areas.ipynb")
    parser.add_argument("--timeout", type=float, default=300.0, help="per spawn and per notebook run")
    parser.add_argument("--repeat", type=int, default=1, help="students measured alone, one after another")
    parser.add_argument("--floor-only", action="store_true", help="measure students alone only")
    parser.add_argument("--burst", default="2,4,8,16",
                        help="group sizes started all at once, growing; the class size is added last; "
                             "'none' skips (default 2,4,8,16)")
    args = parser.parse_args()
    if not 1 <= args.students <= 100:
        parser.error("--students: 1–100 (bounded on purpose)")
    if not 1 <= args.repeat <= 10:
        parser.error("--repeat: 1–10")
    try:
        bursts = [] if args.burst == "none" else sorted({int(s) for s in args.burst.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--burst {args.burst!r}: comma-separated group sizes, e.g. 2,4,8, or 'none'")
    bursts = [b for b in bursts if 1 <= b < args.students] + [args.students]
    cores = os.cpu_count() or 1
    state = Path(tempfile.mkdtemp(prefix="dcteach-bench-hub-"))
    users = args.repeat + (0 if args.floor_only else args.students)
    hub = local.start(state, students=users, port=local.free_port(), timeout=120,
                      extra_env={"DCTEACH_CULL_TIMEOUT": "3600"})
    try:
        names = hub.students
        print(f"machine: {cores} cores; notebook {args.notebook}; load average {_load()} at start")
        solos = []
        for i, name in enumerate(names[:args.repeat], 1):
            try:
                solos.append(alone(hub, name, args.notebook, args.timeout))
            except Exception as exc:
                print(f"the run alone failed: {type(exc).__name__}: {str(exc)[:300]}")
                return 1
            stop_all(hub, [name])
            print_alone(i, solos[-1])
        per = statistics.median(a["total_cpu"] for a in solos)
        student = statistics.median(a["student_cpu"] for a in solos)
        n = args.students
        floor = per * n / cores
        print(f"floor for {n} students: {per:.1f} CPU-s each (student's server+kernel {student:.1f}, "
              f"median of {len(solos)}) x {n} / {cores} cores = {floor:.0f} s of every core, against an arrival "
              f"window of {args.arrival:.0f} s: {'below' if floor < args.arrival else 'ABOVE'} it "
              f"({floor / args.arrival:.0%} of the window)")
        if args.floor_only:
            return 0
        class_ = names[args.repeat:args.repeat + n]
        arrived, usage = scenario(hub, class_, args.notebook, args.arrival, args.timeout)
        arrived_summary = report(f"{n} arriving over {args.arrival:.0f} s", arrived, usage, cores)
        stop_all(hub, class_)
        saturated = None
        for size in bursts:
            burst, usage = scenario(hub, class_[:size], args.notebook, 0, args.timeout)
            summary = report(f"{size} all at once", burst, usage, cores)
            stop_all(hub, class_[:size])
            if not met(summary):
                saturated = (size, summary)
                break
        if saturated is None:
            print(f"all at once: no saturation up to {bursts[-1]} students (every group met the target)")
        else:
            size, s = saturated
            print(f"all at once: saturates at {size} students (the first group that "
                  f"{'failed a spawn' if s['ok'] < s['n'] else f'ran over {TARGET_RUN_P95:.0f} s at p95'})")
        print(f"target (no failed spawn, p95 run <= {TARGET_RUN_P95:.0f} s, {n} arriving over {args.arrival:.0f} s): "
              f"{'met' if met(arrived_summary) else 'NOT met'}")
        return 0
    finally:
        hub.stop()


if __name__ == "__main__":
    from dcteach._errors import DcteachError

    try:
        sys.exit(main())
    except DcteachError as exc:
        print(f"bench_hub: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
