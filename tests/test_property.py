"""Property test (issue #4): whatever a clerk types into the indicator and budget cells, scoring never
raises, every indicator score stays within [0, weight] and the execution score within [0, its weight].

Projects are built in memory (tests/memory.py), so ~200 examples run in a few seconds.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao_xlsx.rules.profile import load_profile
from jixiao_xlsx.rules.scoring import evaluate
from tests.support import memory as M

PROFILE = load_profile()

COMPARATORS = ["", "≥", ">=", "≤", "<=", "=", "＞", "＜", ">", "<", "不低于", "不少于", "不高于", "不超过", "大于", "小于", "约"]
UNITS = ["", "%", "％", "个", "人", "人次", "万元", "元", "亿元", "部", "天", "百分比", "万人次", "次/年", "分"]
MESSY = [
    "≥95%", "１００", "９５％", "≥９５％", "1,000,000元", "100万元", "70万", "5000人", "超过5000人", "≤90万元", "=100%",
    "100百分比", "90%-110%", "2022年12月31日前", "12月底前完成", "按时完成", "年底前", "达成年度指标", "部分达成年度指标并具有一定效果",
    "未达成年度指标且效果较差", "已完成", "是", "否", "—", "/", "无", "", " ", "\u3000", "nan", "inf", "-inf", "1e308", "-0",
    "0", "0.0", "≥0个", "≤0起", "=0起", "≥-5%", "-3", "@", "=SUM(A1:A2)", "+86", "-", "五分", "八", "10分", "1e-30",
    "9" * 60, "0." + "0" * 40 + "1", "党" * 500, "2022/12/31", "2022-02-30", "13月底前", "\u200b95%", "95 %", "９５．５％",
]

finite_numbers = st.one_of(
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.sampled_from([0, 0.0, -0.0, 1e-9, 0.005, 0.95, 1, 5, 9.995, 10, 100, 1e15, 1e308, -1e308, 5e-324]),
)
numbers = st.one_of(finite_numbers, st.floats(allow_nan=True, allow_infinity=True))
composed = st.builds(lambda c, n, u: f"{c}{n}{u}", st.sampled_from(COMPARATORS), finite_numbers, st.sampled_from(UNITS))
dates = st.one_of(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
                  st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)))
values = st.one_of(
    st.none(), numbers, st.booleans(), dates, st.sampled_from(MESSY), composed, st.text(max_size=30),
    st.builds(lambda s: s.translate({i: i + 0xFEE0 for i in range(0x21, 0x7F)}), composed),  # full-width
)
weights = st.one_of(values, st.sampled_from([8, 9, 10, 2.5, 0, -1, 1e308, 0.001, "5", "５"]))
level1s = st.one_of(st.sampled_from(["产出指标", "效益指标", "满意度指标", "产出", "产出指标(50分)", "效益目标"]), values)
level2s = st.one_of(st.sampled_from(["数量指标", "质量指标", "时效指标", "成本指标", "社会效益指标", "服务对象满意度指标", "满意度"]), values)
directions = st.one_of(st.sampled_from(["正向", "反向", "等于", "定性", None, "", "≥", "越大越好"]), values)
bands = st.one_of(st.sampled_from(["达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差", None]), values)


@st.composite
def indicator_rows(draw):
    n = draw(st.integers(min_value=0, max_value=6))
    rows = []
    for i in range(n):
        rows.append(M.row(
            3 + i, level1=draw(level1s), level2=draw(level2s), level3=draw(st.one_of(st.just(f"指标{i}"), values)),
            target=draw(values), actual=draw(values), weight=draw(weights), direction=draw(directions),
            unit=draw(st.one_of(st.sampled_from(UNITS), values)), band=draw(bands), self_score=draw(values),
            note=draw(st.one_of(st.none(), st.just("原因说明"), values)),
        ))
    return rows


amounts = st.one_of(values, st.sampled_from([100, 0, -3, 1e308, "100万元", "1,000,000元", "１００"]))
triples = st.tuples(amounts, amounts, amounts)


@st.composite
def fund_lines(draw):
    total = draw(st.one_of(st.none(), triples))
    sources = draw(st.lists(st.tuples(st.sampled_from(["当年财政拨款", "上年结转资金", "其他资金"]), triples), max_size=3))
    return M.funds(total, *sources)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=indicator_rows(), lines=fund_lines(), year=st.one_of(st.just(2022), values),
       allocations=st.lists(st.tuples(amounts, amounts), max_size=3), self_total=values)
def test_scoring_never_raises_and_stays_in_bounds(rows, lines, year, allocations, self_total):
    p = M.project(rows, fund_lines=lines, allocations=[M.alloc(3 + i, a, b) for i, (a, b) in enumerate(allocations)],
                  year=year, self_total=self_total)
    r = evaluate(p, PROFILE)
    b = r.budget
    if b.score is not None:
        assert b.score.is_finite() and Decimal(0) <= b.score <= b.weight, (b.score, b.weight)
    for s in r.indicators:
        if s.score is not None:
            assert s.weight is not None and s.score.is_finite(), s
            assert Decimal(0) <= s.score <= s.weight, (s.score, s.weight, s.target, s.actual)
    if r.total is not None:
        assert r.total.is_finite() and r.total >= 0 and not r.blocked
    for f in r.findings:
        assert f.message and isinstance(f.message, str)
    json.dumps(r.as_dict(), ensure_ascii=False, allow_nan=False)  # writers and --json must cope
