"""The official national 项目支出绩效自评表 (spec §10): reading five local variants, and scoring them.

The variants are built in code by ``tests/official_forms.py``.  Reader tests check cells, merged
spreading and addresses (top-left of merged ranges); the end-to-end tests check each variant's total,
worked out by hand below with the per-row arithmetic (spec §3, §5, §6, §8).
"""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import Workbook

from jixiao_xlsx.read import official as read_official
from jixiao_xlsx.read.book import open_book
from jixiao_xlsx.rules.profile import load_profile
from tests.support import official_forms as forms

P = load_profile()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every .xlsx variant, written once for this module."""
    d = tmp_path_factory.mktemp("official")
    return {name: build(d / f"{name}.xlsx") for name, build in forms.BUILDERS.items()}


@pytest.fixture(scope="module")
def xls(tmp_path_factory):
    if forms.soffice() is None:
        pytest.skip("soffice (LibreOffice) is not installed: cannot write the .xls variant")
    d = tmp_path_factory.mktemp("official-xls")
    return forms.build_v5(d / "v5.xls")


def read(path):
    book = open_book(str(path))
    assert read_official.looks_like_official(book, P)
    return read_official.read(book, P)


def cells(project, attr):
    return [(getattr(i, attr).value, getattr(i, attr).ref) for i in project.indicators]


# -- reader: v1, the plain national layout ------------------------------------------------------


def test_v1_info_funds_goals(built):
    p = read(built["v1"])
    s = "项目支出绩效自评表"
    assert p.layout == "official" and p.allocations is None and p.findings == []
    assert (p.name.value, p.name.where) == ("社区消防安全培训项目", f"{s}!B2")  # B2:I2 merged, top-left
    assert (p.department.value, p.department.ref) == ("广州市白云区应急管理局", "B3")
    assert (p.unit.value, p.unit.ref) == ("广州市白云区嘉禾街道办事处", "F3")  # same row as 主管部门
    assert (p.year.value, p.year.ref) == (2022, "A1")  # from the title （2022年度）
    assert p.goal_expected.value.startswith("全年开展社区消防培训20场") and p.goal_expected.ref == "B10"
    assert p.goal_actual.value.startswith("全年开展培训16场") and p.goal_actual.ref == "F10"
    # funds: total first, canonical source names, 其中： stripped
    assert [(f.name, f.is_total, f.label.ref) for f in p.funds] == [
        ("年度资金总额", True, "B5"), ("当年财政拨款", False, "B6"),
        ("上年结转资金", False, "B7"), ("其他资金", False, "B8")]
    total = p.funds[0]
    assert [(c.value, c.ref) for c in (total.initial, total.adjusted, total.executed)] == [
        (100, "C5"), (100, "D5"), (100, "E5")]
    assert p.funds[2].adjusted.blank and p.funds[2].adjusted.ref == "D7"
    assert (p.execution_weight.value, p.execution_weight.ref) == (10, "F5")
    assert (p.execution_self_score.value, p.execution_self_score.ref) == (10, "H5")
    assert (p.self_total.value, p.self_total.ref) == (97.06, "H20")


def test_v1_indicators_merged_levels_spread(built):
    p = read(built["v1"])
    # the empty 经济效益指标 line (row 16) is skipped; rows keep their sheet row numbers
    assert [i.row for i in p.indicators] == [12, 13, 14, 15, 17, 18, 19]
    # 一级 column is B (header 一级指标), not column A (绩效指标 merged over the table)
    assert cells(p, "level1") == [("产出指标", "B12")] * 4 + [("效益指标", "B16")] * 2 + [("满意度指标", "B19")]
    # 二级 数量指标 is merged C12:C13: both rows carry it, addressed at C12
    assert cells(p, "level2")[:3] == [("数量指标", "C12"), ("数量指标", "C12"), ("质量指标", "C14")]
    first = p.indicators[0]
    assert (first.level3.value, first.target.value, first.actual.value) == ("开展培训场次", "≥20场", "16场")
    assert (first.weight.value, first.weight.ref, first.self_score.value, first.self_score.ref) == (10, "G12", 8, "H12")
    assert first.note.value == "部分场次受天气影响取消" and first.note.ref == "I12"
    assert first.direction.blank and first.unit.blank and first.band.blank
    assert [c.text for c in p.level1_labels] == ["产出指标", "效益指标", "满意度指标"]
    assert [c.ref for c in p.level2_labels] == ["C12", "C14", "C15", "C17", "C18", "C19"]


# -- reader: the other variants ---------------------------------------------------------------


def test_v2_extra_columns_and_values_with_units(built):
    p = read(built["v2"])
    assert p.findings == []
    assert (p.year.value, p.year.ref) == (2022, "A2")  # （2022年度） on its own row under the title
    assert cells(p, "direction") == [("正向", "D11"), ("等于", "D12"), ("反向", "D13"), ("正向", "D14"), ("定性", "D15")]
    assert [c[0] for c in cells(p, "unit")] == ["个", "%", "万元", "人次", None]
    assert [c[0] for c in cells(p, "target")] == ["≥50个", "=100%", "≤90万元", "≥5000人次", "达成预期指标"]
    assert cells(p, "actual")[2] == ("99万元", "G13")
    assert cells(p, "self_score")[0] == (20, "I11")
    # 一级 in column A (no 绩效指标 column here), merged A11:A13
    assert cells(p, "level1")[:3] == [("产出指标", "A11")] * 3
    # budget headers by alias: 调整后预算数 = 全年预算数, 预算执行数 = 全年执行数; 财政拨款 → 当年财政拨款
    assert [(f.name, f.adjusted.value, f.executed.value) for f in p.funds] == [
        ("年度资金总额", 200, 172.49), ("当年财政拨款", 200, 172.49)]
    # goals beside their labels (预期目标 in B8, text in C8:J8)
    assert (p.goal_expected.ref, p.goal_actual.ref) == ("C8", "C9")


def test_v3_weights_in_brackets_other_order_no_total_row(built):
    p = read(built["v3"])
    assert p.findings == []
    # labels with a colon, all three on one row
    assert [(c.value, c.ref) for c in (p.name, p.department, p.unit)] == [
        ("村道提升改造工程", "B2"), ("白云区交通运输局", "E2"), ("白云区太和镇人民政府", "G2")]
    assert (p.year.value, p.year.ref) == (2022, "A1")  # "2022年度项目支出绩效自评表"
    # 一级 labels as typed, with the stated weights, in form order (效益 first)
    assert [(c.text, c.ref) for c in p.level1_labels] == [
        ("效益指标(30分)", "A7"), ("产出指标(50分)", "A9"), ("满意度指标(10分)", "A13")]
    assert [i.row for i in p.indicators] == list(range(7, 14))
    # header aliases: 指标值 / 完成值 / 权重 / 自评得分 / 偏差原因分析
    i = p.indicators[4]
    assert (i.target.value, i.actual.value, i.weight.value, i.self_score.value, i.note.value) == (
        "≥100%", "90%", 10, 9, "雨季停工")
    # no 总分 row: the table ends at the funds block below it, and there is no self-reported total
    assert p.self_total.blank
    # the funds block sits below the table; the footer line (填表人/联系电话) is not a fund row
    assert [(f.name, f.label.ref, f.executed.value) for f in p.funds] == [
        ("年度资金总额", "A16", 310), ("当年财政拨款", "A17", 310)]
    assert (p.execution_self_score.value, p.execution_self_score.ref) == (9.69, "H16")


def test_v4a_funds_without_source_rows(built):
    p = read(built["v4a"])
    assert [(f.name, f.is_total) for f in p.funds] == [("年度资金总额", True)]
    assert (p.funds[0].initial.value, p.funds[0].adjusted.value, p.funds[0].executed.value) == (100, 120, 103.5)
    assert p.indicators[2].actual.value == "部分完成" and p.indicators[2].self_score.value == 7


def test_v4b_zero_total_above_filled_source(built):
    p = read(built["v4b"])
    assert [(f.name, f.is_total, f.adjusted.value) for f in p.funds] == [
        ("年度资金总额", True, 0), ("当年财政拨款", False, 50), ("上年结转资金", False, None), ("其他资金", False, None)]
    assert p.indicators[1].target.value == "=0起"  # text, not a formula


@pytest.mark.soffice
def test_v5_xls_reads_like_xlsx(built, xls):
    a, b = read(built["v1"]), read(xls)
    assert Path(xls).suffix == ".xls"
    for attr in ("level1", "level2", "level3", "target", "actual", "weight", "self_score", "note"):
        assert cells(a, attr) == cells(b, attr), attr  # merged ranges survive the old format
    assert [(f.name, f.executed.value) for f in a.funds] == [(f.name, f.executed.value) for f in b.funds]
    assert (b.self_total.value, b.self_total.ref, b.year.value) == (97.06, "H20", 2022)


# -- reader: robustness ------------------------------------------------------------------------


def _sheet(tmp_path, rows, merges=(), name="表1"):
    wb = Workbook()
    ws = wb.active
    ws.title = name
    for r in rows:
        ws.append(list(r))
    for m in merges:
        ws.merge_cells(m)
    path = tmp_path / "form.xlsx"
    wb.save(path)
    return path


HDR = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]


def test_missing_blocks_are_findings_not_exceptions(tmp_path):
    path = _sheet(tmp_path, [["项目支出绩效自评表"], ["项目名称", "某项目"]])
    p = read(path)
    codes = [(f.code, f.severity, f.blocks) for f in p.findings]
    assert codes == [("SHEET_MISSING", "错误", True)] * 2
    msgs = " ".join(f.message for f in p.findings)
    assert "项目资金表" in msgs and "年初预算数" in msgs and "绩效指标表" in msgs and "三级指标" in msgs
    assert all(f.sheet == "表1" for f in p.findings)
    assert p.indicators == [] and p.funds == []


def test_not_an_official_form(tmp_path):
    path = _sheet(tmp_path, [["姓名", "年龄"], ["张三", 30]])
    assert not read_official.looks_like_official(open_book(str(path)), P)


def test_unmerged_blank_levels_continue_from_above_and_notes_stop_the_table(tmp_path):
    rows = [
        ["项目支出绩效自评表（2023年度）"],
        ["项目名称", None, "某项目", "主管部门", None, "实施单位", None],  # blank 主管部门 before a label
        ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        [None, "年度资金总额", 10, 10, 9, 10, "90%", 9],
        HDR,
        ["产出指标（50分）", "数量指标", "A", "≥1个", "1个", 25, 25],
        [None, None, "B", "≥2个", "2个", 25, 25],  # split merge: 一级/二级 blank, continue from above
        ["预算执行率", None, None, None, None, 10, 9],  # execution as a table row: not an indicator
        ["效益指标", "社会效益", "C", "达成", "达成", 30, 30],
        ["满意度指标", None, "D", "≥90%", "95%", 10, 10],  # 二级 blank under a new 一级: stays blank
        ["说明：本表由项目单位填报。"],
        [None, None, "E", "≥1", "1", 5, 5],
    ]
    p = read(_sheet(tmp_path, rows, merges=["A11:H11"]))
    assert p.name.value == "某项目" and p.department.blank and p.department.ref == "E2"
    assert (p.year.value, p.year.ref) == (2023, "A1")
    assert [i.level3.value for i in p.indicators] == ["A", "B", "C", "D"]
    b = p.indicators[1]
    assert (b.level1.value, b.level1.ref, b.level2.value, b.level2.ref) == ("产出指标（50分）", "A6", "数量指标", "B6")
    assert p.indicators[3].level2.blank and p.indicators[3].level2.ref == "B10"
    # the funds total row's 得分 stays the execution self score; the table row does not overwrite it
    assert (p.execution_self_score.value, p.execution_self_score.ref) == (9, "H4")
    assert p.self_total.blank


def test_execution_row_in_table_gives_execution_self_score_when_funds_have_none(tmp_path):
    rows = [
        ["项目支出绩效自评表"],
        ["项目资金（万元）", None, "年初预算数", "全年预算数", "全年执行数"],
        [None, "年度资金总额", 10, 10, 10],
        HDR,
        ["预算执行率(10分)", None, "预算执行率", "100%", "100%", 10, 10],
        ["产出指标", "数量指标", "A", "≥1个", "1个", 50, 50],
        ["合计", None, None, None, None, 60, 60],
    ]
    p = read(_sheet(tmp_path, rows))
    assert (p.execution_self_score.value, p.execution_self_score.ref) == (10, "G5")
    assert (p.execution_weight.value, p.execution_weight.ref) == (10, "F5")
    assert [i.level3.value for i in p.indicators] == ["A"]
    assert (p.self_total.value, p.self_total.ref) == (60, "G7")
    assert [c.text for c in p.level1_labels] == ["产出指标"]


def test_sichuan_style_headers(tmp_path):
    """指标性质 (operator or direction) and 度量单位 columns, 指标值 / 完成值 / 权重 / 自评得分 headers."""
    rows = [
        ["部门预算项目支出绩效自评表"],
        ["项目资金（万元）", None, "年初预算数", "调整后预算数", "执行数", "分值", "执行率", "得分"],
        [None, "年度资金总额", 10, 10, 10, 10, "100%", 10],
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", "权重", "自评得分",
         "偏差原因分析"],
        ["产出指标", "数量指标", "A", "≥", "5", "个", "5", 50, 50],
    ]
    p = read(_sheet(tmp_path, rows))
    i = p.indicators[0]
    assert (i.direction.value, i.direction.ref, i.unit.value, i.target.value, i.actual.value) == ("≥", "D5", "个", "5", "5")
    assert (i.weight.value, i.self_score.ref) == (50, "I5")
    assert [(f.name, f.executed.value) for f in p.funds] == [("年度资金总额", 10)]


def test_label_normalisation():
    assert read_official.key(" 项目名称： ") == "项目名称"
    assert read_official.key("年初预算数\n（万元）") == "年初预算数"
    assert read_official.key("分值(权重)") == "分值"
    assert read_official.key(5) == ""


# -- end to end: each variant's score, worked by hand -----------------------------------------

def evaluate(path):
    from jixiao_xlsx.api import evaluate_file

    return evaluate_file(str(path), P)


def scores(res):
    return [i.score for i in res.indicators]


def test_v1_score(built):
    res = evaluate(built["v1"])
    # execution: r = 100 / 100 = 1 → round2(10 × min(1, 1)) = 10.00
    # row 12 正向 ≥20场, B=16 < 20 → round2(10 × 16 / 20) = 8.00
    # row 13 正向 ≥12个, B=12 ≥ 12 → 10.00
    # row 14 正向 ≥95%, B=96 ≥ 95 → 15.00
    # row 15 时限 2022年12月31日前 (year 2022 from the title), actual 按时完成 = met → band 达成 → 15.00
    # row 16 empty 经济效益指标 line: ignored
    # row 17 正向 ≥80%, B=75 → round2(15 × 75 / 80) = round2(14.0625) = 14.06
    # row 18 定性, actual 达成年度指标 → band met, no band column, self 15 in [12.00, 15.00] → 15.00
    # row 19 正向 ≥90%, B=92 → 10.00
    # output 8 + 10 + 15 + 15 = 48.00; effect 14.06 + 15 = 29.06; satisfaction 10.00
    # total 10 + 48 + 29.06 + 10 = 97.06 ≥ 90 → 优 (matches the form's 总分 97.06: no SELF_TOTAL_DIFFERS)
    assert scores(res) == [D("8.00"), D("10.00"), D("15.00"), D("15.00"), D("14.06"), D("15.00"), D("10.00")]
    assert res.budget.score == D("10.00")
    assert res.subtotals == {"output": D("48.00"), "effect": D("29.06"), "satisfaction": D("10.00")}
    assert (res.total, res.grade, res.self_total) == (D("97.06"), "优", D("97.06"))
    assert res.errors == 0 and res.findings == []


def test_v2_score(built):
    res = evaluate(built["v2"])
    # execution: r = 172.49 / 200 = 0.86245 → round2(10 × 0.86245) = round2(8.6245) = 8.62 (unrounded r)
    # row 11 正向 ≥50个, B=45 → round2(20 × 45 / 50) = 18.00
    # row 12 等于 =100%, B=98% → as positive: round2(15 × 98 / 100) = 14.70
    # row 13 反向 ≤90万元, B=99 → linear: round2(15 × (180 − 99) / 90) = round2(15 × 81 / 90) = 13.50
    # row 14 正向 ≥5000人次, B=6600 ≥ 5000 → 30.00 (6600 ≥ 1.3 × 5000 but the note explains it: no hint)
    # row 15 定性 达成预期指标 → band met (alias), self 10 in [8.00, 10.00] → 10.00
    # output 18 + 14.70 + 13.50 = 46.20; effect 30.00; satisfaction 10.00
    # total 8.62 + 46.20 + 30 + 10 = 94.82 → 优; the form claims 100 → SELF_TOTAL_DIFFERS (hint)
    assert scores(res) == [D("18.00"), D("14.70"), D("13.50"), D("30.00"), D("10.00")]
    assert [i.kind for i in res.indicators] == ["positive", "equal", "reverse", "positive", "qualitative"]
    assert res.budget.score == D("8.62") and res.budget.rate == D("0.8625")
    assert (res.total, res.grade) == (D("94.82"), "优")
    codes = sorted({f.code for f in res.findings})
    assert codes == ["SELF_SCORE_DIFFERS", "SELF_TOTAL_DIFFERS"] and res.errors == 0
    # findings point at the form's cells: the self score of row 11 is I11; the 总分 得分 is I16
    cells_ = {(f.code, f.cell) for f in res.findings}
    assert ("SELF_SCORE_DIFFERS", "I11") in cells_ and ("SELF_TOTAL_DIFFERS", "I16") in cells_
    assert ("SELF_SCORE_DIFFERS", "H6") in cells_  # execution self score 10 vs 8.62, on the funds total row


def test_v3_score(built):
    res = evaluate(built["v3"])
    # execution: r = 310 / 320 = 0.96875 → round2(10 × 0.96875) = round2(9.6875) = 9.69
    # row 7  正向 ≥12000人, B=11400 → round2(15 × 11400 / 12000) = 14.25
    # row 8  正向 ≥5年, B=5 → 15.00
    # row 9  正向 ≥3公里, B=3.2 → 20.00
    # row 10 正向 ≥100%, B=100 → 10.00
    # row 11 正向 ≥100%, B=90 → round2(10 × 90 / 100) = 9.00
    # row 12 反向 ≤150万元, B=165 → linear: round2(10 × (300 − 165) / 150) = round2(9.00) = 9.00
    # row 13 正向 ≥85%, B=90 → 10.00
    # stated 一级 weights 30 / 50 / 10 equal the profile: no LEVEL1_WEIGHT_MISMATCH
    # output 20 + 10 + 9 + 9 = 48.00; effect 14.25 + 15 = 29.25; satisfaction 10.00
    # total 9.69 + 48 + 29.25 + 10 = 96.94 → 优; no 总分 row → no self total
    assert scores(res) == [D("14.25"), D("15.00"), D("20.00"), D("10.00"), D("9.00"), D("9.00"), D("10.00")]
    assert res.budget.score == D("9.69")
    assert res.subtotals == {"output": D("48.00"), "effect": D("29.25"), "satisfaction": D("10.00")}
    assert (res.total, res.grade, res.self_total) == (D("96.94"), "优", None)
    assert [f.code for f in res.findings] == ["SELF_SCORE_DIFFERS"]  # row 7 claims 15, computed 14.25
    assert res.findings[0].cell == "G7"


def test_v3_stated_weight_mismatch_is_reported(tmp_path):
    # the same form with 产出指标(45分): the stated weight differs from the profile's 50
    rows = list(forms.V3_INDICATORS)
    rows[2:6] = [("产出指标(45分)",) + r[1:] for r in rows[2:6]]
    path = tmp_path / "v3b.xlsx"
    orig = forms.V3_INDICATORS
    try:
        forms.V3_INDICATORS = rows
        forms.build_v3(path)
    finally:
        forms.V3_INDICATORS = orig
    res = evaluate(path)
    mism = [f for f in res.findings if f.code == "LEVEL1_WEIGHT_MISMATCH"]
    assert len(mism) == 1 and mism[0].cell == "A9"  # top-left of the merged 产出 cell
    assert res.total == D("96.94")  # weight errors do not change the scores (§7.1)


def test_v4a_score(built):
    res = evaluate(built["v4a"])
    # funds: total row only (no source rows, so no source check)
    # execution: r = 103.5 / 120 = 0.8625 (年初 100 is not the denominator) → round2(8.625) = 8.63
    # row 9  正向 ≥10000份, B=8000 → round2(25 × 8000 / 10000) = 20.00
    # row 10 正向 ≥98%, B=95 → round2(15 × 95 / 98) = round2(14.5408…) = 14.54
    # row 11 定性, actual 部分完成 → band 部分达成 [6.00, 8.00); self score 7 inside → 7.00
    # row 12 正向 ≥90%, B=72 → round2(30 × 72 / 90) = 24.00
    # row 13 正向 ≥90%, B=85 → round2(10 × 85 / 90) = round2(9.444…) = 9.44
    # output 20 + 14.54 + 7 = 41.54; effect 24.00; satisfaction 9.44
    # total 8.63 + 41.54 + 24 + 9.44 = 83.61 → 良 (80 ≤ 83.61 < 90)
    assert scores(res) == [D("20.00"), D("14.54"), D("7.00"), D("24.00"), D("9.44")]
    assert res.budget.score == D("8.63")
    assert (res.total, res.grade) == (D("83.61"), "良")
    assert res.errors == 0
    # self total 89.07 = 8.63 + 25 + 15 + 7 + 24 + 9.44 (consistent) but ≠ 83.61 → SELF_TOTAL_DIFFERS only
    codes = [f.code for f in res.findings]
    assert "SELF_TOTAL_DIFFERS" in codes and "SELF_TOTAL_INCONSISTENT" not in codes


def test_v4b_zero_total_blocks(built):
    res = evaluate(built["v4b"])
    # total row 0 / 0 / 0 above 当年财政拨款 50 / 50 / 50 (spec §3 step 2):
    # each column's sources sum 50 ≠ 0 → FUNDS_SOURCE_MISMATCH ×3; 全年预算数 0 → BUDGET_ZERO (blocks)
    # indicators still score: 200 ≥ 200 → 50.00; =0起 with B=0 → equal-zero-target → 30.00; 95 ≥ 90 → 10.00
    # but the total and grade stay empty (§8)
    codes = sorted(f.code for f in res.findings if f.severity == "错误")
    assert codes == ["BUDGET_ZERO"] + ["FUNDS_SOURCE_MISMATCH"] * 3
    assert {f.cell for f in res.findings if f.code == "FUNDS_SOURCE_MISMATCH"} == {"C5", "D5", "E5"}
    assert res.blocked and res.total is None and res.grade is None and res.budget.score is None
    assert scores(res) == [D("50.00"), D("30.00"), D("10.00")]


@pytest.mark.soffice
def test_v5_xls_score(xls):
    res = evaluate(xls)
    # the .xls copy of v1: same arithmetic as test_v1_score → 97.06, 优
    assert (res.total, res.grade) == (D("97.06"), "优")
    assert res.findings == []


def _json(result):
    """The JSON object on stdout (click may mix stderr lines into ``output``)."""
    import json

    text = getattr(result, "stdout", None) or result.output
    return json.JSONDecoder().raw_decode(text[text.index("{"):])[0]


def test_cli_score_writes_scored_workbook_for_official_form(built, tmp_path):
    from click.testing import CliRunner

    from jixiao_xlsx.cli import main

    out = tmp_path / "v1.scored.xlsx"
    r = CliRunner().invoke(main, ["score", str(built["v1"]), "-o", str(out), "--json"])
    assert r.exit_code == 0, r.output
    data = _json(r)
    assert (data["total"], data["grade"], data["self_reported_total"]) == (97.06, "优", 97.06)
    assert out.exists()
    names = open_book(str(out)).names
    assert "项目支出绩效自评表" in names[0] and "评分结果" in names


def test_batch_mixes_template_and_official_forms(built, tmp_path):
    sample = Path(__file__).resolve().parents[1] / "samples" / "jiahe-2022.xlsx"
    import shutil

    from click.testing import CliRunner

    from jixiao_xlsx.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(sample, folder / "jiahe.xlsx")
    for name in ("v1", "v3"):
        shutil.copy(built[name], folder / f"{name}.xlsx")
    out = tmp_path / "汇总.xlsx"
    r = CliRunner().invoke(main, ["batch", str(folder), "-o", str(out), "--json", "--jobs", "1"])
    assert out.exists(), r.output
    data = _json(r)
    totals = sorted(f.get("total") for f in data["files"])
    # jiahe 100.00 (spec §11), v1 97.06, v3 96.94 (above)
    assert totals == [96.94, 97.06, 100]


# -- the reader never raises on arbitrary grids ------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from jixiao_xlsx.read.book import Book, Sheet  # noqa: E402

_WORDS = ["项目名称", "主管部门", "实施单位", "年度", "项目支出绩效自评表（2022年度）", "年初预算数", "全年预算数",
          "调整后预算数", "全年执行数", "分值", "执行率", "得分", "年度资金总额", "其中：财政拨款", "上年结转",
          "预期目标", "实际完成情况", "一级指标", "二级指标", "三级指标", "年度指标值", "指标值", "实际完成值",
          "偏差原因分析及改进措施", "指标方向", "计量单位", "总分", "合计", "预算执行率", "说明：", "产出指标(50分)",
          "数量指标", "≥5个", "=100%", "达成预期指标", "", "—"]
_VALUES = st.one_of(st.sampled_from(_WORDS), st.integers(-5, 200), st.floats(allow_nan=True),
                    st.none(), st.booleans(), st.text(max_size=5))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(_VALUES, min_size=0, max_size=9), min_size=0, max_size=14),
       merges=st.lists(st.tuples(st.integers(0, 13), st.integers(0, 8), st.integers(0, 3), st.integers(0, 3)),
                       max_size=4))
def test_reader_never_raises(rows, merges):
    grid = [["" if v is None else v for v in r] for r in rows]
    ms = [(r, c, r + dr, c + dc) for r, c, dr, dc in merges]
    book = Book("x.xlsx", [Sheet("表", grid, ms)])
    read_official.looks_like_official(book, P)
    p = read_official.read(book, P)
    assert p.layout == "official"
    for ind in p.indicators:
        assert ind.row >= 1 and not (ind.level3.blank and ind.target.blank and ind.actual.blank and ind.weight.blank)
    assert sum(1 for f in p.funds if f.is_total) <= 1
    assert not p.funds or p.funds[0].is_total or not any(f.is_total for f in p.funds)


def test_header_aliases_are_shared_with_the_template(tmp_path):
    """指标名称 for 三级指标 (an alias the template reader always knew) reads in the official form too:
    same total as v1, 97.06 (worked in test_v1_score)."""
    import openpyxl

    path = forms.build_v1(tmp_path / "v1.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    header = next(c for row in ws.iter_rows() for c in row if c.value == "三级指标")
    header.value = "指标名称"
    wb.save(path)
    res = evaluate(path)
    assert str(res.total) == "97.06" and res.grade == "优"
