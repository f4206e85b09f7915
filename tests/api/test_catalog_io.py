"""Catalog import/export: Markdown folder, CSV (as Excel saves it), zip; all-or-nothing with file and line."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
import requests

from faq_catalog.catalog_io import (
    export_catalog,
    items_to_csv,
    items_to_zip,
    load_catalog,
    parse_markdown_item,
    parse_upload,
)
from tests.support.liveserver import REPO

DEMO = REPO / "faq_catalog" / "demo"


def _same(a, b) -> bool:
    return [i.slug for i in a] == [i.slug for i in b] and all(x.content_equals(y) for x, y in zip(a, b))


@pytest.fixture(scope="module")
def demo():
    parsed = load_catalog(DEMO)
    assert parsed.ok, parsed.errors
    assert len(parsed.items) >= 30
    return sorted(parsed.items, key=lambda i: i.slug)


@pytest.mark.parametrize("suffix", ["folder", "demo.csv", "demo.zip"])
def test_export_then_import_gives_the_same_catalog(tmp_path, demo, suffix):
    target = tmp_path / suffix
    assert export_catalog(demo, target) == len(demo)
    again = load_catalog(target)
    assert again.ok, again.errors
    assert _same(demo, sorted(again.items, key=lambda i: i.slug))


def test_excel_csv_with_bom_crlf_and_multiline_body():
    # Excel's "CSV UTF-8": a BOM, CRLF line ends, quoted cells with commas, quotes and line breaks.
    text = ("\ufeffslug,number,question,answer,category,keywords,examples,status,escalation_url,body\r\n"
            'gift-card,7,礼品卡怎么用？,"结算时选「礼品卡」, 输入卡号",aftersale,礼品卡|卡号|gift card,'
            '"礼品卡在哪输入|能和券一起用吗",on_shelf,https://help.example.com/c,'
            '"### 步骤\r\n\r\n1. 打开结算页\r\n2. 点 ""礼品卡""\r\n"\r\n'
            "plain-row,8,第二行？,,售前,,,draft,,\r\n")
    parsed = parse_upload("from-excel.csv", text.encode("utf-8"))
    assert parsed.ok, parsed.errors
    gift, plain = parsed.items
    assert gift.slug == "gift-card" and gift.number == 7 and gift.category == "售后"
    assert gift.answer == "结算时选「礼品卡」, 输入卡号"
    assert gift.keywords == ("礼品卡", "卡号", "gift card")
    assert gift.body == '### 步骤\n\n1. 打开结算页\n2. 点 "礼品卡"'
    assert plain.slug == "plain-row" and plain.status == "draft" and plain.keywords == ()
    assert parsed.sources["plain-row"] == ("from-excel.csv", 7)  # the line the record starts on


def test_csv_export_is_excel_friendly(demo):
    text = items_to_csv(demo)
    assert text.startswith("\ufeffslug,number,question,")
    assert "\r\n" in text


def test_broken_csv_reports_every_error_with_its_line():
    text = ("slug,number,question,category\n"
            "good-one,1,好的？,售前\n"
            "Bad Slug,2,坏的？,售前\n"
            "no-question,3,,售中\n"
            '"multi-line",4,"第一行\n第二行",售后\n'
            "wrong-cat,five,数字？,售货\n"
            "good-one,6,重复？,售前\n")
    parsed = parse_upload("broken.csv", text.encode())
    lines = sorted((e.line, e.message.split(":")[0]) for e in parsed.errors)
    assert lines == [(3, "slug"), (4, "question"), (7, "number"), (8, "duplicate slug 'good-one' (first in broken.csv")]
    assert not parsed.ok


def test_broken_markdown_reports_the_front_matter_line():
    text = "---\nslug: ok-slug\nnumber: 2\nquestion: 问题？\ncategory: 售货\nstatus: on_shelf\n---\n\n正文\n"
    item, err, _ = parse_markdown_item(text, "x.md")
    assert item is None and err.line == 5 and "category" in err.message
    item, err, _ = parse_markdown_item("slug: no-front-matter\n", "y.md")
    assert item is None and err.line == 1
    item, err, _ = parse_markdown_item("---\nslug: [unclosed\n---\n", "z.md")
    assert item is None and err.line >= 2 and "YAML" in err.message


@pytest.mark.parametrize("category, expected", [
    ("presale", "售前"), ("insale", "售中"), ("aftersale", "售后"), ("AfterSale", "售后"),
    (" 售中 ", "售中"), ("售后", "售后"), ("", "售前")])
def test_category_codes_and_names_are_accepted(category, expected):
    text = f"---\nslug: c-test\nquestion: 分类？\ncategory: '{category}'\n---\n正文\n"
    item, err, _ = parse_markdown_item(text, "c.md")
    assert err is None and item.category == expected


def test_front_matter_variants():
    # Block and flow lists, a quoted number, a list given as a "|" string (as in CSV), no body, `...` closing.
    text = ("---\nslug: variants\nnumber: '12'\nquestion: 变体？\nanswer: 一句话\ncategory: insale\n"
            "keywords:\n  - 发货\n  - fh\nexamples: 发了吗|什么时候发\nstatus: on_shelf\n...\n")
    item, err, _ = parse_markdown_item(text, "v.md")
    assert err is None, err
    assert (item.number, item.category, item.keywords, item.examples, item.body) == \
        (12, "售中", ("发货", "fh"), ("发了吗", "什么时候发"), "")


def test_duplicate_on_shelf_numbers_are_rejected(demo):
    first, second = demo[0], demo[1]
    clash = [first.with_changes(number=5, status="on_shelf"), second.with_changes(number=5, status="on_shelf")]
    parsed = parse_upload("clash.zip", items_to_zip(clash))
    assert [e.file for e in parsed.errors] == [f"{second.slug}.md"]
    assert "number 5" in parsed.errors[0].message
    drafts = [first.with_changes(number=5, status="draft"), second.with_changes(number=5, status="on_shelf")]
    assert parse_upload("ok.zip", items_to_zip(drafts)).ok


def test_zip_upload_is_checked_and_bounded():
    assert "not a valid zip" in parse_upload("x.zip", b"not a zip").errors[0].message
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "ignored")
    assert "no .md files" in parse_upload("empty.zip", buf.getvalue()).errors[0].message
    assert "expected" in parse_upload("x.xlsx", b"PK").errors[0].message


def test_cli_import_is_all_or_nothing_and_idempotent(server, demo, tmp_path):
    """`studio catalog import`: new items once, then unchanged; a broken file changes nothing and names file:line.
    Runs against the shared studio with items of its own (drafts), so other tests' items are untouched."""
    own = [i.with_changes(slug=f"cli-{i.slug}"[:64], status="draft") for i in demo[:4]]
    folder = tmp_path / "own"
    export_catalog(own, folder)
    first = server.cli("catalog", "import", str(folder))
    assert "created 4, updated 0, unchanged 0, rejected 0" in first.stdout
    again = server.cli("catalog", "import", str(folder))
    assert "created 0, updated 0, unchanged 4, rejected 0" in again.stdout

    exported = tmp_path / "export.csv"
    server.cli("catalog", "export", str(exported))
    rows = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8-sig"), newline="")))
    status_col = rows[0].index("status")
    changed_slug, original_status = rows[1][0], rows[1][status_col]
    rows[1][status_col] = "archived" if original_status != "archived" else "draft"  # a valid change…
    rows[6][0] = "NOT A SLUG"  # …in a file that is broken further down
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, row in enumerate(rows):
        if i == 6:
            broken_line = out.getvalue().count("\n") + 1  # bodies span lines: count where the record starts
        writer.writerow(row)
    bad = tmp_path / "bad.csv"
    bad.write_text("\ufeff" + out.getvalue(), encoding="utf-8")
    r = server.cli("catalog", "import", str(bad), check=False)
    assert r.returncode == 1
    assert f"bad.csv:{broken_line}: slug" in r.stderr and "nothing was applied" in r.stdout

    stored = server.session(server.tokens["producer"]).get(f"{server.url}/api/faq/{changed_slug}").json()
    assert stored["status"] == original_status  # nothing of the broken file was applied


def test_api_import_and_export(server):
    producer = server.session(server.tokens["producer"])
    csv_bytes = producer.get(server.url + "/api/catalog/export?format=csv").content
    assert csv_bytes.startswith("\ufeffslug,".encode())
    r = producer.post(server.url + "/api/catalog/import", files={"file": ("catalog.csv", csv_bytes)})
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 0 and r.json()["updated"] == 0 and r.json()["applied"]

    zipped = producer.get(server.url + "/api/catalog/export?format=zip")
    assert zipped.headers["Content-Type"] == "application/zip"
    r = producer.post(server.url + "/api/catalog/import?dry_run=1", files={"file": ("catalog.zip", zipped.content)})
    assert r.json()["dry_run"] and r.json()["updated"] == 0

    before = requests.get(server.url + "/api/faq/coupon-claim").json()
    broken = ("slug,number,question,status\n"
              "coupon-claim,2,改掉的问题？,on_shelf\n"
              "x y,3,坏行？,on_shelf\n")
    r = producer.post(server.url + "/api/catalog/import", files={"file": ("broken.csv", broken.encode())})
    assert r.status_code == 422
    body = r.json()
    assert "nothing was changed" in body["error"] and not body["applied"]
    assert [(e["file"], e["line"]) for e in body["errors"]] == [("broken.csv", 3)]
    assert requests.get(server.url + "/api/faq/coupon-claim").json() == before

    assert producer.post(server.url + "/api/catalog/import").status_code == 400
    assert producer.get(server.url + "/api/catalog/export?format=xls").status_code == 400


def test_renumber_is_all_or_nothing(server):
    producer = server.session(server.tokens["producer"])
    url = server.url + "/api/catalog/renumber"
    on_shelf = producer.get(server.url + "/api/faq?status=on_shelf").json()["items"]
    first = [i for i in on_shelf if i["number"] in (1, 2, 3)]
    assert [i["number"] for i in first] == [1, 2, 3]
    a, b, c = (i["slug"] for i in first)

    swapped = producer.post(url, json={"slugs": [b, a, c]})
    assert swapped.status_code == 200
    assert [(i["slug"], i["number"]) for i in swapped.json()["items"]] == [(b, 1), (a, 2), (c, 3)]
    revisions = {i["slug"]: i["revision"] for i in swapped.json()["items"]}
    assert revisions[c] == first[2]["revision"] and revisions[a] == first[0]["revision"] + 1

    for body, status in (({"slugs": [b, c]}, 400),        # would give c number 2 while a keeps it: refused
                         ({"slugs": [a, a]}, 400), ({"slugs": [a, "no-such-item"]}, 404), ({"slugs": []}, 400)):
        r = producer.post(url, json=body)
        assert r.status_code == status and r.json()["error"], body
    assert producer.get(f"{server.url}/api/faq/{c}").json()["revision"] == revisions[c]  # nothing half-done

    back = producer.post(url, json={"slugs": [a, b, c]})
    assert [(i["slug"], i["number"]) for i in back.json()["items"]] == [(a, 1), (b, 2), (c, 3)]
