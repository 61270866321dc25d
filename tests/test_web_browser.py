"""`jixiao serve` in a real browser: Debian's headless Chromium driven by Playwright.

The tests start the server themselves (waitress on a free port, in a thread) and stop it at the end.
Skipped only when Chromium is not installed (``.ci/run`` installs it from Debian packages)."""
from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.support.badbooks import data, write_template

ROOT = Path(__file__).resolve().parent.parent
JIAHE = ROOT / "samples" / "jiahe-2022.xlsx"
DISTRICT = ROOT / "samples" / "district"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package `chromium`; .ci/run installs it)")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def server():
    from jixiao_xlsx.web.server import Server
    from jixiao_xlsx.web.uploads import Limits

    s = Server("127.0.0.1", 0, limits=Limits(file_bytes=200 * 1024))
    s.start_thread()
    yield s
    s.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    ctx = browser.new_context(accept_downloads=True, locale="zh-CN")
    pg = ctx.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(e))
    pg.goto(server.url)
    yield pg
    assert not pg.errors  # no script error on the page
    ctx.close()


def test_jiahe_scores_100_you_with_its_hint_and_the_scored_workbook(page, tmp_path):
    page.set_input_files("#single-input", str(JIAHE))
    page.wait_for_selector("#single-result:not([hidden])")
    assert page.text_content("#total") == "100.00"
    assert page.text_content("#grade") == "优"
    assert page.text_content("#rate") == "100.00%"
    parts = page.eval_on_selector_all("#parts tbody tr", "rows => rows.map(r => r.innerText.split('\\t'))")
    assert parts == [["预算执行率", "10.00"], ["产出指标", "50.00"], ["效益指标", "30.00"], ["满意度指标", "10.00"]]
    rows = page.eval_on_selector_all("#findings tbody tr", "rows => rows.map(r => Array.from(r.cells, c => c.textContent))")
    assert rows == [["提示", "绩效指标!G10", "ACTUAL_IS_BOUND", "实际完成值“超过5000人”已按5000人计分。"]]
    with page.expect_download() as dl:
        page.click("#single-downloads a[data-kind=scored]")
    d = dl.value
    assert d.suggested_filename == "jiahe-2022.scored.xlsx"
    out = tmp_path / d.suggested_filename
    d.save_as(out)
    wb = CalamineWorkbook.from_path(str(out))
    assert "评分结果" in wb.sheet_names
    cells = [v for row in wb.get_sheet_by_name("评分结果").to_python() for v in row]
    assert 100 in cells and "优" in cells
    with page.expect_download() as dl:
        page.click("#single-downloads a[data-kind=report]")
    assert dl.value.suggested_filename == "jiahe-2022.自评报告.docx"
    import docx

    dl.value.save_as(tmp_path / "r.docx")
    text = "\n".join(p.text for p in docx.Document(str(tmp_path / "r.docx")).paragraphs)
    assert "100万元" in text and "优" in text


def test_template_download(page, tmp_path):
    with page.expect_download() as dl:
        page.click("#template-link")
    out = tmp_path / "t.xlsx"
    dl.value.save_as(out)
    assert "绩效指标" in CalamineWorkbook.from_path(str(out)).sheet_names


def test_district_zip_gives_the_summary_and_lists_unreadable_files(page, tmp_path):
    z = tmp_path / "各街道自评表.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in sorted(DISTRICT.rglob("*")):
            if p.is_file() and p.suffix != ".py":
                zf.write(p, p.relative_to(DISTRICT.parent))
    page.set_input_files("#batch-input", str(z))
    page.wait_for_selector("#batch-downloads a", timeout=60_000)
    assert page.text_content("#batch-count") == "已处理 12 / 12 个"
    assert "已评分 10 个" in page.text_content("#batch-status")
    failed = page.eval_on_selector_all("#failed tbody tr", "rows => rows.map(r => r.cells[0].textContent)")
    assert "district/石井街/石井街-自评表（请查收）.xlsx" in failed and "district/新市街/新市街-自评表.xlsx" in failed
    with page.expect_download() as dl:
        page.click("#batch-downloads a[data-kind=summary]")
    out = tmp_path / "summary.xlsx"
    dl.value.save_as(out)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("汇总").to_python()
    assert len(rows) == 12  # header, ten streets, totals


def test_text_file_renamed_xlsx_gets_a_chinese_message(page, tmp_path):
    fake = tmp_path / "石井街-自评表.xlsx"
    fake.write_text("项目名称,得分\n党建,100\n", encoding="utf-8")
    page.set_input_files("#single-input", str(fake))
    page.wait_for_selector("#single-status.error")
    from jixiao_xlsx.api import evaluate_file
    from jixiao_xlsx.read.book import UnreadableFile

    with pytest.raises(UnreadableFile) as e:
        evaluate_file(str(fake))
    assert "不是Excel工作簿" in e.value.reason  # the reader's own words, shown as they are
    assert page.text_content("#single-status") == f"“石井街-自评表.xlsx”无法评分：{e.value.reason}"
    assert page.is_hidden("#single-result")


def test_script_in_a_cell_is_shown_as_text(page, tmp_path):
    d = data()
    d["info"]["项目名称"] = "<script>window.pwned=1</script>党建"
    d["indicators"][0]["实际完成值"] = "<img src=x onerror=\"window.pwned=2\">"
    src = tmp_path / "xss.xlsx"
    write_template(src, d)
    page.set_input_files("#single-input", str(src))
    page.wait_for_selector("#single-result:not([hidden])")
    assert "<script>window.pwned=1</script>党建" in page.text_content("#result-project")
    messages = page.eval_on_selector_all("#findings tbody tr td:last-child", "cs => cs.map(c => c.textContent)")
    assert any("<img src=x" in m for m in messages)
    assert page.evaluate("window.pwned") is None
    assert page.eval_on_selector_all("#single-result script, #single-result img", "e => e.length") == 0


def test_oversized_upload_is_refused_with_the_limit(page, tmp_path):
    big = tmp_path / "大文件.xlsx"
    big.write_bytes(JIAHE.read_bytes() + b"\0" * (300 * 1024))  # the test server allows 200 KB per workbook
    page.set_input_files("#single-input", str(big))
    page.wait_for_selector("#single-status.error")
    assert "“大文件.xlsx”超过 200KB 的上限" in page.text_content("#single-status")
    # the server says the same when the page's own check is bypassed
    status = page.evaluate("""async () => {
        const f = new FormData();
        f.append('file', new Blob([new Uint8Array(300 * 1024)]), '大文件.xlsx');
        const cfg = JSON.parse(document.body.dataset.config);
        const r = await fetch('/api/score', {method: 'POST', body: f, headers: {'X-Jixiao-Token': cfg.token}});
        return [r.status, (await r.json()).error];
    }""")
    assert status[0] == 413 and "200KB" in status[1]


def test_a_foreign_page_cannot_post(page, server):
    status = page.evaluate("""async () => {
        const f = new FormData();
        f.append('file', new Blob(['x']), 'a.xlsx');
        const r = await fetch('/api/score', {method: 'POST', body: f});
        return [r.status, (await r.json()).error];
    }""")
    assert status[0] == 403 and "刷新页面" in status[1]


def test_a_chosen_folder_is_summarised_like_jixiao_batch_does(page):
    page.set_input_files("#batch-folder", str(DISTRICT))  # an <input webkitdirectory>: the whole tree
    page.wait_for_selector("#batch-downloads a", timeout=60_000)
    assert "已评分 10 个" in page.text_content("#batch-status")
    failed = page.eval_on_selector_all("#failed tbody tr", "rows => rows.map(r => Array.from(r.cells, c => c.textContent))")
    unreadable = sorted(f[0] for f in failed if f[1] == "未能处理")
    assert unreadable == ["district/新市街/新市街-自评表.xlsx", "district/石井街/石井街-自评表（请查收）.xlsx"]
    # make_district.py (not a workbook) never left the browser; the Mac resource file is skipped with a reason
    assert not any("make_district" in f[0] for f in failed)
