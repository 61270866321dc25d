"""One indicator row (spec §4–§6): its labels, weight, direction, target and actual, and its score.

Deadline and qualitative rows are graded by bands (bands.py); numeric rows here.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from ..model import Cell, Indicator, IndicatorScore
from .bands import score_band, score_deadline
from .profile import Profile
from .target_checks import unreadable_target_advice
from .report import KIND_ZH, Out, self_number
from .values import (
    CENT,
    OP_KIND,
    ZERO,
    Quantity,
    canonical_unit,
    fmt,
    fmt_plain,
    looks_like_range,
    norm_label,
    norm_text,
    parse_deadline,
    parse_plain_number,
    parse_quantity,
    quantize,
    quote,
    round2,
    split_comparator,
    unit_scale,
)

DIRECTION_KIND = {"正向": "positive", "反向": "reverse", "等于": "equal", "定性": "qualitative"}


@dataclass(slots=True)
class _Row:
    """Working state of one indicator while it is scored."""

    ind: Indicator
    w: Optional[Decimal] = None
    self_score: Optional[Decimal] = None
    kind: Optional[str] = None
    rule: Optional[str] = None
    score: Optional[Decimal] = None
    detail: str = ""
    band: Optional[str] = None


def score_indicator(ind: Indicator, profile: Profile, out: Out, year: Optional[int]) -> Optional[IndicatorScore]:
    """Score one row; None for a row that is the execution line of the indicator table."""
    v1, v2 = ind.level1.value, ind.level2.value
    l1_text, l1, l2_text, l2 = _read_levels(v1, v2, profile)
    if l1_text in profile.execution_row_labels:
        return None
    row = _Row(ind)

    if l1 is None:
        if ind.level1.blank:
            msg = "一级指标未填写，请选择" + "、".join(x.name for x in profile.level1) + "。"
        else:
            msg = (f"一级指标“{quote(ind.level1.text)}”无法识别，请选择"
                   + "、".join(x.name for x in profile.level1) + "。")
        out.add("LEVEL1_UNKNOWN", ind.level1, msg, sheet=ind.level1.sheet or ind.level3.sheet)
    if l1 is not None and (l2 is None or l2 not in l1.level2):
        if ind.level2.blank:
            msg = f"二级指标未填写，请选择{'、'.join(l1.level2)}之一。"
        elif l2 is None and profile.level1_by_name(l2_text) is None:
            msg = None  # a name of the unit's own (a province's wording, 校园用户满意度): scored, with a hint
            out.add("LEVEL2_UNLISTED", ind.level2,
                    f"二级指标“{quote(ind.level2.text)}”不在评分规则的{l1.name}二级指标目录"
                    f"（{'、'.join(l1.level2)}）中，已按所填名称计分；如为本地规范的名称，可不修改。",
                    sheet=ind.level2.sheet or ind.level3.sheet)
        elif l2 is None:  # a 一级 name in the 二级 column
            msg = f"二级指标“{quote(ind.level2.text)}”是一级指标名称，请选择{'、'.join(l1.level2)}之一。"
        else:
            msg = f"二级指标“{l2}”不属于{l1.name}，请选择{'、'.join(l1.level2)}之一，或更正一级指标。"
        if msg is not None:
            out.add("LEVEL2_UNKNOWN", ind.level2, msg, sheet=ind.level2.sheet or ind.level3.sheet)
    if ind.level3.blank:
        out.add("INDICATOR_NAME_MISSING", ind.level3, "该行已填写指标值，但三级指标名称为空，请填写三级指标名称。")

    row.w = _weight(ind, profile, out)
    row.self_score = self_number(ind.self_score, "自评得分", "8或8.5", out)
    if row.w is not None:
        _score_row(row, l2, profile, out, year)
    if row.score is not None and row.w is not None and row.w > 0:
        after_score(row, profile, out)
    return IndicatorScore(
        indicator=ind, level1=l1.name if l1 else l1_text, level2=l2 or l2_text, level3=ind.level3.text,
        kind=row.kind, rule=row.rule, target=ind.target.text, actual=ind.actual.text, weight=row.w,
        score=row.score, self_score=row.self_score, detail=row.detail, band=row.band,
    )


# What a row's typed labels, direction, weight, target and actual mean depends only on their value
# (and the profile, the year): each is read by one function below; findings are made from it here.
# (These readings were memoised per profile until issue #12 measured that the memo does not pay.)


def _read_levels(v1, v2, profile: Profile) -> tuple:
    """(一级 text, its Level1 or None, 二级 text, its canonical name or None) of a row's two labels."""
    l1_text, _ = norm_label(v1)
    l2_text, _ = norm_label(v2)
    return l1_text, profile.level1_by_name(l1_text), l2_text, profile.level2_canonical(l2_text) if l2_text else None


def _read_target(value, year: Optional[int], percent_format: bool, profile: Profile) -> tuple:
    """(deadline, is a range, quantity) of a filled 年度指标值, tried in the order of §4.1: a deadline
    first, then a range (unparseable), then a quantity (None for a text target)."""
    dl = parse_deadline(value, year, profile)
    if dl is not None:
        return dl, False, None
    if looks_like_range(value):
        return None, True, None
    return None, False, parse_quantity(value, profile, percent_format)


def _read_actual_quantity(value, percent_format: bool, profile: Profile) -> Optional[Quantity]:
    """A filled 实际完成值 as a quantity, or None when it is not one (text, or a range)."""
    b = parse_quantity(value, profile, percent_format)
    return None if b is None or looks_like_range(value) else b


def _weight(ind: Indicator, profile: Profile, out: Out) -> Optional[Decimal]:
    c = ind.weight
    if c.blank:
        out.add("WEIGHT_INVALID", c, "分值为空，请填写该指标的分值，如5或2.5。")
        return None
    v = c.value
    w, problem = _weight_reading(v, profile)
    if problem == "not_number":
        out.add("WEIGHT_INVALID", c, f"分值“{quote(c.text)}”不是有效数字，请填写如5或2.5。")
    elif problem == "negative":
        out.add("WEIGHT_INVALID", c, f"分值{quote(c.text)}为负数，请填写大于0的数字，如5或2.5。")
    elif problem == "decimals":
        out.add("WEIGHT_INVALID", c, f"分值“{quote(c.text)}”超过两位小数，请填写如5或2.5。")
    elif problem == "over_total":
        out.add("WEIGHT_INVALID", c, f"分值{fmt_plain(w)}大于满分{fmt_plain(profile.total)}，请填写该指标的实际分值。")
    elif problem == "zero":
        out.add("WEIGHT_ZERO", c, "分值为0，该指标不计分；不适用的指标请删除该行。")
    return None if problem in _WEIGHT_REFUSED else w


_WEIGHT_REFUSED = frozenset(("not_number", "negative", "decimals", "over_total"))


def _weight_reading(v, profile: Profile) -> tuple:
    """(weight, problem) of a filled 分值 value: problem None, or which WEIGHT_INVALID / WEIGHT_ZERO
    it is (the weight is kept where the message shows it, or where a zero weight still counts)."""
    w = parse_plain_number(v)
    if w is None:
        return None, "not_number"
    if w < 0:
        return None, "negative"
    if w != quantize(w, CENT):
        return None, "decimals"
    if w > profile.total:
        return w, "over_total"
    if w == 0:
        return w, "zero"
    return w, None




def _direction(value, profile: Profile) -> tuple[Optional[str], Optional[str]]:
    """(kind from the 指标方向 column's value, operator if the column holds one) — §4.2."""
    t = norm_text(value)
    if not t:
        return None, None
    if t in DIRECTION_KIND:
        return DIRECTION_KIND[t], None
    for name in DIRECTION_KIND:  # 正向指标, 定性指标
        if t == name + "指标":
            return DIRECTION_KIND[name], None
    op, rest = split_comparator(t, profile)
    if op is not None and not rest:
        return OP_KIND[op], op
    return None, None


def _score_row(row: _Row, l2: Optional[str], profile: Profile, out: Out, year: Optional[int]):
    ind = row.ind
    v = ind.direction.value
    dkind, dop = _direction(v, profile)
    band_cell_filled = not ind.band.blank

    # blank target
    if ind.target.blank:
        qual = dkind == "qualitative" or band_cell_filled
        out.add("TARGET_MISSING", ind.target, "年度指标值为空，请填写如“≥95%”或定性目标的文字描述。", blocks=not qual)
        if qual:
            row.kind = "qualitative"
            score_band(row, profile, out, from_actual=True)
        return

    # deadlines first (§4.1 step 1)
    v, pf = ind.target.value, ind.target.percent_format
    dl, ranged, q = _read_target(v, year, pf, profile)
    if dl is not None:
        row.kind = "deadline"
        if dl.date is None:
            out.add("TARGET_UNPARSEABLE", ind.target,
                    f"年度指标值“{quote(ind.target.text)}”需要年度才能确定截止日期，请在项目信息中填写年度，或写成“2022年12月31日前”。")
            return
        score_deadline(row, dl.date, profile, out, year)
        return

    if ranged:
        out.add("TARGET_UNPARSEABLE", ind.target,
                f"年度指标值“{quote(ind.target.text)}”是区间，无法识别，请写成“≥90%”等形式。")
        return
    if q is None:  # text target
        if dkind in ("positive", "reverse", "equal"):
            # the declaration review's words for a vague or placeholder target (issue #16), so one
            # defect is named alike in both stages; else the general advice
            advice = unreadable_target_advice(ind.target.value, profile, level2=l2, name=ind.level3.text, year=year)
            out.add("TARGET_UNPARSEABLE", ind.target, f"年度{advice}" if advice else
                    f"年度指标值“{quote(ind.target.text)}”无法识别为数值，{KIND_ZH[dkind]}指标请写成如“≥95%”“≤90万元”“=3个”；"
                    f"若为定性指标，请把指标方向改为“定性”。")
            return
        row.kind = "qualitative"
        score_band(row, profile, out, from_actual=True)
        return

    if q.op and dop and OP_KIND[q.op] != OP_KIND[dop]:
        _conflict(ind, q, out)
        return
    if q.op is not None:
        okind = OP_KIND[q.op]
        if dkind is None or dkind == okind or (dkind == "positive" and okind == "equal"):
            kind = okind
        else:
            _conflict(ind, q, out)
            return
    elif dkind is not None:
        kind = dkind
    else:
        kind = "reverse" if l2 in profile.reverse_by_default else "positive"
        said = "未注明指标方向" if ind.direction.blank else f"指标方向“{quote(ind.direction.text)}”无法识别"
        out.add("DIRECTION_ASSUMED", ind.direction if ind.direction.sheet else ind.target,
                f"{said}，已按{KIND_ZH[kind]}指标计分；如不对，请在指标方向中选择正向、反向、等于或定性。")
    if kind == "qualitative":
        row.kind = "qualitative"
        score_band(row, profile, out, from_actual=True)
        return
    row.kind = kind
    if q.number < 0:
        out.add("TARGET_NEGATIVE", ind.target, "年度指标值不能为负数，请填写0或正数；下降类指标请用反向指标，如“≤5%”。")
        return
    _score_numeric(row, q, profile, out)


def _conflict(ind: Indicator, q: Quantity, out: Out):
    d = ind.direction
    out.add("DIRECTION_CONFLICT", d if d.sheet else ind.target,
            f"指标方向（{d.ref or '指标性质'}）为“{quote(d.text)}”，但年度指标值（{ind.target.ref}）“{quote(ind.target.text)}”"
            f"为{KIND_ZH[OP_KIND[q.op]]}；请把指标方向改为“{KIND_ZH[OP_KIND[q.op]]}”，或改写年度指标值。")


def _read_actual(row: _Row, profile: Profile, out: Out) -> Optional[Quantity]:
    ind = row.ind
    if ind.actual.blank:
        out.add("ACTUAL_MISSING", ind.actual, "实际完成值为空，请填写实际完成的数值，如“96%”或“3个”。")
        return None
    v, pf = ind.actual.value, ind.actual.percent_format
    b = _read_actual_quantity(v, pf, profile)
    if b is None:
        out.add("ACTUAL_UNPARSEABLE", ind.actual,
                f"实际完成值“{quote(ind.actual.text)}”不是数值，请填写如“96%”或“3个”。")
        return None
    if b.op is not None:
        out.add("ACTUAL_IS_BOUND", ind.actual,
                f"实际完成值“{quote(ind.actual.text)}”已按{fmt_plain(b.number)}{b.unit}计分。")
    return b


def _unit_of_column(ind: Indicator, profile: Profile) -> str:
    return "" if ind.unit.blank else canonical_unit(norm_text(ind.unit.value), profile)


def _percent_value(q: Quantity, cell: Cell, label: str, percent_row: bool, profile: Profile, out: Out) -> Decimal:
    """A value on a percentage row, in points (§2.3)."""
    if not percent_row:
        return q.number
    if q.unit == "%":
        return q.number
    if q.percent_format:
        return q.number * 100
    if 0 < q.number <= profile.fraction_max:
        v = q.number * 100
        out.add("PERCENT_SCALE_ASSUMED", cell,
                f"{label}{fmt_plain(q.number)}已按{fmt_plain(v)}%理解，"
                f"如有误请填写带%的数值。")
        return v
    return q.number


def _reconcile(row: _Row, a: Quantity, b: Quantity, profile: Profile, out: Out) -> Optional[tuple[Decimal, Decimal, str]]:
    """Target and actual on one scale and unit (§2.3, §2.4), or None after UNIT_MISMATCH."""
    ind = row.ind
    col = _unit_of_column(ind, profile)
    a, b = _imply_base(a, b, col), _imply_base(b, a, col)
    if not col and "%" not in (a.unit, b.unit):
        amb = _ambiguous_scale(a, b)
        if amb is not None:
            _scale_ambiguous(ind, amb, out)
            return None
    a, b = _fold_scale(a), _fold_scale(b)
    percent_row = "%" in (a.unit, b.unit, col)
    A = _percent_value(a, ind.target, "年度指标值", percent_row, profile, out)
    B = _percent_value(b, ind.actual, "实际完成值", percent_row, profile, out)
    if percent_row:
        for side, cell in ((a, ind.target), (b, ind.actual)):
            if side.unit not in ("", "%"):
                _unit_mismatch(ind, a.unit or col or "%", b.unit or col or "%", out)
                return None
        return A, B, "%"
    ua = a.unit or col
    ub = b.unit or col or ua
    ua = ua or ub
    if col:
        for u, cell in ((a.unit, ind.target), (b.unit, ind.actual)):
            if u and unit_scale(u)[1] != unit_scale(col)[1]:
                _unit_mismatch(ind, ua, ub, out, against_column=(u, cell, col))
                return None
    sa, base_a = unit_scale(ua)
    sb, base_b = unit_scale(ub)
    if base_a != base_b:
        _unit_mismatch(ind, ua, ub, out)
        return None
    if sa != sb:
        B = B * sb / sa
        out.add("UNIT_CONVERTED", ind.actual,
                f"实际完成值{quote(ind.actual.text)}已换算为{_fmt_quantity(B, ua)}{ua}。")
    return A, B, ua


def _fmt_quantity(x: Decimal, unit: str) -> str:
    """Money with two decimals (88.50万元, as amounts are shown everywhere); counts as typed (1.2万人次 → 12000)."""
    if unit.endswith("元") or x != quantize(x, CENT):
        return fmt(x)
    return fmt_plain(x)


def _imply_base(q: Quantity, other: Quantity, col: str) -> Quantity:
    """A bare ``30.5万`` beside ``≤30万元`` (or under 计量单位 万元/元) is 30.5万元: the scale word is
    the clerk's, the base unit is implied by the other side or the column (issue #13 item 3)."""
    if q.unit not in ("万", "亿"):
        return q
    base = unit_scale(other.unit)[1] or unit_scale(col)[1]
    if not base or base == "%":
        return q
    return q._replace(unit=q.unit + base)


def _ratio_off(x: Decimal, y: Decimal) -> Decimal:
    """How far x is from y as a factor (≥ 1)."""
    r = x / y
    return r if r >= 1 else 1 / r


def _ambiguous_scale(a: Quantity, b: Quantity) -> Optional[tuple]:
    """A side with no unit beside one with a scale (万, 万元, 亿人次), no 计量单位: read as the rules
    say (it takes the other side's unit; a bare 万 is a plain number), unless reading it the other way
    (in the base unit; or with the same 万) brings target and actual far closer together — then the
    clerk's meaning is really unknown (``≤30万元`` / ``305000``; ``≥5万`` / ``4.8``). Returns
    (which side has no unit, the other side's unit, its base, the number without a unit) or None."""
    for q, o, side in ((a, b, "target"), (b, a, "actual")):
        if q.unit or not o.unit or q.number <= 0 or o.number <= 0:
            continue
        scale, base = unit_scale(o.unit)
        if scale == 1:
            continue
        if base:  # q takes o's unit, scale and all (the rule), or is meant in the base unit
            literal, other = q.number / o.number, q.number / (o.number * scale)
        else:  # o is a bare 1.2万 = 12000 (the rule), or q was meant in 万 too
            literal, other = q.number / (o.number * scale), q.number / o.number
        if _ratio_off(other, 1) < _ratio_off(literal, 1):
            return side, o.unit, base, q.number
    return None


def _scale_ambiguous(ind: Indicator, amb: tuple, out: Out):
    side, unit, base, number = amb
    cell, other = (ind.target, ind.actual) if side == "target" else (ind.actual, ind.target)
    label, olabel = ("年度指标值", "实际完成值") if side == "target" else ("实际完成值", "年度指标值")
    n = fmt_plain(number)
    if base:
        readings, examples = f"“{n}{unit}”还是“{n}{base}”", f"“{n}{unit}”或“{n}{base}”"
    else:
        readings, examples = f"“{n}”还是“{n}{unit}”", f"“{n}{unit}”或不带“{unit}”的完整数字"
    out.add("UNIT_SCALE_AMBIGUOUS", cell,
            f"{label}“{quote(cell.text)}”没有单位，{olabel}“{quote(other.text)}”带“{unit}”，无法确定{label}是{readings}"
            f"（两种读法得分相差悬殊，未计分）；请在{label}中写明单位，如{examples}。")


def _fold_scale(q: Quantity) -> Quantity:
    """A bare ``1.2万`` is the number 12,000 (§2.4), not a unit the other side could inherit."""
    if q.unit in ("万", "亿"):  # a scale with no base unit (unit_scale gives base '')
        scale, _ = unit_scale(q.unit)
        return Quantity(op=q.op, number=q.number * scale, unit="", percent_format=q.percent_format)
    return q


def _unit_mismatch(ind: Indicator, ua: str, ub: str, out: Out, against_column=None):
    if against_column:
        u, cell, col = against_column
        out.add("UNIT_MISMATCH", cell,
                f"{'年度指标值' if cell is ind.target else '实际完成值'}（{cell.ref}）单位为“{u}”，"
                f"计量单位（{ind.unit.ref}）为“{col}”；请把{'年度指标值' if cell is ind.target else '实际完成值'}"
                f"改为以“{col}”为单位的数值，或更正计量单位。")
        return
    out.add("UNIT_MISMATCH", ind.actual,
            f"年度指标值（{ind.target.ref}）单位为“{ua}”，实际完成值（{ind.actual.ref}）单位为“{ub}”；"
            f"请把实际完成值改为以“{ua}”为单位的数值，或更正年度指标值的单位。")


def _score_numeric(row: _Row, a: Quantity, profile: Profile, out: Out):
    ind = row.ind
    b = _read_actual(row, profile, out)
    if b is None:
        return
    rec = _reconcile(row, a, b, profile, out)
    if rec is None:
        return
    A, B, unit = rec
    if B < 0:
        out.add("ACTUAL_NEGATIVE", ind.actual, f"实际完成值{quote(ind.actual.text)}为负数，已按0计分。")
        B = ZERO
    w = row.w
    if row.kind in ("positive", "equal") and A == 0:
        if row.kind == "positive":
            row.rule, row.score = "positive-zero-target", round2(w)
            row.detail = f"正向指标值为0：任何完成值均得满分{fmt(w)}"
            out.add("TARGET_ZERO_POSITIVE", ind.target, "正向指标的指标值为0，任何完成值均得满分，请检查指标设置。")
        else:
            row.rule = "equal-zero-target"
            row.score = round2(w if B <= 0 else ZERO)
            row.detail = f"等于0：完成值{fmt_plain(B)}{unit}{'=0，得满分' if B <= 0 else '>0，得0分'}"
        return
    if row.kind in ("positive", "equal"):
        row.rule = row.kind
        name = KIND_ZH[row.kind]
        if B >= A:
            row.score = round2(w)
            row.detail = f"{name}：完成值{fmt_plain(B)}{unit} ≥ 指标值{fmt_plain(A)}{unit}，得满分{fmt(w)}"
        else:
            row.score = round2(w * B / A)
            row.detail = f"{name}：{fmt_plain(w)} × {fmt_plain(B)} ÷ {fmt_plain(A)} = {fmt(row.score)}"
        if A > 0 and B >= profile.over_ratio * A and ind.note.blank:
            out.add("OVER_ACHIEVEMENT_UNEXPLAINED", ind.actual,
                    f"实际完成值为指标值的{fmt_plain(quantize(B / A * 100, Decimal(1)))}%，超出较多，"
                    f"请在偏差原因分析及改进措施中说明原因（指标值是否设定偏低）。",
                    severity=profile.over_severity)
        return
    # reverse
    if A == 0:
        row.rule = "reverse-zero-target"
        row.score = round2(w) if B <= 0 else round2(ZERO)
        row.detail = f"反向，指标值为0：完成值{fmt_plain(B)}{unit}{'≤0，得满分' if B <= 0 else '>0，得0分'}"
        return
    if B <= A:
        row.rule = f"reverse-{profile.reverse_formula}"
        row.score = round2(w)
        row.detail = f"反向：完成值{fmt_plain(B)}{unit} ≤ 指标值{fmt_plain(A)}{unit}，得满分{fmt(w)}"
        return
    if profile.reverse_formula == "ratio":
        row.rule = "reverse-ratio"
        row.score = round2(w * A / B)
        row.detail = f"反向（比例法）：{fmt_plain(w)} × {fmt_plain(A)} ÷ {fmt_plain(B)} = {fmt(row.score)}"
        return
    row.rule = "reverse-linear"
    if B >= 2 * A:
        row.score = round2(ZERO)
        row.detail = f"反向：完成值{fmt_plain(B)}{unit} ≥ 2 × 指标值{fmt_plain(A)}{unit}，得0分"
    else:
        row.score = round2(w * (2 * A - B) / A)
        row.detail = (f"反向：{fmt_plain(w)} × (2 × {fmt_plain(A)} − {fmt_plain(B)}) ÷ {fmt_plain(A)}"
                      f" = {fmt(row.score)}")


def after_score(row: _Row, profile: Profile, out: Out):
    """Deviation note and self-score comparison, once a row has its score."""
    ind = row.ind
    if row.score < row.w and ind.note.blank:
        out.add("DEVIATION_REASON_MISSING", ind.note if ind.note.sheet else ind.actual,
                f"该指标得分{fmt(row.score)}低于分值{fmt_plain(row.w)}，请填写偏差原因分析及改进措施。")
    s = row.self_score
    if s is not None and row.kind in ("positive", "reverse", "equal") and abs(s - row.score) > profile.tol_score:
        out.add("SELF_SCORE_DIFFERS", ind.self_score, f"自评得分{fmt(s)}，按规则计算为{fmt(row.score)}。")

