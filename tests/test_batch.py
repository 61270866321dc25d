"""jixiao batch end to end: discovery, skipping, broken files, --jobs, --scored-dir, --json, exit codes."""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
from pathlib import Path

import python_calamine as pc
import pytest
from click.testing import CliRunner

from jixiao_xlsx import batch as B
from jixiao_xlsx.read import book as B_book
from jixiao_xlsx.write import summary as S
from jixiao_xlsx.cli import main
from jixiao_xlsx.rules.profile import load_profile
from jixiao_xlsx.write.template import write_template

PROFILE = load_profile()
JIAHE = Path(__file__).resolve().parents[1] / "samples" / "jiahe-2022.xlsx"
STARTED = dt.datetime(2023, 3, 1, 9, 30, 0)
SAME = "自评表.xlsx"


def ind(l1, l2, name, target, actual, w):
    return {"一级指标": l1, "二级指标": l2, "三级指标": name, "指标方向": "正向", "年度指标值": target, "计量单位": "",
            "实际完成值": actual, "完成档次": "", "分值": w, "自评得分": None, "偏差原因分析及改进措施": ""}  # fmt: skip


def data(unit, project, funds, actual_sat="95%", alloc_actual=None):
    """All indicators met (50 + 30 + 10 = 90 points) unless ``actual_sat`` is blank (blocks)."""
    return {
        "info": {"项目名称": project, "主管部门": "白云区财政局", "实施单位": unit, "年度": 2022},
        "funds": {"年度资金总额": funds, "当年财政拨款": funds},
        "allocations": [{"用途": project, "拨付对象": unit, "计划金额": funds[1],
                         "实际金额": funds[2] if alloc_actual is None else alloc_actual, "说明": ""}],
        "indicators": [
            ind("产出指标", "数量指标", "建立经济社大支部", "≥40个", "40个", 50),
            ind("效益指标", "社会效益指标", "接待参观人数", "≥5000人", "5200人", 30),
            ind("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", actual_sat, 10),
        ],
    }  # fmt: skip


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    """嘉禾街 and 京溪街 send the same file name; one workbook has an error, one is blocked;
    a renamed text file, an empty file, a lock file, a hidden file and a hidden folder."""
    root = tmp_path_factory.mktemp("district")
    # total 10 + 90 = 100 优
    write_template(root / "嘉禾街" / SAME, data("嘉禾街道办事处", "党建工作经费", (100, 100, 100)))
    # r = 103.5 / 120 = 0.8625, execution 10 x 0.8625 = 8.625 -> 8.63 (spec §3); total 8.63 + 90 = 98.63 优
    write_template(root / "京溪街" / SAME, data("京溪街道办事处", "长者饭堂经费", (100, 120, 103.5)))
    # 105 > 100: EXECUTION_OVER_BUDGET (error, not blocking), rate 1.05, score capped 10; total 100
    write_template(root / "同和街" / "同和街.xlsx", data("同和街道办事处", "垃圾分类经费", (100, 100, 105)))
    # 满意度 actual blank: ACTUAL_MISSING blocks the total
    write_template(root / "永平街" / "永平街.xlsx", data("永平街道办事处", "出租屋管理经费", (100, 100, 100), actual_sat=""))
    (root / "石井街").mkdir()
    (root / "石井街" / "石井街.xlsx").write_text("不是工作簿\n", encoding="utf-8")
    (root / "石井街" / "空.xlsx").write_bytes(b"")
    (root / "嘉禾街" / ("~$" + SAME)).write_bytes(b"\x05owner" + b"\x00" * 100)
    (root / "京溪街" / ".隐藏.xlsx").write_bytes(b"")
    (root / ".cache").mkdir()
    write_template(root / ".cache" / "旧.xlsx", data("旧", "旧", (1, 1, 1)))
    (root / "说明.docx").write_bytes(b"not excel, ignored")
    return root


GOOD = ("嘉禾街/" + SAME, "京溪街/" + SAME)
WITH_ERRORS = ("同和街/同和街.xlsx", "永平街/永平街.xlsx")
BROKEN = ("石井街/石井街.xlsx", "石井街/空.xlsx")


def rel(root, p):
    return Path(p).relative_to(root).as_posix()


def test_discover_skips_lock_and_hidden_in_fixed_order(district):
    files, skipped = B.discover([district])
    assert [rel(district, f) for f in files] == [
        "京溪街/" + SAME, "同和街/同和街.xlsx", "嘉禾街/" + SAME, "永平街/永平街.xlsx", "石井街/石井街.xlsx", "石井街/空.xlsx",
    ]  # fmt: skip  (sorted by code point, as os.scandir names)
    reasons = {rel(district, p): r for p, r in skipped}
    assert reasons == {".cache": B.SKIP_HIDDEN_DIR, "京溪街/.隐藏.xlsx": B.SKIP_HIDDEN_FILE, "嘉禾街/~$" + SAME: B.SKIP_LOCK}


def test_a_street_that_sent_another_format_is_listed_with_what_to_send(tmp_path):
    """.et, .csv and a zip of workbooks are what a street may send instead of an .xlsx: the batch
    takes them (read by content), so 未能处理 says what each is and what to send; Word/PDF are ignored."""
    import zipfile

    from tests.support import badbooks

    root = tmp_path / "区"
    (root / "嘉禾街").mkdir(parents=True)
    write_template(root / "嘉禾街" / "嘉禾街.et", data("嘉禾街道办事处", "党建经费", (100, 100, 100)))  # an .xlsx inside
    (root / "京溪街").mkdir()
    (root / "京溪街" / "京溪街.et").write_bytes(badbooks.cfb({"WpsContent": b"\x01"}))  # WPS's own format
    (root / "同和街").mkdir()
    (root / "同和街" / "导出.csv").write_text("项目名称,预算\n垃圾分类,100\n", encoding="utf-8")
    (root / "同和街" / "自评报告.docx").write_bytes(b"PK\x03\x04 report")
    (root / "同和街" / "盖章扫描件.pdf").write_bytes(b"%PDF-1.4")
    with zipfile.ZipFile(root / "永平街.zip", "w") as z:
        z.write(JIAHE, "永平街/自评表.xlsx")
    (root / "松洲街").mkdir()
    with zipfile.ZipFile(root / "松洲街" / "自评表.numbers", "w") as z:  # a Numbers document, one file
        z.writestr("Index/Document.iwa", b"\x00")
    (root / "松洲街" / "旧版.numbers" / "Index").mkdir(parents=True)  # … or a package folder
    with zipfile.ZipFile(root / "松洲街" / "旧版.numbers" / "Index.zip", "w") as z:
        z.writestr("Document.iwa", b"\x00")
    files, skipped = B.discover([root])
    assert [rel(root, f) for f in files] == [
        "京溪街/京溪街.et", "同和街/导出.csv", "嘉禾街/嘉禾街.et", "松洲街/自评表.numbers", "永平街.zip"]
    assert [(rel(root, f), why) for f, why in skipped] == [("松洲街/旧版.numbers", B.SKIP_NUMBERS_DIR)]
    out = tmp_path / "汇总.xlsx"
    r = CliRunner().invoke(main, ["batch", str(root), "-o", str(out), "--jobs", "1"])
    assert r.exit_code == 1, r.output  # three submissions could not be read
    book = _read_all(out)
    assert [rel(root, x[-1]) for x in book[S.SUMMARY_SHEET][1:-1]] == ["嘉禾街/嘉禾街.et"]
    reasons = {rel(root, x[0]): x[2] for x in book[S.FAILED_SHEET][1:]}
    assert reasons["京溪街/京溪街.et"] == B_book.WPS_ET
    assert "CSV" in reasons["同和街/导出.csv"] and "标准模板" in reasons["同和街/导出.csv"]
    assert "压缩包" in reasons["永平街.zip"] and "解压" in reasons["永平街.zip"]
    assert reasons["松洲街/自评表.numbers"] == B_book.NUMBERS and reasons["松洲街/旧版.numbers"] == B.SKIP_NUMBERS_DIR
    assert set(reasons) == {"京溪街/京溪街.et", "同和街/导出.csv", "永平街.zip", "松洲街/自评表.numbers",
                            "松洲街/旧版.numbers"}  # no Word/PDF row


def test_a_zip_already_unzipped_beside_itself_is_skipped(tmp_path):
    """The bureau unzips a street's archive where it lies: its workbooks are read, the archive is
    skipped (not reported on every run); one not (fully) unzipped is still reported."""
    import zipfile

    root = tmp_path / "区"
    root.mkdir()
    for name, members in (("永平街.zip", ("永平街/自评表.xlsx", "附表.xlsx")), ("同和街.zip", ("自评表.xlsx",)),
                          ("石井街.zip", ("石井街/自评表.xlsx", "石井街/补充.xlsx")), ("坏.zip", ("../外面.xlsx",))):
        with zipfile.ZipFile(root / name, "w") as z:
            for m in members:
                z.write(JIAHE, m)
    (root / "永平街").mkdir()  # extracted "here"
    shutil.copy(JIAHE, root / "永平街" / "自评表.xlsx")
    shutil.copy(JIAHE, root / "附表.xlsx")
    (root / "同和街").mkdir()  # extracted into a folder named after the zip
    shutil.copy(JIAHE, root / "同和街" / "自评表.xlsx")
    (root / "石井街").mkdir()  # only half extracted
    shutil.copy(JIAHE, root / "石井街" / "自评表.xlsx")
    shutil.copy(JIAHE, tmp_path / "外面.xlsx")  # outside the folder: never counts as extracted
    files, skipped = B.discover([root])
    assert sorted(rel(root, f) for f, why in skipped if why == B.SKIP_EXTRACTED_ZIP) == ["同和街.zip", "永平街.zip"]
    assert "石井街.zip" in [rel(root, f) for f in files] and "坏.zip" in [rel(root, f) for f in files]
    assert "永平街/自评表.xlsx" in [rel(root, f) for f in files]


def test_one_project_sent_twice_is_flagged_not_silently_summed(tmp_path):
    """A street re-sends a corrected workbook and the first stays in the folder: the district totals
    count both, so each file gets a DUPLICATE_PROJECT 提示 naming the other (same 实施单位, 项目名称,
    年度 after whitespace/full-width normalisation); another year or another project is not flagged."""
    root = tmp_path / "区"
    root.mkdir()
    write_template(root / "a-自评表.xlsx", data("嘉禾街道办事处", "党建工作经费", (100, 100, 100)))
    write_template(root / "b-自评表（修改）.xlsx", data(" 嘉禾街道办事处", "党建工作经费\u3000", (100, 100, 90)))
    other_year = data("嘉禾街道办事处", "党建工作经费", (100, 100, 100))
    other_year["info"]["年度"] = 2023
    write_template(root / "c-2023.xlsx", other_year)
    write_template(root / "d-其他.xlsx", data("嘉禾街道办事处", "长者饭堂经费", (50, 50, 50)))
    out = tmp_path / "汇总.xlsx"
    r = CliRunner().invoke(main, ["batch", str(root), "-o", str(out), "--jobs", "1", "--json"])
    assert r.exit_code == 0, r.output  # a 提示: the files themselves are clean
    doc = json.loads(r.stdout)
    a, b = str(root / "a-自评表.xlsx"), str(root / "b-自评表（修改）.xlsx")
    assert doc["totals"]["duplicates"] == [[b, a]]  # summary order: b's unit as typed starts with a space
    # the totals still sum every file (as the summary's SUM does): 100 + 100 + 100 + 50 = 350 budget,
    # 100 + 90 + 100 + 50 = 340 executed — the message says so, the bureau decides which file stays
    assert (doc["totals"]["budget"], doc["totals"]["executed"]) == (350, 340)
    book = _read_all(out)
    dup = [x for x in book[S.FINDINGS_SHEET][1:] if x[5] == S.DUPLICATE_PROJECT]
    assert [(x[0], x[4]) for x in dup] == [(b, "提示"), (a, "提示")]
    assert f"“{a}”" in dup[0][6] and f"“{b}”" in dup[1][6] and "只保留一份" in dup[0][6]
    hints = {x["file"]: sum(1 for f in x["findings"] if f["severity"] == "提示") for x in doc["files"]}
    head = book[S.SUMMARY_SHEET][0]
    shown = {x[-1]: x[head.index("提示数")] for x in book[S.SUMMARY_SHEET][1:-1]}
    assert shown == {f: hints[f] + (f in (a, b)) for f in hints}  # the file's own hints, plus this one
    about = dict((x[0], x[1]) for x in book[S.ABOUT_SHEET][1:])
    assert "1组共2个文件" in about["疑似重复报送"]
    assert "疑似重复报送 1 组" in r.stderr
    # c-2023 is of another year: the totals mix two years, which 说明 and the console say
    assert about["年度不一"].startswith("2022年3个、2023年1个；") and "年度不一：2022年3个、2023年1个" in r.stderr
    assert "年度" not in about


def test_discover_dedupes_and_takes_named_files(district, tmp_path):
    f = district / "同和街" / "同和街.xlsx"
    files, _ = B.discover([f, district / "同和街", f])
    assert files == [str(f)]
    files, skipped = B.discover([district / "嘉禾街" / ("~$" + SAME)])
    assert files == [] and skipped[0][1] == B.SKIP_LOCK


def _read_all(path) -> dict:
    wb = pc.CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


def _summary(district, tmp_path, jobs, name):
    run = B.run_batch([district], PROFILE, jobs=jobs)
    out = tmp_path / name
    S.write_summary(run.records, run.unreadable, run.skipped, out, PROFILE, STARTED)
    return run, _read_all(out)


def test_folder_of_good_bad_and_broken_files(district, tmp_path):
    run, book = _summary(district, tmp_path, 1, "s.xlsx")
    assert not run.ok
    listed = [r[-1] for r in book[S.SUMMARY_SHEET][1:-1]]
    failed = [r[0] for r in book[S.FAILED_SHEET][1:] if r[1] == S.FAILED_READ]
    # every input appears exactly once, in 汇总 or in 未能处理
    assert sorted(rel(district, p) for p in listed + failed) == sorted(GOOD + WITH_ERRORS + BROKEN)
    rows = {rel(district, r["源文件"]): r for r in (dict(zip(book[S.SUMMARY_SHEET][0], x)) for x in book[S.SUMMARY_SHEET][1:-1])}
    assert rows["嘉禾街/" + SAME]["总分"] == 100 and rows["嘉禾街/" + SAME]["等级"] == "优"
    assert rows["京溪街/" + SAME]["预算执行得分"] == pytest.approx(8.63)  # 10 x 0.8625 = 8.625 -> 8.63
    assert rows["京溪街/" + SAME]["总分"] == pytest.approx(98.63)  # 8.63 + 50 + 30 + 10
    assert rows["同和街/同和街.xlsx"]["执行率"] == pytest.approx(1.05) and rows["同和街/同和街.xlsx"]["错误数"] >= 1
    assert rows["永平街/永平街.xlsx"]["总分"] == "" and rows["永平街/永平街.xlsx"]["产出得分"] == 50
    # totals row by hand: Σ预算 100 + 120 + 100 + 100 = 420; Σ执行 100 + 103.5 + 105 + 100 = 408.5;
    # rate 408.5 / 420 = 0.972619.. -> 0.9726 (the mean of the rates would be 0.978125)
    total = dict(zip(book[S.SUMMARY_SHEET][0], book[S.SUMMARY_SHEET][-1]))
    assert (total["全年预算数"], total["全年执行数"], total["执行率"]) == (420, 408.5, pytest.approx(0.9726))
    reasons = {rel(district, r[0]): r[2] for r in book[S.FAILED_SHEET][1:]}
    assert "文本文件" in reasons["石井街/石井街.xlsx"] and "空" in reasons["石井街/空.xlsx"]
    assert reasons["嘉禾街/~$" + SAME] == B.SKIP_LOCK
    codes = {r[5] for r in book[S.FINDINGS_SHEET][1:]}
    assert {"EXECUTION_OVER_BUDGET", "ACTUAL_MISSING"} <= codes


def test_same_summary_for_one_and_two_jobs(district, tmp_path):
    run1, one = _summary(district, tmp_path, 1, "one.xlsx")
    run2, two = _summary(district, tmp_path, 2, "two.xlsx")
    assert run2.jobs == 2
    assert one == two


def test_cli_same_workbook_for_one_and_two_jobs(district, tmp_path):
    books = []
    for jobs in ("1", "2"):
        out = tmp_path / f"cli{jobs}.xlsx"
        r = CliRunner().invoke(main, ["batch", str(district), "-o", str(out), "--jobs", jobs])
        assert r.exit_code == 1, r.output
        book = _read_all(out)
        book[S.ABOUT_SHEET] = [row for row in book[S.ABOUT_SHEET] if row[0] != "汇总时间"]  # the clock
        books.append(book)
    assert books[0] == books[1]


def test_internal_error_in_one_file_does_not_stop_the_batch(district, monkeypatch):
    from jixiao_xlsx import api

    real = api.evaluate_file

    def flaky(path, profile=None):
        if path.endswith("同和街.xlsx"):
            raise ZeroDivisionError("bug")
        return real(path, profile)

    monkeypatch.setattr(api, "evaluate_file", flaky)
    run = B.run_batch([district], PROFILE, jobs=1)
    reasons = {rel(district, f): r for f, r in run.unreadable}
    assert reasons["同和街/同和街.xlsx"] == B.INTERNAL_ERROR.format(name="ZeroDivisionError")
    assert len(run.records) == 3 and "ZeroDivisionError" in next(iter(run.tracebacks.values()))


def test_auto_jobs():
    import multiprocessing

    threshold = B.AUTO_JOBS_THRESHOLD[multiprocessing.get_context().get_start_method()]
    assert B.auto_jobs(1) == 1
    assert B.auto_jobs(threshold - 1) == 1
    assert B.auto_jobs(threshold) == min(B.cpu_count(), threshold)
    assert B.auto_jobs(10_000) == B.cpu_count()


# -- scored-workbook names --------------------------------------------------------------------------


def test_scored_names_never_collide():
    files = ["in/嘉禾街/自评表.xlsx", "in/京溪街/自评表.xlsx", "in/a/b/x.xlsx", "in/a_b/x.xlsx", "in/a/b/X.xls",
             "in/CON.xlsx", 'in/q"<>|?*.xlsx', "in/" + "长" * 150 + ".xlsx", "in/../in/..x.xlsx"]  # fmt: skip
    names = B.scored_names(files)
    assert names["in/嘉禾街/自评表.xlsx"] == "嘉禾街__自评表.scored.xlsx"
    assert names["in/京溪街/自评表.xlsx"] == "京溪街__自评表.scored.xlsx"
    lowered = [n.lower() for n in names.values()]
    assert len(set(lowered)) == len(files)  # distinct even on a case-insensitive disk
    # a/b/x, a_b/x and a/b/X meet as "a_b__x": all three get a hash of their full path
    for f in ("in/a/b/x.xlsx", "in/a_b/x.xlsx", "in/a/b/X.xls"):
        assert names[f].startswith("a_b__") and "~" in names[f]
    assert names["in/CON.xlsx"] == "_CON.scored.xlsx"
    for n in names.values():
        assert not set('<>:"/\\|?*') & set(n) and ".." not in n.replace(".scored.xlsx", "")
        assert len(n.encode("utf-8")) <= 200  # file systems count bytes (output.MAX_NAME_BYTES)


def test_cli_duplicate_names_with_scored_dir(district, tmp_path):
    out, scored = tmp_path / "汇总.xlsx", tmp_path / "scored"
    r = CliRunner().invoke(main, ["batch", str(district), "-o", str(out), "--scored-dir", str(scored), "--jobs", "2"])
    assert r.exit_code == 1, r.output
    names = sorted(p.name for p in scored.iterdir())
    # the blocked 永平街 file gets no scored workbook (as with jixiao score); the two 自评表.xlsx both do
    assert names == sorted(["京溪街__自评表.scored.xlsx", "同和街__同和街.scored.xlsx", "嘉禾街__自评表.scored.xlsx"])
    for p in scored.iterdir():
        assert "评分结果" in pc.CalamineWorkbook.from_path(str(p)).sheet_names
    # a second run into the same folder does not read its own outputs back
    r2 = CliRunner().invoke(main, ["batch", str(district), str(scored), "-o", str(out), "--scored-dir", str(scored)])
    assert "已评分 4 个" in r2.stdout


# -- command line -----------------------------------------------------------------------------------


def test_cli_writes_summary_and_exits_1(district, tmp_path):
    out = tmp_path / "汇总.xlsx"
    r = CliRunner().invoke(main, ["batch", str(district), "-o", str(out)])
    assert r.exit_code == 1
    assert "共 6 个自评工作簿：已评分 4 个（其中有错误 2 个），未能处理 2 个；已跳过 3 个。" in r.stdout
    assert "Traceback" not in r.output and "it/s" not in r.stderr  # no progress bar when not a terminal
    assert list(_read_all(out)) == list(S.SHEETS)


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux file systems take names that are not UTF-8")
def test_a_gbk_file_name_never_stops_the_batch(tmp_path):
    """A zip made on Windows and unpacked on a Linux server leaves GBK names (not UTF-8): the batch
    scores the file, the summary shows the name in Chinese, --json gives back the real path."""
    folder = tmp_path / "收件"
    folder.mkdir()
    gbk = os.path.join(os.fsencode(folder), "嘉禾街".encode("gbk") + b".xlsx")
    shutil.copy(JIAHE, gbk)
    shutil.copy(JIAHE, folder / "ok.xlsx")
    out, scored = tmp_path / "汇总.xlsx", tmp_path / "评分"
    r = CliRunner().invoke(main, ["batch", str(folder), "-o", str(out), "--scored-dir", str(scored), "--json"])
    assert r.exit_code == 0, r.output
    files = [e["file"] for e in json.loads(r.stdout)["files"]]
    assert sorted(os.fsencode(f) for f in files) == sorted([gbk, os.fsencode(folder / "ok.xlsx")])
    rows = _read_all(out)[S.SUMMARY_SHEET]
    assert sorted(row[-1] for row in rows[1:3]) == sorted([str(folder / "嘉禾街.xlsx"), str(folder / "ok.xlsx")])
    assert sorted(p.name for p in scored.iterdir()) == ["ok.scored.xlsx", "嘉禾街.scored.xlsx"]


def test_an_amount_beyond_a_float_never_stops_the_summary(tmp_path):
    # "1" + 400 zeros + ".5" is a valid amount to the scorer (Decimal); as a float it is inf, which
    # made the summary's rate Decimal(inf)/Decimal(inf) raise and lose the whole batch
    huge = "1" + "0" * 400 + ".5"
    write_template(tmp_path / "in" / "a.xlsx", data("石井街道办事处", "巨额", (huge, huge, huge)))
    out = tmp_path / "汇总.xlsx"
    r = CliRunner().invoke(main, ["batch", str(tmp_path / "in"), "-o", str(out), "--json"])
    assert "内部错误" not in r.output and out.exists()
    totals = json.loads(r.stdout)["totals"]
    assert totals["budget"] == 10**400  # Decimal's 28 significant digits; a whole JSON number, not inf
    assert totals["rate"] == 1


def test_progress_bar_only_on_a_terminal(monkeypatch):
    import io

    from jixiao_xlsx import cli

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(cli.sys, "stderr", io.StringIO())
    quiet = cli._progress_bar(3)
    quiet.update(1)
    quiet.close()
    assert cli.sys.stderr.getvalue() == ""
    term = Terminal()
    monkeypatch.setattr(cli.sys, "stderr", term)
    bar = cli._progress_bar(3)
    bar.update(1)
    bar.refresh()
    assert "评分" in term.getvalue() and "1/3" in term.getvalue()  # files done / total
    bar.close()


def test_cli_all_good_exits_0(district, tmp_path):
    out = tmp_path / "ok.xlsx"
    r = CliRunner().invoke(main, ["batch", str(district / "嘉禾街"), str(district / "京溪街"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.exists()


def test_cli_json(district, tmp_path):
    out = tmp_path / "j.xlsx"
    r = CliRunner().invoke(main, ["batch", str(district), "-o", str(out), "--json"])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    files = {rel(district, f["file"]): f for f in doc["files"]}
    assert sorted(files) == sorted(GOOD + WITH_ERRORS + BROKEN)
    assert files["嘉禾街/" + SAME]["total"] == 100 and files["嘉禾街/" + SAME]["grade"] == "优"
    assert set(files["石井街/空.xlsx"]) == {"file", "error", "code"} and files["石井街/空.xlsx"]["code"] == "FILE_EMPTY"
    assert "indicators" in files["京溪街/" + SAME] and "findings" in files["京溪街/" + SAME]
    t = doc["totals"]
    assert (t["found"], t["scored"], t["failed"], t["skipped"]) == (6, 4, 2, 3)
    assert (t["budget"], t["executed"], t["rate"]) == (420, 408.5, 0.9726)


def test_cli_usage_errors_exit_2(district, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["batch", str(district)]).exit_code == 2  # no -o
    empty = tmp_path / "empty"
    empty.mkdir()
    r = runner.invoke(main, ["batch", str(empty), "-o", str(tmp_path / "x.xlsx")])
    assert r.exit_code == 2 and "没有找到" in r.stderr and not (tmp_path / "x.xlsx").exists()
    target = district / "同和街" / "同和街.xlsx"
    before = target.read_bytes()
    r = runner.invoke(main, ["batch", str(target), "-o", str(target)])
    assert r.exit_code == 2 and target.read_bytes() == before
    # a clerk's workbook inside an input folder is not overwritten by the summary either
    r = runner.invoke(main, ["batch", str(district / "同和街"), "-o", str(target)])
    assert r.exit_code == 2 and target.read_bytes() == before
    assert runner.invoke(main, ["batch", str(tmp_path / "missing"), "-o", str(tmp_path / "x.xlsx")]).exit_code == 2


def test_a_workbook_of_someone_else_at_the_output_path_is_never_replaced(district, tmp_path):
    # outside every input folder too: only a summary jixiao wrote may be replaced
    other = tmp_path / "elsewhere" / "财政所台账.xlsx"
    other.parent.mkdir()
    shutil.copy(JIAHE, other)
    before = other.read_bytes()
    r = CliRunner().invoke(main, ["batch", str(district / "同和街"), "-o", str(other)])
    assert r.exit_code == 2 and other.read_bytes() == before
    assert "不是 jixiao 生成的汇总表" in r.stderr and "换一个汇总表文件名" in r.stderr
    summary = tmp_path / "elsewhere" / "汇总.xlsx"
    for _ in range(2):  # a summary written before is replaced on the next run
        assert CliRunner().invoke(main, ["batch", str(district / "同和街"), "-o", str(summary)]).exit_code == 1


def test_summary_inside_input_folder_is_replaced_not_read(district, tmp_path):
    out = district / "汇总.xlsx"
    try:
        r1 = CliRunner().invoke(main, ["batch", str(district), "-o", str(out)])
        r2 = CliRunner().invoke(main, ["batch", str(district), "-o", str(out)])
        assert r1.exit_code == r2.exit_code == 1
        assert "共 6 个自评工作簿" in r2.stdout
    finally:
        out.unlink(missing_ok=True)


def test_committed_district_samples(tmp_path):
    """The README's command on samples/district/: every workbook listed once, broken ones explained."""
    samples = Path(__file__).resolve().parent.parent / "samples" / "district"
    out = tmp_path / "汇总.xlsx"
    r = CliRunner().invoke(main, ["batch", str(samples), "-o", str(out)])
    assert r.exit_code == 1, r.output
    book = _read_all(out)
    listed = [x[-1] for x in book[S.SUMMARY_SHEET][1:-1]]
    failed = [x[0] for x in book[S.FAILED_SHEET][1:] if x[1] == S.FAILED_READ]
    assert len(listed) == 10 and len(failed) == 2
    assert len({str(Path(p).parent) for p in listed}) >= 8  # at least 8 streets
    units = {x[0] for x in book[S.SUMMARY_SHEET][1:-1]}
    assert len(units) == 10
    assert not any(os.path.basename(p).startswith(("~$", ".")) for p in listed + failed)


@pytest.mark.skipif(__import__("multiprocessing").get_start_method() != "fork", reason="patch reaches workers via fork")
def test_worker_killed_by_a_file_costs_only_that_file(district, monkeypatch):
    from jixiao_xlsx import api

    real = api.evaluate_file

    def crash(path, profile=None):
        if path.endswith("同和街.xlsx"):
            os._exit(3)  # as a crash in native code would: no exception, the process is gone
        return real(path, profile)

    monkeypatch.setattr(api, "evaluate_file", crash)
    run = B.run_batch([district], PROFILE, jobs=2)
    reasons = {rel(district, f): r for f, r in run.unreadable}
    assert reasons["同和街/同和街.xlsx"] == B.WORKER_DIED
    assert run.scored == 3 and len(run.unreadable) == 3  # + the two broken files
    done = [r["file"] for r in run.records]
    assert done == [f for f in run.files if f in done]  # still in discovery order
