"""The studio mirroring its on-air state into a real headless OBS, configured over the HTTP API."""
from __future__ import annotations

import time

import pytest
import requests

from tests.support.live_client import Watcher
from tests.support.obs_fixtures import ObsView
from tests.support.obs_harness import ANSWER, CARD, QUESTION, SCENE
from tests.support.shows import new_show
from tests.support.waiting import poll

pytestmark = pytest.mark.obs


@pytest.fixture
def linked(server, obs_harness, obs):
    """A show of its own whose OBS mapping points at the test OBS; the mapping is removed afterwards."""
    show = new_show(server, "obs")
    api = f"{server.url}/api/shows/{show}"
    producer = server.session(server.tokens["producer"])
    r = producer.put(api + "/obs", json={"host": "127.0.0.1", "port": obs_harness.port,
                                         "password": obs_harness.password, "question_input": QUESTION,
                                         "answer_input": ANSWER, "scene": SCENE, "scene_item": CARD,
                                         "on_air_scene": None})
    assert r.status_code == 200, r.text
    yield show, api, producer
    producer.delete(api + "/obs")


def connected(producer, api: str) -> bool:
    return producer.get(api + "/obs").json()["connected"]


def test_going_on_air_sets_the_obs_text_and_shows_the_card(server, obs_harness, obs, linked):
    show, api, producer = linked
    mapping = producer.get(api + "/obs").json()
    assert mapping["password_set"] is True and "password" not in mapping
    assert obs_harness.password not in requests.get(api + "/on-air").text
    assert poll(lambda: connected(producer, api)), producer.get(api + "/obs").json()
    host = server.session(server.tokens["host"])
    cur = host.post(api + "/on-air", json={"slug": "invoice"}).json()["current"]
    expected = f"{cur['number']}号链接 · {cur['question']}"
    assert poll(lambda: obs.text(QUESTION) == expected), obs.settings(QUESTION)
    assert obs.text(ANSWER) == cur["answer"]
    assert poll(obs.card_shown)
    host.post(api + "/on-air", json={"slug": None})
    assert poll(lambda: not obs.card_shown())
    assert poll(lambda: obs.text(QUESTION) == "")
    assert obs_harness.password not in server.log_path.read_text()


def test_obs_dying_mid_show_never_stops_the_studio_and_it_reapplies_on_return(server, obs_harness, obs,
                                                                               linked):
    show, api, producer = linked
    host = server.session(server.tokens["host"])
    assert poll(lambda: connected(producer, api))
    host.post(api + "/on-air", json={"slug": "invoice"})
    assert poll(obs.card_shown)
    console = Watcher(server, show, ["health"], token=server.tokens["host"])  # what the host's console shows
    try:
        assert console.wait_for("health", lambda d: d["obs"]["connected"])["obs"]["connected"]
        obs.close()
        obs_harness.kill_obs()
        assert poll(lambda: not connected(producer, api), timeout=5.0), "the studio did not notice OBS died"
        health = console.wait_for("health", lambda d: not d["obs"]["connected"])
        assert not health["obs"]["connected"] and health["obs"]["last_error"], health
    finally:
        console.close()
    slowest = 0.0
    for slug in ("restock", "size-guide", "shipping-time"):  # the show goes on while OBS is away
        t = time.perf_counter()
        r = host.post(api + "/on-air", json={"slug": slug})
        slowest = max(slowest, time.perf_counter() - t)
        assert r.status_code == 200
    assert slowest < 0.5, f"an on-air action took {slowest * 1000:.0f} ms while OBS was down"
    cur = requests.get(api + "/on-air").json()["current"]
    obs_harness.start()  # OBS comes back with its saved scenes, showing nothing of ours
    assert poll(lambda: connected(producer, api), timeout=15.0), producer.get(api + "/obs").json()
    after = ObsView(obs_harness)
    try:
        expected = f"{cur['number']}号链接 · {cur['question']}"
        assert poll(lambda: after.text(QUESTION) == expected), after.text(QUESTION)
        assert poll(after.card_shown)
    finally:
        after.close()


def test_test_connection_lists_scenes_and_inputs_and_bad_mappings_are_refused(server, obs_harness, obs,
                                                                                linked):
    show, api, producer = linked
    found = producer.post(api + "/obs/test", json={}).json()  # the stored mapping, password included
    assert found["ok"] is True and {SCENE, CARD} <= set(found["scenes"]), found
    assert QUESTION in {i["name"] for i in found["inputs"]}
    denied = producer.post(api + "/obs/test", json={"password": "wrong"}).json()
    assert denied["ok"] is False and "password" in denied["error"]
    for body in ({"port": "4455"}, {"port": 70000}, {"host": "a/b"}, {"scene": 5}, {"enabled": "yes"}):
        r = producer.put(api + "/obs", json=body)
        assert r.status_code == 400 and r.json()["error"], (body, r.text)
    assert server.session(server.tokens["lead"]).get(api + "/obs").status_code == 403
    assert requests.get(api + "/obs").status_code == 401
    kept = producer.put(api + "/obs", json={"answer_input": None}).json()  # no password: the stored one stays
    assert kept["password_set"] is True and kept["answer_input"] is None and kept["question_input"] == QUESTION
