"""``signoff serve``: the review UI through textual-serve on 127.0.0.1 behind a URL token, loaded in a real
headless Chromium (Debian's ``chromium``, driven over the DevTools protocol): the review screen reaches
the browser and a key press in the page answers a question (the draft on disk says ``pass``)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import commit_files, git

SRC = Path(__file__).resolve().parents[1] / "src"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SQL = "def q(c, name):\n    return c.execute(\"SELECT * FROM users WHERE name = '%s'\" % name)\n"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b.")


@pytest.fixture
def served(repo: Path, tmp_path: Path):
    """``signoff serve main..feature`` running in the background; yields (url, repo). Its output goes to a
    file (a pipe nobody drains could block the server; a blocking read could hang the test), and the
    whole process group is killed afterwards, whatever happened."""
    commit_files(repo, {"app.py": "x = 1\n"}, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    commit_files(repo, {"app.py": SQL}, "query")
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env["TEXTUAL_ANIMATIONS"] = "none"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "signoff", "-C", str(repo), "serve", "main..feature"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        url = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not url and proc.poll() is None:
            m = re.search(r"(http://\S+/)", log.read_text(errors="replace"))
            url = m.group(1) if m else ""
            time.sleep(0.05)
        assert url, f"serve printed no URL: {log.read_text(errors='replace')[-2000:]}"
        _wait_http(url)
        yield url, repo
    finally:
        _kill_group(proc)


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group, SIGKILL it if it is still there after 5 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def _wait_http(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def _status(url: str, headers: dict[str, str] | None = None) -> int:
    try:
        return urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_serve_listens_on_loopback_behind_a_token(served) -> None:
    url, _ = served
    m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/([A-Za-z0-9_-]{32})/", url)
    assert m, url
    port, token = m.groups()
    assert _status(url) == 200
    assert _status(f"http://127.0.0.1:{port}/") == 404
    assert _status(f"http://127.0.0.1:{port}/{token[:-1]}x/") == 404
    assert _status(f"http://127.0.0.1:{port}/static/js/textual.js") == 404
    # DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host
    assert _status(url, {"Host": f"evil.example:{port}"}) == 403


def test_cross_origin_websocket_is_refused(served) -> None:
    import aiohttp

    url, _ = served
    ws_url = url.replace("http://", "ws://") + "ws"

    async def attempt(origin: str) -> int:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as s:
            try:
                async with s.ws_connect(ws_url, headers={"Origin": origin}) as ws:
                    await ws.close()
                    return 101
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status

    assert asyncio.run(asyncio.wait_for(attempt("http://evil.example"), 20)) == 403
    assert asyncio.run(asyncio.wait_for(attempt(url.rstrip("/").rsplit("/", 1)[0]), 20)) == 101


# -- a real browser --------------------------------------------------------------------------------


class Cdp:
    """The DevTools protocol over Chromium's page WebSocket (aiohttp client)."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict] = []

    async def call(self, method: str, **params) -> dict:
        self.next_id += 1
        mid = self.next_id
        await self.ws.send_json({"id": mid, "method": method, "params": params})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            msg = await asyncio.wait_for(self.ws.receive_json(), 30)
            if msg.get("id") == mid:
                if "error" in msg:
                    raise AssertionError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)
        raise AssertionError(f"{method}: no answer in 30 s")

    async def pump(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            with contextlib.suppress(TimeoutError):
                self.events.append(await asyncio.wait_for(self.ws.receive_json(), 0.2))

    def screen_text(self) -> str:
        """Everything the page received from the app over its WebSocket, escapes removed."""
        out = []
        for e in self.events:
            if e.get("method") == "Network.webSocketFrameReceived":
                r = e["params"]["response"]
                data = base64.b64decode(r["payloadData"]) if r["opcode"] == 2 else r["payloadData"].encode()
                out.append(data.decode("utf-8", "replace"))
        return _ANSI.sub("", "".join(out))


@pytest.fixture
def chromium(tmp_path: Path):
    """Debian's Chromium, headless, with the flags that keep it off the network (this machine has none
    but the package registries), in a new profile; yields its DevTools port; always killed."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (scripts/install-test-deps installs it)")
    profile = tmp_path / "chromium-profile"
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--remote-debugging-port=0", "--window-size=1400,900", "about:blank"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        assert port_file.exists() and port_file.read_text().strip(), "chromium opened no DevTools port"
        yield int(port_file.read_text().split()[0])
    finally:
        _kill_group(proc)


def _draft_answers(repo: Path) -> str:
    drafts = list((repo / ".git" / "signoff" / "drafts").glob("*.toml"))
    return "".join(p.read_text() for p in drafts)


def test_review_screen_renders_in_chromium_and_a_key_press_answers(served, chromium: int, tmp_path: Path):
    import aiohttp

    url, repo = served

    async def drive() -> tuple[str, str]:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=50)) as s:
            pages = await (await s.get(f"http://127.0.0.1:{chromium}/json/list")).json()
            page = next(p for p in pages if p["type"] == "page")
            async with s.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                cdp = Cdp(ws)
                await cdp.call("Network.enable")
                await cdp.call("Page.enable")
                await cdp.call("Page.navigate", url=url)
                text = ""
                for _ in range(60):  # the review screen: the file, the question, the highlighted SQL
                    await cdp.pump(0.5)
                    text = cdp.screen_text()
                    if "app.py" in text and "db.parameterized-queries" in text:
                        break
                shot = await cdp.call("Page.captureScreenshot", format="png")
                (tmp_path / "serve.png").write_bytes(base64.b64decode(shot["data"]))
                await cdp.call("Runtime.evaluate", expression="document.querySelector('textarea')?.focus()")
                before = _draft_answers(repo)
                for _ in range(3):  # the checklist pane has the first question selected: "p" passes it
                    for kind in ("keyDown", "keyUp"):
                        await cdp.call("Input.dispatchKeyEvent", type=kind, key="p", code="KeyP", text="p"
                                       if kind == "keyDown" else "", windowsVirtualKeyCode=80)  # fmt: skip
                    await cdp.pump(1.0)
                    if 'answer = "pass"' in _draft_answers(repo):
                        break
                return text, before

    text, before = asyncio.run(asyncio.wait_for(drive(), 50))
    assert "app.py" in text, text[-2000:]
    assert "SELECT" in text and "db.parameterized-queries" in text  # the diff and the question
    assert 'answer = "pass"' not in before
    assert 'answer = "pass"' in _draft_answers(repo), _draft_answers(repo)
    assert (tmp_path / "serve.png").stat().st_size > 10_000
