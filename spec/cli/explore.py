"""`tcpverify explore SCENARIO [run options] --html FILE | --serve`: play a run over the explored
state graph in the browser. --html writes one self-contained page holding every state (refused
above EMBED_LIMIT states); --serve answers the page's state requests from a standard-library
HTTP server bound to 127.0.0.1, for configurations too large to embed."""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..teaching.explorer import Explorer
from ..teaching.messages import LANGS
from ..views.explorer import explorer_page
from .options import UsageError, add_run_options, run_from

EMBED_LIMIT = 5000  # states: about 1 kB each, a page a browser still opens at once


def add_parser(sub) -> None:
    p = sub.add_parser("explore", help="play a run in the browser: pick each step, go back, branch")
    p.add_argument("scenario")
    add_run_options(p)
    out = p.add_mutually_exclusive_group(required=True)
    out.add_argument("--html", metavar="FILE", help=f"write the page with every state (at most {EMBED_LIMIT})")
    out.add_argument("--serve", action="store_true", help="serve the page on http://127.0.0.1:PORT/")
    p.add_argument("--port", type=int, default=8000, help="--serve's port (0: any free one)")
    p.add_argument("--lang", choices=LANGS, default="en")
    p.set_defaults(run=cmd_explore)


def cmd_explore(args) -> int:
    if args.html and not Path(args.html).resolve().parent.is_dir():
        raise UsageError(f"cannot write {args.html}: no such directory")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port} is not a port number")
    explorer = Explorer(run_from(args), args.lang)
    if args.html:
        if len(explorer) > EMBED_LIMIT:
            raise UsageError(f"{len(explorer)} states are too many to embed (at most {EMBED_LIMIT}): "
                             f"use --serve, or a smaller configuration")
        Path(args.html).write_text(explorer_page(explorer.everything()), encoding="utf-8")
        return 0
    server = serve(explorer, args.port)
    print(f"serving {len(explorer)} states on http://127.0.0.1:{server.server_port}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def serve(explorer: Explorer, port: int) -> ThreadingHTTPServer:
    """A server on 127.0.0.1 only: / is the page without the graph, /state/N is state N as JSON."""
    page = explorer_page(explorer.meta()).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/":
                self._send(200, "text/html; charset=utf-8", page)
                return
            head, _, n = self.path.rpartition("/")
            if head == "/state" and n.isdigit() and int(n) < len(explorer):
                body = json.dumps(explorer.state(int(n)), sort_keys=True, ensure_ascii=False).encode()
                self._send(200, "application/json; charset=utf-8", body)
            else:
                self._send(404, "text/plain; charset=utf-8", b"no such state\n")

        def _send(self, code: int, kind: str, body: bytes):
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet: the terminal shows only the address
            pass

    try:
        return ThreadingHTTPServer(("127.0.0.1", port), Handler)
    except OSError as e:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {e.strerror}") from None
