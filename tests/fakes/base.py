"""A small threaded HTTP server on 127.0.0.1 (port 0) for platform test doubles.

Each fake speaks one platform's documented requests and responses. Tests can
queue scripted failures (status, headers, body) and hold a request open to
simulate a flush killed while its request is in flight.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Scripted:
    status: int
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> object:
        return json.loads(self.body or b"{}")


class FakeServer:
    """Start with ``with FakeMastodon() as server:``; ``server.url`` is the base URL."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.script: dict[str, deque[Scripted]] = {}
        self.lock = threading.Lock()
        # Set to make the next matching request wait (after it was handled) until released.
        self.hold_path: str | None = None
        # How many matching requests go through before the one that is held.
        self.hold_skip = 0
        self.received = threading.Event()
        self.release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, path: str, *responses: Scripted) -> None:
        """Answer the next requests to ``path`` (method + path) with these responses."""
        self.script.setdefault(path, deque()).extend(responses)

    def requests_to(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # Subclasses implement: handle(request) -> (status, body, headers)
    def handle(self, request: Request) -> tuple[int, object, dict[str, str]]:
        raise NotImplementedError

    def _dispatch(self, request: Request) -> tuple[int, object, dict[str, str]]:
        with self.lock:
            self.requests.append(request)
            key = f"{request.method} {request.path}"
            queued = self.script.get(key)
            if queued:
                scripted = queued.popleft()
                return scripted.status, scripted.body, scripted.headers
            return self.handle(request)

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls on loopback

            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    self.command, parts.path, parse_qs(parts.query),
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                status, body, headers = server._dispatch(request)
                if server.hold_path and f"{request.method} {request.path}" == server.hold_path:
                    if server.hold_skip > 0:
                        server.hold_skip -= 1
                    else:
                        server.received.set()
                        server.release.wait(timeout=60)
                payload = b"" if body is None else (
                    body if isinstance(body, bytes) else json.dumps(body).encode()
                )
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        return Handler


def multipart_field(body: bytes, content_type: str, name: str) -> str | None:
    """One text field of a multipart/form-data body (enough for the fakes)."""
    value = multipart_bytes(body, content_type, name)
    return None if value is None else value.decode()


def multipart_bytes(body: bytes, content_type: str, name: str) -> bytes | None:
    if "boundary=" not in content_type:
        return None
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    for part in body.split(b"--" + boundary):
        head, _sep, value = part.partition(b"\r\n\r\n")
        if f'name="{name}"'.encode() in head:
            return value[:-2] if value.endswith(b"\r\n") else value
    return None


def form_fields(request: Request) -> dict[str, str]:
    """The fields of a urlencoded or multipart body, or a JSON object's."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("application/json"):
        data = json.loads(request.body or b"{}")
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
    if kind.startswith("multipart/form-data"):
        boundary = kind.split("boundary=", 1)[1].strip('"').encode()
        fields = {}
        for part in request.body.split(b"--" + boundary):
            head, _sep, value = part.partition(b"\r\n\r\n")
            if b'name="' in head and b"filename=" not in head:
                name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
                fields[name] = value[:-2].decode() if value.endswith(b"\r\n") else value.decode()
        return fields
    return {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
