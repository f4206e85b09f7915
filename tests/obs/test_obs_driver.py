"""The OBS driver against a real headless OBS 29 (obs-websocket 5.1) on 127.0.0.1."""
from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest
from obswebsocket import requests

from overlays import obs as obs_driver
from overlays.obs import ObsDriver, ObsMapping, OnAirText
from tests.support.obs_fixtures import ObsView
from tests.support.obs_harness import ANSWER, CARD, CJK_FACE, QUESTION, SCENE, ObsHarness, free_port
from tests.support.waiting import poll

pytestmark = pytest.mark.obs

COUPON = OnAirText(question="优惠券怎么叠加？", answer="店铺券和平台券可以同时用，每单限一张店铺券。", number=3,
                   slug="coupon-stacking")
SHIPPING = OnAirText(question="下单后几天发货", answer="现货48小时内发出。", number=12, slug="shipping-time")


@pytest.fixture
def mapping(obs_harness: ObsHarness) -> ObsMapping:
    return ObsMapping(port=obs_harness.port, password=obs_harness.password, question_input=QUESTION,
                      answer_input=ANSWER, scene=SCENE, scene_item=CARD, on_air_scene=SCENE, timeout=2.0)


@pytest.fixture
def start_driver():
    drivers = []

    def start(mapping: ObsMapping) -> ObsDriver:
        driver = ObsDriver(mapping)
        driver.start()
        drivers.append(driver)
        return driver
    yield start
    for driver in drivers:
        driver.stop()


def test_going_on_air_sets_texts_with_cjk_font_shows_card_and_switches_scene(obs, mapping, start_driver):
    driver = start_driver(mapping)
    driver.apply(COUPON)
    question = poll(lambda: obs.text(QUESTION) == "3号链接 · 优惠券怎么叠加？" and obs.settings(QUESTION))
    assert question, obs.settings(QUESTION)
    assert question["font"] == {"face": CJK_FACE, "size": 64, "style": "Regular", "flags": 0}
    assert obs.text(ANSWER) == COUPON.answer
    assert poll(obs.card_shown)
    assert poll(lambda: obs.program() == SCENE), obs.program()
    status = poll(lambda: driver.status()["last_applied_at"] and driver.status())
    assert status["connected"] is True and status["last_error"] is None
    assert status["obs_version"].startswith("29.")


def test_chinese_renders_as_glyphs_not_boxes(obs, mapping, start_driver):
    """FreeType has no glyph fallback: with a Latin face every Chinese character is the same box."""
    driver = start_driver(mapping)
    shots = []
    for question in ("发货", "退款"):
        driver.apply(OnAirText(question=question, answer="", number=None, slug=question))
        assert poll(lambda: obs.text(QUESTION) == question)
        time.sleep(0.2)  # a few frames at 30 fps, so the screenshot shows the new text
        png = obs.ws.call(requests.GetSourceScreenshot(sourceName=QUESTION, imageFormat="png")).getImageData()
        shots.append(hashlib.sha256(png.encode()).hexdigest())
    assert shots[0] != shots[1], "both questions render identically: is fonts-wqy-microhei installed?"


def test_going_off_air_hides_the_card_and_clears_texts(obs, mapping, start_driver):
    driver = start_driver(mapping)
    driver.apply(COUPON)
    assert poll(obs.card_shown)
    driver.apply(None)
    assert poll(lambda: not obs.card_shown())
    assert poll(lambda: obs.text(QUESTION) == "" and obs.text(ANSWER) == "")


def test_a_burst_of_changes_ends_on_the_latest(obs, mapping, start_driver):
    driver = start_driver(mapping)
    for n in range(1, 31):
        driver.apply(OnAirText(question=f"问题{n}", answer=f"答案{n}", number=n, slug=f"q{n}"))
    assert poll(lambda: obs.text(ANSWER) == "答案30"), obs.settings(ANSWER)
    assert obs.text(QUESTION) == "30号链接 · 问题30"


def test_a_missing_input_is_reported_and_the_rest_still_applies(obs, mapping, start_driver):
    bad = replace(mapping, question_input="No Such Text")
    driver = start_driver(bad)
    driver.apply(SHIPPING)
    status = poll(lambda: driver.status()["last_error"] and driver.status())
    assert status["connected"] is True
    assert "'No Such Text'" in status["last_error"]
    assert poll(lambda: obs.text(ANSWER) == SHIPPING.answer)
    assert poll(obs.card_shown)


def test_wrong_password_is_a_status_not_an_exception(obs, mapping, start_driver):
    wrong = replace(mapping, password="not-the-password")
    assert "not-the-password" not in repr(wrong) and "not-the-password" not in json.dumps(wrong.public_dict())
    assert wrong.public_dict()["password_set"] is True
    driver = start_driver(wrong)
    driver.apply(COUPON)
    status = poll(lambda: driver.status()["last_error"] and driver.status())
    assert status["connected"] is False
    assert "password" in status["last_error"] and "not-the-password" not in status["last_error"]
    driver.reconfigure(mapping)  # the producer fixes the password: the pending state goes out
    assert poll(lambda: obs.text(QUESTION).startswith("3号链接")), obs.settings(QUESTION)
    assert driver.status()["connected"] is True


def test_killed_obs_is_noticed_and_the_state_comes_back_after_restart(obs_harness, obs, mapping, start_driver):
    driver = start_driver(mapping)
    driver.apply(COUPON)
    assert poll(obs.card_shown)
    obs.close()
    stop, slowest = threading.Event(), [0.0]

    def show_goes_on() -> None:  # the host keeps switching questions while OBS crashes and is down
        for n in range(5000):
            if stop.is_set():
                break
            t = time.perf_counter()
            driver.apply(COUPON if n % 2 else SHIPPING)
            driver.status()
            slowest[0] = max(slowest[0], time.perf_counter() - t)
            time.sleep(0.002)
    host = threading.Thread(target=show_goes_on)
    host.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    obs_harness.kill_obs()
    noticed = poll(lambda: not driver.status()["connected"], timeout=3.0)
    noticed_s = time.monotonic() - t0
    time.sleep(0.3)
    stop.set()
    host.join(5)
    driver.apply(SHIPPING)
    assert noticed, driver.status()
    assert noticed_s < mapping.timeout, "a call in flight waited for its whole timeout"
    assert driver.status()["last_error"]
    assert slowest[0] < 0.05, f"apply took {slowest[0] * 1000:.1f} ms"
    obs_harness.start()  # same port, same saved scenes, nothing on screen: the driver must re-apply
    assert poll(lambda: driver.status()["connected"], timeout=10.0), driver.status()
    after = ObsView(obs_harness)
    try:
        assert poll(lambda: after.text(QUESTION) == "12号链接 · 下单后几天发货"), after.text(QUESTION)
        assert poll(after.card_shown)
    finally:
        after.close()
    print(f"disconnect noticed after {noticed_s * 1000:.0f} ms; slowest apply {slowest[0] * 1000:.2f} ms")


def test_unreachable_and_silent_obs_never_block(start_driver):
    with socket.socket() as silent:  # accepts TCP but never answers the websocket upgrade: a hung OBS
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        for port, expected in ((free_port(), "connection refused"), (silent.getsockname()[1], "did not answer")):
            driver = start_driver(ObsMapping(port=port, password="x", question_input=QUESTION, timeout=0.5))
            t = time.perf_counter()
            driver.apply(COUPON)
            assert time.perf_counter() - t < 0.05
            status = poll(lambda: driver.status()["last_error"] and driver.status(), timeout=3.0)
            assert status["connected"] is False and expected in status["last_error"], status
            t = time.perf_counter()
            driver.stop()
            assert time.perf_counter() - t < 2.0


def test_test_connection_lists_scenes_and_inputs_and_names_what_is_missing(obs, mapping):
    found = obs_driver.test_connection(mapping)
    assert found["ok"] is True and found["error"] is None, found
    assert {SCENE, CARD, "Scene"} <= set(found["scenes"])
    assert {"name": QUESTION, "kind": "text_ft2_source_v2"} in found["inputs"]
    assert found["obs_version"].startswith("29.")
    wrong = obs_driver.test_connection(replace(mapping, scene_item="Gone", answer_input="Nope"))
    assert wrong["ok"] is False and wrong["scenes"], wrong
    assert "'Gone'" in wrong["error"] and "'Nope'" in wrong["error"]
    denied = obs_driver.test_connection(replace(mapping, password="wrong"))
    assert denied["ok"] is False and "password" in denied["error"] and denied["scenes"] == []


def test_obs_listens_on_loopback_only_and_does_not_phone_home(obs_harness, obs):
    assert obs_harness.listen_addresses() == ["127.0.0.1"]
    assert poll(lambda: "blocked name lookup of obsproject.com" in obs_harness.log_path.read_text())


GEVENT_SCRIPT = """
from gevent import monkey; monkey.patch_all()
import json, sys, time, gevent
from overlays.obs import ObsDriver, ObsMapping, OnAirText
from overlays.obs_client import connect_obs
from obswebsocket import requests
port, password, names = int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
ticks = []
def ticker():
    for _ in range(2000):
        ticks.append(time.monotonic())
        gevent.sleep(0.01)
gevent.spawn(ticker)
driver = ObsDriver(ObsMapping(port=port, password=password, **names))
driver.start()
t = time.perf_counter()
driver.apply(OnAirText("用的什么快递", "默认中通", 7, "courier"))
apply_ms = (time.perf_counter() - t) * 1000
conn, _ = connect_obs("127.0.0.1", port, password, 2.0)
text = ""
for _ in range(100):
    text = conn.request(requests.GetInputSettings(inputName=names["question_input"])).getInputSettings()["text"]
    if text.startswith("7号链接"):
        break
    gevent.sleep(0.05)
conn.disconnect()
driver.stop()
while len(ticks) < 10:  # OBS may answer before the ticker has ticked twice: measure over a few ticks at least
    gevent.sleep(0.01)
gaps = [b - a for a, b in zip(ticks, ticks[1:])]
print(json.dumps({"apply_ms": apply_ms, "text": text, "max_gap_ms": max(gaps) * 1000}))
"""


def test_works_in_a_gevent_patched_process(obs_harness, obs):
    names = {"question_input": QUESTION, "answer_input": ANSWER, "scene": SCENE, "scene_item": CARD}
    run = subprocess.run([sys.executable, "-c", GEVENT_SCRIPT, str(obs_harness.port), obs_harness.password,
                          json.dumps(names)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    assert result["text"] == "7号链接 · 用的什么快递"
    assert result["apply_ms"] < 50
    assert result["max_gap_ms"] < 200, "the driver held up the gevent hub"
