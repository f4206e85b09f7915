"""One-to-one traffic in: helpdesk CSV import (CLI and upload), the webhook, topic mappings; against a real server."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from studio.store.models import OneToOneContact


def _contacts(server, prefix: str) -> list[OneToOneContact]:
    url = server.env.get("STUDIO_DATABASE_URL") or f"sqlite:///{server.var_dir / 'studio.db'}"
    with Session(create_engine(url)) as s:
        return list(s.scalars(select(OneToOneContact).where(OneToOneContact.ext_id.like(prefix + "%"))
                              .order_by(OneToOneContact.ts)))


def _utc(*args) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def test_csv_import_is_idempotent_and_reports_bad_lines(server, tmp_path):
    tag = uuid.uuid4().hex[:8]
    text = (
        "工单号,创建时间,渠道,问题类型,客户ID,等待时长(秒),处理时长\n"
        f"{tag}-1,2021-03-01 20:00:00,旺旺,shipping-time,buyer-1,45,3:20\n"
        f"{tag}-2,2021-03-01T12:05:00Z,电话,invoice,,,\n"
        f"{tag}-3,yesterday,旺旺,invoice,buyer-3,,\n"            # line 4: unreadable time
        f"{tag}-4,2021-03-01 20:07,旺旺,,buyer-4,,\n"             # line 5: neither topic nor slug
        "\n"
        f"{tag}-5,2021-03-01 20:09,旺旺,\"发货，\n多行\",buyer-5,,-3\n"  # lines 7-8: a quoted cell over two lines
        f"{tag}-6,2021-03-01 20:10,旺旺,invoice,buyer-6,,\n"       # line 9
    )
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeff".encode() + text.encode())  # Excel's UTF-8 with BOM
    first = server.cli("contacts", "import", str(path), "--tz", "Asia/Shanghai")
    assert "added 3, already there 0, rejected 3" in first.stdout
    assert "line 4:" in first.stderr and "line 5:" in first.stderr and "line 7:" in first.stderr
    again = server.cli("contacts", "import", str(path), "--tz", "Asia/Shanghai")
    assert "added 0, already there 3, rejected 3" in again.stdout

    rows = _contacts(server, tag)
    assert [r.ext_id for r in rows] == [f"{tag}-1", f"{tag}-2", f"{tag}-6"]
    one = rows[0]
    assert one.ts == _utc(2021, 3, 1, 12, 0)  # 20:00 in Shanghai, no offset written → read in --tz
    assert rows[1].ts == _utc(2021, 3, 1, 12, 5)  # an explicit Z wins over --tz
    assert (one.slug, one.channel, one.wait_seconds, one.handle_seconds) == ("shipping-time", "旺旺", 45, 200)
    assert one.customer_hash and "buyer" not in one.customer_hash  # stored only as a salted hash
    assert rows[1].customer_hash == ""


def _upload(server, body: bytes, **params):
    return server.session(server.tokens["lead"]).post(server.url + "/api/one-to-one/import", data=body,
                                                      params=params, headers={"Content-Type": "text/csv"})


def test_rows_without_an_id_get_a_stable_hash(server):
    # Two identical rows are two contacts; importing the file again still adds nothing.
    body = "time;topic;customer\n2021-04-02 10:00:00;退款进度;c1\n2021-04-02 10:00:00;退款进度;c1\n".encode()
    first = _upload(server, body).json()  # no BOM, semicolons
    assert (first["accepted"], first["duplicate"], first["rejected"]) == (2, 0, 0)
    again = _upload(server, body).json()
    assert (again["accepted"], again["duplicate"]) == (0, 2)
    rows = _contacts(server, "row:")
    assert len([r for r in rows if r.ts == _utc(2021, 4, 2, 10)]) == 2


def test_import_refuses_a_file_without_the_needed_columns(server):
    r = _upload(server, b"foo,bar\n1,2\n")
    assert r.status_code == 400 and "time column" in r.json()["error"]
    r = _upload(server, b"time,slug\n2021-01-01,invoice\n", tz="Nowhere/City")
    assert r.status_code == 400 and "unknown time zone" in r.json()["error"]
    assert _upload(server, b"").status_code == 400
    # bytes that are not UTF-8 (a GBK export) are rejected by line, not turned into garbage
    gbk = "time,topic\n2021-01-01,发票\n".encode("gbk")
    errors = _upload(server, gbk).json()["errors"]
    assert errors == [{"line": 2, "reason": "not UTF-8 text: save the export as CSV UTF-8"}]


def test_csv_upload_over_http(server):
    tag = uuid.uuid4().hex[:8]
    body = f"id,timestamp,slug\n{tag}-a,2021-05-01T08:00:00+08:00,invoice\n{tag}-b,2021-05-01,no-such-item\n".encode()
    url = server.url + "/api/one-to-one/import"
    r = _upload(server, body)
    assert r.status_code == 200
    assert r.json()["accepted"] == 1
    assert r.json()["errors"] == [{"line": 3, "reason": "unknown FAQ slug 'no-such-item'"}]
    assert _upload(server, body).json()["duplicate"] == 1
    assert server.session(server.tokens["lead"]).post(url, json={"x": 1}).status_code == 415
    assert server.session(server.tokens["ingest"]).post(url, data=body,
                                                        headers={"Content-Type": "text/csv"}).status_code == 403


def test_webhook_accepts_items_and_rejects_each_bad_one(server):
    tag = uuid.uuid4().hex[:8]
    items = [
        {"id": f"{tag}-1", "ts": "2021-06-01T20:00:00+08:00", "channel": "im", "slug": "invoice", "customer": "u1",
         "wait_seconds": 12, "handle_seconds": 300},
        {"id": f"{tag}-2", "ts": "2021-06-01T12:01:00Z", "channel": "im", "topic": "发票问题"},
        {"id": f"{tag}-3", "ts": "not a time", "channel": "im", "slug": "invoice"},
        {"ts": "2021-06-01T12:02:00Z", "channel": "im", "slug": "invoice"},
        {"id": f"{tag}-5", "ts": "2021-06-01T12:03:00Z", "channel": "im", "slug": "invoice", "wait_seconds": -1},
        "not an object",
        {"id": f"{tag}-1", "ts": "2021-06-01T12:00:00Z", "channel": "im", "slug": "invoice"},  # repeated id
    ]
    ingest = server.session(server.tokens["ingest"])
    url = server.url + "/api/one-to-one/contacts"
    r = ingest.post(url, json=items).json()
    assert (r["accepted"], r["duplicate"], r["rejected"]) == (2, 1, 4)
    assert [e["index"] for e in r["errors"]] == [2, 3, 4, 5]
    assert "id is missing" in r["errors"][1]["reason"]
    assert ingest.post(url, json=items[:2]).json() == {"accepted": 0, "duplicate": 2, "rejected": 0, "errors": []}
    stored = _contacts(server, tag)
    assert stored[0].ts == _utc(2021, 6, 1, 12, 0) and stored[0].wait_seconds == 12
    assert stored[1].slug is None and stored[1].topic == "发票问题"  # resolved through the mapping when read


def test_webhook_auth_and_limits(server):
    url = server.url + "/api/one-to-one/contacts"
    one = [{"id": "auth-check", "ts": "2021-06-02T00:00:00Z", "channel": "im", "slug": "invoice"}]
    assert server.session().post(url, json=one).status_code == 401
    assert server.session(server.tokens["lead"]).post(url, json=one).status_code == 403
    assert server.session(server.tokens["admin"]).post(url, json=one).status_code == 200
    ingest = server.session(server.tokens["ingest"])
    too_many = ingest.post(url, json=one * 5001)
    assert too_many.status_code == 413 and "5000" in too_many.json()["error"]
    assert ingest.post(url, json={"id": 1}).status_code == 400
    assert ingest.post(url, data=b"[", headers={"Content-Type": "application/json"}).status_code == 400


def test_topic_mappings(server):
    lead = server.session(server.tokens["lead"])
    url = server.url + "/api/one-to-one/topics"
    topic = f"开票-{uuid.uuid4().hex[:6]}"
    server.session(server.tokens["ingest"]).post(server.url + "/api/one-to-one/contacts", json=[
        {"id": topic, "ts": "2021-07-01T00:00:00Z", "channel": "im", "topic": topic}])
    assert {"topic": topic, "contacts": 1} in lead.get(url).json()["unmapped"]
    r = lead.put(url, json={"mappings": [{"topic": topic, "slug": "invoice"}]})
    assert r.status_code == 200
    data = lead.get(url).json()
    assert data["mappings"] == [{"topic": topic, "slug": "invoice"}]
    assert topic not in [u["topic"] for u in data["unmapped"]]
    for bad in ({"mappings": [{"topic": topic, "slug": "no-such-item"}]},
                {"mappings": [{"topic": "", "slug": "invoice"}]},
                {"mappings": [{"topic": "x", "slug": "invoice"}, {"topic": "x", "slug": "size-guide"}]},
                {"mappings": "x"}):
        resp = lead.put(url, json=bad)
        assert resp.status_code == 400 and resp.json()["error"], bad
    assert server.session(server.tokens["host"]).get(url).status_code == 403
    assert lead.put(url, json={"mappings": []}).json()["mappings"] == []


@pytest.mark.parametrize("value, expected", [("95", 95.0), ("1:35", 95.0), ("00:01:35", 95.0), ("95s", 95.0),
                                             ("", None), (12.5, 12.5)])
def test_duration_formats(value, expected):
    from studio.analytics.contacts import parse_seconds
    assert parse_seconds(value) == expected
