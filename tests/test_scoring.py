"""The rules of scoring-rules.md, one by one, on in-memory projects (no files).

Every expected number is worked by hand in the comment beside it (spec section in brackets).
"""
import datetime as dt
from dataclasses import replace
from decimal import Decimal as D

import pytest

from jixiao_xlsx.model import Cell
from jixiao_xlsx.rules.profile import load_profile, parse_profile
from jixiao_xlsx.rules.scoring import evaluate
from tests.support.memory import IND, funds, full_weights, project, row

P = load_profile()


def one(profile=P, **kw):
    """Score a single row (row 3) inside an otherwise perfect project; return (score, codes of row 3)."""
    kw.setdefault("weight", 10)
    r = row(3, **kw)
    res = evaluate(project(full_weights([r])), profile)
    s = next(i for i in res.indicators if i.indicator.row == 3)
    codes = sorted(f.code for f in res.findings if f.cell.endswith("3") and f.sheet == IND)
    return s, codes, res


def codes(res):
    return sorted(f.code for f in res.findings)


# -- §5 positive --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actual,expected",
    [
        ("4200人次", D("8.40")),  # 10 × 4200 / 5000 = 8.40
        ("5000人次", D("10.00")),  # B = A → w
        ("6600人次", D("10.00")),  # B > A → w (over-achievement hint, below)
        (4200, D("8.40")),  # bare number takes the target's unit
    ],
)
def test_positive(actual, expected):
    s, c, _ = one(target="≥5000人次", actual=actual, direction="正向", note="说明")
    assert s.score == expected and s.rule == "positive" and s.kind == "positive"


def test_positive_seven_of_three():
    # w = 7, ≥3个, B = 2 → 7 × 2 / 3 = 4.6667 → 4.67
    s, c, _ = one(target="≥3个", actual="2个", weight=7, direction="正向", note="原因")
    assert s.score == D("4.67")


def test_rounding_half_up():
    # 5 × 107 / 200 = 2.675 → 2.68 (binary floats give 2.67)
    s, _, _ = one(target="≥200", actual=107, weight=5, direction="正向", note="原因")
    assert s.score == D("2.68")


def test_over_achievement_hint_only_without_note():
    # 6600 ≥ 1.30 × 5000 = 6500 → hint; 6400 < 6500 → none
    _, c, _ = one(target="≥5000人次", actual="6600人次", direction="正向")
    assert "OVER_ACHIEVEMENT_UNEXPLAINED" in c
    _, c, _ = one(target="≥5000人次", actual="6500人次", direction="正向")
    assert "OVER_ACHIEVEMENT_UNEXPLAINED" in c  # exactly 1.30 × A triggers (B ≥ ratio × A)
    _, c, _ = one(target="≥5000人次", actual="6499人次", direction="正向")
    assert "OVER_ACHIEVEMENT_UNEXPLAINED" not in c
    _, c, _ = one(target="≥5000人次", actual="6600人次", direction="正向", note="指标值设定偏低")
    assert "OVER_ACHIEVEMENT_UNEXPLAINED" not in c


def test_over_achievement_strict_profile_is_error():
    data = dict(P.raw)
    data["over_achievement"] = {"ratio": 1.30, "severity": "错误"}
    strict = parse_profile(data)
    _, _, res = one(profile=strict, target="≥5000人次", actual="6600人次", direction="正向")
    f = next(f for f in res.findings if f.code == "OVER_ACHIEVEMENT_UNEXPLAINED")
    assert f.severity == "错误" and not f.blocks and res.total == D("100.00")


def test_positive_zero_target():
    # 正向 with A = 0 → always w, hint
    s, c, _ = one(target="≥0个", actual=5, direction="正向")
    assert s.score == D("10.00") and s.rule == "positive-zero-target" and "TARGET_ZERO_POSITIVE" in c


# -- §5 reverse ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actual,expected",
    [
        ("85万元", D("8.00")),  # B ≤ A → w
        ("99万元", D("7.20")),  # 8 × (180 − 99) / 90 = 7.20
        ("135万元", D("4.00")),  # 8 × 45 / 90 = 4.00
        ("180万元", D("0.00")),  # B = 2A → 0
        ("200万元", D("0.00")),  # B > 2A → 0
        ("885000元", D("8.00")),  # 88.5 万元 ≤ 90 → w (UNIT_CONVERTED)
    ],
)
def test_reverse_linear(actual, expected):
    s, c, _ = one(level2="成本指标", target="≤90万元", actual=actual, weight=8, direction="反向", note="原因")
    assert s.score == expected and s.rule == "reverse-linear"


def test_reverse_unit_converted_hint():
    _, c, _ = one(level2="成本指标", target="≤90万元", actual="885000元", weight=8, direction="反向")
    assert "UNIT_CONVERTED" in c


@pytest.mark.parametrize("actual,expected", [("99万元", D("7.27")), ("135万元", D("5.33")), ("180万元", D("4.00"))])
def test_reverse_ratio_profile(actual, expected):
    # 8 × 90 / 99 = 7.2727 → 7.27; 8 × 90 / 135 = 5.333 → 5.33; 8 × 90 / 180 = 4.00
    data = dict(P.raw)
    data["scoring"] = {"reverse_formula": "ratio", "strict_as_inclusive": True}
    s, _, _ = one(profile=parse_profile(data), level2="成本指标", target="≤90万元", actual=actual, weight=8,
                  direction="反向", note="原因")
    assert s.score == expected and s.rule == "reverse-ratio"


@pytest.mark.parametrize("target,actual,expected", [("=0起", 0, D("5.00")), ("=0起", 1, D("0.00")),
                                                    ("≤0起", 0, D("5.00")), ("≤0起", 2, D("0.00"))])
def test_zero_target_equal_and_reverse(target, actual, expected):
    s, c, _ = one(level2="质量指标", target=target, actual=actual, weight=5, note="原因")
    assert s.score == expected
    assert s.rule in ("equal-zero-target", "reverse-zero-target")


def test_zero_target_missed_needs_note():
    _, c, _ = one(level2="质量指标", target="≤0起", actual=2, weight=5)
    assert "DEVIATION_REASON_MISSING" in c


# -- §5 equal and percentages ---------------------------------------------------------------


@pytest.mark.parametrize(
    "actual,expected,hint",
    [
        ("98%", D("4.90"), None),  # 5 × 98 / 100 = 4.90
        ("100%", D("5.00"), None),
        (0.98, D("4.90"), "PERCENT_SCALE_ASSUMED"),  # bare fraction → 98%
        ("102%", D("5.00"), None),  # overshoot scores w
        (98, D("4.90"), None),  # bare 98 on a % row → 98 points
    ],
)
def test_equal_percent(actual, expected, hint):
    s, c, _ = one(level2="质量指标", target="=100%", actual=actual, weight=5, direction="等于", note="原因")
    assert s.score == expected and s.kind == "equal"
    if hint:
        assert hint in c


def test_percent_format_cell_is_not_a_guess():
    r = row(3, level2="质量指标", target="≥95%", weight=10, direction="正向")
    r = r.__class__(**{**r.__dict__, "actual": Cell(0.96, IND, "G3", percent_format=True)})
    res = evaluate(project(full_weights([r])), P)
    s = next(i for i in res.indicators if i.indicator.row == 3)
    assert s.score == D("10.00") and "PERCENT_SCALE_ASSUMED" not in codes(res)


def test_positive_equal_gives_equal():
    s, _, _ = one(target="=3个", actual="3个", direction="正向")
    assert s.kind == "equal" and s.score == D("10.00")


def test_direction_conflict_names_both_cells():
    s, c, res = one(target="≤90万元", actual="80万元", direction="正向")
    f = next(f for f in res.findings if f.code == "DIRECTION_CONFLICT")
    assert f.blocks and "D3" in f.message and "E3" in f.message and s.score is None
    assert res.total is None and res.grade is None


def test_direction_assumed_and_cost_default_reverse():
    s, c, _ = one(target=5000, actual=5000)
    assert s.kind == "positive" and "DIRECTION_ASSUMED" in c
    s, c, _ = one(level2="成本指标", target=90, actual=99, weight=8, note="原因")
    # 成本指标 without direction → 反向: 8 × (180 − 99) / 90 = 7.20
    assert s.kind == "reverse" and s.score == D("7.20") and "DIRECTION_ASSUMED" in c


def test_comparator_words_and_suffix():
    s, _, _ = one(target="不低于95%", actual="96%", direction=None)
    assert s.kind == "positive" and s.score == D("10.00")
    s, _, _ = one(target="5000人以上", actual="5000人")
    assert s.kind == "positive" and s.score == D("10.00")
    s, _, _ = one(level2="成本指标", target="不超过90万元", actual="99万元", weight=8, note="原因")
    assert s.kind == "reverse" and s.score == D("7.20")


def test_fullwidth_and_thousands():
    s, _, _ = one(target="≥１，０００人", actual="１,２００人", direction="正向", note="说明")
    assert s.score == D("10.00")


def test_unit_mismatch_blocks():
    s, c, res = one(target="≥5000人次", actual="5200人", direction="正向")
    assert "UNIT_MISMATCH" in c and s.score is None and res.total is None


def test_scale_units_convert():
    # 1.2万人次 = 12000 人次 ≥ 10000 → w
    s, c, _ = one(target="≥10000人次", actual="1.2万人次", direction="正向", note="说明")
    assert s.score == D("10.00") and "UNIT_CONVERTED" in c


def test_actual_missing_and_unparseable_block():
    s, c, res = one(target="≥95%", actual=None, direction="正向")
    assert c == ["ACTUAL_MISSING"] and res.total is None
    s, c, res = one(target="≥95%", actual="已完成", direction="正向")
    assert c == ["ACTUAL_UNPARSEABLE"] and res.total is None


def test_actual_negative_scores_zero():
    s, c, _ = one(level2="质量指标", target="≥5%", actual="-2%", direction="正向", note="下降")
    assert s.score == D("0.00") and "ACTUAL_NEGATIVE" in c


def test_target_negative_blocks():
    s, c, res = one(target="≥-5%", actual="1%", direction="正向")
    assert "TARGET_NEGATIVE" in c and res.total is None


def test_target_range_unparseable():
    s, c, res = one(target="90%-110%", actual="100%", direction="正向")
    assert "TARGET_UNPARSEABLE" in c and res.total is None


def test_target_text_with_numeric_direction_unparseable():
    s, c, res = one(target="效果明显", actual="效果明显", direction="正向")
    assert "TARGET_UNPARSEABLE" in c


def test_actual_is_bound():
    s, c, _ = one(target="≥5000人", actual="超过5000人", direction="正向")
    assert s.score == D("10.00") and c == ["ACTUAL_IS_BOUND"]


# -- §6 qualitative -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "band,self_score,expected,code",
    [
        ("达成年度指标", None, D("10.00"), None),  # default 100%
        ("达成年度指标", 8, D("8.00"), None),  # 8.00 = 10 × 0.80 is inside [8.00, 10.00]
        ("达成年度指标", 7.99, D("10.00"), "QUAL_SCORE_OUT_OF_BAND"),  # below 8.00 → out, default 10.00
        ("部分达成年度指标并具有一定效果", None, D("6.00"), None),  # default 60%
        ("部分达成年度指标并具有一定效果", 8, D("6.00"), "QUAL_SCORE_OUT_OF_BAND"),  # 8.00 not < 8.00
        ("部分达成年度指标并具有一定效果", 6, D("6.00"), None),  # inside [6.00, 8.00)
        ("部分达成年度指标并具有一定效果", 7.99, D("7.99"), None),
        ("未达成年度指标且效果较差", None, D("0.00"), None),
        ("未达成年度指标且效果较差", 5.99, D("5.99"), None),
        ("未达成年度指标且效果较差", 6, D("0.00"), "QUAL_SCORE_OUT_OF_BAND"),
    ],
)
def test_qualitative_band_edges(band, self_score, expected, code):
    s, c, _ = one(target="效果明显", actual="有一定效果", direction="定性", band=band, self_score=self_score,
                  note="原因")
    assert s.score == expected and s.kind == "qualitative"
    assert (code in c) if code else not any(x.startswith("QUAL") for x in c)
    assert "SELF_SCORE_DIFFERS" not in c


def test_qualitative_band_from_actual_phrase_and_identical_text():
    s, c, _ = one(target="效果明显", actual="部分完成", direction="定性", note="原因")
    assert s.score == D("6.00") and s.band == "部分达成年度指标并具有一定效果"
    s, c, _ = one(target="效果明显", actual="效果明显", direction="定性")
    assert s.score == D("10.00") and c == []


def test_qualitative_substring_never_matches():
    # 未完成 must not match 完成; 基本达成 is rejected
    s, c, _ = one(target="完成改造", actual="未完成", direction="定性", note="原因")
    assert s.score == D("0.00")
    s, c, res = one(target="完成改造", actual="基本达成", direction="定性")
    assert c == ["QUAL_BAND_MISSING"] and res.total is None


def test_qualitative_conflict():
    s, c, res = one(target="完成改造", actual="未完成", direction="定性", band="达成年度指标")
    assert "QUAL_BAND_CONFLICT" in c and res.total is None


def test_hubei_edges_80_50():
    # w = 7, 部分达成, 80/50 edges: 3.50 ≤ s < 5.60; self 5.00 used
    data = dict(P.raw)
    data["qualitative"] = {
        "met": {**P.raw["qualitative"]["met"]},
        "partly": {**P.raw["qualitative"]["partly"], "min": 0.5, "default": 0.5},
        "not_met": {**P.raw["qualitative"]["not_met"], "max": 0.5},
    }
    hubei = parse_profile(data)
    s, c, _ = one(profile=hubei, target="t", actual="x", direction="定性", band="部分达成", weight=7, self_score=5,
                  note="原因")
    assert s.score == D("5.00")
    s, c, _ = one(profile=hubei, target="t", actual="x", direction="定性", band="部分达成", weight=7, note="原因")
    assert s.score == D("3.50")  # default 50% × 7


def test_target_missing_on_qualitative_row_still_scores():
    s, c, res = one(target=None, actual="x", direction="定性", band="达成年度指标")
    assert "TARGET_MISSING" in c and s.score == D("10.00")
    assert not next(f for f in res.findings if f.code == "TARGET_MISSING").blocks
    s, c, res = one(target=None, actual=5, direction="正向")
    assert next(f for f in res.findings if f.code == "TARGET_MISSING").blocks and res.total is None


# -- §4.4 deadlines -----------------------------------------------------------------------


@pytest.mark.parametrize("target", ["2022年12月31日前", "2022-12-31前", "12月31日前", "12月底前", "年底前", "按时完成"])
def test_deadline_met(target):
    s, c, _ = one(level2="时效指标", target=target, actual=dt.date(2022, 12, 20))
    assert s.kind == "deadline" and s.score == D("10.00") and c == []


def test_deadline_late_graded_by_band():
    s, c, _ = one(level2="时效指标", target="6月末前", actual="2022年7月15日", band="部分达成", note="延期")
    assert s.score == D("6.00")
    s, c, res = one(level2="时效指标", target="6月末前", actual="2022年7月15日")
    assert "QUAL_BAND_MISSING" in c and res.total is None
    s, c, res = one(level2="时效指标", target="6月末前", actual="2022年7月15日", band="达成年度指标")
    assert "QUAL_BAND_CONFLICT" in c
    s, c, res = one(level2="时效指标", target="6月末前", actual="2022年6月1日", band="部分达成")
    assert "QUAL_BAND_CONFLICT" in c


def test_deadline_late_on_a_form_without_a_band_column():
    # the official form has no 完成档次 column: the finding points at 实际完成值 and says what to write
    # there, and a band phrase written there grades the row (部分达成 default 60% × 10 = 6.00)
    from jixiao_xlsx.model import EMPTY

    res = evaluate(project(full_weights([replace(row(3, level2="时效指标", target="2022年10月底前",
                                                         actual="2022年11月5日", weight=10), band=EMPTY)])), P)
    f = next(f for f in res.findings if f.code == "QUAL_BAND_MISSING")
    assert (f.sheet, f.cell) == (IND, "G3") and "实际完成值中写明" in f.message and "部分达成" in f.message
    res = evaluate(project(full_weights([replace(row(3, level2="时效指标", target="2022年10月底前",
                                                         actual="部分达成", weight=10), band=EMPTY)])), P)
    s = next(i for i in res.indicators if i.indicator.row == 3)
    assert s.score == D("6.00") and "QUAL_BAND_MISSING" not in codes(res)


def test_deadline_phrase_actual():
    s, c, _ = one(level2="时效指标", target="12月底前完成", actual="按时完成")
    assert s.score == D("10.00")
    s, c, _ = one(level2="时效指标", target="12月底前", actual="未按时完成", band="未达成", note="原因")
    assert s.score == D("0.00")


def test_deadline_needs_year():
    r = row(3, level2="时效指标", target="12月底前", actual="按时完成", weight=10)
    res = evaluate(project(full_weights([r]), year=None), P)
    assert "TARGET_UNPARSEABLE" in codes(res) and "REQUIRED_FIELD_MISSING" in codes(res)


# -- §3 budget execution ------------------------------------------------------------------


@pytest.mark.parametrize(
    "total,rate,score",
    [
        ((100, 100, 100), D("1.0000"), D("10.00")),  # seed
        ((100, 120, 103.5), D("0.8625"), D("8.63")),  # 10 × 0.8625 = 8.625 → 8.63
        ((200, 200, 172.49), D("0.8625"), D("8.62")),  # r = 0.86245: 8.6245 → 8.62 (unrounded rate)
        ((100, 100, 105), D("1.0500"), D("10.00")),  # capped
    ],
)
def test_execution(total, rate, score):
    res = evaluate(project(full_weights([]), fund_lines=funds(total), allocations=[]), P)
    assert res.budget.rate == rate and res.budget.score == score


def test_execution_over_budget_error_not_blocking():
    res = evaluate(project(full_weights([]), fund_lines=funds((100, 100, 105)), allocations=[]), P)
    f = next(f for f in res.findings if f.code == "EXECUTION_OVER_BUDGET")
    assert f.severity == "错误" and not f.blocks and f.cell == "D3" and res.total == D("100.00")


@pytest.mark.parametrize("total,code", [((100, None, 100), "BUDGET_MISSING"), ((100, 0, 0), "BUDGET_ZERO"),
                                         ((100, 100, None), "EXECUTION_MISSING"), ((100, 100, -3), "AMOUNT_NEGATIVE"),
                                         ((100, "一百", 100), "BUDGET_MISSING")])
def test_budget_blocking(total, code):
    res = evaluate(project(full_weights([]), fund_lines=funds(total)), P)
    assert code in codes(res) and res.total is None and res.budget.score is None
    f = next(f for f in res.findings if f.code == code)
    assert f.sheet == "预算执行" and f.cell[0] in "CD"


def test_funds_total_derived_and_mismatch():
    lines = funds((None, None, None), ("当年财政拨款", (80, 80, 80)), ("上年结转资金", (20, 20, 10)))
    res = evaluate(project(full_weights([]), fund_lines=lines, allocations=[]), P)
    # total = 100 / 100 / 90 → r = 0.9, 9.00
    assert "FUNDS_TOTAL_DERIVED" in codes(res) and res.budget.score == D("9.00")
    lines = funds((0, 0, 0), ("当年财政拨款", (90, 90, 90)))
    res = evaluate(project(full_weights([]), fund_lines=lines, allocations=[]), P)
    assert codes(res).count("FUNDS_SOURCE_MISMATCH") == 3 and "BUDGET_ZERO" in codes(res)


def test_amount_with_unit_converted():
    res = evaluate(project(full_weights([]), fund_lines=funds(("1,000,000元", "100万元", "１００"))), P)
    assert res.budget.initial == D("100") and res.budget.score == D("10.00") and "UNIT_CONVERTED" in codes(res)


def test_allocation_checks():
    from tests.support.memory import alloc

    res = evaluate(project(full_weights([]), allocations=[alloc(3, 70, 70), alloc(4, 30, 25)]), P)
    f = [f for f in res.findings if f.code == "ALLOCATION_MISMATCH"]
    assert len(f) == 1 and "95.00" in f[0].message and "100.00" in f[0].message
    res = evaluate(project(full_weights([]), allocations=[]), P)
    assert codes(res) == ["ALLOCATION_EMPTY"]


# -- §7 weights ---------------------------------------------------------------------------


def test_weight_invalid_and_zero():
    for w in (None, "五", -1, 2.555):
        s, c, res = one(target="≥1个", actual="1个", weight=w, direction="正向")
        assert "WEIGHT_INVALID" in c and res.total is None
    s, c, res = one(target="≥1个", actual="0个", weight=0, direction="正向")
    assert "WEIGHT_ZERO" in c and s.score == D("0.00") and "DEVIATION_REASON_MISSING" not in c


def test_weight_sum_mismatch():
    rows = [row(3, target="≥1个", actual="1个", weight=45, direction="正向"),
            row(4, "效益指标", "社会效益指标", target="≥1个", actual="1个", weight=30, direction="正向"),
            row(5, "满意度指标", "服务对象满意度指标", target="≥90%", actual="95%", weight=10, direction="正向")]
    res = evaluate(project(rows), P)
    f = [f for f in res.findings if f.code == "WEIGHT_SUM_MISMATCH"]
    assert len(f) == 1 and "45" in f[0].message and "50" in f[0].message
    assert res.total == D("95.00")  # 10 + 45 + 30 + 10: not blocking


def test_stated_level1_weight():
    r = row(3, level1="产出指标(45分)", target="≥1个", actual="1个", weight=50, direction="正向")
    res = evaluate(project(full_weights([r])), P)
    assert "LEVEL1_WEIGHT_MISMATCH" in codes(res)


def test_level_unknown():
    s, c, res = one(level1="产出效果", target="≥1个", actual="1个", direction="正向")
    assert "LEVEL1_UNKNOWN" in c and res.total is None
    s, c, res = one(level1="效益指标", level2="数量指标", target="≥1个", actual="1个", direction="正向")
    assert "LEVEL2_UNKNOWN" in c and "不属于效益指标" in next(f.message for f in res.findings if f.code == "LEVEL2_UNKNOWN")


def test_level_aliases_and_numbering():
    s, c, _ = one(level1="一、产出", level2="产出数量", target="≥1个", actual="1个", direction="正向")
    assert s.level1 == "产出指标" and s.level2 == "数量指标" and c == []


def test_free_split_and_cap():
    data = dict(P.raw)
    data["level1_split"] = "free"
    data["level2_caps"] = {"成本指标": 5}
    free = parse_profile(data)
    rows = [row(3, target="≥1个", actual="1个", weight=22.5, direction="正向"),
            row(4, level2="成本指标", target="≤8万元", actual="8万元", weight=8, direction="反向")]
    res = evaluate(project(rows), free)
    assert "WEIGHT_TOTAL_MISMATCH" in codes(res) and "WEIGHT_CAP_EXCEEDED" in codes(res)


def test_deviation_note_required_below_full():
    s, c, _ = one(target="≥5000人次", actual="4200人次", direction="正向")
    assert "DEVIATION_REASON_MISSING" in c


def test_self_score_differs():
    s, c, _ = one(target="≥5000人次", actual="4200人次", direction="正向", self_score=10, note="原因")
    assert "SELF_SCORE_DIFFERS" in c
    s, c, _ = one(target="≥5000人次", actual="4200人次", direction="正向", self_score=8.40, note="原因")
    assert "SELF_SCORE_DIFFERS" not in c


# -- §8 totals and grades -----------------------------------------------------------------


@pytest.mark.parametrize("total,grade", [(D("90.00"), "优"), (D("89.99"), "良"), (D("80.00"), "良"),
                                         (D("79.99"), "中"), (D("60.00"), "中"), (D("59.99"), "差"),
                                         (D("0.00"), "差"), (D("100.00"), "优")])
def test_grade_edges(total, grade):
    assert P.grade(total) == grade


def test_total_89_99_is_liang():
    # execution 10 + output: 8.99 earned on a w = 10 positive row (8.99 = 10 × 899 / 1000) + 40 filler
    # + 30 + 10 = 10 + 48.99 + 30 + 10 = 98.99? No: make it exact — shortfall 10.01 overall.
    # Row A (w 20): 20 × 499.5 / 1000 = 9.99 → shortfall 10.01 → total 100 − 10.01 = 89.99 → 良
    r = row(3, target="≥1000个", actual=499.5, weight=20, direction="正向", note="原因")
    res = evaluate(project(full_weights([r])), P)
    assert res.total == D("89.99") and res.grade == "良"
    r = row(3, target="≥1000个", actual=500, weight=20, direction="正向", note="原因")
    res = evaluate(project(full_weights([r])), P)
    assert res.total == D("90.00") and res.grade == "优"  # 20 × 500 / 1000 = 10.00 → 100 − 10 = 90


def test_self_total_checks():
    res = evaluate(project(full_weights([]), self_total=100), P)
    assert "SELF_TOTAL_DIFFERS" not in codes(res)
    res = evaluate(project(full_weights([]), fund_lines=funds((100, 100, 90)), self_total=100), P)
    # execution 9.00 → total 99.00; self total 100 → differs
    assert res.total == D("99.00") and "SELF_TOTAL_DIFFERS" in codes(res)


def test_required_fields():
    res = evaluate(project(full_weights([]), name=None), P)
    f = next(f for f in res.findings if f.code == "REQUIRED_FIELD_MISSING")
    assert f.cell == "B3" and "项目名称" in f.message and res.total == D("100.00")


def test_indicators_empty_blocks_but_execution_shown():
    res = evaluate(project([]), P)
    assert "INDICATORS_EMPTY" in codes(res) and res.total is None and res.budget.score == D("10.00")


def test_json_shape():
    d = evaluate(project(full_weights([])), P).as_dict()
    assert set(d) == {"file", "unit", "department", "project", "year", "budget", "scores", "total", "grade",
                      "self_reported_total", "indicators", "findings"}
    assert set(d["budget"]) == {"initial", "adjusted", "executed", "rate"}
    assert set(d["indicators"][0]) == {"level1", "level2", "level3", "kind", "target", "actual", "weight", "score",
                                       "self_score", "rule"}


def test_jiahe_reference_example_in_memory():
    """Spec §11, row by row: 产出 8+8+8+8+9+9 = 50.00; 效益 10+10+10 = 30.00; 满意度 10.00;
    execution 100/100 = 100.00% → 10 × 1 = 10.00; total 10 + 50 + 30 + 10 = 100.00 → 优;
    one finding only: ACTUAL_IS_BOUND on 超过5000人 (row 10 here)."""
    met = "达成年度指标"
    rows = [
        row(3, "产出指标", "数量指标", "出版红色故事连环画《嘉禾记忆》", "≥1部", "1部", 8, "正向"),
        row(4, "产出指标", "数量指标", "建立城中村“大党委”", "≥3个", "3个", 8, "正向"),
        row(5, "产出指标", "数量指标", "建立经济社“大支部”", "≥40个", "40个", 8, "正向"),
        row(6, "产出指标", "数量指标", "拨付经费开展城中村治理基层组织工作的联社", "=3个", "3个", 8, "等于"),
        row(7, "产出指标", "质量指标", "提升红旗坊党史学习教育软件服务", "完成软件服务提升", "已提升软件服务", 9, "定性", band=met),
        row(8, "产出指标", "质量指标", "完成党建品牌创建工作阶段性任务程度", "达到阶段性任务质量要求", "达到相关质量指标要求", 9,
            "定性", band=met),
        row(9, "效益指标", "社会效益指标", "红旗坊纳入全市党史学习教育新闻采访线路", "纳入采访线路", "列入全市11条党史线路之一", 10,
            "定性", band=met),
        row(10, "效益指标", "社会效益指标", "红旗坊累计接待参观人数", "≥5000人", "超过5000人", 10, "正向"),
        row(11, "效益指标", "可持续影响指标", "党建宣传效果对党员能够持续影响度", "形成可持续使用的宣传教育资源",
            "《嘉禾记忆》作为青少年爱国主义教育教材推荐至各中小学校", 10, "定性", band=met),
        row(12, "满意度指标", "服务对象满意度指标", "党员群众满意度", "党员群众满意", "经询问查证、群众征求，党员群众满意", 10, "定性",
            band=met),
    ]
    res = evaluate(project(rows, self_total=100), P)
    assert [s.score for s in res.indicators] == [D(x) for x in ("8", "8", "8", "8", "9", "9", "10", "10", "10", "10")]
    assert res.subtotals == {"output": D("50.00"), "effect": D("30.00"), "satisfaction": D("10.00")}
    assert res.budget.rate == D("1.0000") and res.budget.score == D("10.00")
    assert res.total == D("100.00") and res.grade == "优"
    assert [(f.code, f.severity, f.cell) for f in res.findings] == [("ACTUAL_IS_BOUND", "提示", "G10")]


def test_execution_line_in_indicator_table_is_self_score():
    # a 预算执行率 row is skipped as an indicator; its 得分 9 is the execution self score (computed 10.00)
    r = row(3, level1="预算执行率", level2=None, level3="预算执行率", weight=10, self_score=9)
    res = evaluate(project(full_weights([r])), P)
    assert all(s.indicator.row != 3 for s in res.indicators) and res.total == D("100.00")
    f = next(f for f in res.findings if f.code == "SELF_SCORE_DIFFERS")
    assert f.cell == "J3" and "9.00" in f.message and "10.00" in f.message


@pytest.mark.parametrize(
    "target,actual,expected",
    [
        ("≥1.2万", 11000, D("9.17")),  # 1.2万 = 12000 (§2.4); 10 × 11000 / 12000 = 9.1667 → 9.17
        ("≥5000", "0.4万", D("8.00")),  # 0.4万 = 4000; 10 × 4000 / 5000 = 8.00
        ("≥1.2万人次", "1.1万人次", D("9.17")),  # same scale on both sides: 10 × 1.1 / 1.2 = 9.1667 → 9.17
    ],
)
def test_bare_scale_word_is_a_number_not_a_unit(target, actual, expected):
    s, c, _ = one(target=target, actual=actual, direction="正向", note="原因")
    assert s.score == expected and "UNIT_MISMATCH" not in c


@pytest.mark.parametrize("target,actual", [("2022年10月底前", "2022年9月30日"), ("2022年10月底前", "2022年10月完成"),
                                           ("12月底前", "2022年12月20日完工")])
def test_deadline_with_year_and_month_end(target, actual):
    # met on or before the month's last day → band 达成 → full weight 10.00 (§4.4)
    s, c, _ = one(level2="时效指标", target=target, actual=actual, direction=None)
    assert s.kind == "deadline" and s.score == D("10.00") and c == []


def test_deadline_month_only_actual_late():
    # done "in November" cannot vouch for 10月底前: late → graded by 完成档次 (部分达成 default 60% = 6.00)
    s, c, _ = one(level2="时效指标", target="2022年10月底前", actual="2022年11月完成", band="部分达成", note="延期")
    assert s.score == D("6.00")


def test_placeholder_dashes_in_amounts_are_blank():
    # 上年结转/其他资金 typed as — and 无: no error; total 100/100/100 → 10.00
    lines = funds((100, 100, 100), ("当年财政拨款", (100, 100, 100)), ("上年结转资金", ("—", "—", "—")),
                  ("其他资金", ("无", "/", "-")))
    res = evaluate(project(full_weights([]), fund_lines=lines), P)
    assert codes(res) == [] and res.budget.score == D("10.00")


def test_budget_not_a_number_is_reported_once():
    res = evaluate(project(full_weights([]), fund_lines=funds((100, 100, "约九十万"))), P)
    at_d3 = [f.code for f in res.findings if f.cell == "D3"]
    assert at_d3 == ["EXECUTION_MISSING"] and "约九十万" in res.findings[0].message


def test_allocation_not_compared_with_an_invalid_budget():
    res = evaluate(project(full_weights([]), fund_lines=funds((100, 0, 0))), P)
    assert "BUDGET_ZERO" in codes(res) and "ALLOCATION_MISMATCH" not in codes(res)


def test_unknown_direction_word_is_named():
    s, c, res = one(target=5000, actual=5000, direction="越大越好")
    f = next(f for f in res.findings if f.code == "DIRECTION_ASSUMED")
    assert "越大越好" in f.message and "无法识别" in f.message and f.cell == "D3"


def test_percent_hint_on_target_names_the_target():
    s, c, res = one(level2="质量指标", target=0.95, actual=0.96, unit="%", direction="正向")
    msgs = {f.cell: f.message for f in res.findings if f.code == "PERCENT_SCALE_ASSUMED"}
    assert msgs["E3"].startswith("年度指标值0.95") and msgs["G3"].startswith("实际完成值0.96")
    assert s.score == D("10.00")  # 96 ≥ 95


def test_zero_target_score_has_two_decimals():
    s, _, _ = one(target="≥0个", actual=5, direction="正向")
    assert str(s.score) == "10.00"


def test_strict_comparators_false_is_refused():
    from jixiao_xlsx.rules.profile import ProfileError

    data = dict(P.raw)
    data["scoring"] = {**P.raw["scoring"], "strict_as_inclusive": False}
    with pytest.raises(ProfileError, match="strict_as_inclusive"):
        parse_profile(data)


def test_missing_level1_says_what_to_add():
    # no 满意度指标 rows: its sum is 0, not 10 (§7.1) — the message asks for the rows, not a weight change
    rows = [row(3, target="≥1个", actual="1个", weight=50, direction="正向"),
            row(4, "效益指标", "社会效益指标", target="≥1个", actual="1个", weight=30, direction="正向")]
    res = evaluate(project(rows), P)
    f = next(f for f in res.findings if f.code == "WEIGHT_SUM_MISMATCH")
    assert f.sheet == "绩效指标" and "没有满意度指标的三级指标" in f.message and "10" in f.message


# -- what the messages say matches what was typed (from a review of the message wording) ---------


def test_over_budget_source_row_does_not_claim_the_cap():
    """Sources 50/60 and 50/30 under a total of 100/90: 当年财政拨款 is over its own budget, but the
    project's rate is 90 / 100 = 90 %, so its message must not say the rate is capped at 100 %."""
    lines = funds((100, 100, 90), ("当年财政拨款", (50, 50, 60)), ("上年结转资金", (50, 50, 30)))
    res = evaluate(project(full_weights([]), fund_lines=lines, allocations=[]), P)
    f = next(f for f in res.findings if f.code == "EXECUTION_OVER_BUDGET")
    assert res.budget.rate == D("0.9000") and res.budget.score == D("9.00")  # 10 × 0.9
    assert "计分" not in f.message and "请把全年预算数改为调整后的金额" in f.message
    over = evaluate(project(full_weights([]), fund_lines=funds((100, 100, 105)), allocations=[]), P)
    f = next(f for f in over.findings if f.code == "EXECUTION_OVER_BUDGET")
    assert "执行率按100%计分" in f.message  # 105 / 100 > 100 %: capped, and said so


def test_band_conflict_with_a_phrase_not_a_date():
    """实际完成值 names a band (no date typed) that 完成档次 contradicts: the message quotes what was
    typed and names the band it means, instead of speaking of a completion date."""
    s, c, res = one(level2="时效指标", target="2022年10月31日前", actual="未达成年度指标且效果较差",
                    band="达成年度指标", note="x")  # fmt: skip
    f = next(f for f in res.findings if f.code == "QUAL_BAND_CONFLICT")
    assert "日期" not in f.message and "未达成年度指标且效果较差" in f.message
    assert "请把完成档次改为“未达成年度指标且效果较差”" in f.message
    s, c, res = one(level2="时效指标", target="2022年10月31日前", actual="2022年11月5日", band="达成年度指标")
    f = next(f for f in res.findings if f.code == "QUAL_BAND_CONFLICT")
    assert "实际完成日期晚于2022年10月31日" in f.message  # a date was typed: the date is the reason


def test_source_mismatch_names_what_to_fix():
    # a source amount that is not a number: AMOUNT_INVALID says so; no mismatch built on a partial sum
    lines = funds((100, 100, 100), ("当年财政拨款", (50, 50, 50)), ("上年结转资金", ("五十", 50, 50)))
    res = evaluate(project(full_weights([]), fund_lines=lines, allocations=[]), P)
    assert "AMOUNT_INVALID" in codes(res)
    assert not [f for f in res.findings if f.code == "FUNDS_SOURCE_MISMATCH" and "年初预算数" in f.message]
    # a source row that left 年初预算数 blank: Σ = 50 ≠ 100; the blank row is named first
    lines = funds((100, 100, 100), ("当年财政拨款", (50, 50, 50)), ("上年结转资金", (None, 50, 50)))
    res = evaluate(project(full_weights([]), fund_lines=lines, allocations=[]), P)
    f = next(f for f in res.findings if f.code == "FUNDS_SOURCE_MISMATCH")
    assert f.message == ("各资金来源年初预算数合计50.00万元，与年度资金总额100.00万元不一致；"
                         "请补填“上年结转资金”的年初预算数，或把年度资金总额的年初预算数改为50.00万元。")


def test_over_budget_beside_a_negative_amount_claims_no_rate():
    """年初预算数 −5 blocks the rate (AMOUNT_NEGATIVE): 110 > 100 is still over budget, but no rate is
    computed, so the message must not say how it is scored."""
    res = evaluate(project(full_weights([]), fund_lines=funds((-5, 100, 110)), allocations=[]), P)
    f = next(f for f in res.findings if f.code == "EXECUTION_OVER_BUDGET")
    assert "AMOUNT_NEGATIVE" in codes(res) and res.budget.rate is None and "计分" not in f.message


def test_a_placeholder_source_amount_is_not_asked_to_be_filled():
    lines = funds((100, 100, 100), ("当年财政拨款", (50, 50, 50)), ("上年结转资金", ("无", 50, 50)))
    res = evaluate(project(full_weights([]), fund_lines=lines, allocations=[]), P)
    f = next(f for f in res.findings if f.code == "FUNDS_SOURCE_MISMATCH")
    assert "补填" not in f.message and "请把年度资金总额的年初预算数改为50.00万元" in f.message
