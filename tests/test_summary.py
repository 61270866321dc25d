"""The summary workbook from hand-made records (no scorer involved): sheets, columns, totals, ranking."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import python_calamine as pc
import pytest

from jixiao_xlsx.write import summary as S
from jixiao_xlsx.rules.profile import load_profile

PROFILE = load_profile()
STARTED = dt.datetime(2023, 3, 1, 9, 30, 0)


def rec(file, unit, project, budget, executed, rate, scores, total, grade, self_total, errors=0, hints=0,
        indicators=(), findings=()):
    return {
        "file": file, "errors": errors, "hints": hints, "blocked": total is None, "scored": None,
        "scored_error": None,
        "result": {
            "file": file, "unit": unit, "department": "白云区财政局", "project": project, "year": "2022",
            "budget": {"initial": budget, "adjusted": budget, "executed": executed, "rate": rate},
            "scores": dict(zip(("execution", "output", "effect", "satisfaction"), scores)),
            "total": total, "grade": grade, "self_reported_total": self_total,
            "indicators": list(indicators), "findings": list(findings),
        },
    }  # fmt: skip


IND = {"level1": "产出指标", "level2": "数量指标", "level3": "建立大支部", "kind": "positive", "target": "≥40个",
       "actual": "40个", "weight": 8, "score": 8, "self_score": 8, "rule": "positive"}  # fmt: skip
EVIL = "=HYPERLINK(\"http://x\",\"点我\")"

RECORDS = [
    # 京溪街: 100 / 100 -> 100%, total 100 优, self 100 -> 差异 0
    rec("京溪街/a.xlsx", "京溪街道办事处", "长者饭堂", 100, 100, 1, (10, 50, 30, 10), 100, "优", 100, indicators=[IND]),
    # 嘉禾街: 120 / 103.5 -> 86.25% (spec §3), total 8.63 + 40 + 25.5 + 8 = 82.13 良, self 90 -> 差异 +7.87
    rec("嘉禾街/b.xlsx", "嘉禾街道办事处", "党建经费", 120, 103.5, 0.8625, (8.63, 40, 25.5, 8), 82.13, "良", 90,
        errors=1, hints=2, indicators=[IND, dict(IND, level3=EVIL, score=4.5)],
        findings=[{"severity": "错误", "code": "EXECUTION_OVER_BUDGET", "sheet": "预算执行", "cell": "D3",
                   "message": EVIL}]),
    # 嘉禾街 second project: blocked (execution missing) -> no rate, no total, still listed
    rec("嘉禾街/c.xlsx", "嘉禾街道办事处", "城中村治理", 50, None, None, (None, 30, None, 10), None, None, None,
        errors=2),
    # 同和街: 200 / 172.49 -> r = 0.86245 shown 0.8625 (spec §3), total 82.13 again: ties with 嘉禾街
    rec("同和街/d.xlsx", "同和街道办事处", "垃圾分类", 200, 172.49, 0.8625, (8.62, 40.01, 25.5, 8), 82.13, "良", 80),
]  # fmt: skip
UNREADABLE = [("石井街/坏.xlsx", "这是一个文本文件，不是Excel工作簿。")]
SKIPPED = [("嘉禾街/~$b.xlsx", "临时锁定文件，已跳过。")]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("s") / "汇总.xlsx"
    S.write_summary(RECORDS, UNREADABLE, SKIPPED, out, PROFILE, STARTED)
    wb = pc.CalamineWorkbook.from_path(str(out))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


def test_every_sheet_with_its_columns(book):
    assert list(book) == list(S.SHEETS)
    assert tuple(book[S.SUMMARY_SHEET][0]) == S.SUMMARY_COLUMNS
    assert tuple(book[S.RANK_SHEET][0]) == S.RANK_COLUMNS
    assert tuple(book[S.INDICATOR_SHEET][0]) == S.INDICATOR_COLUMNS
    assert tuple(book[S.FINDINGS_SHEET][0]) == S.FINDING_COLUMNS
    assert tuple(book[S.FAILED_SHEET][0]) == S.FAILED_COLUMNS
    assert tuple(book[S.ABOUT_SHEET][0][:2]) == S.ABOUT_COLUMNS
    charts = book[S.CHART_SHEET]
    assert tuple(charts[1][:2]) == S.GRADE_TABLE_COLUMNS


def _rows(sheet):
    head = sheet[0]
    return [dict(zip(head, r)) for r in sheet[1:]]


def test_rows_sorted_by_unit_project_file_in_pinyin_order(book):
    rows = _rows(book[S.SUMMARY_SHEET])[:-1]
    # GB18030 order is pinyin order for these: 嘉(jia) < 京(jing) < 同(tong); 城(cheng) < 党(dang)
    assert [(r["实施单位"], r["项目名称"]) for r in rows] == [
        ("嘉禾街道办事处", "城中村治理"),
        ("嘉禾街道办事处", "党建经费"),
        ("京溪街道办事处", "长者饭堂"),
        ("同和街道办事处", "垃圾分类"),
    ]


def test_blocked_project_listed_with_parts_and_empty_total(book):
    r = _rows(book[S.SUMMARY_SHEET])[0]
    assert r["源文件"] == "嘉禾街/c.xlsx"
    assert r["总分"] == "" and r["等级"] == "" and r["执行率"] == ""
    assert r["产出得分"] == 30 and r["满意度得分"] == 10 and r["错误数"] == 2


def test_difference_is_self_minus_computed(book):
    rows = {r["源文件"]: r for r in _rows(book[S.SUMMARY_SHEET])[:-1]}
    assert rows["嘉禾街/b.xlsx"]["差异"] == pytest.approx(7.87)  # 90 - 82.13
    assert rows["京溪街/a.xlsx"]["差异"] == 0  # 100 - 100
    assert rows["同和街/d.xlsx"]["差异"] == pytest.approx(-2.13)  # 80 - 82.13
    assert rows["嘉禾街/c.xlsx"]["差异"] == ""  # no total, no difference


def test_totals_row_arithmetic(book):
    total = _rows(book[S.SUMMARY_SHEET])[-1]
    assert total["实施单位"] == S.TOTAL_LABEL
    # only projects with both amounts (issue #17): c.xlsx has 全年预算数 50 but no 全年执行数, left out
    # Σ全年预算数 = 100 + 120 + 200 = 420
    assert total["全年预算数"] == pytest.approx(420)
    # Σ全年执行数 = 100 + 103.5 + 172.49 = 375.99
    assert total["全年执行数"] == pytest.approx(375.99)
    # rate of the sums = 375.99 / 420 = 0.895214.. -> 0.8952 (4 decimals, half-up);
    # the mean of the three rates would be (1 + 0.8625 + 0.8625) / 3 = 0.9083 - not that
    assert total["执行率"] == pytest.approx(0.8952)
    assert total["项目名称"] == "4个项目；金额合计计入3个，1个项目全年执行数缺失，未计入合计"
    # counts: errors 0 + 1 + 2 + 0 = 3, hints 0 + 2 + 0 + 0 = 2
    assert total["错误数"] == 3 and total["提示数"] == 2
    assert total["源文件"] == "4个文件"


def test_money_totals_exact_decimal():
    b, e, r = S.money_totals(RECORDS)
    assert (b, e, r) == (Decimal("420"), Decimal("375.99"), Decimal("0.8952"))
    assert S.money_totals([]) == (Decimal(0), Decimal(0), None)  # no division by zero
    # a file without a 全年预算数 adds neither amount (issue #17): still 420 / 375.99
    no_budget = rec("石井街/e.xlsx", "石井街道办事处", "河涌保洁", None, 30, None, (None, 50, 30, 10), None, None, None,
                    errors=1)  # fmt: skip
    assert S.money_totals(RECORDS + [no_budget]) == (Decimal("420"), Decimal("375.99"), Decimal("0.8952"))


def test_ranking_ties_share_rank_and_unscored_last(book):
    rows = _rows(book[S.RANK_SHEET])
    assert [(r["名次"], r["源文件"]) for r in rows] == [
        (1, "京溪街/a.xlsx"),  # 100
        (2, "嘉禾街/b.xlsx"),  # 82.13, tie: summary order (嘉禾 before 同和)
        (2, "同和街/d.xlsx"),  # 82.13 shares rank 2
        ("", "嘉禾街/c.xlsx"),  # no total: last, no rank
    ]


def test_ranking_competition_numbering():
    recs = [rec(f"{i}.xlsx", "u", f"p{i}", 1, 1, 1, (10, 0, 0, 0), t, "差", None) for i, t in enumerate((90, 95, 95, 80))]
    assert [rank for rank, _ in S.ranking(recs)] == [1, 1, 3, 4]  # 95, 95, 90, 80


def test_charts_tables(book):
    sheet = book[S.CHART_SHEET]
    grades = {r[0]: r[1] for r in sheet[2:7]}
    assert grades == {"优": 1, "良": 2, "中": 0, "差": 0, S.NO_GRADE: 1}
    units = [r for r in sheet[10:] if r[0]]
    assert tuple(sheet[9]) == S.UNIT_TABLE_COLUMNS
    jiahe = units[0]
    # 嘉禾街: 2 projects, mean total of the one with a total (b) = 82.13 — c is not averaged as 0;
    # money over b only (c has no 全年执行数): Σ预算 120, Σ执行 103.5, rate 103.5 / 120 = 0.8625
    # (before issue #17: 170 / 103.5 / 0.6088, c's budget counted without its execution)
    assert jiahe == ["嘉禾街道办事处", 2, pytest.approx(82.13), 120, 103.5, pytest.approx(0.8625), 1, 1]


def test_indicator_long_table(book):
    rows = _rows(book[S.INDICATOR_SHEET])
    assert len(rows) == 3  # 2 rows of b.xlsx, 1 of a.xlsx, none for c/d
    assert rows[0]["源文件"] == "嘉禾街/b.xlsx" and rows[0]["指标类型"] == "正向"
    assert rows[1]["三级指标"] == EVIL  # clerk text stays text
    assert rows[1]["得分"] == 4.5 and rows[1]["分值"] == 8


def test_findings_and_failed_and_about(book):
    f = _rows(book[S.FINDINGS_SHEET])
    assert f == [{"源文件": "嘉禾街/b.xlsx", "实施单位": "嘉禾街道办事处", "工作表": "预算执行", "单元格": "D3",
                  "严重程度": "错误", "问题代码": "EXECUTION_OVER_BUDGET", "问题说明": EVIL}]  # fmt: skip
    failed = _rows(book[S.FAILED_SHEET])
    assert [(r["源文件"], r["情况"]) for r in failed] == [("石井街/坏.xlsx", S.FAILED_READ), ("嘉禾街/~$b.xlsx", S.FAILED_SKIPPED)]
    about = {r[0]: r[1] for r in book[S.ABOUT_SHEET][1:]}
    assert about["汇总时间"] == "2023-03-01 09:30:00"
    assert about["评分规则"].startswith("national-2020")
    assert (about["找到的自评工作簿"], about["已评分"], about["未能处理"], about["已跳过（临时锁定文件、隐藏文件等）"]) == (5, 4, 1, 1)


def test_text_is_never_a_formula(tmp_path):
    import zipfile

    out = tmp_path / "s.xlsx"
    S.write_summary(RECORDS, UNREADABLE, SKIPPED, out, PROFILE, STARTED)
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        formulas = "".join(z.read(n).decode() for n in sheets).count("<f>")
    # only our own totals-row formulas: 2 sums, 1 rate, 2 counts
    assert formulas == 5


def test_empty_batch_still_writes(tmp_path):
    out = tmp_path / "s.xlsx"
    S.write_summary([], UNREADABLE, [], out, PROFILE, STARTED)
    wb = pc.CalamineWorkbook.from_path(str(out))
    rows = wb.get_sheet_by_name(S.SUMMARY_SHEET).to_python()
    assert rows[1][0] == S.TOTAL_LABEL and rows[1][6] == ""  # no budget: no rate


def test_output_never_replaces_an_input(tmp_path):
    from jixiao_xlsx.write.output import OutputError

    src = tmp_path / "a.xlsx"
    src.write_bytes(b"x")
    r = rec(str(src), "u", "p", 1, 1, 1, (10, 0, 0, 0), 10, "差", None)
    with pytest.raises(OutputError):
        S.write_summary([r], [], [], src, PROFILE, STARTED)
    assert src.read_bytes() == b"x"


def test_rows_beyond_excel_last_row_are_counted_not_lost_silently(tmp_path, monkeypatch):
    monkeypatch.setattr(S, "MAX_ROW", 2)  # room for 2 indicator rows below the header
    out = tmp_path / "s.xlsx"
    S.write_summary(RECORDS, [], [], out, PROFILE, STARTED)  # 3 indicator rows in RECORDS
    wb = pc.CalamineWorkbook.from_path(str(out))
    assert len(wb.get_sheet_by_name(S.INDICATOR_SHEET).to_python()) == 3  # header + 2
    about = {r[0]: r[1] for r in wb.get_sheet_by_name(S.ABOUT_SHEET).to_python()}
    assert about["指标明细未列出"].startswith("1行")


def test_writer_closed_by_the_with_block_alone_writes_the_workbook(tmp_path):
    out = tmp_path / "s.xlsx"
    with S.SummaryWriter(out, PROFILE, STARTED) as sw:
        for r in RECORDS:
            sw.add(r)  # no sw.close(): leaving the block closes it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]
    assert len(_rows(pc.CalamineWorkbook.from_path(str(out)).get_sheet_by_name(S.INDICATOR_SHEET).to_python())) == 3


def test_an_error_while_writing_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "s.xlsx"
    with pytest.raises(RuntimeError):
        with S.SummaryWriter(out, PROFILE, STARTED) as sw:
            sw.add(RECORDS[0])
            raise RuntimeError("disk gone")
    assert list(tmp_path.iterdir()) == []


def test_an_amount_beyond_a_float_gives_error_cells_not_invalid_xml(tmp_path):
    import re
    import zipfile

    huge = 10**400  # "1" and 400 zeros typed as a budget: a valid Decimal, inf as a float
    r = rec("石井街/e.xlsx", "石井街道办事处", "巨额", huge, huge, 1, (10, 50, 30, 10), 100, "优", 100)
    out = tmp_path / "s.xlsx"
    S.write_summary([r], [], [], out, PROFILE, STARTED)
    with zipfile.ZipFile(out) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "inf" not in xml.lower().replace("info", "")  # no <v>inf</v> / <v>INF</v> anywhere
    assert re.search(r'<c r="E2"[^>]* t="e"><f>1/0</f><v>#DIV/0!</v></c>', xml)  # the budget, as xlsxwriter writes inf
    # the totals row's cached value (SUMIFS over the rows with both amounts, issue #17)
    assert '<f>SUMIFS(E2:E2,E2:E2,"&lt;&gt;",F2:F2,"&lt;&gt;",E2:E2,"&lt;&gt;0")</f><v>#DIV/0!</v>' in xml


def test_findings_columns_are_named_as_in_a_scored_workbook():
    """A bureau filtering 问题清单 in the summary and in a street's scored workbook meets the same names."""
    from jixiao_xlsx.write.scored import FINDING_HEADERS

    assert {h for h, _w in FINDING_HEADERS} - {"序号"} <= set(S.FINDING_COLUMNS)


def test_duplicate_groups_need_unit_and_project():
    def rec(f, unit, project, year=2022):
        return {"file": f, "result": {"unit": unit, "project": project, "year": year}}

    records = [rec("a", "嘉禾街", "经费"), rec("b", "嘉禾街", "经 费"), rec("c", "", "经费"), rec("d", "", "经费"),
               rec("e", "京溪街", None), rec("f", "京溪街", None), rec("g", "嘉禾街", "经费", 2023)]
    # in summary order ("经 费" sorts before "经费"); a blank unit or project: nothing says they match
    assert S.duplicate_groups(records) == [["b", "a"]]
    assert S.duplicate_message(["1", "2", "3", "4", "5"], "2").startswith("与“1”、“3”、“4”等4个文件的")
    assert S.duplicate_message(["1", "2", "3", "4"], "4").startswith("与“1”、“2”、“3”的")  # three others: no 等
    # a group of 3,000 (one workbook copied over and over): linear, each message names three others
    big = [rec(f"f{i:04d}", "嘉禾街", "经费") for i in range(3000)]
    (group,) = S.duplicate_groups(big)
    assert len(group) == 3000 and len(S.duplicate_message(group, group[0])) < 200


def test_year_note_one_year_or_several():
    def rec(year):
        return {"file": "f", "result": {"year": year}}

    assert S.year_note([]) is None
    assert S.year_note([rec(2022), rec("2022")]) == ("年度", "2022年2个")  # the same year typed as text
    label, text = S.year_note([rec(2022), rec(2023), rec(2022), rec(None)])
    assert label == "年度不一" and text.startswith("2022年2个、2023年1个、未填年度1个；")
