"""Issue #13, the value items: 万 without its base unit (3), 时限 in words (6), a bracketed note after a
value (7), Excel error values (9), a 二级 outside the national list (13).

In memory first (every wording), then through both readers: the template and the official form, and
the official form saved as .xls by LibreOffice. Every expected number is worked by hand beside it.
"""
from decimal import Decimal as D

import pytest

from jixiao_xlsx.api import evaluate_file
from jixiao_xlsx.rules import cellerrors
from jixiao_xlsx.rules.profile import load_profile
from jixiao_xlsx.rules.scoring import evaluate
from jixiao_xlsx.rules.values import looks_like_range, parse_date, parse_quantity
from tests.support import official_forms as OF
from tests.support.memory import FUNDS, IND, INFO, full_weights, funds, project, row

P = load_profile()


def one(**kw):
    """Score row 3 in an otherwise perfect project: (its IndicatorScore, its findings, the Result)."""
    kw.setdefault("weight", 10)
    res = evaluate(project(full_weights([row(3, **kw)])), P)
    s = next(i for i in res.indicators if i.indicator.row == 3)
    return s, [f for f in res.findings if f.sheet == IND and f.cell[1:] == "3"], res


def codes(fs):
    return sorted(f.code for f in fs)


# -- item 3: a 万 scale without its base unit ------------------------------------------------------


@pytest.mark.parametrize("target,actual,unit,expected", [
    ("≤30万元", "30.5万", None, D("9.83")),  # 30.5万元: 10 × (2 × 30 − 30.5) / 30 = 9.8333 → 9.83
    ("≥5万人次", "4.8万", None, D("9.60")),  # 4.8万人次: 10 × 4.8 / 5 = 9.60
    ("≥5万人次", "4.8", None, D("9.60")),  # no unit: takes 万人次 (§2.4), 4.8 / 5 → 9.60
    ("≥300000元", "28万", None, D("9.33")),  # 28万元 = 280000元: 10 × 280000 / 300000 = 9.333 → 9.33
    ("≥2亿元", "1.5亿", None, D("7.50")),  # 1.5亿元: 10 × 1.5 / 2 = 7.50
    ("≤30", "30.5万", "万元", D("9.83")),  # the column gives both sides 万元 / 元: as the first row
    ("≥50000", "4.8万", "人次", D("9.60")),  # 4.8万人次 = 48000: 10 × 48000 / 50000 = 9.60
    ("≥5万", "52000", None, D("10.00")),  # a bare 5万 is 50000 (§2.4); 52000 ≥ 50000 → w
    ("≥5万", "4.8万", None, D("9.60")),  # both bare: 48000 / 50000 → 9.60
])
def test_scale_word_takes_the_implied_base(target, actual, unit, expected):
    s, fs, res = one(target=target, actual=actual, unit=unit, direction=None if target[0] in "≥≤" else "正向",
                     note="原因")
    assert s.score == expected, codes(fs)
    assert not [f for f in fs if f.code in ("UNIT_MISMATCH", "UNIT_SCALE_AMBIGUOUS", "OVER_ACHIEVEMENT_UNEXPLAINED")]
    assert res.total is not None


@pytest.mark.parametrize("target,actual,cell,readings", [
    ("≤30万元", "305000", "G3", ("“305000万元”", "“305000元”")),  # 305000万元 scores 0, 305000元 = 30.5万元 9.83
    ("≥5万", "4.8", "G3", ("“4.8”", "“4.8万”")),  # 4.8 / 50000 ≈ 0, 48000 / 50000 = 0.96
    ("≥5", "4.8万", "E3", ("“5”", "“5万”")),  # the target is the side with no unit
    ("≥5万人次", 48000, "G3", ("“48000万人次”", "“48000人次”")),  # a number cell
])
def test_really_ambiguous_scale_is_a_blocking_finding(target, actual, cell, readings):
    s, fs, res = one(target=target, actual=actual, direction="正向" if "≤" not in target else "反向")
    f = next(f for f in res.findings if f.code == "UNIT_SCALE_AMBIGUOUS")
    assert f.cell == cell and f.blocks and s.score is None and res.total is None
    assert all(r in f.message for r in readings), f.message


def test_scale_word_under_a_percent_row_is_left_alone():
    # ≥90% / 0.9万: not a scale question; 0.9万 is 9000 points against 90 → full marks, over-achievement
    s, fs, _ = one(target="≥90%", actual="0.9万", note="说明")
    assert s.score == D("10.00") and "UNIT_SCALE_AMBIGUOUS" not in codes(fs)


# -- item 7: a bracketed note after the value -------------------------------------------------------


@pytest.mark.parametrize("text,number,unit", [
    ("≥90%（含）", D(90), "%"),
    ("≥90%(含)", D(90), "%"),
    ("96%（抽样调查）", D(96), "%"),
    ("≥95%【2022年度】", D(95), "%"),  # digits inside the note do not make it "two quantities"
    ("≥90%（含）以上", D(90), "%"),
    ("5000人次（累计）", D(5000), "人次"),
    ("≤30万元（含）", D(30), "万元"),
])
def test_bracketed_note_is_not_part_of_the_unit(text, number, unit):
    q = parse_quantity(text, P)
    assert q is not None and q.number == number and q.unit == unit


def test_note_with_a_span_is_not_a_range():
    assert not looks_like_range("96%（1-12月平均）")
    assert looks_like_range("90%-110%（含）")


@pytest.mark.parametrize("target,actual,expected", [
    ("≥90%（含）", "81%", D("9.00")),  # 10 × 81 / 90 = 9.00
    ("≥90%", "96%（抽样调查）", D("10.00")),
    ("≥90%（含）", "85%（抽样）", D("9.44")),  # 10 × 85 / 90 = 9.444 → 9.44
])
def test_note_scores_as_the_value(target, actual, expected):
    s, fs, res = one(target=target, actual=actual, note="原因")
    assert s.score == expected and "UNIT_MISMATCH" not in codes(fs) and res.total is not None


def test_unit_mismatch_offers_to_fix_either_side():
    _, fs, _ = one(target="≥5000人", actual="4800人次")
    f = next(f for f in fs if f.code == "UNIT_MISMATCH")
    assert "或更正年度指标值的单位" in f.message


# -- item 6: 时限 written in words ------------------------------------------------------------------

ON_TIME = ["按期完成", "按时完成", "如期完成", "及时完成", "准时完成", "已按期完成", "按计划完成", "提前完成",
           "在规定时间内完成", "按时", "按期完成。"]
NOT_ON_TIME = ["未按期完成", "未如期完成", "未能按时完成", "未按计划完成", "逾期未完成"]
LATE = ["逾期完成", "延期完成", "延迟完成", "滞后完成"]


@pytest.mark.parametrize("actual", ON_TIME)
@pytest.mark.parametrize("target", ["2022年12月31日前", "按期完成", "年底前"])
def test_on_time_wordings_are_met(target, actual):
    s, fs, res = one(target=target, actual=actual)
    assert s.kind == "deadline" and s.score == D("10.00") and s.band == "达成年度指标", codes(fs)
    assert res.total == D("100.00")


@pytest.mark.parametrize("actual", NOT_ON_TIME)
def test_not_on_time_wordings_are_missed(actual):
    # the template has a 完成档次 column: a miss asks for 部分达成 or 未达成 there (§4.4) …
    s, fs, _ = one(target="2022年12月31日前", actual=actual)
    assert codes(fs) == ["QUAL_BAND_MISSING"] and s.score is None
    # … and scores the band chosen: 部分达成 default 60% of 10 = 6.00
    s, fs, _ = one(target="2022年12月31日前", actual=actual, band="部分达成年度指标并具有一定效果", note="原因")
    assert s.score == D("6.00")
    # choosing 达成 against a phrase that says "not on time" is a conflict
    _, fs, _ = one(target="2022年12月31日前", actual=actual, band="达成年度指标")
    assert codes(fs) == ["QUAL_BAND_CONFLICT"]


@pytest.mark.parametrize("actual", LATE)
def test_done_late_wordings_are_missed_and_name_partly_on_a_form_without_band_column(actual, tmp_path):
    s, fs, _ = one(target="2022年12月31日前", actual=actual, band="达成年度指标")
    assert codes(fs) == ["QUAL_BAND_CONFLICT"]  # late: not 达成
    # official form (no 完成档次): the phrase is the band, 部分达成 → 60% of 15 = 9.00
    inds = list(OF.V1_INDICATORS)
    inds[3] = ("产出指标", "时效指标", "培训完成时间", "2022年12月31日前", actual, 15, 9, "受疫情影响")
    res = evaluate_file(str(OF.build_v1(tmp_path / "late.xlsx", indicators=inds)), P)
    s = next(i for i in res.indicators if i.level3 == "培训完成时间")
    assert s.score == D("9.00") and s.band == "部分达成年度指标并具有一定效果"


@pytest.mark.parametrize("target,actual,met", [
    ("年底前完成", "年底前完成", True),  # the target restated (§6.2)
    ("2022年6月30日前", "2022年6月30日前", True),
    ("2022年12月31日前", "年内完成", True),  # a deadline phrase as the result: 31 Dec ≤ 31 Dec
    ("2022年6月30日前", "年底前完成", False),  # 31 Dec is after 30 Jun
    ("2022年12月31日前", "2022年12月20日按期完成", True),  # a date with the wording after it
    ("2022年6月30日前", "2022年7月5日如期完成", False),  # the date wins over the words
])
def test_deadline_results_written_as_phrases(target, actual, met):
    s, fs, _ = one(target=target, actual=actual)
    if met:
        assert s.score == D("10.00") and not fs
    else:
        assert codes(fs) == ["QUAL_BAND_MISSING"]


def test_parse_date_strips_on_time_words():
    assert str(parse_date("2022年12月20日按期完成", 2022)) == "2022-12-20"
    assert str(parse_date("2022年11月如期完成", 2022)) == "2022-11-30"


def test_on_time_words_on_a_qualitative_row_are_met():
    s, _, _ = one(target="完成改造任务", actual="按期完成", direction="定性")
    assert s.score == D("10.00") and s.band == "达成年度指标"


# -- item 13: a 二级 outside the national list -------------------------------------------------------


@pytest.mark.parametrize("l1,l2", [
    ("满意度指标", "校园用户满意度"),
    ("满意度指标", "群众满意度指标"),
    ("产出指标", "产出进度"),
    ("效益指标", "社会稳定效益指标"),
])
def test_unlisted_level2_under_known_level1_scores_with_a_hint(l1, l2):
    s, fs, res = one(level1=l1, level2=l2, target="≥90%", actual="95%")
    f = next(f for f in res.findings if f.code == "LEVEL2_UNLISTED")
    assert f.severity == "提示" and not f.blocks and f.cell == "B3"
    assert "LEVEL2_UNKNOWN" not in codes(res.findings)
    assert s.score == D("10.00") and s.level2 == l2 and res.total == D("100.00")


@pytest.mark.parametrize("l1,l2", [("效益指标", "数量指标"), ("产出指标", "服务对象满意度"), ("产出指标", "效益指标"),
                                   ("产出指标", None)])
def test_level2_of_another_level1_or_missing_stays_unknown(l1, l2):
    _, _, res = one(level1=l1, level2=l2, target="≥90%", actual="95%")
    assert "LEVEL2_UNKNOWN" in codes(res.findings) and "LEVEL2_UNLISTED" not in codes(res.findings)


def test_unlisted_level2_on_the_official_form(tmp_path):
    inds = list(OF.V1_INDICATORS)
    inds[7] = ("满意度指标", "校园用户满意度", "参训居民满意度", "≥90%", "92%", 10, 10, None)
    res = evaluate_file(str(OF.build_v1(tmp_path / "l2.xlsx", indicators=inds)), P)
    assert "LEVEL2_UNLISTED" in codes(res.findings) and "LEVEL2_UNKNOWN" not in codes(res.findings)
    s = next(i for i in res.indicators if i.level3 == "参训居民满意度")
    assert s.score == D("10.00") and res.total is not None


# -- item 9: Excel error values ----------------------------------------------------------------------


@pytest.mark.parametrize("value,code", [("#DIV/0!", "#DIV/0!"), ("#REF!", "#REF!"), ("#VALUE!", "#VALUE!"),
                                        ("#NAME?", "#NAME?"), ("#N/A", "#N/A"), (" #num! ", "#NUM!"),
                                        ("Err:502", "Err:502"), ("#SPILL!", "#SPILL!")])
def test_error_values_are_recognised(value, code):
    assert cellerrors.error_value(value) == code


@pytest.mark.parametrize("value", ["#1", "#号楼", "Err", "Error", "≥90%", 5, None, "#REF"])
def test_other_values_are_not_errors(value):
    assert cellerrors.error_value(value) is None


@pytest.mark.parametrize("field,value,blocks", [
    ("target", "#NAME?", True),  # would be TARGET_MISSING (blocks)
    ("actual", "#DIV/0!", True),  # ACTUAL_MISSING
    ("weight", "#REF!", True),  # WEIGHT_INVALID
    ("self_score", "#VALUE!", False),  # nothing (a blank self score is fine): still named, not blocking
])
def test_error_value_in_an_indicator_cell_is_named(field, value, blocks):
    kw = dict(target="≥10个", actual="10个", direction="正向")
    kw[field] = value
    s, fs, res = one(**kw)
    assert codes(fs) == ["CELL_ERROR_VALUE"], codes(fs)
    f = fs[0]
    assert f.blocks == blocks and f"“{value}”" in f.message and "为空" not in f.message
    assert (res.total is None) == blocks
    # the score keeps what the clerk sees
    assert s.indicator.row == 3 and getattr(s.indicator, field).value == value
    if field in ("target", "actual"):
        assert getattr(s, field) == value


def test_name_error_says_how_to_type_text_starting_with_equals():
    _, fs, _ = one(target="#NAME?", actual="10个", direction="正向")
    assert "'=20个" in fs[0].message and "年度指标值" in fs[0].message


def test_error_value_in_the_funds_and_info():
    p = project(full_weights([row(3, target="≥1个", actual="1个", weight=10, direction="正向")]),
                fund_lines=funds((100, 100, "#DIV/0!")), year="#REF!")
    res = evaluate(p, P)
    errs = {(f.sheet, f.cell): f for f in res.findings if f.code == "CELL_ERROR_VALUE"}
    assert set(errs) == {(FUNDS, "D3"), (INFO, "B6")}
    assert errs[(FUNDS, "D3")].blocks and "年度资金总额全年执行数" in errs[(FUNDS, "D3")].message
    assert not errs[(INFO, "B6")].blocks  # a missing year is not blocking either (REQUIRED_FIELD_MISSING)
    assert "EXECUTION_MISSING" not in codes(res.findings) and res.total is None
    assert res.project is p  # the result keeps the project as read


def test_error_value_in_a_note_replaces_the_missing_reason():
    # 10 × 8 / 10 = 8.00 < 10: the reason is asked for; the note shows #REF!
    s, fs, res = one(target="≥10个", actual="8个", direction="正向", note="#REF!")
    assert s.score == D("8.00") and codes(fs) == ["CELL_ERROR_VALUE"] and not fs[0].blocks
    assert res.total is not None


def test_no_error_value_leaves_the_result_untouched():
    p = project(full_weights([row(3, target="≥10个", actual="10个", weight=10, direction="正向")]))
    assert cellerrors.clean_project(p) == (p, None)


def test_error_text_through_the_official_reader(tmp_path):
    import openpyxl

    path = OF.build_v1(tmp_path / "err.xlsx")
    wb = openpyxl.load_workbook(path)
    c = wb.active.cell(row=OF.V1_FIRST_ROW + 1, column=6)  # 覆盖社区数 实际完成值
    c.value = "#N/A"
    c.data_type = "s"  # the error as text, as the reader is to hand it on (openpyxl would write an error cell)
    wb.save(path)
    res = evaluate_file(str(path), P)
    f = next(f for f in res.findings if f.code == "CELL_ERROR_VALUE")
    assert f.blocks and "#N/A" in f.message and res.total is None


def test_real_error_cell_from_excel(tmp_path):
    """A real error cell (t="e", as Excel and LibreOffice save one) must be named: python-calamine gives
    '', so the reader's sheet pre-scan (read/xlsxscan.py) hands the error text on as the cell's value."""
    import openpyxl

    path = OF.build_v1(tmp_path / "e.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.cell(row=OF.V1_FIRST_ROW + 1, column=6).value = "#DIV/0!"  # openpyxl stores it as an error cell
    assert ws.cell(row=OF.V1_FIRST_ROW + 1, column=6).data_type == "e"
    wb.save(path)
    res = evaluate_file(str(path), P)
    f = next(f for f in res.findings if f.code == "CELL_ERROR_VALUE")
    assert "#DIV/0!" in f.message and f.blocks and res.total is None


# -- the .xls form (LibreOffice) --------------------------------------------------------------------


@pytest.mark.skipif(not OF.soffice(), reason="LibreOffice not installed")
def test_items_in_an_xls_official_form(tmp_path):
    inds = list(OF.V1_INDICATORS)
    inds[0] = ("产出指标", "数量指标", "开展培训场次", "≥2万人次", "1.9万", 10, 9.5, "天气原因")  # 10 × 1.9 / 2 = 9.50
    inds[2] = ("产出指标", "质量指标", "培训合格率", "≥95%（含）", "96%（抽样调查）", 15, 15, None)
    inds[3] = ("产出指标", "时效指标", "培训完成时间", "2022年12月31日前", "按期完成", 15, 15, None)
    inds[7] = ("满意度指标", "校园用户满意度", "参训居民满意度", "≥90%", "92%", 10, 10, None)
    src = OF.build_v1(tmp_path / "items.xlsx", indicators=inds)
    xls = OF.convert(src, "xls", tmp_path / "out")
    res = evaluate_file(str(xls), P)
    by = {i.level3: i for i in res.indicators}
    assert by["开展培训场次"].score == D("9.50")
    assert by["培训合格率"].score == D("15.00")
    assert by["培训完成时间"].score == D("15.00") and by["培训完成时间"].band == "达成年度指标"
    assert by["参训居民满意度"].score == D("10.00")
    assert "LEVEL2_UNLISTED" in codes(res.findings)
    assert not [f for f in res.findings if f.blocks] and res.total is not None


# -- the template reader --------------------------------------------------------------------------


def test_items_in_the_template(tmp_path):
    import copy

    from jixiao_xlsx.write.template import write_template
    from samples.make_samples import JIAHE

    d = copy.deepcopy(JIAHE)
    r = d["indicators"]
    r[0].update(年度指标值="≥1万部", 计量单位=None, 实际完成值="0.95万", 偏差原因分析及改进措施="x")  # 8 × 0.95 = 7.60
    r[1].update(年度指标值="≥3个（含）", 实际完成值="3个（已建成）")
    r[4].update(指标方向=None, 年度指标值="按期完成", 实际完成值="如期完成", 完成档次=None)
    r[9].update(二级指标="党员群众满意度")
    path = tmp_path / "t.xlsx"
    write_template(path, d)
    res = evaluate_file(str(path), P)
    s = res.indicators
    assert s[0].score == D("7.60") and s[1].score == D("8.00")
    assert s[4].kind == "deadline" and s[4].score == D("9.00")  # 达成: 9 × 100%
    assert s[9].score == D("10.00") and "LEVEL2_UNLISTED" in codes(res.findings)
    # 100 − 8 + 7.60 = 99.60
    assert res.total == D("99.60"), codes(res.findings)
