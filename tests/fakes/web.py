"""Web pages on 127.0.0.1 (port 0), for the link-card reader.

Each path serves a :class:`Page`: status, headers and body, sent in chunks
with an optional pause between them (a slow server). Unknown paths are 404.
"""

from __future__ import annotations

import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    pause: float = 0.0  # seconds between chunks
    chunk: int = 64 * 1024
    length: bool = True  # send Content-Length (else the body ends with the connection)


def html(head: str, body: str = "<p>Lajme</p>") -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def png(width: int = 3, height: int = 2) -> bytes:
    """A real (tiny, grey) PNG of the given size."""
    def part(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + part(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                              0, 0, 0))
            + part(b"IDAT", zlib.compress(raw)) + part(b"IEND", b""))


class FakeWeb:
    """``with FakeWeb() as web: web.pages["/a"] = Page(...)``; ``web.url`` is the base."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.hits: list[str] = []
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeWeb:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def hits_of(self, path: str) -> int:
        return sum(1 for hit in self.hits if hit == path)

    def _handler_class(self):
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with web.lock:
                    web.hits.append(path)
                page = web.pages.get(path, Page(b"not found", status=404))
                try:
                    self.send_response(page.status)
                    self.send_header("Content-Type", page.content_type)
                    if page.length:
                        self.send_header("Content-Length", str(len(page.body)))
                    else:
                        self.send_header("Connection", "close")
                    for name, value in page.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    for start in range(0, len(page.body), page.chunk):
                        self.wfile.write(page.body[start:start + page.chunk])
                        self.wfile.flush()
                        if page.pause:
                            time.sleep(page.pause)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                if not page.length:
                    self.close_connection = True

        return Handler
