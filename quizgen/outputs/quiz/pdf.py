"""HTML -> PDF through headless Chromium, driven over its DevTools pipe (no extra Python packages)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizgen.errors import OutputError, Problem, ToolMissingError

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = "install it with `apt-get install chromium fonts-noto-cjk` (or put chromium/google-chrome on PATH)"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
)
TIMEOUT = 180.0
"""Seconds Chromium may take to start, or to load and print one document, before it is killed."""


@dataclass(frozen=True)
class PrintJob:
    """One document to print: its HTML and the footer (Chromium footerTemplate HTML, already escaped)."""

    html: str
    footer: str


def find_chromium() -> str:
    """The Chromium (or Chrome) executable, or ToolMissingError saying how to install it."""
    override = os.environ.get("QUIZGEN_CHROMIUM")
    for name in ((override,) if override else CANDIDATES):
        found = shutil.which(name)
        if found:
            return found
    searched = override or ", ".join(CANDIDATES)
    raise ToolMissingError(Problem("quizgen quiz --pdf", None, "chromium", f"headless Chromium not found (searched {searched}); {INSTALL_HINT}"))


def check_cjk_font() -> None:
    """A printed Chinese quiz needs a Chinese font; fontconfig tells us if one is installed."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return  # no fontconfig to ask: let Chromium do its best
    try:
        out = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return
    if not out.strip():
        raise ToolMissingError(Problem("quizgen quiz --pdf", None, "fonts", "no Chinese font is installed; install one with `apt-get install fonts-noto-cjk`"))


def print_pdfs(jobs: list[PrintJob], *, timeout: float = TIMEOUT) -> list[bytes]:
    """Print each job to A4 PDF bytes in one headless Chromium; page size and margins come from the page's @page CSS."""
    if not jobs:
        return []
    exe = find_chromium()
    check_cjk_font()
    with tempfile.TemporaryDirectory(prefix="quizgen-pdf-") as tmp:
        pages = []
        for i, job in enumerate(jobs):
            page = Path(tmp) / f"page-{i}.html"
            page.write_text(job.html, encoding="utf-8")
            pages.append(page)
        profile = Path(tmp) / "profile"
        profile.mkdir()
        with _Browser(exe, profile, Path(tmp) / "chromium.log", timeout=timeout) as browser:
            return [browser.print_page(page.as_uri(), job.footer) for page, job in zip(pages, jobs, strict=False)]


class _Browser:
    """Chromium with --remote-debugging-pipe: requests go to its fd 3, replies come from its fd 4, NUL-separated JSON."""

    def __init__(self, exe: str, profile: Path, log: Path, *, timeout: float):
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.log = log
        self.next_id = 0
        self.buffer = b""
        self.events: list[dict[str, Any]] = []
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        args = [exe, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]
        # Chromium reads fd 3 and writes fd 4. Hand it the pipes as stdin/stdout and let sh move them there:
        # no preexec_fn (unsafe with threads), and subprocess handles any fd-number overlap itself.
        shell = ["/bin/sh", "-c", 'exec 3<&0 4>&1 </dev/null >/dev/null; exec "$0" "$@"']
        try:
            with log.open("wb") as log_file:  # a file, not a pipe: a chatty Chromium must never block on a full pipe
                self.proc = subprocess.Popen([*shell, *args], stdin=to_chrome_r, stdout=from_chrome_w, stderr=log_file,
                                             start_new_session=True)
        except OSError as exc:
            for fd in (to_chrome_r, self.to_chrome, self.from_chrome, from_chrome_w):
                os.close(fd)
            raise ToolMissingError(Problem(exe, None, "chromium", f"cannot start ({exc.strerror}); {INSTALL_HINT}")) from exc
        os.close(to_chrome_r)
        os.close(from_chrome_w)

    def __enter__(self) -> _Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            if self.proc.poll() is None and exc[0] is None:
                self.send("Browser.close")
        try:
            self.proc.wait(timeout=5 if exc[0] is None else 0.1)
        except subprocess.TimeoutExpired:
            self.kill()
        for fd in (self.to_chrome, self.from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)

    def kill(self) -> None:
        """Kill Chromium and the helper processes it started (its own process group)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)

    def print_page(self, url: str, footer: str) -> bytes:
        """Open url in a fresh tab, wait for load and fonts, print it, close the tab."""
        self.deadline = time.monotonic() + self.timeout  # each document gets the full time: a 170-page quiz is slow, not hung
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable", session=session)
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session)
        self.send("Runtime.evaluate", {"expression": "document.fonts.ready.then(() => true)", "awaitPromise": True}, session=session)
        result = self.send("Page.printToPDF", {
            "preferCSSPageSize": True,
            "printBackground": True,
            "displayHeaderFooter": True,
            "headerTemplate": "<span></span>",
            "footerTemplate": footer,
        }, session=session)
        self.send("Target.closeTarget", {"targetId": target})
        return base64.b64decode(result["data"])

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self.to_chrome, data):]
        except OSError as exc:  # a broken pipe: Chromium is gone
            raise self.failure(f"Chromium exited unexpectedly ({exc.strerror})") from exc
        while True:
            reply = self.read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise self.failure(f"{method} failed: {reply['error'].get('message', reply['error'])}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, session: str) -> None:
        while True:
            for event in self.events:
                if event.get("method") == method and event.get("sessionId") == session:
                    return
            self.events.clear()
            self.events.append(self.read())

    def read(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise self.failure(f"timed out after {self.timeout:g} s; Chromium was stopped")
            ready, _, _ = select.select([self.from_chrome], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise self.failure("Chromium exited unexpectedly")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def failure(self, message: str) -> OutputError:
        detail = ""
        with contextlib.suppress(OSError):
            lines = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            detail = f" (Chromium said: {lines[-1][:300]})" if lines else ""
        return OutputError(Problem("quizgen quiz --pdf", None, "chromium", message + detail))
