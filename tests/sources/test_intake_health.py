"""Intake health end to end, with real adapter processes (`studio source run`, supervised) against the fake
Bilibili and the real studio: states as they happen on the sources API and `studio source list`, the console and
rundown turning red during a live show (screenshots), restarts after a crash, `studio source stop`, intake gaps on
the lead report, and the CLI on a fresh database."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from tests.browser.test_console_browser import WAIT_MS, login
from tests.support.fakes.bilibili import FakeBilibili
from tests.support.fakes.harness import as_role, wait_stored
from tests.support.liveserver import STUDIO
from tests.support.shows import new_show
from tests.support.waiting import wait_for


def health(server, show_id: str) -> dict:
    r = as_role(server, "host").get(f"{server.url}/api/shows/{show_id}/sources")
    assert r.status_code == 200, r.text
    return {(h["platform"], h["room"]): h for h in r.json()["health"]}


def listed(server, show_id: str) -> dict:
    out = server.cli("source", "list", "--show", show_id).stdout
    return {(d["platform"], d["room"]): d for d in map(json.loads, out.splitlines())}


def adapter(server, show_id: str, fake: FakeBilibili, *sets: str, secret: str | None = None) -> subprocess.Popen:
    args = [STUDIO, "source", "run", "--platform", "bilibili", "--show", show_id, "--room", "4242",
            "--url", server.url, "--token", server.tokens["ingest"], "--set", f"app_id={fake.app_id}",
            "--set", f"access_key_id={fake.key_id}", "--set", f"code={fake.code}", "--set", f"api_url={fake.url}",
            "--set", "health_interval=0.5", "--set", "batch_interval=0.05",
            "--set", "backoff_base=0.1", "--set", "backoff_cap=0.5"]
    for s in sets:
        args += ["--set", s]
    return subprocess.Popen(args, env={**server.env, "STUDIO_BILIBILI_ACCESS_KEY_SECRET": secret or fake.secret},
                            stdout=subprocess.DEVNULL, stderr=open(os.devnull, "w") if not os.environ.get(
                                "INTAKE_DEBUG") else None, text=True)


def finish(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return proc.returncode


def start_show(server, show_id: str) -> None:
    r = as_role(server, "host").post(f"{server.url}/api/shows/{show_id}/start")
    assert r.status_code == 200, r.text


def busy_room(fake: FakeBilibili, n: int, prefix: str) -> None:
    for i in range(n):
        fake.send([fake.dm(i, f"保修多久{i}", msg_id=f"{prefix}-{i}")])
        time.sleep(0.05)


@pytest.mark.browser
def test_a_silent_and_a_failed_source_turn_the_console_and_rundown_red(server, desk, screenshot_dir):
    good, bad = FakeBilibili(), FakeBilibili()
    show_id = new_show(server, "red")
    start_show(server, show_id)
    # A frozen link stays "silent" here: the probe gets 60 s before the link is replaced.
    silent = adapter(server, show_id, good, "silent_min=1.5", "probe_timeout=60")
    failed = subprocess.Popen([STUDIO, "source", "run", "--platform", "bilibili", "--show", show_id, "--room", "7777",
                               "--url", server.url, "--token", server.tokens["ingest"], "--set",
                               f"app_id={bad.app_id}", "--set", f"access_key_id={bad.key_id}", "--set",
                               f"code={bad.code}", "--set", f"api_url={bad.url}"],
                              env={**server.env, "STUDIO_BILIBILI_ACCESS_KEY_SECRET": "wrong"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: health(server, show_id).get(("bilibili", "4242"), {}).get("state") == "connected",
                 timeout=60, what="connected")
        busy_room(good, 30, "red")
        wait_for(lambda: health(server, show_id)[("bilibili", "4242")]["state"] == "receiving", what="receiving")
        good.freeze()
        wait_for(lambda: health(server, show_id)[("bilibili", "4242")]["state"] == "silent", timeout=10,
                 what="silent", interval=0.1)
        assert failed.wait(timeout=20) == 2, "a refused credential is not restarted"
        rows = listed(server, show_id)
        assert rows[("bilibili", "4242")]["state"] == "silent"
        refused = rows[("bilibili", "7777")]
        assert refused["state"] == "failed" and "signature" in refused["last_error"]
        assert any(e["kind"] == "silent" for e in rows[("bilibili", "4242")]["events"])

        pages = ((f"/console/{show_id}", "intake-console-red"), (f"/producer/{show_id}", "intake-rundown-red"))
        for path, name in pages:
            page = login(desk, server, "host" if path.startswith("/console") else "producer")
            errors: list = []
            page.on("pageerror", lambda e: errors.append(e))
            page.goto(server.url + path)
            page.wait_for_selector("#intake-alert:not([hidden]) li[data-state=silent]", timeout=WAIT_MS)
            page.wait_for_selector("#intake-alert li[data-state=failed]", timeout=WAIT_MS)
            assert page.evaluate("document.body.classList.contains('intake-alarm')")
            text = page.inner_text("#intake-alert")
            assert "4242" in text and "7777" in text and "signature refused" in text
            assert "studio source run" in text  # what to do, not only what broke
            if path.startswith("/producer"):  # the sources card's badge is red too, even folded
                page.wait_for_selector("#sources-state.bad", timeout=WAIT_MS)
                assert "/2" in page.inner_text("#sources-state")
            if path.startswith("/console"):  # the signal list speaks the page's language too
                signals = page.inner_text("#inputs")
                assert "异常安静" in signals and "失败" in signals and "silent" not in signals, signals
            colour = page.evaluate("getComputedStyle(document.getElementById('intake-alert')).backgroundColor")
            assert colour == "rgb(183, 28, 28)"
            page.screenshot(path=str(screenshot_dir / f"{name}.png"))
            assert not errors, errors
            page.close()

        # The show ends: nothing to alarm about any more.
        assert as_role(server, "host").post(f"{server.url}/api/shows/{show_id}/end").status_code == 200
        page = login(desk, server, "host")
        page.goto(f"{server.url}/console/{show_id}")
        page.wait_for_timeout(1500)
        assert page.is_hidden("#intake-alert")
        page.close()
    finally:
        finish(silent)
        finish(failed)
        good.close()
        bad.close()


def test_a_crashed_adapter_is_restarted_and_a_stopped_one_is_not(server):
    fake = FakeBilibili()
    show_id = new_show(server, "crash")
    start_show(server, show_id)
    proc = adapter(server, show_id, fake)
    try:
        wait_for(lambda: health(server, show_id).get(("bilibili", "4242"), {}).get("state") == "connected",
                 timeout=60, what="connected")
        busy_room(fake, 10, "a")
        wait_stored(server, show_id, 10)
        pid = health(server, show_id)[("bilibili", "4242")]["extra"]["pid"]
        assert pid != proc.pid, "the adapter runs in a supervised child"
        os.kill(pid, signal.SIGKILL)
        killed_at = time.monotonic()
        wait_for(lambda: health(server, show_id)[("bilibili", "4242")].get("extra", {}).get("pid") not in (None, pid)
                 and health(server, show_id)[("bilibili", "4242")]["state"] == "connected", timeout=15,
                 what="a new adapter process, connected")
        restarted_in = time.monotonic() - killed_at
        h = health(server, show_id)[("bilibili", "4242")]
        assert h["restarts"] == 1 and "SIGKILL" in [e for e in h["events"] if e["kind"] == "restart"][0]["reason"]
        busy_room(fake, 10, "b")
        wait_stored(server, show_id, 20)
        # Intake gaps: the crash left one (start, end, source) on the lead report.
        report = as_role(server, "lead").get(f"{server.url}/api/shows/{show_id}/intake-gaps").json()
        gaps = [g for g in report["gaps"] if g["platform"] == "bilibili" and g["room"] == "4242"]
        assert gaps and all(g["end"] >= g["start"] for g in gaps)
        assert "SIGKILL" in " ".join(g["reason"] for g in gaps) or "backoff" in " ".join(g["reason"] for g in gaps)
        # `studio source stop`: the adapter leaves the platform, exits 0, and the supervisor lets it be.
        game = health(server, show_id)[("bilibili", "4242")]["extra"]["game_id"]
        out = server.cli("source", "stop", "--show", show_id, "--platform", "bilibili", "--room", "4242").stdout
        assert "stop" in out
        assert proc.wait(timeout=15) == 0
        assert health(server, show_id)[("bilibili", "4242")]["state"] == "stopped"
        assert game not in fake.live_games(), "app/end was called for the running game"
        print(f"restarted {restarted_in:.1f} s after SIGKILL")
    finally:
        finish(proc)
        fake.close()


def test_cli_on_a_fresh_database_migrates_first_and_prints_no_traceback(server, tmp_path):
    env = {**os.environ, "STUDIO_VAR_DIR": str(tmp_path), "STUDIO_DATABASE_URL": f"sqlite:///{tmp_path}/fresh.db"}
    env.pop("STUDIO_DEBUG", None)
    run = lambda *a: subprocess.run([STUDIO, *a], env=env, capture_output=True, text=True, timeout=120)  # noqa: E731
    r = run("catalog", "import", "faq_catalog/demo")
    assert r.returncode == 0 and "created" in r.stdout, r.stderr
    for args in (("source", "list", "--show", "nope"), ("source", "stop", "--show", "nope", "--platform", "twitch"),
                 ("show", "create", "")):
        r = run(*args)
        assert r.returncode != 0 and "Traceback" not in r.stderr, r.stderr
        assert len([line for line in r.stderr.splitlines() if line.startswith(("Error", "studio: error"))]) == 1
    bad = {**env, "STUDIO_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    r = subprocess.run([STUDIO, "token", "create", "--role", "host"], env=bad, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().startswith("studio: error: cannot use the database") and len(r.stderr.splitlines()) == 1


def test_twitch_room_is_one_room_however_it_is_written(server):
    show_id = new_show(server, "room")
    server.cli("source", "add", "--show", show_id, "--platform", "twitch", "--room", "#FaqShop",
               "--set", "irc_nick=faqbot")
    rows = listed(server, show_id)
    assert ("twitch", "faqshop") in rows and rows[("twitch", "faqshop")]["settings"]["irc_nick"] == "faqbot"
    r = as_role(server, "ingest").post(f"{server.url}/api/shows/{show_id}/sources/health",
                                       json={"platform": "twitch", "room": "#FAQSHOP", "state": "connected"})
    assert r.status_code == 200 and r.json() == {"ok": True, "stop": False}
    assert listed(server, show_id)[("twitch", "faqshop")]["state"] == "connected"


def test_configured_sources_run_supervised_for_the_demo_and_the_cluster(server):
    from studio.commands.configured_sources import configured, start_configured, stop_all
    from studio.store.db import Database
    fake = FakeBilibili()
    show_id = new_show(server, "cfgrun")
    entry = {"platform": "bilibili", "room": "4242", "enabled": True,
             "settings": {"app_id": str(fake.app_id), "access_key_id": fake.key_id, "access_key_secret": fake.secret,
                          "code": fake.code, "api_url": fake.url, "health_interval": 0.5, "batch_interval": 0.05}}
    off = {"platform": "youtube", "room": "chat-off", "enabled": False, "settings": {}}
    r = as_role(server, "producer").put(f"{server.url}/api/shows/{show_id}/sources", json=[entry, off])
    assert r.status_code == 200, r.text
    db = Database(f"sqlite:///{server.var_dir / 'studio.db'}")
    assert configured(db, [show_id]) == [(show_id, "bilibili", "4242")], "enabled adapters only"
    procs = start_configured(db, server.url, server.tokens["ingest"], env=server.env, show_ids=[show_id])
    try:
        wait_for(lambda: health(server, show_id).get(("bilibili", "4242"), {}).get("state") == "connected",
                 timeout=60, what="the configured source connected")
        fake.send([fake.dm(1, "配置好的来源")])
        wait_stored(server, show_id, 1)
    finally:
        stop_all(procs)
        db.engine.dispose()
        fake.close()
    assert [p.returncode for p in procs] == [0]
