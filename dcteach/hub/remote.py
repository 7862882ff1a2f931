"""Drive a student's server through the hub's proxy: files (contents API) and code (kernel API).

Used by the end-to-end test and the load test; it speaks Jupyter Server's REST
API and the kernel's websocket protocol (``/api/kernels/ID/channels``), with a
hub token that has the ``access:servers`` scope.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import urllib.request
import uuid

__all__ = ["ExecutionError", "UserServer"]


class ExecutionError(RuntimeError):
    """A cell raised an exception in the remote kernel."""


class UserServer:
    """One student's server at ``{hub_url}/user/{name}/``."""

    def __init__(self, hub_url: str, name: str, token: str):
        self.base = f"{hub_url}/user/{urllib.parse.quote(name)}"
        self.name = name
        self.token = token

    # --- REST -------------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: dict | None = None, timeout: float = 60):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.base}/api{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as response:
            text = response.read()
        return json.loads(text) if text else None

    def listdir(self, path: str = "") -> list[str]:
        """Names in a folder of the server's root."""
        model = self.request("GET", f"/contents/{urllib.parse.quote(path)}?content=1")
        return sorted(item["name"] for item in model["content"])

    def read(self, path: str) -> dict | str:
        """A file's content: a notebook as a dict, text as a str."""
        model = self.request("GET", f"/contents/{urllib.parse.quote(path)}?content=1")
        return model["content"]

    def write_notebook(self, path: str, nb: dict) -> None:
        """Save a notebook (as the student would in JupyterLab)."""
        self.request("PUT", f"/contents/{urllib.parse.quote(path)}",
                     {"type": "notebook", "format": "json", "content": nb})

    # --- kernels ----------------------------------------------------------------------------------
    def start_kernel(self, notebook_path: str) -> str:
        """A kernel session for ``notebook_path`` (its folder is the kernel's working folder)."""
        model = self.request("POST", "/sessions", {"path": notebook_path, "type": "notebook",
                                                   "name": notebook_path.rsplit("/", 1)[-1],
                                                   "kernel": {"name": "python3"}})
        return model["kernel"]["id"]

    def shutdown_kernel(self, kernel_id: str) -> None:
        try:
            self.request("DELETE", f"/kernels/{kernel_id}")
        except Exception:
            pass

    async def _execute_all(self, kernel_id: str, codes: list[str], timeout: float) -> list[list[dict]]:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = self.base.replace("http://", "ws://").replace("https://", "wss://")
        request = HTTPRequest(f"{url}/api/kernels/{kernel_id}/channels",
                              headers={"Authorization": f"token {self.token}"})
        conn = await websocket_connect(request)
        session = uuid.uuid4().hex
        results = []
        try:
            for code in codes:
                msg_id = uuid.uuid4().hex
                await conn.write_message(json.dumps({
                    "header": {"msg_id": msg_id, "username": self.name, "session": session,
                               "msg_type": "execute_request", "version": "5.3"},
                    "parent_header": {}, "metadata": {}, "channel": "shell",
                    "content": {"code": code, "silent": False, "store_history": True,
                                "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
                }))
                outputs: list[dict] = []
                reply = None
                idle = False
                deadline = time.monotonic() + timeout
                while reply is None or not idle:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError(f"{self.name}: a cell ran longer than {timeout:g} s")
                    raw = await asyncio.wait_for(conn.read_message(), left)
                    if raw is None:
                        raise ConnectionError(f"{self.name}: the kernel's websocket closed")
                    msg = json.loads(raw)
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    kind = msg["header"]["msg_type"]
                    if kind == "execute_reply":
                        reply = msg["content"]
                    elif kind == "status" and msg["content"].get("execution_state") == "idle":
                        idle = True
                    elif kind in ("stream", "execute_result", "display_data", "error"):
                        outputs.append({"type": kind, **msg["content"]})
                if reply.get("status") == "error":
                    raise ExecutionError(f"{self.name}: {reply.get('ename')}: {reply.get('evalue')}")
                results.append(outputs)
        finally:
            conn.close()
        return results

    def execute(self, kernel_id: str, codes: list[str], timeout: float = 120) -> list[list[dict]]:
        """Run ``codes`` one after another in the kernel; return each one's outputs.

        Raises ExecutionError at the first cell that raises.
        """
        return asyncio.run(self._execute_all(kernel_id, codes, timeout))

    def run_notebook(self, path: str, timeout: float = 120) -> int:
        """Run every code cell of a notebook in the student's server; return the number of cells.

        Cells tagged ``raises-exception`` are skipped (they fail on purpose).
        """
        nb = self.read(path)
        codes = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                 for c in nb["cells"] if c["cell_type"] == "code"
                 and "raises-exception" not in c.get("metadata", {}).get("tags", [])]
        kernel = self.start_kernel(path)
        try:
            self.execute(kernel, codes, timeout)
        finally:
            self.shutdown_kernel(kernel)
        return len(codes)
