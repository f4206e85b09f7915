"""`studio replay` and `studio simulate` against a running studio."""
import csv
import json

from studio.commands.replay import LogEntry, schedule
from tests.support.comment_client import ASKS, ranking, stats
from tests.support.shows import new_show


def test_schedule_follows_the_log_timing():
    entries = [LogEntry(1, {}, 100.0), LogEntry(2, {}, None), LogEntry(3, {}, 110.0), LogEntry(4, {}, 104.0)]
    assert schedule(entries, 10) == [0.0, 0.0, 1.0, 0.4]
    assert schedule(entries, 0) == [0.0] * 4


def test_replay_jsonl_on_its_own_timing(server, tmp_path):
    show = new_show(server)
    log = tmp_path / "night.jsonl"
    lines = [json.dumps({"id": f"r{i}", "user": f"u{i % 7}", "ts": 1_600_000_000 + i * 0.5, "platform": "douyin",
                         "text": [ASKS["shipping-time"], "主播好美", ASKS["invoice"]][i % 3]}, ensure_ascii=False)
             for i in range(30)]
    lines[4] = "{not json"
    lines[9] = json.dumps({"id": "r9", "user": "u2", "text": ""})
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # 30 lines half a second apart at 10×: about 1.5 s
    r = server.cli("replay", str(log), "--show", show, "--speed", "10", "--url", server.url,
                   "--token", server.tokens["ingest"])
    assert "sent 29: accepted 28, duplicate 0, rejected 1" in r.stdout
    assert "line 5: not JSON" in r.stderr and "line 10: text is empty" in r.stderr
    assert stats(server, show)["comments_stored"] == 28
    assert ranking(server, show)["shipping-time"]["count_1m"] == 9  # old log times land in the show's now
    # playing it again: every comment is a duplicate of (platform, id)
    r = server.cli("replay", str(log), "--show", show, "--speed", "0", "--url", server.url,
                   "--token", server.tokens["ingest"])
    assert "accepted 0, duplicate 28" in r.stdout


def test_replay_csv_and_errors(server, tmp_path):
    show = new_show(server)
    log = tmp_path / "night.csv"
    with open(log, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["id", "user", "text", "ts", "platform"])
        for i in range(12):
            w.writerow([f"c{i}", f"u{i}", ASKS["refund-how-to-apply"], f"2024-05-01T20:00:{i:02d}+08:00", "kuaishou"])
    r = server.cli("replay", str(log), "--show", show, "--speed", "0", "--url", server.url,
                   "--token", server.tokens["ingest"])
    assert "accepted 12" in r.stdout
    assert ranking(server, show)["refund-how-to-apply"]["askers"] == 12
    bad = server.cli("replay", str(log), "--show", show, "--url", server.url, "--token",
                     server.tokens["producer"], check=False)
    assert bad.returncode != 0 and "403" in bad.stderr
    missing = server.cli("replay", str(log), "--show", "no-such-show", "--url", server.url, "--token",
                         server.tokens["ingest"], check=False)
    assert missing.returncode != 0 and "no such show" in missing.stderr


def test_simulate_makes_a_moving_ranking(server):
    show, rate = new_show(server), 150
    r = server.cli("simulate", "--show", show, "--rate", str(rate), "--duration", "3", "--seed", "7",
                   "--url", server.url, "--token", server.tokens["ingest"])
    sent = int(r.stdout.split("sent ")[1].split(":")[0])
    assert sent >= rate * 2 and f"sent {sent}: accepted {sent}, duplicate 0, rejected 0" in r.stdout
    st = stats(server, show)
    assert st["comments_stored"] == sent
    # chatter is the majority, questions a sizeable minority
    assert 0.15 < st["comments_matched"] / sent < 0.5
    rows = ranking(server, show)
    assert len(rows) >= 5
    top = next(iter(rows.values()))
    assert top["askers"] >= 3 and top["samples"]
