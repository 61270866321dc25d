"""Issue #17: district aggregates cover what they say — the 合计 row, --json totals, 图表 and 说明.

A project missing 全年预算数 or 全年执行数 is left out of both money sums (never added to one side only),
a project without a total is left out of the mean 总分 (never averaged as 0), and each aggregate says
how many projects it covers.
"""
from __future__ import annotations

import json
from decimal import Decimal

import python_calamine as pc
from click.testing import CliRunner

from jixiao_xlsx.cli import main
from jixiao_xlsx.rules.profile import load_profile
from jixiao_xlsx.write import aggregates as A
from jixiao_xlsx.write import summary as S
from jixiao_xlsx.write.template import write_template
from tests.test_batch import data

PROFILE = load_profile()


def _batch(tmp_path, books: dict):
    """Write each {name: data} workbook, run ``jixiao batch --json``; (json doc, {sheet: rows})."""
    files = []
    for name, d in books.items():
        write_template(tmp_path / name, d)
        files.append(str(tmp_path / name))
    out = tmp_path / "汇总.xlsx"
    r = CliRunner().invoke(main, ["batch", *files, "-o", str(out), "--jobs", "1", "--json"])
    assert r.exit_code in (0, 1), r.output
    wb = pc.CalamineWorkbook.from_path(str(out))
    return json.loads(r.stdout), {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


def _total_row(book):
    head, last = book[S.SUMMARY_SHEET][0], book[S.SUMMARY_SHEET][-1]
    return dict(zip(head, last))


def _about(book):
    return {r[0]: r[1] for r in book[S.ABOUT_SHEET][1:]}


A_BOOK = data("嘉禾街道办事处", "A项目", (100, 100, 100))  # 10 + 90 = 100 优
B_NO_BUDGET = data("京溪街道办事处", "B项目", (100, None, 80))  # 全年预算数 blank: blocks the total


def test_issue_example_100_100_100_percent_and_the_note(tmp_path):
    doc, book = _batch(tmp_path, {"A.xlsx": A_BOOK, "B.xlsx": B_NO_BUDGET})
    total = _total_row(book)
    # only A has both amounts: 100 / 100 -> 100 %, not 100 / (100 + 80) = 180 %
    assert (total["全年预算数"], total["全年执行数"], total["执行率"]) == (100, 100, 1)
    assert "1个项目全年预算数缺失，未计入合计" in total["项目名称"]
    t = doc["totals"]
    assert (t["budget"], t["executed"], t["rate"]) == (100, 100, 1)
    assert t["money_projects"] == 1 and t["money_left_out"] == {"全年预算数缺失": 1}
    assert t["money_note"] == "1个项目全年预算数缺失，未计入合计"
    # the mean 总分 is A's alone (B has no total and is not averaged as 0: (100 + 0) / 2 = 50 would be wrong)
    assert (t["mean_total"], t["with_total"], t["without_total"]) == (100, 1, 1)
    about = _about(book)
    assert (about["合计：全年预算数"], about["合计：全年执行数"], about["合计：执行率"]) == (100, 100, 1)
    assert about["合计：计入的项目"] == "1个项目（共2个）；1个项目全年预算数缺失，未计入合计"
    assert about["平均总分"] == 100
    # 图表, per unit: 京溪街 has no project with both amounts -> blank money, not 0; 0 projects covered
    units = {r[0]: r for r in book[S.CHART_SHEET] if r and r[0] in ("嘉禾街道办事处", "京溪街道办事处")}
    assert units["嘉禾街道办事处"] == ["嘉禾街道办事处", 1, 100, 100, 100, 1, 1, 1]
    assert units["京溪街道办事处"] == ["京溪街道办事处", 1, "", "", "", "", 0, 0]
    grades = {r[0]: r[1] for r in book[S.CHART_SHEET][2:7]}
    assert grades["优"] == 1 and grades[S.NO_GRADE] == 1  # B counted as 未评定, not dropped


def test_blank_execution_is_left_out_of_both_sums(tmp_path):
    no_exec = data("同和街道办事处", "C项目", (100, 50, None))
    doc, book = _batch(tmp_path, {"A.xlsx": A_BOOK, "C.xlsx": no_exec})
    total = _total_row(book)
    # C's 全年预算数 50 is not added without its 全年执行数: 100 / 100, not 150 / 100 = 66.67 %
    assert (total["全年预算数"], total["全年执行数"], total["执行率"]) == (100, 100, 1)
    assert "1个项目全年执行数缺失，未计入合计" in total["项目名称"]
    assert doc["totals"]["money_left_out"] == {"全年执行数缺失": 1}


def test_blocked_file_with_both_amounts_is_in_the_money_totals(tmp_path):
    # D blocks (满意度 actual blank) but its funds table is complete: 100 / 90 counts
    blocked = data("永平街道办事处", "D项目", (100, 100, 90), actual_sat="")
    doc, book = _batch(tmp_path, {"A.xlsx": A_BOOK, "D.xlsx": blocked})
    total = _total_row(book)
    # Σ预算 100 + 100 = 200; Σ执行 100 + 90 = 190; 190 / 200 = 0.95
    assert (total["全年预算数"], total["全年执行数"], total["执行率"]) == (200, 190, 0.95)
    assert total["项目名称"] == "2个项目"  # nothing left out, nothing to say
    t = doc["totals"]
    assert (t["money_projects"], t["money_left_out"], t["money_note"]) == (2, {}, "")
    assert (t["mean_total"], t["with_total"]) == (100, 1)  # D has no total: A's 100 alone


def test_every_file_blocked(tmp_path):
    blocked = data("永平街道办事处", "D项目", (100, 100, 90), actual_sat="")
    doc, book = _batch(tmp_path, {"B.xlsx": B_NO_BUDGET, "D.xlsx": blocked})
    total = _total_row(book)
    # money over D only (B has no 全年预算数): 100 / 90 = 0.9
    assert (total["全年预算数"], total["全年执行数"], total["执行率"]) == (100, 90, 0.9)
    t = doc["totals"]
    assert (t["mean_total"], t["with_total"], t["without_total"]) == (None, 0, 2)
    assert t["grades"] == {}
    about = _about(book)
    assert about["平均总分"].startswith("无")
    assert about["平均总分：计入的项目"].startswith("0个有总分的项目（共2个）")
    grades = {r[0]: r[1] for r in book[S.CHART_SHEET][2:7]}
    assert grades[S.NO_GRADE] == 2 and sum(grades.values()) == 2


def _rec(budget, executed, total=None, grade=None):
    return {"file": "x", "errors": 0, "hints": 0,
            "result": {"budget": {"adjusted": budget, "executed": executed}, "total": total, "grade": grade}}


def test_district_totals_pure():
    recs = [_rec(100, 100, 90, "优"), _rec(None, 80), _rec(50, None), _rec(None, None), _rec(20, 10, 70, "中"),
            _rec(0, 40)]  # a 0 budget would add its 40 alone, as a blank budget would
    t = A.district_totals(recs, PROFILE)
    # both amounts: 100/100 and 20/10 -> Σ120 / Σ110; 110 / 120 = 0.916666.. -> 0.9167
    assert (t["budget"], t["executed"], t["rate"]) == (Decimal(120), Decimal(110), Decimal("0.9167"))
    assert t["money_projects"] == 2
    assert t["money_left_out"] == {"全年预算数缺失": 1, "全年预算数为0": 1, "全年执行数缺失": 1,
                                   "全年预算数和全年执行数均缺失": 1}
    assert t["money_note"] == ("1个项目全年预算数缺失、1个项目全年预算数为0、1个项目全年执行数缺失、"
                               "1个项目全年预算数和全年执行数均缺失，未计入合计")
    # mean of the two totals (90 + 70) / 2 = 80; four projects without a total are not zeros
    assert (t["mean_total"], t["with_total"], t["without_total"]) == (Decimal("80.00"), 2, 4)
    assert t["grades"] == {"优": 1, "良": 0, "中": 1, "差": 0, A.NO_GRADE: 4}
    empty = A.district_totals([])
    assert (empty["budget"], empty["rate"], empty["mean_total"], empty["money_note"]) == (0, None, None, "")


def test_no_data_rows_no_circular_formula(tmp_path):
    """An all-unreadable batch: the 合计 row holds numbers, not a SUM over its own cell."""
    import openpyxl

    out = tmp_path / "s.xlsx"
    S.write_summary([], [("坏.xlsx", "不是工作簿")], [], out, PROFILE, "2023-03-01")
    ws = openpyxl.load_workbook(out)[S.SUMMARY_SHEET]
    assert [c.value for c in ws[2]][4:6] == [0, 0]
    assert not any(isinstance(c.value, str) and c.value.startswith("=") for c in ws[2])


def test_district_brief_reads_the_same_totals(tmp_path):
    """The bureau's brief (issue #14) states the summary's sums: 100 / 100 / 100 % and the note, not 180 %."""
    import docx

    files = []
    for name, d in {"A.xlsx": A_BOOK, "B.xlsx": B_NO_BUDGET}.items():
        write_template(tmp_path / name, d)
        files.append(str(tmp_path / name))
    brief = tmp_path / "汇总分析.docx"
    r = CliRunner().invoke(main, ["batch", *files, "-o", str(tmp_path / "汇总.xlsx"), "--jobs", "1",
                                  "--brief", str(brief)])
    assert r.exit_code in (0, 1), r.output
    text = "\n".join(p.text for p in docx.Document(str(brief)).paragraphs)
    assert "全年预算数合计100万元，全年执行数合计100万元，总体预算执行率100%（1个项目全年预算数缺失，未计入合计）" in text
