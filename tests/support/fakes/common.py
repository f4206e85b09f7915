"""Small threaded servers for the platform fakes: JSON over HTTP (http.server) and WebSocket (websockets' sync
server). Both bind 127.0.0.1 on a free port and stop with `close()`."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from websockets.sync.server import ServerConnection, serve

# A route answers (status, JSON-able body[, extra headers]); it gets the request.
Route = Callable[["Request"], tuple]


class Request:
    def __init__(self, handler: BaseHTTPRequestHandler, body: bytes):
        parts = urlsplit(handler.path)
        self.method, self.path = handler.command, parts.path
        self.query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.headers = {k.lower(): v for k, v in handler.headers.items()}
        self.body = body
        self.handler = handler

    def json(self):
        return json.loads(self.body or b"null")


class HttpFake:
    """Routes keyed by (method, path). Unknown routes answer 404 JSON. `requests` logs every request."""

    def __init__(self, routes: dict[tuple[str, str], Route]):
        self.routes = routes
        self.requests: list[Request] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                req = Request(self, body)
                fake.requests.append(req)
                route = fake.routes.get((req.method, req.path))
                if route is None:
                    result = (404, {"error": {"code": 404, "message": f"no route {req.method} {req.path}"}})
                else:
                    result = route(req)
                if result is None:  # the route wrote its own (streaming) response
                    return
                status, payload, *extra = result
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (extra[0] if extra else {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def calls(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class WsFake:
    """A WebSocket server running `handler(conn)` per connection on its own thread; tracks open connections so a
    test can drop them all (`drop()`: the TCP connection dies without a close frame)."""

    def __init__(self, handler: Callable[[ServerConnection], None]):
        self.connections: list[ServerConnection] = []
        self._lock = threading.Lock()

        def run(conn: ServerConnection) -> None:
            with self._lock:
                self.connections.append(conn)
            try:
                handler(conn)
            finally:
                with self._lock:
                    self.connections.remove(conn)

        self.server = serve(run, "127.0.0.1", 0, compression=None, ping_interval=None, max_size=None,
                            close_timeout=0.5)
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def open_count(self) -> int:
        with self._lock:
            return len(self.connections)

    def drop(self) -> None:
        with self._lock:
            conns = list(self.connections)
        for conn in conns:
            conn.close_socket()

    def close(self) -> None:
        self.drop()
        self.server.shutdown()
