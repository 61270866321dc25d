"""rules/target_checks.py: every per-指标值 check, with more wordings than the samples (issue #16)."""
import datetime as dt
from decimal import Decimal

import pytest

from jixiao_xlsx.rules.profile import load_profile
from jixiao_xlsx.rules.target_checks import (amount_in_yuan_hint, is_reverse_nature, target_problems,
                                             unreadable_target_advice)
from jixiao_xlsx.rules.review_profile import review_rules

P = load_profile()


def kinds(value, **kw):
    kw.setdefault("year", 2024)
    return [p.kind for p in target_problems(value, P, **kw)]


@pytest.mark.parametrize("value,level2,name", [
    ("≥95%", "质量指标", "验收合格率"),
    ("≥5000人次", "数量指标", "服务人次"),
    ("不少于3个", "数量指标", "新建站点"),
    ("3000户以上", "效益指标", "惠及户数"),
    ("=100%", "质量指标", "合格率"),
    ("≤30天", "时效指标", "办理时限"),
    ("≤24小时", "时效指标", "响应时间"),
    ("不超过15个工作日", "时效指标", "审批时长"),
    ("≥95%", "时效指标", "按时完成率"),
    ("2024年12月31日前", "时效指标", "完成时间"),
    ("12月底前", "时效指标", "完成时间"),
    ("2024-06-30前", "时效指标", "完成时间"),
    (dt.datetime(2024, 9, 30), "时效指标", "完成时间"),
    ("≤50万元", "成本指标", "建设成本"),
    ("≤120元/人", "成本指标", "人均成本"),
    ("≤2%", "质量指标", "设备故障率"),
    ("≥98%", "质量指标", "投诉办结率"),  # a 投诉 rate that is a ≥ indicator (reverse_except 办结)
    ("优", "效益指标", "服务质量等级"),
    ("基本满意", "满意度指标", "群众评价"),
    ("是", "效益指标", "纳入体系"),
])
def test_measurable_targets_have_no_problem(value, level2, name):
    assert target_problems(value, P, level2=level2, name=name, year=2024, year_amount=Decimal(50)) == []


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_missing(value):
    assert kinds(value) == ["missing"]


@pytest.mark.parametrize("value", ["*", "**", "***", "XX", "xx", "×", "≥XX%", "XX人次", "≥**个", "待定", "X", "？"])
def test_placeholders(value):
    assert kinds(value) == ["placeholder"]


@pytest.mark.parametrize("value,word", [
    ("明显提升", "提升"), ("显著提高", "提高"), ("及时", "及时"), ("良好", "良好"), ("有效改善", "有效"),
    ("进一步加强", "进一步"), ("服务水平稳步提升", "提升"), ("及时完成", "及时"), ("效果较好", "较好"),
])
def test_vague_words(value, word):
    probs = target_problems(value, P, year=2024)
    assert [p.kind for p in probs] == ["vague"]
    assert f"“{word}”" in probs[0].message


def test_vague_word_list_is_the_profile_s():
    rules = review_rules(P)
    assert "进一步" in rules.vague_words and "显著" in rules.vague_words


@pytest.mark.parametrize("value", ["达到市级标准", "群众安全感增强了", "完成3个项目建设"])
def test_descriptive_text_is_a_qualitative_hint(value):
    # 增强 is a vague word: "群众安全感增强了" is vague, the others descriptive
    got = kinds(value)
    assert got == (["vague"] if "增强" in value else ["qualitative"])


@pytest.mark.parametrize("value", [50, 50.0, "50", "１００", "3.5"])
def test_bare_number_has_no_unit_and_no_comparator(value):
    assert kinds(value, level2="数量指标", name="宣传场次") == ["no_unit", "no_comparator"]


def test_unit_column_supplies_the_unit():
    assert kinds("≥50", level2="数量指标", name="宣传场次", unit_column="场") == []
    assert kinds("50", level2="数量指标", name="宣传场次", unit_column="场") == ["no_comparator"]


def test_percent_cell_is_a_percentage_not_a_bare_number():
    assert kinds(0.95, level2="质量指标", name="合格率", percent_format=True) == ["no_comparator"]


@pytest.mark.parametrize("value", ["5000人次", "95%", "30天"])
def test_number_with_unit_without_comparator(value):
    assert kinds(value, level2="数量指标" if "人" in value else None, name="x") == ["no_comparator"]


@pytest.mark.parametrize("value,name,level2", [
    ("≥300万元", "改造成本", "成本指标"),
    ("不低于50万元", "建设费用", "成本指标"),
    ("≥5%", "居民投诉率", "社会效益指标"),
    ("≥1%", "设备故障率", "质量指标"),
    ("大于2%", "安全事故发生率", "质量指标"),
    ("≥10个", "投诉件数", "社会效益指标"),
    ("5%以上", "差错率", "质量指标"),
])
def test_comparator_against_a_reverse_nature(value, name, level2):
    assert "direction" in kinds(value, name=name, level2=level2, year_amount=Decimal(1000))


def test_reverse_nature_exceptions():
    rules = review_rules(P)
    assert is_reverse_nature("投诉率", None, rules)
    assert not is_reverse_nature("投诉办结率", None, rules)
    assert not is_reverse_nature("成本节约率", "成本指标", rules)
    assert is_reverse_nature("任何名称", "成本指标", rules)


@pytest.mark.parametrize("value", ["≥120%", "105%", "=101%", "≥100.5％", "110百分比"])
def test_percent_over_100(value):
    assert "percent_over" in kinds(value, name="出勤率")


def test_percent_exactly_100_is_fine():
    assert kinds("≥100%", name="出勤率") == []


@pytest.mark.parametrize("value", ["≥4800次", "=3个", "≥200人次", "≤50万元"])
def test_timeliness_that_is_no_time(value):
    assert "not_time" in kinds(value, level2="时效指标", name="巡查")


@pytest.mark.parametrize("value", ["2025年6月30日前", "2023年12月31日前", "2025-03-31前", dt.date(2025, 1, 15),
                                   "2025年底前完成任务", "2023年已完成"])
def test_dates_outside_the_budget_year(value):
    assert "date_outside_year" in kinds(value, level2="时效指标", name="完成时间")


def test_dates_inside_the_budget_year_and_unknown_year():
    assert kinds("2024年6月30日前", level2="时效指标", name="t") == []
    assert kinds("2025年6月30日前", level2="时效指标", name="t", year=None) == []  # year unknown: not judged


@pytest.mark.parametrize("value", ["≤50000万元", "≤120000万元", "≥10000万元"])
def test_wan_target_that_looks_like_yuan(value):
    assert "looks_like_yuan" in kinds(value, name="项目资金")


def test_cost_ceiling_against_the_year_amount_not_the_total():
    # year 20万元 of a 60万元 three-year project: a 25万元 ceiling is over the year's amount
    assert "cost_over_amount" in kinds("≤25万元", level2="成本指标", name="建设成本", year_amount=Decimal(20))
    assert "cost_over_amount" not in kinds("≤18万元", level2="成本指标", name="建设成本", year_amount=Decimal(20))
    # 200000元 = 20万元: at the limit, fine; 200001元 over it
    assert kinds("≤200000元", level2="成本指标", name="建设成本", year_amount=Decimal(20)) == []
    assert "cost_over_amount" in kinds("≤210000元", level2="成本指标", name="建设成本", year_amount=Decimal(20))
    # unknown year amount: never compared with anything else
    assert kinds("≤25万元", level2="成本指标", name="建设成本") == []


@pytest.mark.parametrize("value", ["90%-100%", "3~5个", "95%至100%"])
def test_ranges(value):
    assert kinds(value) == ["range"]


def test_negative():
    assert kinds("-5%", name="增长率") == ["negative"]


def test_amount_in_yuan_hint_same_words_both_stages():
    assert amount_in_yuan_hint(Decimal(9999), P) is None
    msg = amount_in_yuan_hint(Decimal(3500000), P)
    # 3500000 万元 is 350 亿元; typed in 元 it was 350 万元
    assert "即350亿元" in msg and "350.00（万元）" in msg


def test_unreadable_target_advice_for_the_scorer():
    assert "定性" in unreadable_target_advice("明显提升", P)
    assert "占位符" in unreadable_target_advice("XX", P)
    assert unreadable_target_advice("90%-110%", P) is None
    assert unreadable_target_advice("≥95%", P) is None


@pytest.mark.parametrize("value", ["3个社区完成改造提升工程", "2024年完成"])
def test_sentence_starting_with_a_number_is_text(value):
    assert kinds(value, name="x") in (["qualitative"], ["vague"])
