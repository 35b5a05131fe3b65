"""A small headless-Chromium driver for the tests: the DevTools protocol over the
`--remote-debugging-pipe` file descriptors (3 in, 4 out), so no websocket library and no
TCP port are needed. It loads one page with the network emulated offline and records
console errors, uncaught exceptions and every non-local request."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
)
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
TIMEOUT_S = 60.0
NEXT_FRAMES = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def find_chromium() -> str | None:
    """Path of a Chromium binary ($CHROMIUM, /usr/bin/chromium or on PATH), or None."""
    explicit = os.environ.get("CHROMIUM")
    if explicit:
        return explicit
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


@dataclass
class PageRun:
    """What happened while a page loaded."""

    errors: list[str] = field(default_factory=list)
    remote_requests: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)


class DevTools:
    """One Chromium process driven over its DevTools pipe."""

    def __init__(self, binary: str) -> None:
        self._profile = tempfile.mkdtemp(prefix="dispatch-opt-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def wire_fds() -> None:  # in the child: our pipe ends become fds 3 and 4
            read_end = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 10)
            write_end = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self._proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_fds,
            pass_fds=(3, 4),
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._next_id = 0
        self._replies: dict[int, dict[str, Any]] = {}
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Condition()
        threading.Thread(target=self._read_loop, daemon=True).start()

    def _read_loop(self) -> None:
        """Split the pipe into NUL-terminated JSON messages: replies and events."""
        buffer = b""
        while True:
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                self._events.put({"method": "closed"})
                with self._lock:
                    self._lock.notify_all()
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    with self._lock:
                        self._replies[message["id"]] = message
                        self._lock.notify_all()
                else:
                    self._events.put(message)

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send a command and wait for its result (raises on a protocol error)."""
        self._next_id += 1
        key = self._next_id
        message: dict[str, Any] = {"id": key, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT_S
        with self._lock:
            while key not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0 or self._proc.poll() is not None:
                    raise RuntimeError(f"no answer from chromium to {method}")
                self._lock.wait(min(left, 0.5))
            reply = self._replies.pop(key)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def events(self) -> list[dict[str, Any]]:
        """Events received so far (drained)."""
        out = []
        while True:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        """Close the browser and remove its profile."""
        with contextlib.suppress(RuntimeError, OSError):
            self.call("Browser.close")
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)


def _note(event: dict[str, Any], run: PageRun) -> None:
    """Record an error or a remote request from one event."""
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        run.errors.append(
            f"exception: {details.get('exception', {}).get('description') or details}"
        )
    elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        run.errors.append(f"console.{params['type']}: {params.get('args')}")
    elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
        entry = params["entry"]
        run.errors.append(f"log {entry.get('source')}: {entry.get('text')} {entry.get('url', '')}")
    elif method == "Network.requestWillBeSent":
        url = params.get("request", {}).get("url", "")
        if not url.startswith(("file:", "data:", "about:")):
            run.remote_requests.append(url)


def load_offline(
    binary: str,
    page: Path,
    probes: dict[str, str],
    screenshot: Path | None = None,
    width: int = 1400,
) -> PageRun:
    """Open `page` with the network emulated offline, wait for `document.body.dataset.ready`,
    optionally save a full-page PNG, then evaluate the `probes` (name -> JS expression)."""
    tools = DevTools(binary)
    run = PageRun()
    try:
        target = tools.call("Target.createTarget", url="about:blank")["targetId"]
        session = tools.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            tools.call(f"{domain}.enable", session)
        tools.call(
            "Network.emulateNetworkConditions",
            session,
            offline=True,
            latency=0,
            downloadThroughput=-1,
            uploadThroughput=-1,
        )
        tools.call(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        tools.call("Page.navigate", session, url=page.resolve().as_uri())
        ready = "document.body && document.body.dataset.ready === '1'"
        deadline = time.monotonic() + TIMEOUT_S
        while not _evaluate(tools, session, ready):
            if time.monotonic() > deadline:
                run.errors.append("page never became ready")
                break
            time.sleep(0.1)
        if screenshot is not None:
            height = int(_evaluate(tools, session, "document.documentElement.scrollHeight"))
            tools.call(
                "Emulation.setDeviceMetricsOverride",
                session,
                width=width,
                height=min(height, 8000),
                deviceScaleFactor=1,
                mobile=False,
            )
            tools.call(
                "Runtime.evaluate",
                session,
                expression=NEXT_FRAMES,
                awaitPromise=True,
            )
            shot = tools.call("Page.captureScreenshot", session, format="png")
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        run.values = {name: _evaluate(tools, session, js) for name, js in probes.items()}
        for event in tools.events():
            _note(event, run)
    finally:
        tools.close()
    return run


def _evaluate(tools: DevTools, session: str, expression: str) -> Any:
    """The JSON value of a JS expression in the page."""
    result = tools.call("Runtime.evaluate", session, expression=expression, returnByValue=True)
    if "exceptionDetails" in result:
        raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
    return result.get("result", {}).get("value")
