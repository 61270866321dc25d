"""Is a 指标值 measurable? The per-target checks shared by the declaration review and the self-evaluation.

A target is set in the 绩效目标申报表 and scored a year later in the self-evaluation; both stages ask
the same questions of it (placeholder, vague words, a bare number, a comparator against the nature of
the indicator, a percentage over 100, a 时效 value that is no time, a date outside the budget year, an
amount typed in 元 in a 万元 field). :func:`target_problems` answers them for one value and returns
plain data; the review turns each answer into a ``DECL_*`` finding, the scorer may name a vague target
as such (score it as 定性) instead of "unparseable".
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, NamedTuple, Optional

from .review_profile import ReviewRules, review_rules
from .values import fmt, fmt_plain, looks_like_range, norm, norm_text, parse_deadline, parse_quantity, quote, to_decimal

# problem kinds (the review's code is "DECL_TARGET_" + kind.upper() for most, see rules/review.py)
MISSING, PLACEHOLDER, VAGUE, QUALITATIVE, RANGE = "missing", "placeholder", "vague", "qualitative", "range"
NO_UNIT, NO_COMPARATOR, NEGATIVE, DIRECTION = "no_unit", "no_comparator", "negative", "direction"
PERCENT_OVER, NOT_TIME, DATE_OUTSIDE_YEAR = "percent_over", "not_time", "date_outside_year"
LOOKS_LIKE_YUAN, COST_OVER_AMOUNT = "looks_like_yuan", "cost_over_amount"

COST, TIMELINESS = "成本指标", "时效指标"
_PLACEHOLDER_RUN = re.compile(r"[xX×*]{2,}|^[xX×*?？…]+$")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(\d{4})年")
_DIGIT = re.compile(r"\d")


class TargetProblem(NamedTuple):
    kind: str  # one of the constants above
    message: str  # Chinese: what is wrong and what to write instead


def is_reverse_nature(name: str, level2: Optional[str], rules: ReviewRules) -> bool:
    """Whether an indicator is by nature a ceiling (成本, 故障率, 发生率, 投诉 …): its target should be ≤."""
    n = norm(name)
    if any(w in n for w in rules.reverse_except):
        return False
    return level2 == COST or any(w in n for w in rules.reverse_words)


def vague_word(text: str, rules: ReviewRules) -> Optional[str]:
    """The first vague word (profile list) in ``text``, or None."""
    t = norm(text)
    for w in rules.vague_words:
        if w and w in t:
            return w
    return None


def is_placeholder(text: str, rules: ReviewRules) -> bool:
    t = norm_text(text)
    return t.upper() in rules.placeholders or bool(_PLACEHOLDER_RUN.search(t)) or any(
        len(p) > 1 and not p.isascii() and p in t for p in rules.placeholders)


def target_problems(value: Any, profile, *, level2: Optional[str] = None, name: str = "", unit_column: str = "",
                    year: Optional[int] = None, year_amount: Optional[Decimal] = None,
                    percent_format: bool = False) -> list:
    """Problems of one 指标值 (a cell value as read) as :class:`TargetProblem`s, in the order found.

    ``level2`` is the canonical 二级 (``时效指标``, ``成本指标`` …) when known; ``name`` the 三级 name;
    ``unit_column`` a 计量单位 cell's text; ``year`` the budget (or evaluation) year; ``year_amount``
    the year's amount in 万元 (成本 ceilings are checked against it, never against a multi-year total).
    """
    rules = review_rules(profile)
    if value is None or (isinstance(value, str) and not value.strip()):
        return [TargetProblem(MISSING, "指标值为空，请填写可衡量的目标值，如“≥95%”“≤30天”“=3个”。")]
    shown = quote(_shown(value))
    if isinstance(value, str) and is_placeholder(value, rules):
        return [TargetProblem(PLACEHOLDER, f"指标值“{shown}”是占位符，请填写确定的目标值，如“≥95%”“≤30天”“=3个”；"
                                           "自评时此类指标无法按数值评分。")]
    dl = parse_deadline(value, year, profile)
    if dl is not None:
        return _deadline_problems(value, dl, year, rules, shown)
    if isinstance(value, str) and looks_like_range(value):
        return [TargetProblem(RANGE, f"指标值“{shown}”是区间，自评时无法按数值评分；请写成下限或上限，如“≥90%”。")]
    q = parse_quantity(value, profile, percent_format)
    if q is not None and _sentence(q):
        q = None  # "2025年底前完成任务", "3个社区完成改造": a sentence that starts with a number
    if q is None:
        return _text_problems(str(value), year, rules, shown)
    return _quantity_problems(q, profile, rules, shown, level2, name, unit_column, year_amount)


MAX_UNIT_CHARS = 6  # "个工作日", "元/人·次"; a longer "unit" is the rest of a sentence


def _sentence(q) -> bool:
    if len(q.unit) > MAX_UNIT_CHARS:
        return True
    return q.unit.startswith("年") and len(q.unit) > 1 and 1900 <= q.number <= 2200


def _deadline_problems(value, dl, year, rules: ReviewRules, shown: str) -> list:
    out = []
    w = vague_word(value, rules) if isinstance(value, str) else None
    if w:
        end = f"{year}年12月31日前" if year else "2024年12月31日前"
        out.append(TargetProblem(VAGUE, f"指标值“{shown}”含“{w}”，没有写明时限；请写成具体日期，如“{end}”。"))
    if year and dl.date is not None and dl.date.year != year:
        out.append(TargetProblem(DATE_OUTSIDE_YEAR, f"指标值“{shown}”的日期不在预算年度{year}年内；年度指标应在"
                                                    f"{year}年12月31日前完成，跨年的安排请写入长期目标。"))
    return out


def _text_problems(text: str, year, rules: ReviewRules, shown: str) -> list:
    t = norm_text(text)
    out = []
    if year:
        for m in _YEAR_IN_TEXT.finditer(t):
            if int(m.group(1)) != year and 1900 <= int(m.group(1)) <= 2200:
                out.append(TargetProblem(DATE_OUTSIDE_YEAR, f"指标值“{shown}”中的{m.group(1)}年不在预算年度{year}年内。"))
                break
    if t in rules.graded_scales:
        return out
    w = vague_word(t, rules)
    if w:
        out.append(TargetProblem(VAGUE, f"指标值“{shown}”含“{w}”等含糊用语，无法衡量；请写成数值，如“≥95%”“≤30天”"
                                        "“=3个”，或写明分级标准（好/较好/一般/差）；自评时此类指标只能按定性评分。"))
    elif _DIGIT.search(t):
        out.append(TargetProblem(QUALITATIVE, f"指标值“{shown}”是文字，自评时只能按定性评分；如为数量，请写成“比较符号+数字+"
                                              "单位”，如“≥3个”“≤30天”。"))
    else:
        out.append(TargetProblem(QUALITATIVE, f"指标值“{shown}”是文字描述，自评时只能按定性档次评分；能量化的请写成数值"
                                              "（如“≥95%”），不能量化的请写明分级标准（好/较好/一般/差）。"))
    return out


def _quantity_problems(q, profile, rules: ReviewRules, shown: str, level2, name, unit_column, year_amount) -> list:
    out = []
    unit = q.unit or profile.units.get(norm(unit_column), norm(unit_column))
    if q.percent_format and not q.unit:
        unit = "%"
    number = q.number * 100 if (q.percent_format and not q.unit and q.number <= 1) else q.number
    shown_n = fmt_plain(number)
    if number < 0:
        return [TargetProblem(NEGATIVE, f"指标值“{shown}”为负数；下降类指标请写成上限，如“≤5%”。")]
    reverse = is_reverse_nature(name, level2, rules)
    if not unit:
        out.append(TargetProblem(NO_UNIT, f"指标值“{shown}”只有数字，没有计量单位；请写成如“{_op(reverse)}{shown_n}人次”"
                                          f"“{_op(reverse)}{shown_n}%”，或在计量单位列中填写。"))
    if q.op is None:
        out.append(TargetProblem(NO_COMPARATOR, f"指标值“{shown}”没有比较符号；请写成“{_op(reverse)}{shown_n}{unit}”"
                                                f"（{'成本、发生率等反向指标用“≤”' if reverse else '下限用“≥”，上限用“≤”'}）。"))
    elif reverse and q.op in (">=", ">"):
        out.append(TargetProblem(DIRECTION, f"“{quote(name) or '该指标'}”是成本、发生率、投诉等越低越好的指标，指标值"
                                            f"“{shown}”却是下限；请写成上限，如“≤{shown_n}{unit}”。"))
    if unit == "%" and number > rules.percent_max:
        out.append(TargetProblem(PERCENT_OVER, f"指标值“{shown}”超过{fmt_plain(rules.percent_max)}%；比率最多为100%，"
                                               "增长类目标请写成增长率或绝对数。"))
    money = profile.money_units.get(unit)
    if unit in ("万元", "万") and number >= rules.wan_looks_like_yuan:
        out.append(TargetProblem(LOOKS_LIKE_YUAN, f"指标值“{shown}”以万元计为{shown_n}万元，数值过大，疑似按元填写；"
                                                  f"如为元，请写成“{_op(reverse)}{fmt_plain(number / 10000)}万元”。"))
    if money is not None and year_amount is not None and reverse and (q.op in (None, "<=", "<", "=")):
        amount = number * money
        if amount > year_amount + Decimal("0.01"):
            out.append(TargetProblem(COST_OVER_AMOUNT, f"成本上限“{shown}”（{fmt_plain(amount)}万元）超过本年度项目金额"
                                                       f"{fmt_plain(year_amount)}万元；请按本年度金额测算成本上限。"))
    if level2 == TIMELINESS and unit != "%" and not any(unit == u or unit.endswith(u) for u in rules.duration_units):
        out.append(TargetProblem(NOT_TIME, f"时效指标的指标值“{shown}”不是时限或时长；请写成完成时限（如“12月31日前”）、"
                                           "时长（如“≤30天”）或及时率（如“≥95%”）。"))
    return out


def _shown(value: Any) -> str:
    """A value as the clerk sees it in Excel: 50 (not 50.0), 2024-12-31 for a date cell."""
    if isinstance(value, str):
        return value
    d = to_decimal(value)
    if d is not None:
        return fmt_plain(d)
    return value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)


def _op(reverse: bool) -> str:
    return "≤" if reverse else "≥"


# -- for the self-evaluation (rules/scoring.py calls these; see docs/decisions.md, issue #16) ---------


def amount_in_yuan_hint(amount_wan: Decimal, profile) -> Optional[str]:
    """The hint for an amount in a 万元 field that is most likely in 元 (the profile's
    ``review.wan_looks_like_yuan``), or None: the same words in the declaration review and the
    self-evaluation's 全年预算数/全年执行数."""
    rules = review_rules(profile)
    if amount_wan < rules.wan_looks_like_yuan:
        return None
    return (f"为{fmt_plain(amount_wan)}万元（即{fmt_plain(amount_wan / 10000)}亿元），数值过大，疑似按元填写；"
            f"如为元，请改为{fmt(amount_wan / 10000)}（万元）。")


def unreadable_target_advice(value: Any, profile, *, level2: Optional[str] = None, name: str = "",
                             year: Optional[int] = None) -> Optional[str]:
    """For a self-evaluation target the scorer cannot read as a number or deadline: a message naming it
    as a placeholder, vague or descriptive target, with the advice to score it as 定性 (None when the
    checks have nothing to say, e.g. a range, which keeps its own message)."""
    for p in target_problems(value, profile, level2=level2, name=name, year=year):
        if p.kind in (PLACEHOLDER, VAGUE, QUALITATIVE):
            return p.message + "本年度请把指标方向改为“定性”，按完成档次评分；明年申报时改为可衡量的指标值。"
    return None
