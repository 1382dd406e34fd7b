"""A small loopback proxy in front of the real server that can fail chosen attempts, and
a webhook receiver; both record what they saw."""

from __future__ import annotations

import http.server
import json
import queue
import socketserver
import threading
from typing import Callable, Dict, List, Optional, Tuple

import httpx

# What to do with attempt n (0-based): "forward", "503", "500", "429", "drop" (close the
# connection without an answer) or "forward-then-drop" (let the server do the work, then
# lose its answer).
Plan = Callable[[int], str]


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Proxy:
    def __init__(self, upstream: str, plan: Plan) -> None:
        self.upstream = upstream
        self.plan = plan
        self.attempts: List[Dict[str, str]] = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with proxy.lock:
                    n = len(proxy.attempts)
                    proxy.attempts.append(
                        {k.lower(): v for k, v in self.headers.items()} | {":path": self.path}
                    )
                action = proxy.plan(n)
                if action == "drop":
                    self.close_connection = True
                    return
                if action in ("500", "503", "429"):
                    payload = b"upstream trouble" if action != "429" else b"slow down"
                    self.send_response(int(action))
                    if action != "500":
                        self.send_header("Retry-After", "0")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                headers = {
                    k: v for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "connection")
                }
                answer = httpx.request(
                    self.command, proxy.upstream + self.path, headers=headers,
                    content=body or None, timeout=30,
                )
                if action == "forward-then-drop":
                    self.close_connection = True
                    return
                self.send_response(answer.status_code)
                for k, v in answer.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_PATCH = do_DELETE = _handle

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "Proxy":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Receiver:
    """Takes webhook deliveries: each (headers, raw body), answered 200."""

    def __init__(self) -> None:
        self.deliveries: "queue.Queue[Tuple[Dict[str, str], bytes]]" = queue.Queue()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.deliveries.put(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        self.httpd = _Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def next(self, event_type: Optional[str] = None, timeout: float = 30) -> Tuple[Dict[str, str], bytes]:
        """The next delivery (of that event type), waiting at most `timeout` s."""
        while True:
            headers, body = self.deliveries.get(timeout=timeout)
            if event_type is None or json.loads(body).get("type") == event_type:
                return headers, body

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
