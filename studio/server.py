"""The one-process server: gevent's WSGI server with TCP_NODELAY on every accepted socket.

gevent's pywsgi sends headers and body in two writes and leaves Nagle on, so every keep-alive request after
the first waits ~40 ms for the client's delayed ACK; NODELAY removes the stall (measured: 230 → 4,000 req/s)."""
from __future__ import annotations

import gc
import logging
import signal
import socket
import sys
import time

from gevent.pywsgi import WSGIHandler, WSGIServer

log = logging.getLogger(__name__)
STOP_WAIT = 3.0  # seconds a stop waits for the requests in flight to be answered


class NoDelayHandler(WSGIHandler):
    def __init__(self, sock, address, server, rfile=None):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # unix sockets have no Nagle
            pass
        super().__init__(sock, address, server, rfile)

    def run_application(self):
        # Count the HTTP requests being answered (not the WebSocket sessions, which last as long as their page).
        if self.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
            try:
                return super().run_application()
            finally:
                # A finished WebSocket is the connection's end: closed at once, not kept alive for a next request
                # that never comes (a client waiting for the close, as the closing handshake asks, waited seconds).
                self.close_connection = True
        self.server.in_flight += 1
        try:
            return super().run_application()
        finally:
            self.server.in_flight -= 1

    def handle_one_request(self):
        # Stopping: no new request on a kept-alive connection. One taken now could be stored and then cut off by
        # the stop's timeout before its answer; refused unread, the client knows to send it again.
        if self.server.closed:
            return None
        return super().handle_one_request()


def serve(app, host: str, port: int, on_stop=None) -> None:
    """Serve until SIGTERM/SIGINT, then run `on_stop` (flush buffers) before exiting."""
    import gevent
    import gevent.event
    # The error log must sit outside the "studio" logger tree: Flask's handler on that tree writes to the request's
    # wsgi.errors, which is this log, which would propagate back to Flask's handler (endless recursion).
    server = WSGIServer((host, port), app, handler_class=NoDelayHandler, log=None,
                        error_log=logging.getLogger("wsgi"))
    server.in_flight = 0

    stopped = gevent.event.Event()

    def _stop(*_):
        log.info("stopping: flushing and closing")
        try:
            # gevent's server stops accepting but does not wait for the requests in flight: wait for their answers
            # before the flush, or it commits a batch whose answer the exit then cuts off.
            server.stop()
            deadline = time.monotonic() + STOP_WAIT
            while server.in_flight and time.monotonic() < deadline:
                gevent.sleep(0.02)
            if on_stop:
                on_stop()
        finally:
            stopped.set()

    gevent.signal_handler(signal.SIGTERM, _stop)
    gevent.signal_handler(signal.SIGINT, _stop)
    # What is loaded by now (the libraries' tables, pinyin and OpenCC dictionaries, the catalog) lives as long as
    # the process: frozen out of the collector's sight, a full collection no longer walks it. Unfrozen, one took
    # up to 1.3 s under a comment flood, and the event loop with every request stood still meanwhile.
    gc.collect()
    gc.freeze()
    # Native threads (matching, SQLite writes) hand the event loop the interpreter within 1 ms instead of 5.
    sys.setswitchinterval(0.001)
    server.serve_forever()
    # serve_forever returns as soon as the listener is closed, while `_stop` may still be flushing (its first wait
    # on the database or Redis lets this greenlet run on): the process must not exit before the flush is done.
    stopped.wait()
