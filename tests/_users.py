"""Run a piece of a test as another system user (the tests that need root use it)."""

from __future__ import annotations

import os


def as_user(name: str, func) -> str:
    """Run ``func()`` in a forked child with ``name``'s uid and gid; return what it returns (a str).

    An exception in the child comes back as ``"child error: ..."``: the child never raises.
    """
    import pwd

    entry = pwd.getpwnam(name)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)
            result = func()
        except BaseException as exc:  # report, never raise in the child
            result = f"child error: {type(exc).__name__}: {exc}"
        os.write(write, str(result).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as stream:
        out = stream.read()
    os.waitpid(pid, 0)
    return out
