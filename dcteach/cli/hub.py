"""``dcteach hub``: a JupyterHub on 127.0.0.1 with demo students, to try the course for a class.

Starts the course's hub (``deploy/jupyterhub/jupyterhub_config.py`` in demo
mode) in its own session; Ctrl+C or SIGTERM stops the hub, its proxy and every
student's server. Only the proxy's port is reachable, on 127.0.0.1.
"""

from __future__ import annotations

import signal
import sys
import time

__all__ = ["add_parser"]


def _run(args) -> int:
    from dcteach.hub import local

    hub = local.start(args.dir, students=args.students, port=args.port, lang=args.lang,
                      lecturer=args.lecturer)

    def _stop(signum, frame):  # SIGTERM behaves like Ctrl+C
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        print(f"JupyterHub for the course: {hub.url}/hub/login  (only on this computer)")
        print(f"  students: {', '.join(hub.students)}")
        print(f"  students' password (demo only): {hub.password}")
        print(f"  lecturer (admin): {hub.lecturer}, password: {hub.admin_password}")
        print(f"  exchange: {hub.state / 'exchange'}; log: {hub.log}")
        print("Press Ctrl+C to stop.", flush=True)
        while hub.process.poll() is None:
            time.sleep(0.5)
        print(f"dcteach hub: the hub stopped by itself; see {hub.log}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("dcteach hub: stopping the hub and every student's server", file=sys.stderr)
        return 0
    finally:
        hub.stop()
        signal.signal(signal.SIGTERM, previous)


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "hub", help="start a local JupyterHub with demo students (127.0.0.1 only)",
        description="Start the course's JupyterHub on 127.0.0.1 with N demo students and one lecturer "
                    "(admin), sharing a printed password. For a real deployment see docs/lecturers.md.")
    p.add_argument("--students", type=int, default=3, metavar="N", help="demo students (default 3)")
    p.add_argument("--port", type=int, default=8000, help="the proxy's port on 127.0.0.1 (default 8000)")
    p.add_argument("--dir", default="dcteach-hub", metavar="DIR",
                   help="folder for the hub's database, homes and exchange (default ./dcteach-hub)")
    p.add_argument("--lang", default="en", choices=("en", "ru"), help="course language (DCTEACH_LANG)")
    p.add_argument("--lecturer", default="lecturer", help="the admin's user name (default lecturer)")
    p.set_defaults(func=_run)
