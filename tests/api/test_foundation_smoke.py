"""The skeleton: migrations, CLI, app, auth basics against a real server process."""
import requests


def test_health_and_public_shelf(server):
    assert requests.get(server.url + "/healthz").json() == {"ok": True}
    shelf = requests.get(server.url + "/api/shows/demo/shelf").json()
    assert len(shelf["items"]) >= 30
    numbers = [i["number"] for i in shelf["items"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_writes_need_a_staff_role(server):
    body = {"slug": "auth-check", "question": "测试？"}
    assert requests.post(server.url + "/api/faq", json=body).status_code == 401
    lead = server.session(server.tokens["lead"])
    assert lead.post(server.url + "/api/faq", json=body).status_code == 403
    producer = server.session(server.tokens["producer"])
    assert producer.post(server.url + "/api/faq", json=body).status_code == 201


def test_revoked_token_is_refused(server):
    token = server.cli("token", "create", "--role", "producer").stdout.strip().splitlines()[-1]
    s = server.session(token)
    assert s.get(server.url + "/api/faq").status_code == 200
    server.cli("token", "revoke", token)
    r = s.post(server.url + "/api/faq", json={"slug": "revoked-check", "question": "测试？"})
    assert r.status_code == 401


def test_session_write_needs_csrf(server):
    s = server.login("producer")
    ok = s.post(server.url + "/api/faq", json={"slug": "csrf-check", "question": "测试？"})
    assert ok.status_code == 201
    del s.headers["X-CSRF-Token"]
    r = s.post(server.url + "/api/faq", json={"slug": "csrf-check-2", "question": "测试？"})
    assert r.status_code == 403 and "CSRF" in r.json()["error"]


def test_oversized_body_is_413(server):
    s = server.session(server.tokens["producer"])
    r = s.post(server.url + "/api/faq", data=b"x" * (10 * 1024 * 1024 + 10),
               headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "error" in r.json()


def test_a_closed_websocket_ends_its_connection_at_once(server):
    """After the closing handshake the server closes the TCP connection (RFC 6455 §7.1.1) instead of keeping it
    alive for a next HTTP request: a client that waits for that close, as websocket clients do, is not held up."""
    import struct
    import time

    import websocket
    ws = websocket.create_connection(server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket",
                                     timeout=5)
    try:
        assert ws.recv().startswith("0{")  # the Engine.IO handshake
        ws.send(struct.pack("!H", websocket.STATUS_NORMAL), websocket.ABNF.OPCODE_CLOSE)
        started = time.monotonic()
        assert ws.recv_frame().opcode == websocket.ABNF.OPCODE_CLOSE  # the server's answer to the close
        try:
            frame = ws.recv_frame()
        except websocket.WebSocketConnectionClosedException:
            frame = None
        assert frame is None, f"a frame after the close: {frame}"
        assert time.monotonic() - started < 1.0
    finally:
        ws.shutdown()
