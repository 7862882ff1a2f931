"""Load test of the course hub on loopback: a class arrives, spawns, and runs a notebook.

Starts the course's hub (``dcteach.hub.local``, the same code as ``dcteach hub``)
and measures, side by side in one run:

1. the floor: one student alone runs the notebook; the CPU seconds of their
   server and kernel, times N, over the machine's cores;
2. N students arriving evenly over ``--arrival`` seconds (a class walking in):
   spawn p50/p95, notebook run p50/p95, failures, memory per student;
3. the same N students all at once.

Each student: create user, start server (REST API), open the notebook's
session, run every code cell through the kernel websocket, record the memory
(USS) of their server and kernel, stop. Bounded: at most ``--students`` users
and ``--budget`` seconds per scenario; only 127.0.0.1.

    python benchmarks/bench_hub.py --students 30 --arrival 120
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


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def _tree_of(hub, name: str):
    import psutil

    for proc in psutil.Process(hub.process.pid).children(recursive=True):
        try:
            if proc.environ().get("JUPYTERHUB_USER") == name and "singleuser" in " ".join(proc.cmdline()):
                return [proc] + proc.children(recursive=True)
        except (psutil.Error, OSError):
            continue
    return []


def _uss_mb(procs) -> float:
    total = 0
    for proc in procs:
        try:
            total += proc.memory_full_info().uss
        except Exception:
            pass
    return total / 2**20


def _cpu_s(procs) -> float:
    total = 0.0
    for proc in procs:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except Exception:
            pass
    return total


def one_student(hub, name: str, notebook: str, timeout: float) -> dict:
    out = {"name": name, "ok": False}
    try:
        out["spawn"] = hub.start_server(name, timeout=timeout)
        server = UserServer(hub.url, name, hub.token)
        began = time.monotonic()
        nb = server.read(notebook)
        codes = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                 for c in nb["cells"] if c["cell_type"] == "code"
                 and "raises-exception" not in c.get("metadata", {}).get("tags", [])]
        kernel = server.start_kernel(notebook)
        procs = _tree_of(hub, name)
        cpu0 = _cpu_s(procs)
        server.execute(kernel, codes, timeout)
        out["run"] = time.monotonic() - began
        procs = _tree_of(hub, name)
        out["mem_mb"] = _uss_mb(procs)
        out["cpu_s"] = _cpu_s(procs) - cpu0
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


def scenario(hub, names, notebook, arrival: float, timeout: float) -> list[dict]:
    results: list[dict] = []
    lock = threading.Lock()

    def arrive(index_name):
        index, name = index_name
        time.sleep(arrival * index / max(1, len(names)))
        r = one_student(hub, name, notebook, timeout)
        with lock:
            results.append(r)

    with ThreadPoolExecutor(len(names)) as pool:
        list(pool.map(arrive, enumerate(names)))
    return results


def report(label: str, results: list[dict], wall: float) -> None:
    ok = [r for r in results if r["ok"]]
    spawn = [r["spawn"] for r in results if "spawn" in r]
    run = [r["run"] for r in ok]
    mem = [r["mem_mb"] for r in ok]
    print(f"{label}: {len(ok)}/{len(results)} ok in {wall:.0f} s | spawn p50 {_pct(spawn, 50):.1f} s "
          f"p95 {_pct(spawn, 95):.1f} s | run p50 {_pct(run, 50):.1f} s p95 {_pct(run, 95):.1f} s "
          f"max {max(run, default=float('nan')):.1f} s | memory per student (server+kernel USS) "
          f"median {statistics.median(mem) if mem else float('nan'):.0f} MB max {max(mem, default=float('nan')):.0f} MB")
    for r in results:
        if not r["ok"]:
            print(f"  FAILED {r['name']}: {r.get('error')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--arrival", type=float, default=120.0, help="seconds over which the class arrives")
    parser.add_argument("--notebook", default="02_enablers_and_priority_areas.ipynb")
    parser.add_argument("--timeout", type=float, default=300.0, help="per spawn and per notebook run")
    parser.add_argument("--skip-all-at-once", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.students <= 100:
        parser.error("--students: 1–100 (bounded on purpose)")
    cores = os.cpu_count() or 1
    state = Path(tempfile.mkdtemp(prefix="dcteach-bench-hub-"))
    hub = local.start(state, students=args.students + 1, port=local.free_port(), timeout=120,
                      extra_env={"DCTEACH_CULL_TIMEOUT": "3600"})
    try:
        names = hub.students
        solo = one_student(hub, names[-1], args.notebook, args.timeout)
        if not solo["ok"]:
            print(f"the single run failed: {solo.get('error')}")
            return 1
        stop_all(hub, [names[-1]])
        floor = solo["cpu_s"] * args.students / cores
        print(f"machine: {cores} cores; notebook {args.notebook}")
        print(f"single run alone: spawn {solo['spawn']:.1f} s, run {solo['run']:.1f} s, CPU {solo['cpu_s']:.1f} s, "
              f"memory {solo['mem_mb']:.0f} MB -> floor for {args.students}: "
              f"{solo['cpu_s']:.1f} x {args.students} / {cores} = {floor:.0f} s of CPU per core")
        class_ = names[:args.students]
        began = time.monotonic()
        arrived = scenario(hub, class_, args.notebook, args.arrival, args.timeout)
        report(f"{args.students} arriving over {args.arrival:.0f} s", arrived, time.monotonic() - began)
        stop_all(hub, class_)
        if not args.skip_all_at_once:
            began = time.monotonic()
            burst = scenario(hub, class_, args.notebook, 0, args.timeout)
            report(f"{args.students} all at once", burst, time.monotonic() - began)
        target = all(r["ok"] for r in arrived) and _pct([r["run"] for r in arrived if r["ok"]], 95) <= 30
        print(f"target (no failed spawn, p95 run <= 30 s, arriving over {args.arrival:.0f} s): "
              f"{'met' if target else 'NOT met'}")
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
