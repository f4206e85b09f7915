"""Many rooms at once: staff assigned to one show are refused another show's console, rundown and API (403), see
only their shows in the control room and the show list; a squad moves from one show to another in one action and
its agents' reach moves with it; admins see every show."""
from __future__ import annotations

import re
import secrets

import pytest
import requests

from tests.support.shows import new_show

PASSWORD = "rooms-pass-123"


def user(server, role: str) -> str:
    name = f"{role}-{secrets.token_hex(3)}"
    server.cli("user", "create", name, "--role", role, "--password", PASSWORD)
    return name


def login(server, name: str) -> requests.Session:
    s = requests.Session()
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', s.get(server.url + "/login").text).group(1)
    r = s.post(server.url + "/login", data={"name": name, "password": PASSWORD, "csrf_token": csrf})
    r.raise_for_status()
    s.headers["X-CSRF-Token"] = re.search(r'name="csrf-token" content="([^"]+)"', s.get(server.url + "/").text).group(1)
    return s


@pytest.fixture(scope="module")
def rooms(server):
    """Three live shows; a host and a producer assigned to the first only."""
    shows = [new_show(server, "room") for _ in range(3)]
    host = server.session(server.tokens["host"])
    for show in shows:
        assert host.post(f"{server.url}/api/shows/{show}/start").status_code == 200
    admin = server.session(server.tokens["admin"])
    h, p = user(server, "host"), user(server, "producer")
    r = admin.put(f"{server.url}/api/shows/{shows[0]}/staff", json={"users": [h, p]})
    assert r.status_code == 200 and r.json()["users"] == sorted([h, p])
    return {"shows": shows, "host": login(server, h), "producer": login(server, p)}


def test_assigned_staff_are_refused_other_shows_console_rundown_and_api(server, rooms):
    mine, other, _ = rooms["shows"]
    host, producer = rooms["host"], rooms["producer"]
    assert host.get(f"{server.url}/console/{mine}").status_code == 200
    assert producer.get(f"{server.url}/producer/{mine}").status_code == 200
    assert host.get(f"{server.url}/api/shows/{mine}/ranking").status_code == 200
    for s, path in ((host, f"/console/{other}"), (host, f"/console/{other}/overlays"),
                    (producer, f"/producer/{other}"), (host, f"/api/shows/{other}/ranking"),
                    (host, f"/api/shows/{other}/rundown"), (producer, f"/api/shows/{other}/products"),
                    (host, f"/api/shows/{other}/stats")):
        r = s.get(server.url + path)
        assert r.status_code == 403, (path, r.status_code)
    r = host.post(f"{server.url}/api/shows/{other}/on-air", json={"slug": "invoice"})
    assert r.status_code == 403 and r.json()["error"] == "you are not assigned to this show"
    r = producer.put(f"{server.url}/api/shows/{other}/rundown", json={"items": []})
    assert r.status_code == 403
    assert producer.get(f"{server.url}/producer/catalog").status_code == 200, "the catalog is no show"
    listed = {x["id"] for x in host.get(f"{server.url}/api/shows").json()["shows"]}
    assert mine in listed and other not in listed
    control = host.get(f"{server.url}/api/control").json()
    assert [x["id"] for x in control["shows"]] == [mine]
    # Admins (and tokens, automation) reach every show.
    admin_control = server.session(server.tokens["admin"]).get(f"{server.url}/api/control").json()
    assert set(rooms["shows"]) <= {x["id"] for x in admin_control["shows"]}
    assert server.session(server.tokens["host"]).get(f"{server.url}/api/shows/{other}/ranking").status_code == 200


def test_assigned_staff_read_only_their_shows_staff_topics(server, rooms):
    from tests.api.test_live_audience import Live, cookie_header
    mine, other, _ = rooms["shows"]
    live = Live(server, origin=server.url, cookies=cookie_header(rooms["host"]))
    try:
        assert live.subscribe(mine, ["health", "emerging", "onair"])["ok"] is True
        ack = live.subscribe(other, ["health", "emerging", "onair"])
        assert ack["ok"] is False and ack["refused"] == ["health", "emerging"] and ack["topics"] == ["onair"]
        assert "not assigned" in ack["error"]
    finally:
        live.close()


def test_a_squad_moves_between_shows_in_one_action(server, rooms):
    a, b, _ = rooms["shows"]
    agents = [user(server, "agent") for _ in range(2)]
    admin = server.session(server.tokens["admin"])
    name = f"roving-{secrets.token_hex(2)}"
    r = admin.put(f"{server.url}/api/squads/{name}", json={"members": agents})
    assert r.status_code == 200 and r.json()["members"] == sorted(agents)
    assert admin.post(f"{server.url}/api/squads/{name}/move", json={"show": a}).status_code == 200
    sessions = [login(server, n) for n in agents]
    for s in sessions:
        assert s.get(f"{server.url}/console/{a}").status_code == 200
        assert s.get(f"{server.url}/desk/{a}").status_code == 200
        assert s.get(f"{server.url}/console/{b}").status_code == 403
        assert s.get(f"{server.url}/desk/{b}").status_code == 403, "another show's specialist queue"
        assert s.get(f"{server.url}/api/shows/{b}/cases").status_code == 403
    staff = admin.get(f"{server.url}/api/shows/{a}/staff").json()
    assert staff["squads"] == [{"name": name, "members": sorted(agents)}]
    r = admin.post(f"{server.url}/api/squads/{name}/move", json={"show": b})
    assert r.status_code == 200 and r.json()["from"] == a and r.json()["show"] == b
    for s in sessions:
        assert s.get(f"{server.url}/console/{b}").status_code == 200
        assert s.get(f"{server.url}/desk/{b}").status_code == 200, "the queue follows the squad"
        assert s.get(f"{server.url}/console/{a}").status_code == 403
        assert s.get(f"{server.url}/desk/{a}").status_code == 403
        assert s.get(f"{server.url}/api/shows/{a}/ranking").status_code == 403
        assert [x["id"] for x in s.get(f"{server.url}/api/control").json()["shows"]] == [b]
    assert admin.get(f"{server.url}/api/shows/{b}/staff").json()["squads"][0]["name"] == name
    assert admin.get(f"{server.url}/api/shows/{a}/staff").json()["squads"] == []


def test_staff_and_squad_input_is_checked(server, rooms):
    admin = server.session(server.tokens["admin"])
    show = rooms["shows"][2]
    assert admin.put(f"{server.url}/api/shows/{show}/staff", json={"users": ["nobody-here"]}).status_code == 400
    assert admin.put(f"{server.url}/api/shows/{show}/staff", json={"users": "x"}).status_code == 400
    assert admin.put(f"{server.url}/api/shows/nope/staff", json={"users": []}).status_code == 404
    assert admin.put(f"{server.url}/api/squads/bad%2Fname!", json={"members": []}).status_code in (400, 404)
    assert admin.post(f"{server.url}/api/squads/none-such/move", json={"show": show}).status_code == 404
    r = admin.put(f"{server.url}/api/squads/s-{secrets.token_hex(2)}", json={"members": []})
    assert admin.post(f"{server.url}/api/squads/{r.json()['name']}/move", json={"show": "nope"}).status_code == 404
    assert admin.post(f"{server.url}/api/squads/{r.json()['name']}/move", json={"show": 5}).status_code == 400
    producer = server.session(server.tokens["producer"])
    assert producer.put(f"{server.url}/api/shows/{show}/staff", json={"users": []}).status_code == 403
    assert producer.post(f"{server.url}/api/squads/x/move", json={"show": show}).status_code == 403
    assert server.session().get(f"{server.url}/api/control").status_code == 401


def test_unassigned_staff_keep_their_roles_reach(server, rooms):
    """A studio with one room needs no assignments: the shared test host sees every show."""
    s = server.login("host")
    for show in rooms["shows"]:
        assert s.get(f"{server.url}/console/{show}").status_code == 200


def test_a_show_taking_comments_before_it_is_started_is_watched_too(server):
    """Nobody pressed "Start show" yet, but comments come in: the control room lists it, marked as not started; a
    planned show with no comments stays off."""
    from tests.support.comment_client import post

    quiet, taking = new_show(server, "quiet"), new_show(server, "taking")
    assert post(server, taking, [{"user": "v1", "text": "几号发货"}]).json()["accepted"] == 1
    control = server.session(server.tokens["admin"]).get(f"{server.url}/api/control").json()
    shows = {x["id"]: x for x in control["shows"]}
    assert shows[taking]["status"] == "planned" and shows[taking]["comment_rate"] == 1
    assert quiet not in shows
