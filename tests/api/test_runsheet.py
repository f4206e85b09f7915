"""Run sheet (排品表) imports: CSV and .xlsx, mapped columns remembered per sheet format, re-imports that update in
place and report what changed, producer edits, bad files refused with a clear 4xx, the CLI command."""
from __future__ import annotations

import io
import json

from openpyxl import Workbook

from tests.support.liveserver import REPO
from tests.support.shows import new_show

SHEETS = REPO / "tests" / "fixtures" / "runsheets"


def upload(server, show: str, data: bytes, name: str, mapping: dict | None = None, role: str = "producer"):
    files = {"file": (name, data)}
    form = {"mapping": json.dumps(mapping, ensure_ascii=False)} if mapping is not None else {}
    return server.session(server.tokens[role]).post(f"{server.url}/api/shows/{show}/runsheet", files=files,
                                                    data=form)


def products(server, show: str) -> dict:
    r = server.session().get(f"{server.url}/api/shows/{show}/products")
    assert r.status_code == 200, r.text
    return r.json()


def test_csv_sheet_imports_with_guessed_columns_and_reports_changes_on_reimport(server):
    show = new_show(server, "sheet")
    csv_bytes = (SHEETS / "night.csv").read_bytes()
    r = upload(server, show, csv_bytes, "night.csv")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["added"] == [1, 2, 3, 4, 5] and report["removed"] == [] and report["changed"] == []
    assert report["mapping"]["到手价"] == "price" and report["mapping"]["开讲时间"] == "start_time"
    assert report["mapping_source"] in ("guessed", "remembered")  # the session server may know the format
    snap = products(server, show)
    by = {i["number"]: i for i in snap["items"]}
    assert by[1]["fields"]["price"] == "79" and by[1]["fields"]["discount"] == "满199减30"
    assert "price" in by[2]["missing"] and "stock" in by[2]["missing"] and by[2]["fields"]["gift"] == "送坚果夹"
    assert snap["on_air"] == 1 and snap["next"][:3] == [2, 3, 5], "planned times first, untimed last"
    # The sheet changes in the night: 2 gets its price and stock, 4 is dropped, 6 is added, 5's price changes.
    text = csv_bytes.decode("utf-8")
    text = text.replace("2,三只松鼠每日坚果礼盒,三只松鼠,零食,,,送坚果夹,,,20:15,",
                        "2,三只松鼠每日坚果礼盒,三只松鼠,零食,89,,送坚果夹,1200,,20:15,")
    text = text.replace("4,九阳破壁料理机,九阳,家电,399,满300减50,,500,72小时内发货,,\n", "")
    text = text.replace("29.9", "25.9") + "6,百草味芒果干,百草味,零食,19.9,,,3000,48小时内发货,21:15,\n"
    r = upload(server, show, text.encode("utf-8"), "night.csv")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["mapping_source"] == "remembered"
    assert report["added"] == [6] and report["removed"] == [4] and report["unchanged"] == 2
    changed = {c["number"]: c["fields"] for c in report["changed"]}
    assert changed == {2: {"price": [None, "89"], "stock": [None, "1200"]}, 5: {"price": ["29.9", "25.9"]}}
    by = {i["number"]: i for i in products(server, show)["items"]}
    assert sorted(by) == [1, 2, 3, 5, 6] and by[2]["fields"]["price"] == "89"


def test_xlsx_sheet_with_a_given_mapping_is_remembered_for_its_format(server):
    show = new_show(server, "xlsx")
    wb = Workbook()
    ws = wb.active
    ws.append(["链", "货品", "卖家", "现价", "备注"])  # headers nobody could guess
    ws.append([7, "认养一头牛纯牛奶", "认养一头牛", 59.9, "顺丰包邮"])
    ws.append([8, "蕉下防晒伞", "蕉下", None, ""])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    r = upload(server, show, data, "agency.xlsx")
    assert r.status_code == 400 and "map the columns" in r.json()["error"] and "货品" in r.json()["error"]
    mapping = {"链": "number", "货品": "name", "卖家": "shop", "现价": "price", "备注": "shipping"}
    r = upload(server, show, data, "agency.xlsx", mapping)
    assert r.status_code == 200, r.text
    assert r.json()["added"] == [7, 8] and r.json()["mapping_source"] == "given"
    by = {i["number"]: i for i in products(server, show)["items"]}
    assert by[7]["fields"] == {"name": "认养一头牛纯牛奶", "shop": "认养一头牛", "price": "59.9",
                               "shipping": "顺丰包邮"}
    assert "price" in by[8]["missing"]
    # Another show, same format: the mapping is remembered by the header signature.
    other = new_show(server, "xlsx2")
    r = upload(server, other, data, "agency.xlsx")
    assert r.status_code == 200 and r.json()["mapping_source"] == "remembered" and r.json()["added"] == [7, 8]
    # The fixture sheet (a different format) is guessed from its headers.
    r = upload(server, other, (SHEETS / "agency.xlsx").read_bytes(), "agency.xlsx")
    assert r.status_code == 200, r.text
    assert r.json()["added"] == [1, 2, 3] and r.json()["removed"] == [7, 8]


def test_bad_sheets_are_refused_with_clear_messages(server):
    show = new_show(server, "bad")
    cases = [
        (b"", "x.csv", "empty"),
        (b"\x89PNG\r\n\x1a\n....", "photo.png", ".csv or .xlsx"),
        (b"PK\x03\x04garbage", "x.xlsx", "not a readable .xlsx"),
        ("序号,商品名称\n1,口红\n1,眼影\n".encode(), "x.csv", "appears twice"),
        ("序号,商品名称\nabc,口红\n".encode(), "x.csv", "row 2"),
        ("序号,商品名称,价格\n1,,9\n".encode(), "x.csv", "has no name"),
    ]
    for data, name, words in cases:
        r = upload(server, show, data, name)
        assert r.status_code == 400, (name, r.status_code, r.text)
        assert words in r.json()["error"], (words, r.json())
    r = upload(server, show, (SHEETS / "night.csv").read_bytes(), "night.csv", {"序号": "number", "nope": "name"})
    assert r.status_code == 400 and "nope" in r.json()["error"]
    r = upload(server, show, (SHEETS / "night.csv").read_bytes(), "night.csv", {"序号": "number", "店铺": "colour"})
    assert r.status_code == 400 and "unknown field" in r.json()["error"]
    r = upload(server, show, b"x" * (5 * 1024 * 1024 + 10), "big.csv")
    assert r.status_code == 413 and "5 MB" in r.json()["error"]
    r = upload(server, show, b"1,2\n", "x.csv", role="host")
    assert r.status_code == 403
    r = server.session(server.tokens["producer"]).post(f"{server.url}/api/shows/{show}/runsheet", json={"a": 1})
    assert r.status_code == 415
    r = upload(server, "no-such-show", (SHEETS / "night.csv").read_bytes(), "night.csv")
    assert r.status_code == 404
    assert products(server, show)["items"] == [], "nothing of a refused sheet is applied"


def test_producer_edits_a_fact_and_status_moves_the_rundown(server):
    show = new_show(server, "edit")
    assert upload(server, show, (SHEETS / "night.csv").read_bytes(), "night.csv").status_code == 200
    s = server.session(server.tokens["producer"])
    r = s.patch(f"{server.url}/api/shows/{show}/products/2", json={"price": "89", "stock": "1200"})
    assert r.status_code == 200 and r.json()["fields"]["price"] == "89" and "price" not in r.json()["missing"]
    r = s.patch(f"{server.url}/api/shows/{show}/products/2", json={"status": "讲解中"})
    snap = products(server, show)
    assert snap["on_air"] == 2 and {i["number"]: i["state"] for i in snap["items"]}[1] == "done"
    assert snap["next"][0] == 3
    for body, code in (({"colour": "red"}, 400), ({"price": 5}, 400), ({"name": " "}, 400)):
        assert s.patch(f"{server.url}/api/shows/{show}/products/2", json=body).status_code == code
    assert s.patch(f"{server.url}/api/shows/{show}/products/99", json={"price": "1"}).status_code == 404
    r = server.session().get(f"{server.url}/api/shows/{show}/products/answer", params={"q": "下一个讲什么"})
    assert r.json()["answer"].startswith("下一个是3号 雅诗兰黛小棕瓶精华50ml") and "20:30" in r.json()["answer"]
    r = server.session().get(f"{server.url}/api/shows/{show}/products/answer", params={"q": "3号多少钱"})
    assert r.json()["ask"] == {"number": 3, "field": "price", "named": True} and "699" in r.json()["answer"]


def test_cli_imports_a_sheet_and_prints_changes(server):
    show = new_show(server, "cli")
    out = server.cli("runsheet", "import", str(SHEETS / "night.csv"), "--show", show).stdout
    assert "added 5, removed 0, changed 0" in out
    out = server.cli("runsheet", "import", str(SHEETS / "agency.xlsx"), "--show", show).stdout
    assert "changed  1:" in out and "added 0, removed 2" in out
    r = server.cli("runsheet", "import", str(SHEETS / "night.csv"), "--show", "nope", check=False)
    assert r.returncode != 0 and "no such show" in r.stderr
