"""``signoff serve [RANGE]``: the review UI in a browser (textual-serve), on loopback, behind a token.

textual-serve runs ``signoff review RANGE`` for each browser session and relays its screen over a
WebSocket. It has no access control of its own, so everything it serves is mounted under a random
``/<token>/`` prefix (printed once, in the URL), requests must name this server in ``Host`` (no DNS
rebinding), and the WebSocket must come from the page's own origin (no cross-site WebSocket hijacking).
The default address is 127.0.0.1; another address is used only when ``--host`` asks for it.
"""

from __future__ import annotations

import argparse
import secrets
import shlex
import socket
import sys
from pathlib import Path
from typing import Any

from signoff.cli.common import add_target_arguments, open_and_resolve
from signoff.errors import UsageError

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the review UI to a browser on this machine (textual-serve)",
        description="Serve the review UI over HTTP on 127.0.0.1 with a random token in the URL.",
    )
    add_target_arguments(p)
    p.add_argument("--port", type=int, default=0, help="TCP port (default: a free one)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; anything else exposes your review to the network)",
    )
    p.add_argument("--checklist", action="append", default=[], metavar="NAME", help="opt-in checklist")
    p.add_argument(
        "--findings", action="append", default=[], metavar="FILE.sarif", help="scanner findings to show"
    )
    p.set_defaults(func=run)


def review_command(args: argparse.Namespace, root: str) -> list[str]:
    """The ``signoff review`` command line each browser session runs."""
    cmd = [sys.executable, "-m", "signoff", "-C", root, "review"]
    if args.range:
        cmd.append(args.range)
    for flag in ("staged", "worktree", "untracked"):
        if getattr(args, flag):
            cmd.append(f"--{flag}")
    if args.base:
        cmd += ["--base", args.base]
    for name in args.checklist:
        cmd += ["--checklist", name]
    for sarif in args.findings:
        cmd += ["--findings", str(Path(sarif).resolve())]
    return cmd


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def run(args: argparse.Namespace) -> int:
    try:
        from textual_serve.server import Server  # noqa: F401
    except ImportError as exc:
        raise UsageError(f"signoff serve needs textual-serve ({exc}): pip install textual-serve") from None
    git, _target = open_and_resolve(args)  # fail here, not in the browser, on a bad range
    if args.port < 0 or args.port > 65535:
        raise UsageError(f"--port {args.port}: expected 0-65535")
    host = args.host
    if host not in LOOPBACK:
        print(f"signoff: warning: listening on {host}: anyone who can reach it and has the URL can review")
    port = args.port or free_port(host)
    token = secrets.token_urlsafe(24)
    server = make_server(shlex.join(review_command(args, str(git.root))), host, port, token)
    url_host = f"[{host}]" if ":" in host else host
    print(f"signoff: serving the review of {git.root.name} at http://{url_host}:{port}/{token}/", flush=True)
    print("signoff: press Ctrl+C to stop", flush=True)
    server.serve()
    return 0


def make_server(command: str, host: str, port: int, token: str) -> Any:
    """A textual-serve server for ``command`` with its routes under ``/<token>/`` and origin checks."""
    from aiohttp import web
    from textual_serve.server import Server

    url_host = f"[{host}]" if ":" in host else host
    allowed_hosts = {f"{url_host}:{port}"} | {f"{h}:{port}" for h in ("127.0.0.1", "localhost", "[::1]")}

    @web.middleware
    async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
        if request.host not in allowed_hosts:
            raise web.HTTPForbidden(text="unknown Host")
        origin = request.headers.get("Origin")
        if request.path.endswith("/ws") and origin != f"http://{request.host}":
            raise web.HTTPForbidden(text="cross-origin WebSocket refused")
        response: web.StreamResponse = await handler(request)
        return response

    class TokenServer(Server):
        async def _make_app(self) -> web.Application:
            inner = await super()._make_app()
            outer = web.Application(middlewares=[guard])
            outer.add_subapp(f"/{token}", inner)
            return outer

        async def on_startup(self, app: web.Application) -> None:
            """textual-serve would print its banner and a URL without the token: say nothing."""

    return TokenServer(
        command, host=host, port=port, title="signoff review", public_url=f"http://{url_host}:{port}"
    )
