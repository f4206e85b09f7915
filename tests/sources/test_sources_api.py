"""Source configs and health through the real studio's API, and adapter processes (`studio source run`) reporting
to it: a refused credential shows as fatal on the sources endpoint."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import pytest

from tests.support.fakes.bilibili import FakeBilibili
from tests.support.fakes.harness import as_role, stats, wait_stored
from tests.support.liveserver import STUDIO
from tests.support.shows import new_show
from tests.support.waiting import wait_for

SECRET = "sk-very-secret-value-9f8e7d"


def sources(server, show_id: str, role: str = "producer") -> dict:
    r = as_role(server, role).get(f"{server.url}/api/shows/{show_id}/sources")
    assert r.status_code == 200, r.text
    return r.json()


def bilibili_entry(fake: FakeBilibili | None = None, **settings) -> dict:
    base = {"app_id": str(fake.app_id) if fake else "1", "access_key_id": fake.key_id if fake else "ak",
            "access_key_secret": fake.secret if fake else SECRET, "code": fake.code if fake else "CODE",
            "api_url": fake.url if fake else "http://127.0.0.1:9"}
    return {"platform": "bilibili", "room": "4242", "enabled": True, "settings": {**base, **settings}}


def test_configs_keep_secrets_encrypted_and_never_return_them(server):
    show_id = new_show(server, "cfg")
    producer = as_role(server, "producer")
    r = producer.put(f"{server.url}/api/shows/{show_id}/sources", json={"sources": [bilibili_entry()]})
    assert r.status_code == 200, r.text
    assert SECRET not in r.text
    view = sources(server, show_id)
    cfg = view["sources"][0]
    assert cfg["secrets_set"] == ["access_key_id", "access_key_secret", "code"]
    assert "access_key_secret" not in cfg["settings"] and cfg["settings"]["app_id"] == "1"
    assert view["platforms"]["bilibili"]["access_key_secret"]["secret"] is True
    db = sqlite3.connect(f"file:{server.var_dir / 'studio.db'}?mode=ro", uri=True)
    (enc,) = db.execute("SELECT settings_enc FROM source_configs WHERE show_id = ?", (show_id,)).fetchone()
    db.close()
    assert SECRET not in enc and "access_key_secret" not in enc, "settings are encrypted at rest"
    # An edit from the console leaves the secrets out: they are kept; a non-secret change applies.
    edit = {"platform": "bilibili", "room": "4242", "enabled": False, "settings": {"app_id": "2"}}
    cfg = producer.put(f"{server.url}/api/shows/{show_id}/sources", json=[edit]).json()["sources"][0]
    assert cfg["secrets_set"] == ["access_key_id", "access_key_secret", "code"] and cfg["enabled"] is False
    assert cfg["settings"] == {"app_id": "2"}
    listed = server.cli("source", "list", "--show", show_id).stdout
    assert '"app_id": "2"' in listed and SECRET not in listed


def test_cli_adds_sources_one_setting_at_a_time(server):
    show_id = new_show(server, "cli")
    server.cli("source", "add", "--show", show_id, "--platform", "youtube", "--room", "chat-7",
               "--set", "client_id=abc", "--set", "mode=poll")
    r = server.cli("source", "add", "--show", show_id, "--platform", "youtube", "--room", "chat-7",
                   "--secret", "refresh_token", input=f"{SECRET}\n")
    assert SECRET not in r.stdout + r.stderr
    [cfg] = sources(server, show_id)["sources"]
    assert cfg["settings"] == {"client_id": "abc", "mode": "poll"}, "earlier settings are kept"
    assert cfg["secrets_set"] == ["refresh_token"]
    bad = server.cli("source", "add", "--show", show_id, "--platform", "youtube", "--set", "colour=red", check=False)
    assert bad.returncode != 0 and "unknown setting" in bad.stderr


@pytest.mark.parametrize("body, status, needle", [
    ({"sources": [{"platform": "myspace"}]}, 400, "unknown platform"),
    ({"sources": [bilibili_entry(colour="red")]}, 400, "unknown setting"),
    ({"sources": [bilibili_entry(heartbeat_interval="soon")]}, 400, "must be a float"),
    ({"sources": [bilibili_entry(), bilibili_entry()]}, 400, "once"),
    ({"sources": "bilibili"}, 400, "sources"),
    ({"sources": [{"platform": "bilibili", "room": 5}]}, 400, "room"),
])
def test_bad_configs_are_clear_4xx(server, body, status, needle):
    show_id = new_show(server, "cfgbad")
    r = as_role(server, "producer").put(f"{server.url}/api/shows/{show_id}/sources", json=body)
    assert r.status_code == status and needle in r.json()["error"], r.text


def test_config_roles_and_unknown_show(server):
    show_id = new_show(server, "cfgrole")
    url = f"{server.url}/api/shows/{show_id}/sources"
    assert as_role(server, "host").put(url, json={"sources": []}).status_code == 403
    assert server.session(server.tokens["ingest"]).put(url, json={"sources": []}).status_code == 403
    assert server.session().get(url).status_code == 401
    assert as_role(server, "host").get(url).status_code == 200
    assert as_role(server, "producer").get(f"{server.url}/api/shows/no-such-show/sources").status_code == 404


def test_health_reports_are_validated_and_go_stale(server):
    show_id = new_show(server, "health")
    ingest = server.session(server.tokens["ingest"])
    url = f"{server.url}/api/shows/{show_id}/sources/health"
    report = {"platform": "youtube", "room": "chat-9", "state": "connected", "last_message_at": time.time(),
              "per_minute": 42, "last_error": "", "health_interval": 0.2, "extra": {"quota_units": 15}}
    assert ingest.post(url, json=report).status_code == 200
    [h] = sources(server, show_id)["health"]
    assert (h["connected"], h["per_minute"], h["extra"], h["stale"]) == (True, 42, {"quota_units": 15}, False)
    wait_for(lambda: sources(server, show_id)["health"][0]["stale"], timeout=3, what="a stale report", interval=0.05)
    assert sources(server, show_id)["health"][0]["connected"] is False
    assert ingest.post(url, json={**report, "state": "dancing"}).status_code == 400
    assert ingest.post(url, json={**report, "per_minute": "lots"}).status_code == 400
    assert ingest.post(url, json={**report, "platform": "myspace"}).status_code == 400
    assert ingest.post(f"{server.url}/api/shows/nope/sources/health", json=report).status_code == 404
    assert server.session(server.tokens["producer"]).post(url, json=report).status_code == 403


def run_adapter(server, show_id: str, *args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([STUDIO, "source", "run", "--show", show_id, "--url", server.url,
                             "--token", server.tokens["ingest"], *args],
                            env={**server.env, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_adapter_process_with_refused_credentials_shows_fatal(server):
    fake = FakeBilibili()
    try:
        show_id = new_show(server, "failed")
        proc = run_adapter(server, show_id, "--platform", "bilibili", "--room", "4242",
                           "--set", f"app_id={fake.app_id}", "--set", f"access_key_id={fake.key_id}",
                           "--set", f"code={fake.code}", "--set", f"api_url={fake.url}",
                           env={"STUDIO_BILIBILI_ACCESS_KEY_SECRET": "wrong-secret"})
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 2, err
        assert "wrong-secret" not in out + err, "secrets never reach the logs"
        [h] = sources(server, show_id, role="host")["health"]
        assert h["state"] == "failed" and "signature refused" in h["last_error"] and not h["connected"]
    finally:
        fake.close()


def test_adapter_process_uses_the_stored_config_and_stops_cleanly(server):
    fake = FakeBilibili()
    try:
        show_id = new_show(server, "proc")
        entry = bilibili_entry(fake, health_interval=0.2, batch_interval=0.05)
        assert as_role(server, "producer").put(f"{server.url}/api/shows/{show_id}/sources",
                                            json=[entry]).status_code == 200
        proc = run_adapter(server, show_id, "--platform", "bilibili", "--room", "4242")
        wait_for(lambda: fake.live_games(), timeout=60, what="the adapter to start a game")
        wait_for(lambda: fake.ws.open_count == 1, what="the WebSocket")
        fake.send([fake.dm(i, f"第{i}条：保修多久") for i in range(20)], ver=2)
        wait_stored(server, show_id, 20)
        wait_for(lambda: (sources(server, show_id)["health"] or [{}])[0].get("received") == 20,
                 what="health with the count", interval=0.05)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
        assert proc.returncode == 0
        [h] = sources(server, show_id)["health"]
        assert h["state"] == "stopped" and h["studio_accepted"] == 20
        assert fake.live_games() == [], "app/end was called on SIGTERM"
        assert stats(server, show_id)["comments_stored"] == 20
    finally:
        fake.close()


def test_run_refuses_missing_settings_and_rooms(server):
    r = server.cli("source", "run", "--platform", "youtube", "--show", "demo", "--token", "x", check=False)
    assert r.returncode != 0 and "needs --room" in r.stderr
    env_clean = {k: v for k, v in os.environ.items() if not k.startswith("STUDIO_BILIBILI_")}
    r = subprocess.run([STUDIO, "source", "run", "--platform", "bilibili", "--show", "demo", "--token", "x",
                        "--url", server.url], env={**env_clean, "STUDIO_VAR_DIR": str(server.var_dir)},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "STUDIO_BILIBILI_ACCESS_KEY_SECRET" in r.stderr
