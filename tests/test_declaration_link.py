"""Issue #16, the link: a self-evaluation's target and amounts pass the declaration review's checks, so
one defect is named in the same words in both stages (a vague target is called vague, with the advice to
score it as 定性, not just "unparseable"; 元 typed in a 万元 field gets the same hint)."""
from decimal import Decimal

import pytest

from jixiao_xlsx.rules.profile import load_profile
from jixiao_xlsx.rules.scoring import evaluate
from jixiao_xlsx.rules.target_checks import amount_in_yuan_hint, target_problems
from tests.support.memory import full_weights, funds, project, row

P = load_profile()


def _target_finding(target):
    rows = full_weights([row(3, level2="质量指标", level3="服务质量", target=target, actual="95%", direction="正向",
                             weight=10)])
    result = evaluate(project(rows), P)
    return [f for f in result.findings if f.code == "TARGET_UNPARSEABLE" and f.cell == "E3"]


@pytest.mark.parametrize("target, words", [
    ("服务质量明显提升", "含糊用语"),
    ("进一步提高", "含糊用语"),
    ("XX", "占位符"),
    ("*", "占位符"),
    ("达成预期目标", "文字描述"),
])
def test_vague_or_placeholder_target_is_named_as_the_review_names_it(target, words):
    found = _target_finding(target)
    assert len(found) == 1
    msg = found[0].message
    assert words in msg and "定性" in msg and f"“{target}”" in msg
    # the review says the same about the same text
    assert any(words in p.message for p in target_problems(target, P, level2="质量指标"))


def test_a_range_keeps_its_own_message():
    found = _target_finding("90%-110%")
    assert len(found) == 1 and "区间" in found[0].message


def test_amount_typed_in_yuan_gets_one_hint_at_the_first_such_cell():
    # 1,000,000 in every 万元 cell is the 100万元 project typed in 元: one hint, at 年度资金总额 年初预算数 (B3)
    big = (1000000, 1000000, 1000000)
    rows = full_weights([row(3, target="≥1个", actual="1个", weight=10)])
    result = evaluate(project(rows, fund_lines=funds(big, ("当年财政拨款", big))), P)
    hints = [f for f in result.findings if f.code == "AMOUNT_LOOKS_LIKE_YUAN"]
    assert [(h.sheet, h.cell) for h in hints] == [("预算执行", "B3")]
    assert "疑似按元填写" in hints[0].message and "100.00" in hints[0].message  # 1,000,000 ÷ 10,000 = 100.00
    # the same words as the review's
    assert amount_in_yuan_hint(Decimal(1000000), P) in hints[0].message


def test_ordinary_amounts_get_no_yuan_hint():
    rows = full_weights([row(3, target="≥1个", actual="1个", weight=10)])
    result = evaluate(project(rows), P)  # 100 万元
    assert not [f for f in result.findings if f.code == "AMOUNT_LOOKS_LIKE_YUAN"]
