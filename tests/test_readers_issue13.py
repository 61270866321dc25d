"""Issue #13, the reader items: workbooks as clerks and budget systems really make them.

Template cases start from the 嘉禾街 data (tests/support/badbooks.JIAHE: 10 indicators on 绩效指标 rows
3..12, 产出 8+8+8+8+9+9 = 50, 效益 10+10+10 = 30, 满意度 10, funds 100/100/100, total 100.00). Official
cases start from the v1 form (tests/support/official_forms.build_v1: indicators from row 12, total
97.06 = 10 execution + 48 产出 (8+10+15+15) + 29.06 效益 (14.06+15) + 10 满意度).
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao_xlsx.api import evaluate_file, project_sheets
from jixiao_xlsx.batch import run_batch
from jixiao_xlsx.cli import main
from jixiao_xlsx.layout import IND_HEADERS
from jixiao_xlsx.read.book import UnreadableFile, open_book
from jixiao_xlsx.read.sheets import NotSelfEvaluation
from jixiao_xlsx.rules.profile import load_profile
from jixiao_xlsx.write.template import write_template
from tests.support import badbooks as bb
from tests.support import official_forms as of

P = load_profile()
V1_TOTAL = Decimal("97.06")


def _template(tmp_path, name="t.xlsx", data=None, edit=None) -> Path:
    p = tmp_path / name
    write_template(p, data or bb.data())
    if edit:
        wb = openpyxl.load_workbook(p)
        edit(wb)
        wb.save(p)
    return p


def _official(tmp_path, name="o.xlsx", indicators=of.V1_INDICATORS, edit=None) -> Path:
    p = of.build_v1(tmp_path / name, indicators=indicators)
    if edit:
        wb = openpyxl.load_workbook(p)
        edit(wb.active)
        wb.save(p)
    return p


def codes(result):
    return [f.code for f in result.findings]


# -- item 1: an indicator merged over two rows is one indicator ----------------------------------


def _merge_template(all_columns):
    def edit(wb):
        ws = wb["绩效指标"]
        ws.insert_rows(4)  # row 3 (出版连环画, 8) now spans rows 3-4
        for col in ("ABCDEFGHIJK" if all_columns else "C"):
            ws.merge_cells(f"{col}3:{col}4")
    return edit


@pytest.mark.parametrize("all_columns", [True, False])
def test_template_indicator_merged_over_two_rows_is_one(tmp_path, all_columns):
    r = evaluate_file(str(_template(tmp_path, edit=_merge_template(all_columns))), P)
    assert len(r.project.indicators) == 10
    assert r.total == Decimal("100.00")  # 10 + 50 + 30 + 10, not 110 (产出 58) nor blocked
    assert r.subtotals["output"] == Decimal("50")
    assert r.project.indicators[0].level3.ref == "C3"  # cited at the block's top-left cell
    assert "WEIGHT_INVALID" not in codes(r) and "WEIGHT_SUM_MISMATCH" not in codes(r)


def test_template_two_rows_with_own_values_stay_two(tmp_path):
    """A name merged over two rows that each carry their own target and weight: two indicators
    (the merge is decoration, the rows are data), so 产出 over-weights by 8 and says so."""
    def edit(wb):
        ws = wb["绩效指标"]
        ws.insert_rows(4)
        for c in range(1, 12):
            ws.cell(4, c).value = ws.cell(3, c).value
        ws.merge_cells("C3:C4")
    r = evaluate_file(str(_template(tmp_path, edit=edit)), P)
    assert len(r.project.indicators) == 11
    assert "WEIGHT_SUM_MISMATCH" in codes(r)  # 产出 58 ≠ 50


@pytest.mark.parametrize("all_columns", [True, False])
def test_official_indicator_merged_over_two_rows_is_one(tmp_path, all_columns):
    inds = [of.V1_INDICATORS[0]] + list(of.V1_INDICATORS)  # row 12 = row 13 = 开展培训场次 (10)

    def edit(ws):
        for col in ("DEFGHI" if all_columns else "D"):
            ws[f"{col}13"] = None
            ws.merge_cells(f"{col}12:{col}13")
        if not all_columns:
            for col in "EFGHI":
                ws[f"{col}13"] = None
    r = evaluate_file(str(_official(tmp_path, indicators=inds, edit=edit)), P)
    assert len(r.project.indicators) == 7
    assert r.total == V1_TOTAL
    assert r.project.indicators[0].weight.ref == "G12"
    assert not [f for f in r.findings if f.cell in ("G13", "H13", "D13")]


# -- item 2: a funds total row under other wordings ----------------------------------------------

TOTAL_WORDINGS = ["项目资金总额", "资金总额", "合计", "项目资金合计", "资金合计", "总计", "预算资金总额", "合计："]


@pytest.mark.parametrize("label", TOTAL_WORDINGS)
def test_template_funds_total_wordings(tmp_path, label):
    d = bb.data()
    d["funds"] = {"年度资金总额": (100, 100, 95), "当年财政拨款": (80, 80, 76), "上年结转资金": (20, 20, 19),
                  "其他资金": (None, None, None)}
    d["allocations"][1].update({"实际金额": 25})  # 70 + 25 = 95
    p = _template(tmp_path, data=d, edit=lambda wb: wb["预算执行"].__setitem__("A3", label))
    r = evaluate_file(str(p), P)
    b = r.as_dict()["budget"]
    assert (b["adjusted"], b["executed"]) == (100, 95)  # not 200/190
    assert "ALLOCATION_MISMATCH" not in codes(r) and "FUNDS_TOTAL_DERIVED" not in codes(r)


def test_template_funds_total_by_arithmetic(tmp_path):
    """An unknown label (项目经费) whose amounts are the sum of the rows below it is the total."""
    d = bb.data()
    d["funds"] = {"年度资金总额": (100, 100, 95), "当年财政拨款": (80, 80, 76), "上年结转资金": (20, 20, 19),
                  "其他资金": (None, None, None)}
    d["allocations"][1].update({"实际金额": 25})
    r = evaluate_file(str(_template(tmp_path, data=d, edit=lambda wb: wb["预算执行"].__setitem__("A3", "项目经费"))), P)
    assert r.as_dict()["budget"]["adjusted"] == 100  # 80 + 20, counted once


@pytest.mark.parametrize("label", ["项目资金总额", "资金合计", "项目经费"])
def test_official_funds_total_wordings(tmp_path, label):
    def edit(ws):
        ws["B5"] = label  # total 100/100/100 = 当年财政拨款 60 + 上年结转资金 40
        ws["C6"], ws["D6"], ws["E6"] = 60, 60, 60
        ws["C7"], ws["D7"], ws["E7"] = 40, 40, 40
    r = evaluate_file(str(_official(tmp_path, edit=edit)), P)
    b = r.as_dict()["budget"]
    assert (b["adjusted"], b["executed"]) == (100, 100)
    assert r.total == V1_TOTAL  # the execution score (10) still read from the total row


# -- item 4: hidden rows (scored, and said so: docs/decisions.md) ------------------------------------


def test_template_hidden_row_scored_and_named(tmp_path):
    d = bb.data()
    d["indicators"].append(bb._ind("产出指标", "数量指标", "旧指标（已取消）", "正向", "≥5个", "0个", 10, note="已取消"))

    def edit(wb):
        wb["绩效指标"].row_dimensions[13].hidden = True
    r = evaluate_file(str(_template(tmp_path, data=d, edit=edit)), P)
    assert len(r.project.indicators) == 11  # the hidden row counts, as before (tests/test_hostile 31_hidden_rows)
    hint = [f for f in r.findings if f.code == "HIDDEN_ROW_SCORED"]
    assert len(hint) == 1 and hint[0].severity == "提示" and hint[0].cell == "A13"
    assert "第13行" in hint[0].message and "旧指标（已取消）" in hint[0].message and "隐藏" in hint[0].message
    total = [f for f in r.findings if f.code == "WEIGHT_SUM_MISMATCH"]
    # 产出 8+8+8+8+9+9 = 50 plus the hidden 10 = 60: the message names the hidden row the clerk cannot see
    assert len(total) == 1 and "合计60" in total[0].message and "隐藏的第13行“旧指标（已取消）”，分值10" in total[0].message


def test_template_hidden_row_within_weights_only_hinted(tmp_path):
    r = evaluate_file(str(_template(tmp_path, edit=lambda wb: setattr(wb["绩效指标"].row_dimensions[5], "hidden", True))), P)
    assert r.total == Decimal("100.00")
    assert [f.code for f in r.findings if f.code.startswith("HIDDEN")] == ["HIDDEN_ROW_SCORED"]
    assert "WEIGHT_SUM_MISMATCH" not in codes(r)


def test_official_hidden_row_scored_and_named(tmp_path):
    inds = list(of.V1_INDICATORS)
    inds.insert(2, ("产出指标", "数量指标", "已取消指标", "≥5个", "0个", 10, 0, "已取消"))  # row 14

    def edit(ws):
        ws.row_dimensions[14].hidden = True
    r = evaluate_file(str(_official(tmp_path, indicators=inds, edit=edit)), P)
    assert len(r.project.indicators) == 8
    hint = [f for f in r.findings if f.code == "HIDDEN_ROW_SCORED"]
    assert hint and "第14行" in hint[0].message and "已取消指标" in hint[0].message
    assert any("隐藏的第14行" in f.message for f in r.findings if f.code == "WEIGHT_SUM_MISMATCH")


# -- item 5: an allocation total labelled in another column ----------------------------------------


@pytest.mark.parametrize("row", [
    {"拨付对象": "合计", "计划金额": 100, "实际金额": 100},
    {"说明": "合计", "计划金额": 100, "实际金额": 100},
    {"拨付对象": "小计：", "计划金额": 100, "实际金额": 100},
    {"计划金额": 100, "实际金额": 100},  # no label at all: the sum of the rows above
])
def test_allocation_total_line_not_summed(tmp_path, row):
    d = bb.data()
    d["allocations"].append(row)
    r = evaluate_file(str(_template(tmp_path, data=d)), P)
    assert len(r.project.allocations) == 2
    assert "ALLOCATION_MISMATCH" not in codes(r)


def test_allocation_unlabelled_row_that_is_not_a_sum_is_kept(tmp_path):
    d = bb.data()
    d["allocations"].append({"拨付对象": "街道", "计划金额": 5, "实际金额": 5})
    r = evaluate_file(str(_template(tmp_path, data=d)), P)
    assert len(r.project.allocations) == 3  # 70 + 30 + 5 = 105 ≠ 100: the clerk is told
    assert "ALLOCATION_MISMATCH" in codes(r)


# -- item 8: a 合计/总分 row merged across the name columns ------------------------------------------


@pytest.mark.parametrize("label,merge", [("合计", "A13:H13"), ("总分", "A13:C13"), ("总分（100分）", "A13:H13"),
                                         ("合  计", "B13:E13")])
def test_template_merged_total_row(tmp_path, label, merge):
    def edit(wb):
        ws = wb["绩效指标"]
        ws[merge.split(":")[0]] = label
        ws.merge_cells(merge)
        ws["I13"] = 90
    r = evaluate_file(str(_template(tmp_path, edit=edit)), P)
    assert r.total == Decimal("100.00") and len(r.project.indicators) == 10
    assert not {"LEVEL1_UNKNOWN", "QUAL_BAND_MISSING", "LEVEL2_UNKNOWN"} & set(codes(r))


# -- item 10: the official form split over two sheets ----------------------------------------------


@pytest.mark.parametrize("names", [("自评表", "绩效指标"), ("项目支出绩效自评表", "指标")])
def test_official_split_over_two_sheets(tmp_path, names):
    r = evaluate_file(str(of.build_split(tmp_path / "split.xlsx", *names)), P)
    assert r.project.layout == "official"
    assert r.total == V1_TOTAL
    assert r.project.name.value == "社区消防安全培训项目" and r.project.name.sheet == names[0]
    assert r.project.indicators[0].level3.sheet == names[1]
    assert not [f for f in r.findings if f.severity == "错误"]


# -- item 11: one finding per problem ----------------------------------------------------------------


@pytest.mark.parametrize("header,new", [("实际完成值", "完成情况"), ("年度指标值", "目标"), ("分值", "分数栏")])
def test_renamed_column_one_finding(tmp_path, header, new):
    col = "ABCDEFGHIJK"[IND_HEADERS.index(header)]
    r = evaluate_file(str(_template(tmp_path, edit=lambda wb: wb["绩效指标"].__setitem__(f"{col}2", new))), P)
    errors = [f for f in r.findings if f.severity == "错误"]
    assert [f.code for f in errors] == ["COLUMN_MISSING"], [(f.code, f.cell) for f in errors]
    assert header in errors[0].message and "改回" in errors[0].message
    assert r.total is None


# -- item 12: rows marked 不适用 -----------------------------------------------------------------------


@pytest.mark.parametrize("word,weight", [("不适用", None), ("不涉及", None), ("N/A", 0), ("本项目不适用", "不适用")])
def test_template_not_applicable_rows_skipped(tmp_path, word, weight):
    d = bb.data()
    d["indicators"].insert(6, bb._ind("效益指标", "经济效益指标", "经济效益", None, word, word, weight))  # row 9
    r = evaluate_file(str(_template(tmp_path, data=d)), P)
    assert r.total == Decimal("100.00") and len(r.project.indicators) == 10
    hint = [f for f in r.findings if f.code == "NOT_APPLICABLE_SKIPPED"]
    assert len(hint) == 1 and "第9行" in hint[0].message and hint[0].severity == "提示"
    assert not [f for f in r.findings if f.severity == "错误"]


def test_template_not_applicable_with_a_weight_is_an_indicator(tmp_path):
    """不适用 typed with a weight of 5: the weights must still add up, so the row stays (and is flagged)."""
    d = bb.data()
    d["indicators"].insert(6, bb._ind("效益指标", "经济效益指标", "经济效益", None, "不适用", "不适用", 5))
    r = evaluate_file(str(_template(tmp_path, data=d)), P)
    assert len(r.project.indicators) == 11 and "NOT_APPLICABLE_SKIPPED" not in codes(r)


def test_official_not_applicable_rows_skipped(tmp_path):
    inds = [i if i[2] else ("效益指标", "经济效益指标", "经济效益", "不适用", "不适用", None, None, None)
            for i in of.V1_INDICATORS]
    r = evaluate_file(str(_official(tmp_path, indicators=inds)), P)
    assert r.total == V1_TOTAL and len(r.project.indicators) == 7
    assert "NOT_APPLICABLE_SKIPPED" in codes(r)


# -- item 14: 预算执行率 as a 三级 indicator under 产出/数量 ---------------------------------------------


def test_official_budget_rate_under_output_is_an_indicator(tmp_path):
    inds = list(of.V1_INDICATORS)
    inds[1] = ("产出指标", "数量指标", "预算执行率", "≥90%", "95%", 10, 10, None)  # replaces 覆盖社区数 (10)
    r = evaluate_file(str(_official(tmp_path, indicators=inds)), P)
    names = [i.level3.value for i in r.project.indicators]
    assert "预算执行率" in names and len(names) == 7
    assert r.total == V1_TOTAL  # 95% ≥ 90%: 10 of 10, as 覆盖社区数 was; execution 10 from the funds row


def test_official_budget_rate_row_of_its_own_is_the_execution_line(tmp_path):
    inds = list(of.V1_INDICATORS) + [("预算执行率", None, "预算执行率", None, None, 10, 10, None)]
    r = evaluate_file(str(_official(tmp_path, indicators=inds)), P)
    assert "预算执行率" not in [i.level3.value for i in r.project.indicators]


# -- item 15: budget-system exports bundling several tables ------------------------------------------


def _info_sheet(p):
    f = of.Form("x")
    f.put(1, 1, "项目基本信息")
    f.put(2, 1, "项目名称")
    f.put(2, 2, "社区消防安全培训项目")
    f.put(3, 1, "实施单位")
    f.put(3, 2, "广州市白云区嘉禾街道办事处")
    return f.save(p)


def _monitor_sheet(p):
    f = of.Form("x")
    f.put(1, 1, "项目支出绩效目标执行监控表", to=(1, 6))
    f.row(3, 1, ["资金来源", "年初预算数", "全年预算数", "全年执行数"])
    f.row(4, 1, ["年度资金总额", 100, 100, 50])
    f.row(6, 1, ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值"])
    f.row(7, 1, ["产出指标", "数量指标", "开展培训场次", "≥20场", "8场", 50])
    return f.save(p)


BUNDLE = [("项目基本信息", _info_sheet), ("立项依据", _info_sheet), ("项目支出绩效目标申报表", of.build_declaration),
          ("执行监控", _monitor_sheet)]


@pytest.mark.parametrize("self_name,position", [("项目支出绩效自评表", -1), ("Sheet5", -1), ("项目支出绩效自评表", 0)])
def test_bundle_picks_the_self_evaluation(tmp_path, self_name, position):
    sheets = [(n, b, None) for n, b in BUNDLE]
    sheets.insert(len(sheets) if position == -1 else position, (self_name, of.build_v1, None))
    r = evaluate_file(str(of.build_sheets(tmp_path / "bundle.xlsx", sheets)), P)
    assert r.project.layout == "official"
    assert r.total == V1_TOTAL
    assert {i.level3.sheet for i in r.project.indicators} == {self_name}
    assert r.as_dict()["budget"]["executed"] == 100  # not the monitoring sheet's 50
    assert not [f for f in r.findings if f.severity == "错误"]


# -- item 16: a 绩效目标申报表 is refused in one line ------------------------------------------------------


@pytest.mark.parametrize("title", ["项目支出绩效目标申报表（2023年度）", "2023年度项目绩效目标表"])
def test_declaration_refused_with_code(tmp_path, title):
    p = of.build_declaration(tmp_path / "d.xlsx", title=title)
    with pytest.raises(NotSelfEvaluation) as e:
        evaluate_file(str(p), P)
    assert e.value.code == "FILE_IS_DECLARATION"
    assert "申报表" in e.value.reason and "自评表" in e.value.reason and "jixiao review" in e.value.reason


def test_declaration_in_check_score_and_batch(tmp_path):
    p = of.build_declaration(tmp_path / "d.xlsx")
    runner = CliRunner()
    for args in (["check", str(p)], ["score", str(p)]):
        res = runner.invoke(main, args)
        assert res.exit_code == 1
        lines = [l for l in res.output.splitlines() if l.strip()]
        assert len(lines) == 1 and "绩效目标申报表" in lines[0] and "jixiao review" in lines[0]
    res = runner.invoke(main, ["check", str(p), "--json"])
    assert json.loads(res.output)["code"] == "FILE_IS_DECLARATION"
    run = run_batch([str(p)], P, jobs=1)
    assert run.scored == 0 and "绩效目标申报表" in run.unreadable[0][1]
    res = runner.invoke(main, ["batch", str(p), "-o", str(tmp_path / "汇总.xlsx"), "--json"])
    assert [f["code"] for f in json.loads(res.stdout)["files"]] == ["FILE_IS_DECLARATION"]


def test_template_without_actual_column_is_not_a_declaration(tmp_path):
    p = _template(tmp_path, edit=lambda wb: wb["绩效指标"].__setitem__("G2", "完成情况"))
    assert "COLUMN_MISSING" in codes(evaluate_file(str(p), P))


# -- item 17: several projects in one workbook ---------------------------------------------------------


def _multi_inds():
    inds = list(of.V1_INDICATORS)
    inds[0] = inds[0][:4] + ("20场", 10, 10, None)  # 开展培训场次 20 of ≥20: 10 instead of 8
    return inds


def test_multi_project_workbook(tmp_path):
    p = of.build_multi(tmp_path / "m.xlsx", names=("消防培训", "社区服务"), indicators=(None, _multi_inds()))
    assert project_sheets(open_book(str(p)), P) == ["消防培训", "社区服务"]
    r = evaluate_file(str(p), P)
    hint = [f for f in r.findings if f.code == "MULTIPLE_PROJECTS"]
    assert hint and "2个项目" in hint[0].message and "--sheet" in hint[0].message
    assert r.total == V1_TOTAL
    r2 = evaluate_file(str(p), P, "社区服务")
    assert r2.total == V1_TOTAL + 2 and r2.project.name.value == "社区服务"  # 99.06
    assert "MULTIPLE_PROJECTS" not in codes(r2)
    with pytest.raises(UnreadableFile) as e:
        evaluate_file(str(p), P, "没有这个表")
    assert "消防培训" in e.value.reason


def test_multi_project_cli_and_batch(tmp_path):
    p = of.build_multi(tmp_path / "m.xlsx", names=("消防培训", "社区服务"), indicators=(None, _multi_inds()))
    runner = CliRunner()
    res = runner.invoke(main, ["score", str(p), "--sheet", "社区服务", "--json"])
    assert json.loads(res.output)["total"] == 99.06
    res = runner.invoke(main, ["score", str(p), "--sheet", "社区服务"])
    assert (tmp_path / "m-社区服务.scored.xlsx").exists()
    run = run_batch([str(p)], P, jobs=1, scored_dir=tmp_path / "scored")
    assert run.scored == 1 and len(run.records) == 2
    assert [r["result"]["total"] for r in run.records] == [97.06, 99.06]
    assert all("工作表" in r["file"] and r["result"]["sheet"] in r["file"] for r in run.records)
    assert sorted(x.name for x in (tmp_path / "scored").iterdir()) == ["m-消防培训.scored.xlsx", "m-社区服务.scored.xlsx"]

    # with --reports each project sheet gets its own 自评报告 too, named like its scored workbook
    run = run_batch([str(p)], P, jobs=1, reports_dir=tmp_path / "reports")
    assert run.reports == 2
    assert sorted(x.name for x in (tmp_path / "reports").iterdir()) == ["m-消防培训.自评报告.docx", "m-社区服务.自评报告.docx"]


def test_template_workbook_is_one_project(tmp_path):
    p = _template(tmp_path)
    assert project_sheets(open_book(str(p)), P) == []
    assert "MULTIPLE_PROJECTS" not in codes(evaluate_file(str(p), P))


# -- the same classes in the old .xls format (LibreOffice converts; one start for all) -------------


@pytest.mark.soffice
def test_xls_variants(tmp_path):
    from tests.support import lo

    if lo.soffice() is None:
        pytest.skip("soffice (LibreOffice) is not installed: cannot write the .xls variants")
    src = tmp_path / "src"
    src.mkdir()
    d = bb.data()
    d["allocations"].append({"拨付对象": "合计", "计划金额": 100, "实际金额": 100})
    d["indicators"].insert(6, bb._ind("效益指标", "经济效益指标", "经济效益", None, "不适用", "不适用", None))
    books = {
        "merged": _template(src, "merged.xlsx", edit=_merge_template(True)),
        "rows": _template(src, "rows.xlsx", data=d, edit=lambda wb: wb["预算执行"].__setitem__("A3", "项目资金总额")),
        "split": of.build_split(src / "split.xlsx"),
        "multi": of.build_multi(src / "multi.xlsx", names=("消防培训", "社区服务"), indicators=(None, _multi_inds())),
        "decl": of.build_declaration(src / "decl.xlsx"),
    }
    xls = dict(zip(books, lo.convert_many(list(books.values()), "xls", tmp_path / "xls")))
    r = evaluate_file(str(xls["merged"]), P)
    assert (r.total, len(r.project.indicators)) == (Decimal("100.00"), 10)
    r = evaluate_file(str(xls["rows"]), P)
    assert r.total == Decimal("100.00") and r.as_dict()["budget"]["adjusted"] == 100
    assert "NOT_APPLICABLE_SKIPPED" in codes(r) and "ALLOCATION_MISMATCH" not in codes(r)
    assert evaluate_file(str(xls["split"]), P).total == V1_TOTAL
    assert project_sheets(open_book(str(xls["multi"])), P) == ["消防培训", "社区服务"]
    assert evaluate_file(str(xls["multi"]), P, "社区服务").total == V1_TOTAL + 2
    with pytest.raises(NotSelfEvaluation):
        evaluate_file(str(xls["decl"]), P)


def test_two_equal_sources_without_total_are_not_a_total(tmp_path):
    """当年财政拨款 50 and 上年结转资金 50 with no total row: 50 = 50, but a known source is never the total."""
    d = bb.data()
    d["funds"] = {"年度资金总额": (None, None, None), "当年财政拨款": (50, 50, 50), "上年结转资金": (50, 50, 50),
                  "其他资金": (None, None, None)}
    r = evaluate_file(str(_template(tmp_path, data=d)), P)
    assert r.as_dict()["budget"]["adjusted"] == 100 and "FUNDS_TOTAL_DERIVED" in codes(r)


def test_bundle_without_a_self_evaluation_is_refused(tmp_path):
    """Only 项目基本信息, a 申报表 and a 执行监控 sheet (which has a 实际完成值 column): never scored."""
    p = of.build_sheets(tmp_path / "b.xlsx", [(n, b, None) for n, b in BUNDLE])
    with pytest.raises(NotSelfEvaluation) as e:
        evaluate_file(str(p), P)
    assert "执行监控" in e.value.reason and "自评表" in e.value.reason


def test_template_budget_rate_under_output_is_an_indicator(tmp_path):
    d = bb.data()
    d["indicators"][0].update({"三级指标": "预算执行率", "年度指标值": "≥90%", "实际完成值": "95%", "计量单位": None})
    r = evaluate_file(str(_template(tmp_path, data=d)), P)
    assert r.project.indicators[0].level3.value == "预算执行率" and len(r.project.indicators) == 10
    assert r.total == Decimal("100.00")  # 95% ≥ 90%: 8 of 8, as the 1部 of 1部 row was
