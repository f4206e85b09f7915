"""A bounded fuzzing pass over every write endpoint of a real studio: hypothesis builds bodies (any JSON, objects with
the keys the API knows, batches of them, bytes that are not JSON) and path parameters; no answer may be a 5xx, and
every refusal of a JSON endpoint must say why in {"error": ...}. The route list comes from the application itself,
so a new endpoint is fuzzed without a change here. Examples are fixed (derandomized) so CI runs are repeatable."""
from __future__ import annotations

import json
import os
import re
import time
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.harness import seeded_server
from tests.support.liveserver import free_port

# Per endpoint: about 30 endpoints × 25 ≈ 30 s on two cores. STUDIO_FUZZ_EXAMPLES=500 for a deeper run by hand.
EXAMPLES = int(os.environ.get("STUDIO_FUZZ_EXAMPLES", "25"))
KEYS = ("slug", "question", "answer", "body", "keywords", "examples", "status", "number", "category", "title", "id",
        "items", "type", "show", "user", "text", "ts", "platform", "user_quality", "amount", "revision", "if_current",
        "host", "port", "password", "enabled", "sources", "settings", "room", "topic", "topics", "channel", "ext_id",
        "wait_seconds", "handle_seconds", "escalation_url", "csv", "format", "dry_run", "mapping", "scene")

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40)
           | st.sampled_from(["", "shipping-time", "demo", "0", "-1", "1e309", "<script>alert(1)</script>",
                              "'; DROP TABLE comments; --", "\u202e\u200b", "发货", "2026-11-11T20:00:00",
                              "x" * 600]))
any_json = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5)
                        | st.dictionaries(st.text(max_size=12), inner, max_size=5), max_leaves=15)
keyed = st.dictionaries(st.sampled_from(KEYS), any_json, max_size=8)
bodies = st.one_of(
    keyed.map(json.dumps),
    st.lists(keyed, max_size=6).map(json.dumps),
    st.dictionaries(st.sampled_from(("items", "sources", "contacts")), st.lists(keyed, max_size=4),
                    min_size=1).map(json.dumps),
    any_json.map(json.dumps),
    st.binary(max_size=200),  # not JSON, perhaps not UTF-8
)


def write_routes() -> list[tuple[str, str, tuple[str, ...]]]:
    from studio.app import create_app
    app = create_app({"REDIS_URL": None})
    return [(method, rule.rule, tuple(rule.arguments)) for rule in app.url_map.iter_rules()
            for method in sorted(rule.methods - {"GET", "HEAD", "OPTIONS"})]


ROUTES = write_routes()


@pytest.fixture(scope="module")
def studio(tmp_path_factory):
    srv = seeded_server(tmp_path_factory.mktemp("fuzz"), extra_env={"STUDIO_RATE_LIMIT_SCALE": "1000"})
    srv.start()
    session = srv.session(srv.tokens["admin"])
    assert session.get(srv.url + "/live/demo").cookies.get("fls_vid")  # viewer events need the viewer cookie
    srv.client = session
    srv.closed_port = free_port()  # OBS mappings point here: nothing listens, nothing leaves the machine
    srv.slugs = [i["slug"] for i in requests.get(srv.url + "/api/shows/demo/shelf").json()["items"]]
    srv.started = time.monotonic()
    yield srv
    print(f"fuzzing: {len(ROUTES)} endpoints × {EXAMPLES} bodies in {time.monotonic() - srv.started:.0f} s")
    srv.stop()


def param_values(studio, name: str):
    real = {"show_id": ["demo"], "slug": studio.slugs[:3], "kind": ["bilibili", "douyin", "twitch"],
            "token": ["x" * 24], "app_id": ["app"]}.get(name, ["x"])
    return st.sampled_from(real) | st.text(min_size=1, max_size=40)


@pytest.mark.parametrize("method,rule,params", ROUTES, ids=[f"{m} {r}" for m, r, _ in ROUTES])
def test_no_server_error(studio, method, rule, params):
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def one(data):
        path = rule
        for name in params:
            value = data.draw(param_values(studio, name), label=name)
            path = re.sub(rf"<(?:\w+:)?{name}>", quote(value, safe=""), path)
        body = data.draw(bodies, label="body")
        if "/obs" in rule and body[:1] == "{":
            shaped = json.loads(body)
            if isinstance(shaped, dict):  # only ever this machine, on a port where nothing listens
                shaped.update(host="127.0.0.1", port=studio.closed_port)
                body = json.dumps(shaped)
        kind = data.draw(st.sampled_from(["application/json", "application/json", "text/plain",
                                          "application/x-www-form-urlencoded"]), label="content-type")
        r = studio.client.request(method, studio.url + path, data=body if isinstance(body, bytes) else body.encode(),
                                  headers={"Content-Type": kind}, timeout=30, allow_redirects=False)
        assert r.status_code < 500, f"{method} {path} → {r.status_code}: {r.text[:300]}"
        if r.status_code >= 400 and path.startswith("/api/"):
            assert "error" in r.json(), f"{method} {path} → {r.status_code} without an error message"

    one()
