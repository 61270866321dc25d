"""rules/review.py on declarations built in memory (read/declaration.py on a grid, no file): every
project-level check, the review levels, the profile's severities and the 审核结论 rule (issue #16)."""
import copy

import pytest

from jixiao_xlsx.findings import CATALOGUE
from jixiao_xlsx.read.book import Book, Sheet
from jixiao_xlsx.read.declaration import looks_like_declaration, read_declarations, read_sheet
from jixiao_xlsx.rules.profile import ProfileError, load_profile, parse_profile
from jixiao_xlsx.rules.review import LEVEL_OF, LEVELS, conclusion, frequent_problems, review_declaration, totals
from jixiao_xlsx.rules.review_profile import parse_review, review_rules

P = load_profile()
HEADER = ["一级指标", "二级指标", "三级指标", "指标值", "指标解释"]
GOOD_ROWS = [
    ["产出指标", "数量指标", "建成站点", "≥3个", ""],
    ["产出指标", "质量指标", "验收合格率", "≥95%", ""],
    ["产出指标", "时效指标", "完成时间", "2024年12月31日前", ""],
    ["产出指标", "成本指标", "建设成本", "≤40万元", ""],
    ["效益指标", "社会效益指标", "服务人次", "≥2000人次", ""],
    ["满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", ""],
]
GOOD = {
    "项目编码": "2024-001", "项目名称": "社区服务站建设", "申请单位": "某街道办事处", "主管部门": "某区民政局",
    "实施期限": "2024年1月至2024年12月", "项目总金额（万元）": 120, "本年度项目金额（万元）": 40,
    "政策依据": "某文件", "测算依据": "3个站点×13万元", "长期目标": "三年内建成10个社区服务站",
    "年度目标": "2024年12月31日前建成3个社区服务站，全年服务居民不少于2000人次",
}


def grid(fields=None, rows=None, title="项目支出绩效目标申报表", year="（2024年度）", name="项目"):
    """A sheet in the template layout: title, year, one label/value pair per row (A/B), the table."""
    fields = GOOD if fields is None else fields
    rows = GOOD_ROWS if rows is None else rows
    g = [[title, "", "", "", ""], [year, "", "", "", ""]]
    for k, v in fields.items():
        g.append([k, v, "", "", ""])
    g.append(list(HEADER))
    g.extend(list(r) + [""] * (5 - len(r)) for r in rows)
    return Sheet(name, g)


def review(sheet=None, profile=P, **kw):
    d = read_sheet(sheet or grid(**kw), "x.xlsx")
    return review_declaration(d, profile)


def codes(rv):
    return [f.code for f in rv.findings]


def at(rv, code):
    return [f.cell for f in rv.findings if f.code == code]


def with_fields(**changes):
    f = dict(GOOD)
    for k, v in changes.items():
        if v is None:
            f.pop(k, None)
        else:
            f[k] = v
    return f


# rows of grid(): 1 title, 2 year, 3 编码, 4 名称, 5 单位, 6 部门, 7 期限, 8 总金额, 9 本年度, 10 政策, 11 测算,
# 12 长期目标, 13 年度目标, 14 the table header, 15-20 GOOD_ROWS, then added rows from 21


def test_clean_declaration_passes():
    rv = review()
    assert rv.findings == []
    assert rv.conclusion == "通过"
    assert rv.project == "社区服务站建设" and rv.unit == "某街道办事处" and rv.amount == 40


def test_every_review_code_has_a_level_and_the_catalogue_scope():
    review_codes = {c for c, e in CATALOGUE.items() if e.scope == "review"}
    assert review_codes == set(LEVEL_OF)
    assert set(LEVEL_OF.values()) == set(LEVELS)
    for c in review_codes:
        assert CATALOGUE[c].description and not CATALOGUE[c].blocks


@pytest.mark.parametrize("label,ref", [("实施期限", "B7"), ("主管部门", "B6"), ("申请单位", "B5"), ("项目名称", "B4")])
def test_required_field_blank(label, ref):
    rv = review(fields=with_fields(**{label: ""}))
    assert at(rv, "DECL_FIELD_MISSING") == [ref]  # rows: 1 title, 2 year, 3 编码, 4 名称, 5 单位, 6 部门, 7 期限


def test_required_field_absent_names_the_sheet():
    rv = review(fields=with_fields(实施期限=None))
    f = [f for f in rv.findings if f.code == "DECL_FIELD_MISSING"]
    assert len(f) == 1 and f[0].cell == "" and f[0].sheet == "项目" and "没有“实施期限”一栏" in f[0].message


@pytest.mark.parametrize("label", ["项目编码", "政策依据", "测算依据"])
def test_recommended_field_is_a_hint(label):
    rv = review(fields=with_fields(**{label: ""}))
    assert codes(rv) == ["DECL_FIELD_RECOMMENDED"] and rv.findings[0].severity == "提示"
    assert rv.conclusion == "通过"  # one hint <= pass_max_hints 2


@pytest.mark.parametrize("alias", ["实施单位", "项目单位", "预算单位"])
def test_unit_label_aliases(alias):
    f = with_fields(申请单位=None)
    f[alias] = "某街道"
    assert review(fields=f).findings == []


def test_amount_typed_in_yuan_in_a_wan_field():
    rv = review(fields=with_fields(**{"本年度项目金额（万元）": 400000, "项目总金额（万元）": 1200000}))
    assert at(rv, "DECL_AMOUNT_LOOKS_LIKE_YUAN") == ["B8", "B9"]  # 总金额 row 8, 本年度 row 9


def test_amount_in_a_yuan_field_is_converted():
    # 本年度项目金额（元）400000 = 40万元: no hint, and the 40万元 cost ceiling fits it exactly
    f = with_fields(**{"本年度项目金额（万元）": None, "项目总金额（万元）": None})
    f["项目总金额（元）"] = 1200000
    f["本年度项目金额（元）"] = 400000
    rv = review(fields=f)
    assert rv.findings == [] and rv.amount == 40


def test_amount_text_with_unit_and_invalid_amounts():
    assert review(fields=with_fields(**{"本年度项目金额（万元）": "40万元"})).findings == []
    rv = review(fields=with_fields(**{"本年度项目金额（万元）": "约四十万"}))
    assert codes(rv) == ["DECL_AMOUNT_INVALID"]
    rv = review(fields=with_fields(**{"本年度项目金额（万元）": -5}))
    assert codes(rv) == ["DECL_AMOUNT_INVALID"]


def test_year_amount_over_total():
    rv = review(fields=with_fields(**{"本年度项目金额（万元）": 130}))  # 130 > 120
    assert "DECL_YEAR_AMOUNT_OVER_TOTAL" in codes(rv)
    assert "DECL_YEAR_AMOUNT_OVER_TOTAL" not in codes(review(fields=with_fields(**{"本年度项目金额（万元）": 120.005})))


def test_goal_missing_is_returned():
    rv = review(fields=with_fields(年度目标=""))
    assert codes(rv) == ["DECL_GOAL_MISSING"] and rv.conclusion == "退回"  # return_codes


@pytest.mark.parametrize("goal", ["进一步提升服务水平", "加强社区治理能力，提高群众满意度，完善服务体系建设", "完成建设"])
def test_goal_not_concrete(goal):
    assert "DECL_GOAL_VAGUE" in codes(review(fields=with_fields(年度目标=goal)))


@pytest.mark.parametrize("long_goal", [
    "2024年12月31日前建成3个社区服务站，全年服务居民不少于2000人次",  # identical
    "2024年12月31日前建成3个社区服务站，全年服务居民不少于2000人次。",  # a full stop more
    "2024年12月31日前 建成3个社区服务站，全年服务居民不少于2000人",  # a space, a character less
])
def test_goal_copied_from_long_term(long_goal):
    rv = review(fields=with_fields(长期目标=long_goal))
    assert at(rv, "DECL_GOAL_COPIED") == ["B13"]  # 年度目标 on row 13


def test_goal_similar_but_different_is_not_a_copy():
    assert review(fields=with_fields(长期目标="2024-2026年建成10个社区服务站，累计服务居民不少于10000人次")).findings == []


def test_no_table():
    s = Sheet("项目", [[k, v] for k, v in GOOD.items()])
    rv = review(s)
    assert codes(rv) == ["DECL_INDICATORS_EMPTY"]
    assert review(rows=[]).findings[0].code == "DECL_INDICATORS_EMPTY"


def test_level1_missing_and_level2_missing():
    rows = [r for r in GOOD_ROWS if r[0] != "效益指标" and r[1] != "成本指标"]
    rv = review(rows=rows)
    assert sorted(codes(rv)) == ["DECL_LEVEL1_MISSING", "DECL_LEVEL2_MISSING"]
    assert "成本指标" in [f for f in rv.findings if f.code == "DECL_LEVEL2_MISSING"][0].message


def test_level2_marked_not_applicable_counts_as_covered():
    rows = [r for r in GOOD_ROWS if r[1] != "成本指标"] + [["产出指标", "成本指标", "不适用", "不适用", "无单独成本"]]
    assert review(rows=rows).findings == []


def test_cost_as_level1_profile_setting():
    rows = [r for r in GOOD_ROWS if r[1] != "成本指标"] + [["成本指标", "经济成本指标", "建设成本", "≤40万元", ""]]
    assert "DECL_LEVEL_UNKNOWN" in codes(review(rows=rows))
    data = copy.deepcopy(P.raw)
    data["review"]["cost_level1"] = True
    rows = [r for r in GOOD_ROWS if r[1] != "成本指标"] + [["成本指标", "", "建设成本", "≤40万元", ""]]
    assert review(rows=rows, profile=parse_profile(data)).findings == []


def test_satisfaction_where_the_public_is_served():
    rows = [r for r in GOOD_ROWS if r[0] != "满意度指标"]
    rv = review(rows=rows)  # 年度目标 says 居民
    assert codes(rv) == ["DECL_SATISFACTION_MISSING"] and rv.findings[0].severity == "提示"
    internal = with_fields(项目名称="办公设备购置", 年度目标="2024年6月30日前购置办公电脑20台，保障机关日常办公运转")
    rows2 = [r if r[2] != "服务人次" else ["效益指标", "社会效益指标", "设备完好率", "≥98%", ""] for r in rows]
    assert review(fields=internal, rows=rows2).findings == []


def test_unknown_levels_reported_once_per_cell():
    rows = [["产出", "数量", "建成站点", "≥3个"], ["效益目标", "社会效益", "服务人次", "≥2000人次"],
            ["产出指标", "社会效益指标", "x", "≥1个"], ["综合指标", "数量指标", "y", "≥1个"]]
    rv = review(rows=rows + [r for r in GOOD_ROWS if r[0] == "满意度指标"])
    unknown = [(f.cell, f.message) for f in rv.findings if f.code == "DECL_LEVEL_UNKNOWN"]
    assert [c for c, _ in unknown] == ["B17", "A18"]  # 社会效益指标 under 产出; 综合指标 unknown
    assert "不属于产出指标" in unknown[0][1]


def test_duplicate_name_and_name_missing():
    rows = GOOD_ROWS + [["效益指标", "社会效益指标", "服务人次", "≥2500人次", ""], ["效益指标", "社会效益指标", "", "≥1个", ""]]
    rv = review(rows=rows)
    assert at(rv, "DECL_DUPLICATE_INDICATOR") == ["C21"] and at(rv, "DECL_INDICATOR_NAME_MISSING") == ["C22"]


def test_target_findings_are_at_the_target_cell():
    rows = GOOD_ROWS + [["效益指标", "社会效益指标", "宣传效果", "明显提升", ""],
                        ["效益指标", "社会效益指标", "投诉率", "≥5%", ""]]
    rv = review(rows=rows)
    assert at(rv, "DECL_TARGET_VAGUE") == ["D21"] and at(rv, "DECL_DIRECTION_WRONG") == ["D22"]
    assert {f.level for f in rv.findings} == {"适当性"}


def test_cost_ceiling_against_year_amount_in_the_review():
    rows = [r if r[1] != "成本指标" else ["产出指标", "成本指标", "建设成本", "≤100万元", ""] for r in GOOD_ROWS]
    rv = review(rows=rows)  # total 120, year 40: 100 is within the total but over the year
    assert at(rv, "DECL_COST_OVER_AMOUNT") == ["D18"]


def test_budget_year_from_period_when_title_has_none():
    rows = [r if r[1] != "时效指标" else ["产出指标", "时效指标", "完成时间", "2025年3月31日前", ""] for r in GOOD_ROWS]
    assert "DECL_DATE_OUTSIDE_YEAR" in codes(review(rows=rows, year=""))  # 实施期限 2024年1月至2024年12月
    f = with_fields(实施期限="2023年1月至2025年12月")
    assert "DECL_DATE_OUTSIDE_YEAR" not in codes(review(fields=f, rows=rows, year=""))  # several years: unknown


def test_not_applicable_rows_are_not_checked():
    rows = GOOD_ROWS + [["效益指标", "经济效益指标", "经济效益", "不适用", ""], ["效益指标", "生态效益指标", "/", "/", ""]]
    assert review(rows=rows).findings == []


# -- profile: severities, conclusion rule, validation ---------------------------------------------


def _profile(**review_changes):
    data = copy.deepcopy(P.raw)
    data["review"].update(review_changes)
    return parse_profile(data)


def test_severity_override():
    rows = [r for r in GOOD_ROWS if r[0] != "满意度指标"]
    p = _profile(severity={"DECL_SATISFACTION_MISSING": "错误"})
    rv = review(rows=rows, profile=p)
    assert rv.findings[0].severity == "错误" and rv.conclusion == "修改后通过"


def test_conclusion_rule():
    rules = review_rules(P)

    class F:
        def __init__(self, sev, code="DECL_TARGET_VAGUE"):
            self.severity, self.code = sev, code

    assert conclusion([], rules) == "通过"
    assert conclusion([F("提示")] * 2, rules) == "通过"
    assert conclusion([F("提示")] * 3, rules) == "修改后通过"  # pass_max_hints = 2
    assert conclusion([F("错误")] * 4, rules) == "修改后通过"
    assert conclusion([F("错误")] * 5, rules) == "退回"  # return_min_errors = 5
    assert conclusion([F("错误", "DECL_INDICATORS_EMPTY")], rules) == "退回"
    strict = review_rules(_profile(conclusion={"return_min_errors": 1, "pass_max_hints": 0}))
    assert conclusion([F("提示")], strict) == "修改后通过" and conclusion([F("错误")], strict) == "退回"


@pytest.mark.parametrize("bad", [
    {"vague_words": "提升"}, {"required": ["name", "nonsense"]}, {"severity": {"TARGET_MISSING": "错误"}},
    {"severity": {"DECL_TARGET_VAGUE": "严重"}}, {"goal_copy_ratio": 1.5}, {"percent_max": -1},
    {"conclusion": {"return_min_errors": "五"}},
])
def test_invalid_review_section(bad):
    raw = copy.deepcopy(P.raw["review"])
    raw.update(bad)
    with pytest.raises(ProfileError) as e:
        parse_review(raw)
    assert "review." in str(e.value)


def test_profile_without_review_section_uses_defaults():
    data = copy.deepcopy(P.raw)
    del data["review"]
    assert review(profile=parse_profile(data)).findings == []


# -- across projects ------------------------------------------------------------------------------


def test_totals_and_frequent_problems():
    a = review()
    b = review(rows=[r for r in GOOD_ROWS if r[1] != "成本指标"])
    c = review(rows=[r for r in GOOD_ROWS if r[1] not in ("成本指标", "时效指标")] + [["效益指标", "社会效益指标", "z", "XX", ""]])
    t = totals([a, b, c])
    assert t["projects"] == 3 and t["errors"] == 4  # b: 1 LEVEL2_MISSING; c: 2 LEVEL2_MISSING + 1 placeholder
    assert t["conclusions"] == {"通过": 1, "修改后通过": 2, "退回": 0}
    assert t["by_level"]["完整性"]["errors"] == 3 and t["by_level"]["适当性"]["errors"] == 1
    top = frequent_problems([a, b, c])
    assert top[0][0] == "DECL_LEVEL2_MISSING" and top[0][3:] == (3, 2)  # 3 findings in 2 projects


# -- reading ---------------------------------------------------------------------------------------


def test_every_sheet_is_read_and_self_evaluations_are_not_declarations():
    other = Sheet("填表说明", [["填表说明：每个项目一个工作表"]])
    selfe = Sheet("绩效指标", [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "自评得分"]])
    book = Book("x.xlsx", [grid(name="一"), other, grid(name="二")])
    assert [d.sheet for d in read_declarations(book)] == ["一", "二"]
    assert looks_like_declaration(book)
    assert not looks_like_declaration(Book("y.xlsx", [selfe, other]))


def test_national_layout_two_tables_side_by_side_takes_the_annual_one():
    g = [["项目支出绩效目标申报表", "", "", "", "", "", "", ""],
         ["项目名称", "X", "", "", "", "", "", ""],
         ["中期指标", "", "", "", "年度指标", "", "", ""],
         ["一级指标", "二级指标", "三级指标", "指标值", "一级指标", "二级指标", "三级指标", "指标值"],
         ["产出指标", "数量指标", "三年建成", "≥10个", "产出指标", "数量指标", "本年建成", "≥3个"]]
    d = read_sheet(Sheet("s", g))
    assert [(i.level3.text, i.target.ref) for i in d.indicators] == [("本年建成", "H5")]


def test_merged_levels_and_split_merges():
    g = [["项目名称", "X", "", "", ""], ["长期目标", "L", "", "", ""], HEADER,
         ["产出指标", "数量指标", "a", "≥1个", ""],
         ["", "", "b", "≥2个", ""],  # merged 一级/二级 (below)
         ["", "质量指标", "c", "≥95%", ""],  # split merge: blank 一级 continues the one above
         ["", "", "", "", ""]]
    s = Sheet("s", g, merges=[(3, 0, 4, 0), (3, 1, 4, 1)])
    d = read_sheet(s)
    assert [(i.level1.ref, i.level2.ref, i.level2.text) for i in d.indicators] == [
        ("A4", "B4", "数量指标"), ("A4", "B4", "数量指标"), ("A4", "B6", "质量指标")]


def test_inline_label_value_and_value_below():
    g = [["项目名称：社区书屋", "", ""], ["长期目标", "年度目标", ""], ["L 目标", "A 目标", ""]]
    d = read_sheet(Sheet("s", g))
    assert d.fields["name"].text == "社区书屋" and d.fields["name"].ref == "A1"
    assert (d.fields["long_goal"].ref, d.fields["annual_goal"].ref) == ("A3", "B3")


def _row(l2, name, target, l1="产出指标"):
    return [r if r[1] != l2 else [l1, l2, name, target, ""] for r in GOOD_ROWS]


EVERY_CODE = {  # code -> (fields, rows, cell): one declaration per review code, cited at its cell
    "DECL_FIELD_MISSING": (with_fields(主管部门=""), None, "B6"),
    "DECL_FIELD_RECOMMENDED": (with_fields(测算依据=""), None, "B11"),
    "DECL_AMOUNT_INVALID": (with_fields(**{"项目总金额（万元）": "壹佰贰拾万"}), None, "B8"),
    "DECL_AMOUNT_LOOKS_LIKE_YUAN": (with_fields(**{"项目总金额（万元）": 1200000}), None, "B8"),
    "DECL_YEAR_AMOUNT_OVER_TOTAL": (with_fields(**{"项目总金额（万元）": 30}), None, "B9"),
    "DECL_GOAL_MISSING": (with_fields(年度目标=""), None, "B13"),
    "DECL_GOAL_VAGUE": (with_fields(年度目标="有效改善社区服务"), None, "B13"),
    "DECL_GOAL_COPIED": (with_fields(长期目标=GOOD["年度目标"]), None, "B13"),
    "DECL_INDICATORS_EMPTY": (None, [], ""),
    "DECL_LEVEL_UNKNOWN": (None, _row("数量指标", "建成站点", "≥3个", l1="其他指标"), "A15"),
    "DECL_LEVEL1_MISSING": (None, [r for r in GOOD_ROWS if r[0] != "效益指标"], "A14"),
    "DECL_LEVEL2_MISSING": (None, [r for r in GOOD_ROWS if r[1] != "质量指标"], "A14"),
    "DECL_SATISFACTION_MISSING": (None, [r for r in GOOD_ROWS if r[0] != "满意度指标"], "A14"),
    "DECL_INDICATOR_NAME_MISSING": (None, _row("数量指标", "", "≥3个"), "C15"),
    "DECL_DUPLICATE_INDICATOR": (None, _row("质量指标", "建成站点", "≥95%"), "C16"),
    "DECL_TARGET_MISSING": (None, _row("数量指标", "建成站点", ""), "D15"),
    "DECL_TARGET_PLACEHOLDER": (None, _row("数量指标", "建成站点", "***"), "D15"),
    "DECL_TARGET_VAGUE": (None, _row("质量指标", "验收质量", "显著提高"), "D16"),
    "DECL_TARGET_QUALITATIVE": (None, _row("质量指标", "验收质量", "符合设计要求"), "D16"),
    "DECL_TARGET_RANGE": (None, _row("质量指标", "验收合格率", "95%~100%"), "D16"),
    "DECL_TARGET_NO_UNIT": (None, _row("数量指标", "建成站点", "≥3"), "D15"),
    "DECL_TARGET_NO_COMPARATOR": (None, _row("数量指标", "建成站点", "3个"), "D15"),
    "DECL_TARGET_NEGATIVE": (None, _row("数量指标", "建成站点", "-3个"), "D15"),
    "DECL_DIRECTION_WRONG": (None, _row("质量指标", "设备故障率", "≥2%"), "D16"),
    "DECL_PERCENT_OVER_100": (None, _row("质量指标", "验收合格率", "≥110%"), "D16"),
    "DECL_TIMELINESS_NOT_TIME": (None, _row("时效指标", "完成时间", "≥3个"), "D17"),
    "DECL_DATE_OUTSIDE_YEAR": (None, _row("时效指标", "完成时间", "2025年3月31日前"), "D17"),
    "DECL_TARGET_LOOKS_LIKE_YUAN": (None, _row("数量指标", "撬动社会资金", "≥500000万元"), "D15"),
    "DECL_COST_OVER_AMOUNT": (None, _row("成本指标", "建设成本", "≤45万元"), "D18"),
}


def test_every_review_code_has_a_case():
    refused = {"DECL_IS_SELF_EVALUATION", "DECL_NOT_FOUND"}  # whole files: tests/test_declaration_samples.py
    assert set(EVERY_CODE) | refused == {c for c, e in CATALOGUE.items() if e.scope == "review"}


@pytest.mark.parametrize("code", sorted(EVERY_CODE))
def test_review_code_at_its_cell(code):
    fields, rows, cell = EVERY_CODE[code]
    rv = review(fields=fields, rows=rows)
    got = [(f.code, f.cell) for f in rv.findings]
    assert (code, cell) in got, got
    f = next(f for f in rv.findings if f.code == code)
    assert f.level == LEVEL_OF[code] and f.severity == CATALOGUE[code].severity and f.message
