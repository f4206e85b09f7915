"""One obs-websocket v5 connection (obs-websocket-py 1.0) with bounded waits and fail-fast loss handling.

The stock client can hang a connect on a silent port, lets a call in flight wait its whole timeout after OBS died,
and its receive thread dies with a traceback when the socket is reset. The driver needs each of those to end
quickly and visibly instead.
"""
from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import websocket
from obswebsocket import core as obs_core
from obswebsocket import exceptions as obs_exc
from obswebsocket import obsws, requests
from obswebsocket.base_classes import Baserequests


class ObsRequestError(Exception):
    """OBS answered a request with a failure status (unknown name, wrong kind...): the connection is fine."""


class _ReceiveThread(obs_core.RecvThread):
    """The library's receive loop, ending quietly on any socket failure and marking the connection lost.

    Waking the calls that wait for an answer makes them fail at once instead of after their timeout.
    """

    def __init__(self, conn: ObsConnection) -> None:
        super().__init__(conn)
        self.name = "obs-websocket-receive"

    def run(self) -> None:
        try:
            super().run()
        except Exception:  # noqa: BLE001 - a reset socket raises here; every failure means the same: gone
            pass
        finally:
            self.running = False
            self.core.mark_lost()


class ObsConnection(obsws):
    """obsws speaking v5 on any port (port 4444 would otherwise select the legacy v4 protocol)."""

    def __init__(self, host: str, port: int, password: str, timeout: float,
                 on_lost: Callable[[], None] | None = None) -> None:
        super().__init__(host, port, password, legacy=False, timeout=timeout)
        self.lost = threading.Event()
        self._on_lost = on_lost

    def connect(self) -> None:
        """TCP connect, HTTP upgrade and Identify, all bounded by the timeout."""
        self.ws = websocket.WebSocket()
        try:
            self.ws.connect(f"ws://{self.host}:{self.port}", timeout=self.timeout)
            self._auth()
        except BaseException:
            self.ws.shutdown()
            raise
        self.ws.settimeout(None)  # the receive thread idles between events; each call has its own timeout
        self.thread_recv = _ReceiveThread(self)
        self.thread_recv.daemon = True
        self.thread_recv.start()

    def disconnect(self) -> None:
        """Close without the stock close handshake, which fights the receive thread for the socket."""
        if self.thread_recv is not None:
            self.thread_recv.running = False
        sock = self.ws.sock if self.ws is not None else None
        try:
            self.ws.send_close()
        except Exception:  # noqa: BLE001 - best effort: OBS may already be gone
            pass
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)  # wakes a receive thread blocked in recv()
            except OSError:
                pass
            self.ws.shutdown()

    def mark_lost(self) -> None:
        self.lost.set()
        for waiting in list(self.events.values()):
            waiting.set()
        if self._on_lost is not None:
            self._on_lost()

    def request(self, req: Baserequests, failure: str | None = None) -> Baserequests:
        """Send one request; a failure status raises ObsRequestError (the library would return it silently)."""
        if self.lost.is_set():
            raise ConnectionError("connection to OBS lost")
        try:
            answer = self.call(req)
        except obs_exc.MessageTimeout:
            if self.lost.is_set():  # woken by mark_lost, not a slow OBS
                raise ConnectionError("connection to OBS lost") from None
            raise
        if not answer.status:
            names = ", ".join(f"{k}={v!r}" for k, v in req.data().items() if k.endswith("Name"))
            raise ObsRequestError(failure or f"OBS rejected {req.name}({names})")
        return answer


def connect_obs(host: str, port: int, password: str, timeout: float,
                on_lost: Callable[[], None] | None = None) -> tuple[ObsConnection, str]:
    """Open a connection and return it with the OBS version; nothing is left open on failure."""
    conn = ObsConnection(host, port, password, timeout, on_lost)
    conn.connect()
    try:
        version = conn.request(requests.GetVersion()).getObsVersion()
    except BaseException:
        conn.disconnect()
        raise
    return conn, version


def describe_failure(exc: BaseException, host: str, port: int, timeout: float) -> str:
    """A sentence an operator can act on. Library messages never carry the password, so they may be quoted."""
    where = f"{host}:{port}"
    if isinstance(exc, ObsRequestError):
        return str(exc)
    if isinstance(exc, ConnectionRefusedError):
        return f"OBS is not reachable at {where} (connection refused): is OBS running with its WebSocket server on?"
    if isinstance(exc, obs_exc.ConnectionFailure) and "Identify" in str(exc):
        return f"OBS at {where} rejected the WebSocket password (authentication failed)"
    if isinstance(exc, obs_exc.ConnectionFailure):
        return f"OBS handshake failed at {where}: {exc} (obs-websocket 5 is required)"
    if isinstance(exc, (TimeoutError, websocket.WebSocketTimeoutException, obs_exc.MessageTimeout)):
        return f"OBS at {where} did not answer within {timeout:g} s"
    if isinstance(exc, websocket.WebSocketBadStatusException):
        return f"{where} is not an obs-websocket server ({exc})"
    if isinstance(exc, (ConnectionError, websocket.WebSocketConnectionClosedException)):
        return f"connection to OBS at {where} lost"
    if isinstance(exc, OSError):
        return f"cannot reach OBS at {where}: {exc.strerror or exc}"
    return f"OBS at {where}: {type(exc).__name__}: {exc}"
