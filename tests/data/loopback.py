"""A real HTTP server on 127.0.0.1 (port 0: any free port), in a thread, serving real files
from a folder, and told to misbehave: drop the connection half-way through a file, answer
429 or 5xx a number of times first, or fail a path every time. Never any other address."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Behaviour:
    root: Path
    drops: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    statuses: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    always: dict[str, int] = field(default_factory=dict)
    extra: dict[str, bytes] = field(default_factory=dict)
    log: list[tuple[str, str | None, int]] = field(default_factory=list)

    def requests_for(self, path: str) -> list[tuple[str, str | None, int]]:
        return [entry for entry in self.log if entry[0] == path]


def _handler(behaviour: Behaviour) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _status(self, code: int, headers: dict[str, str] | None = None) -> None:
            behaviour.log.append((self.path, self.headers.get("Range"), code))
            self.send_response(code)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            path = self.path.split("?", 1)[0]
            if path in behaviour.always:
                return self._status(behaviour.always[path])
            if behaviour.statuses[path]:
                code = behaviour.statuses[path].pop(0)
                return self._status(code, {"Retry-After": "0"} if code == 429 else {})
            data = behaviour.extra.get(path)
            if data is None:
                target = (behaviour.root / path.lstrip("/")).resolve()
                if behaviour.root.resolve() not in target.parents or not target.is_file():
                    return self._status(404)
                data = target.read_bytes()
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                return self._status(304, {"ETag": etag})
            start, code = 0, 200
            asked = self.headers.get("Range")
            if asked and asked.startswith("bytes=") and asked.endswith("-"):
                start = int(asked[6:-1])
                if start >= len(data):
                    return self._status(416)
                code = 206
            body = data[start:]
            behaviour.log.append((path, asked, code))
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Accept-Ranges", "bytes")
            if code == 206:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            if behaviour.drops[path] > 0:
                behaviour.drops[path] -= 1
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return None
            self.wfile.write(body)
            return None

    return Handler


@contextmanager
def serve(root: Path) -> Iterator[tuple[str, Behaviour]]:
    behaviour = Behaviour(root)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(behaviour))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    assert host == "127.0.0.1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}", behaviour
    finally:
        server.shutdown()
        server.server_close()
