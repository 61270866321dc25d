"""Score a Project by the rules profile: pure, no I/O (spec §3–§9).

``evaluate(project, profile)`` is the whole of the rules. Each step appends findings to one list and
returns plain numbers; the grade and total are only filled in when no blocking error stands (§8).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from .. import findings as F
from ..model import (
    EMPTY,
    BudgetScore,
    Cell,
    Finding,
    Indicator,
    IndicatorScore,
    Project,
    Result,
)
from .profile import Profile
from .values import (
    CENT,
    OP_KIND,
    ZERO,
    Quantity,
    band_of,
    canonical_unit,
    fmt,
    fmt_plain,
    looks_like_range,
    norm_label,
    norm_text,
    parse_date,
    parse_deadline,
    parse_money,
    parse_plain_number,
    parse_quantity,
    parse_year,
    quantize,
    quote,
    remember,
    round2,
    short_text,
    split_comparator,
    unit_scale,
)

KIND_ZH = {"positive": "正向", "reverse": "反向", "equal": "等于", "qualitative": "定性", "deadline": "时限"}
DIRECTION_KIND = {"正向": "positive", "反向": "reverse", "等于": "equal", "定性": "qualitative"}
RATE_PLACES = Decimal("0.0001")


class _Out:
    """The findings of one evaluation, in the order they were found."""

    def __init__(self):
        self.items: list[Finding] = []

    def add(self, code, where: Optional[Cell], message, **kw):
        self.items.append(F.make(code, where, message, **kw))

    def has(self, code, cell: Cell) -> bool:
        return any(f.code == code and f.sheet == cell.sheet and f.cell == cell.ref for f in self.items)

    def drop(self, code, cell: Cell):
        self.items = [f for f in self.items if not (f.code == code and f.sheet == cell.sheet and f.cell == cell.ref)]


# -- entry point -----------------------------------------------------------------------------


def evaluate(project: Project, profile: Profile) -> Result:
    """All checks and all scores for one project; see spec §8 for when the total stays empty."""
    out = _Out()
    out.items.extend(project.findings)
    year = _check_required(project, out)
    budget = score_budget(project, profile, out)
    _check_allocations(project, budget, profile, out)
    scores = [score_indicator(ind, profile, out, year) for ind in project.indicators]
    scores = [s for s in scores if s is not None]
    if not scores and not any(f.code == "SHEET_MISSING" for f in out.items):
        sheet = project.indicators[0].level3.sheet if project.indicators else _indicator_sheet(project)
        out.add("INDICATORS_EMPTY", None, "绩效指标表没有任何三级指标，无法评分。请在绩效指标表中逐行填写三级指标。",
                sheet=sheet)
    _check_weights(project, scores, profile, out)

    subtotals = {}
    for l1 in profile.level1:
        rows = [s for s in scores if s.level1 == l1.name]
        subtotals[l1.key] = None if any(s.score is None for s in rows) else sum((s.score for s in rows), ZERO)
    blocked = any(f.blocks for f in out.items)
    total = grade = None
    if not blocked and budget.score is not None and all(s.score is not None for s in scores):
        total = budget.score + sum((s.score for s in scores), ZERO)
        grade = profile.grade(total)
    self_total = _check_self_total(project, budget, scores, total, profile, out)
    return Result(project, profile.id, budget, scores, subtotals, total, grade, self_total, out.items)


def _indicator_sheet(project: Project) -> str:
    return "绩效指标" if project.layout == "template" else (project.name.sheet or "")


# -- project information ---------------------------------------------------------------------

_REQUIRED = (
    ("name", "项目名称", "请填写项目全称。"),
    ("department", "主管部门", "请填写主管部门全称。"),
    ("unit", "实施单位", "请填写实施单位全称，如“广州市白云区嘉禾街道办事处”。"),
    ("year", "年度", "请填写四位年份，如2022。"),
)


def _check_required(project: Project, out: _Out) -> Optional[int]:
    for attr, label, hint in _REQUIRED:
        cell = getattr(project, attr)
        if cell.blank:
            out.add("REQUIRED_FIELD_MISSING", cell, f"{label}未填写，{hint}", sheet=cell.sheet or _info_sheet(project))
    if project.year.blank:
        return None
    year = parse_year(project.year.value)
    if year is None:
        out.add("REQUIRED_FIELD_MISSING", project.year,
                f"年度“{quote(project.year.text)}”无法识别，请填写四位年份，如2022。")
    return year


def _info_sheet(project: Project) -> str:
    return "项目信息" if project.layout == "template" else project.name.sheet


# -- budget execution (§3) -------------------------------------------------------------------

_COLUMNS = (("initial", "年初预算数"), ("adjusted", "全年预算数"), ("executed", "全年执行数"))


def _no_amount(cell: Cell, profile: Profile) -> bool:
    """Blank, or a placeholder such as ``—`` or ``无`` that clerks type for "none"."""
    return cell.blank or (isinstance(cell.value, str) and norm_text(cell.value) in profile.blank_placeholders)


def _amount(cell: Cell, profile: Profile, out: _Out, label: str) -> Optional[Decimal]:
    """An amount in 万元 from a cell, with UNIT_CONVERTED / AMOUNT_INVALID / AMOUNT_NEGATIVE."""
    if _no_amount(cell, profile):
        return None
    m = parse_money(cell.value, profile)
    if m is None:
        out.add("AMOUNT_INVALID", cell,
                f"{label}“{quote(cell.text)}”不是有效金额，请填写以万元为单位的数字，如100或70.5。")
        return None
    if m.converted_from:
        out.add("UNIT_CONVERTED", cell, f"{label}{quote(cell.text)}已换算为{fmt(m.amount)}万元。")
    if m.amount < 0:
        out.add("AMOUNT_NEGATIVE", cell, f"金额不能为负数：{fmt(m.amount)}。请填写实际金额（万元），没有的填0。")
    return m.amount


def score_budget(project: Project, profile: Profile, out: _Out) -> BudgetScore:
    w = profile.execution_weight
    total_line = next((l for l in project.funds if l.is_total), None)
    sources = [l for l in project.funds if not l.is_total]
    vals: dict[int, dict[str, Optional[Decimal]]] = {}
    for line in project.funds:
        vals[id(line)] = {
            attr: _amount(getattr(line, attr), profile, out, f"{line.name}{label}") for attr, label in _COLUMNS
        }
    filled_sources = [l for l in sources if any(not _no_amount(getattr(l, a), profile) for a, _ in _COLUMNS)]
    sums = {a: sum((vals[id(l)][a] or ZERO for l in filled_sources), ZERO) for a, _ in _COLUMNS}

    total_blank = total_line is None or all(_no_amount(getattr(total_line, a), profile) for a, _ in _COLUMNS)
    if total_blank and filled_sources:
        totals = dict(sums)
        where = total_line.label if total_line else filled_sources[0].label
        out.add("FUNDS_TOTAL_DERIVED", where, "年度资金总额未填，已按各资金来源合计计算。")
    elif total_line is not None:
        totals = vals[id(total_line)]
        if filled_sources:
            for attr, label in _COLUMNS:
                t = totals[attr]
                cell = getattr(total_line, attr)
                unread = [l for l in filled_sources if vals[id(l)][attr] is None]
                if any(not _no_amount(getattr(l, attr), profile) for l in unread):
                    continue  # a source amount that is not a number (AMOUNT_INVALID): its sum would mislead
                unread = [l for l in unread if getattr(l, attr).blank]  # (not a "无" typed on purpose)
                if t is not None and abs(t - sums[attr]) > profile.tol_money:
                    if unread:  # a source row left this column blank: ask for it first
                        fix = (f"请补填“{'”“'.join(l.name for l in unread)}”的{label}，"
                               f"或把年度资金总额的{label}改为{fmt(sums[attr])}万元。")
                    else:
                        fix = f"请把年度资金总额的{label}改为{fmt(sums[attr])}万元，或更正各资金来源的{label}。"
                    out.add("FUNDS_SOURCE_MISMATCH", cell,
                            f"各资金来源{label}合计{fmt(sums[attr])}万元，与年度资金总额{fmt(t)}万元不一致；{fix}")
    else:
        totals = {a: None for a, _ in _COLUMNS}

    # cells to cite for the total: the total row's cells, else the first source row's
    cite = total_line or (filled_sources[0] if filled_sources else None)
    adj_cell = cite.adjusted if cite else Cell(None, _funds_sheet(project), "")
    exe_cell = cite.executed if cite else Cell(None, _funds_sheet(project), "")

    adjusted, executed, initial = totals["adjusted"], totals["executed"], totals["initial"]
    ok = True
    if adjusted is None:
        ok = False
        _missing_amount(out, "BUDGET_MISSING", adj_cell, project, profile, "全年预算数",
                        "全年预算数为空，无法计算执行率；年中未调整的，请填写与年初预算数相同的金额。")
    elif adjusted == 0:
        ok = False
        out.add("BUDGET_ZERO", adj_cell, "全年预算数为0，无法计算执行率；请填写该项目全年预算的金额（万元），"
                "年中未调整的，填写与年初预算数相同的金额。")
    if executed is None:
        ok = False
        _missing_amount(out, "EXECUTION_MISSING", exe_cell, project, profile, "全年执行数",
                        "全年执行数为空，请填写实际支出金额（万元）。")
    if any(f.code == "AMOUNT_NEGATIVE" for f in out.items):
        ok = False

    rate = score = None
    detail = ""
    capped = False
    if ok:
        r = executed / adjusted
        capped = r > profile.rate_cap
        rate = quantize(r, RATE_PLACES)
        score = round2(w * min(r, profile.rate_cap))
        detail = (f"执行率 = 全年执行数{fmt(executed)} ÷ 全年预算数{fmt(adjusted)} = {fmt(rate * 100)}%；"
                  f"得分 = {fmt_plain(w)} × {'min(执行率, ' + fmt_plain(profile.rate_cap * 100) + '%)' if capped else '执行率'}"
                  f" = {fmt(score)}")
    # a row over its budget; the cap is news only when the project's own rate goes over it (not for
    # one source row, nor where no rate could be computed)
    cap_note = f"，执行率按{fmt_plain(profile.rate_cap * 100)}%计分" if capped else ""
    for line in project.funds:
        v = vals[id(line)]
        if v["adjusted"] is not None and v["executed"] is not None and v["executed"] > v["adjusted"] + profile.tol_money:
            out.add("EXECUTION_OVER_BUDGET", line.executed,
                    f"{line.name}全年执行数{fmt(v['executed'])}万元大于全年预算数{fmt(v['adjusted'])}万元{cap_note}；"
                    f"年中追加过预算的，请把全年预算数改为调整后的金额，否则请更正全年执行数。")
    self_score = _check_execution_self(project, score, profile, out)
    return BudgetScore(initial, adjusted, executed, rate, score, w, detail, self_score)


def _missing_amount(out: _Out, code: str, cell: Cell, project: Project, profile: Profile, label: str, blank_msg: str):
    """One blocking finding for an amount the rate needs, replacing the cell's lesser findings."""
    if out.has("FORMULA_NOT_CALCULATED", cell):
        out.drop("FORMULA_NOT_CALCULATED", cell)
        msg = f"{label}单元格含公式但没有计算结果，无法计算执行率；请在Excel/WPS中打开并保存后重新提交，或直接填写金额（万元）。"
    elif _no_amount(cell, profile):
        msg = blank_msg
    else:
        out.drop("AMOUNT_INVALID", cell)
        msg = f"{label}“{quote(cell.text)}”不是数字，无法计算执行率，请填写金额（万元），如100或70.5。"
    out.add(code, cell, msg, sheet=cell.sheet or _funds_sheet(project))


def _funds_sheet(project: Project) -> str:
    return "预算执行" if project.layout == "template" else project.name.sheet


def execution_row(project: Project, profile: Profile) -> Optional[Indicator]:
    """A 预算执行率 line inside the indicator table (some forms put it there), or None."""
    others = set()  # label texts that are not one: a form repeats 产出指标 … on many rows
    for ind in project.indicators:
        v = ind.level1.value
        if v.__class__ is str:
            if v in others:
                continue
            others.add(v)
        if norm_label(v)[0] in profile.execution_row_labels:
            return ind
    return None


def _execution_self_cell(project: Project, ind: Optional[Indicator]) -> Cell:
    """The execution self score: the form's total-row 得分, else the indicator table's 预算执行率 line's."""
    if not project.execution_self_score.blank:
        return project.execution_self_score
    return ind.self_score if ind is not None else EMPTY


def _check_execution_self(project, score, profile: Profile, out: _Out) -> Optional[Decimal]:
    """The stated execution weight and self score (§3 step 6); returns the self score, rounded."""
    sw = project.execution_weight
    ind = execution_row(project, profile)
    if sw.blank and ind is not None:
        sw = ind.weight
    if not sw.blank:
        stated = parse_plain_number(sw.value)
        if stated is not None and stated != profile.execution_weight:
            out.add("LEVEL1_WEIGHT_MISMATCH", sw,
                    f"预算执行率分值为{fmt_plain(stated)}，评分规则规定为{fmt_plain(profile.execution_weight)}，"
                    f"请改为{fmt_plain(profile.execution_weight)}。")
    ss = _execution_self_cell(project, ind)
    w = profile.execution_weight
    s = _self_number(ss, "预算执行率自评得分", f"{fmt_plain(w)}或{fmt_plain(w - Decimal('0.5'))}", out)
    if s is not None and score is not None and abs(s - score) > profile.tol_score:
        out.add("SELF_SCORE_DIFFERS", ss, f"预算执行率自评得分{fmt(s)}，按规则计算为{fmt(score)}。")
    return s


# -- allocations (§3, template only) ---------------------------------------------------------


def _check_allocations(project: Project, budget: BudgetScore, profile: Profile, out: _Out):
    if project.allocations is None:
        return
    if budget.score is None and project.allocations:
        return  # the budget itself is in error (missing, zero, negative): comparing with it adds only noise
    if not project.allocations:
        out.add("ALLOCATION_EMPTY", None, "资金分配表未填写，无法核对资金用途。请逐行填写资金用途、计划金额和实际金额。",
                sheet="资金分配")
        return
    planned = actual = ZERO
    for a in project.allocations:
        planned += _amount(a.planned, profile, out, "计划金额") or ZERO
        actual += _amount(a.actual, profile, out, "实际金额") or ZERO
    first = project.allocations[0]
    if budget.adjusted is not None and abs(planned - budget.adjusted) > profile.tol_money:
        out.add("ALLOCATION_MISMATCH", first.planned,
                f"资金分配计划金额合计{fmt(planned)}万元，与全年预算数{fmt(budget.adjusted)}万元不一致；"
                f"请更正各行计划金额，使合计为{fmt(budget.adjusted)}万元。")
    if budget.executed is not None and abs(actual - budget.executed) > profile.tol_money:
        out.add("ALLOCATION_MISMATCH", first.actual,
                f"资金分配实际金额合计{fmt(actual)}万元，与全年执行数{fmt(budget.executed)}万元不一致；"
                f"请更正各行实际金额，使合计为{fmt(budget.executed)}万元。")


# -- indicators (§4–§6) ----------------------------------------------------------------------


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


def score_indicator(ind: Indicator, profile: Profile, out: _Out, year: Optional[int]) -> Optional[IndicatorScore]:
    """Score one row; None for a row that is the execution line of the indicator table."""
    v1, v2 = ind.level1.value, ind.level2.value
    l1_text, l1, l2_text, l2 = remember(profile, "_levels_memo", (v1, v2), _read_levels, v1, v2, profile,
                                        keep=short_text(v1) and short_text(v2))
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
        elif l2 is None:
            msg = f"二级指标“{quote(ind.level2.text)}”无法识别，请选择{'、'.join(l1.level2)}之一。"
        else:
            msg = f"二级指标“{l2}”不属于{l1.name}，请选择{'、'.join(l1.level2)}之一，或更正一级指标。"
        out.add("LEVEL2_UNKNOWN", ind.level2, msg, sheet=ind.level2.sheet or ind.level3.sheet)
    if ind.level3.blank:
        out.add("INDICATOR_NAME_MISSING", ind.level3, "该行已填写指标值，但三级指标名称为空，请填写三级指标名称。")

    row.w = _weight(ind, profile, out)
    row.self_score = _self_number(ind.self_score, "自评得分", "8或8.5", out)
    if row.w is not None:
        _score_row(row, l2, profile, out, year)
    if row.score is not None and row.w is not None and row.w > 0:
        _after_score(row, profile, out)
    return IndicatorScore(  # positional, in the field order (indicator, level1 … detail, band)
        ind, l1.name if l1 else l1_text, l2 or l2_text, ind.level3.text, row.kind, row.rule,
        ind.target.text, ind.actual.text, row.w, row.score, row.self_score, row.detail, row.band,
    )  # fmt: skip


# What a row's typed labels, direction, weight, target and actual mean depends only on their value
# (and the profile, the year); a batch repeats "产出指标", "正向", "≥95%" on every row of every file,
# so the readings are remembered on the profile (values.remember), as parse_quantity's quantities are.
# Every reading is immutable (str, Decimal, tuples, frozen dataclasses); findings are made from it here.


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


def _weight(ind: Indicator, profile: Profile, out: _Out) -> Optional[Decimal]:
    c = ind.weight
    if c.blank:
        out.add("WEIGHT_INVALID", c, "分值为空，请填写该指标的分值，如5或2.5。")
        return None
    v = c.value
    # a number cell or short text (a form has a few weights, 5, 10, 2.5 …, on every row); never 0.0,
    # whose key -0.0 would share (a weight of -0 stays as typed), nor a bool, equal to 1 and 0
    keep = (v.__class__ is float and v != 0) or short_text(v)
    w, problem = remember(profile, "_weight_memo", v, _weight_reading, v, profile, keep=keep)
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


def _self_number(c: Cell, what: str, example: str, out: _Out) -> Optional[Decimal]:
    """A clerk's own score or total, rounded to 2 decimals (§2.1 step 5); text is reported and ignored."""
    if c.blank:
        return None
    s = parse_plain_number(c.value)
    if s is None:
        out.add("SELF_SCORE_INVALID", c, f"{what}“{quote(c.text)}”不是数字，已忽略；请填写如{example}，或留空。")
        return None
    return round2(s)


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


def _score_row(row: _Row, l2: Optional[str], profile: Profile, out: _Out, year: Optional[int]):
    ind = row.ind
    v = ind.direction.value
    dkind, dop = remember(profile, "_direction_memo", v, _direction, v, profile, keep=short_text(v))
    band_cell_filled = not ind.band.blank

    # blank target
    if ind.target.blank:
        qual = dkind == "qualitative" or band_cell_filled
        out.add("TARGET_MISSING", ind.target, "年度指标值为空，请填写如“≥95%”或定性目标的文字描述。", blocks=not qual)
        if qual:
            row.kind = "qualitative"
            _score_band(row, profile, out, from_actual=True)
        return

    # deadlines first (§4.1 step 1)
    v, pf = ind.target.value, ind.target.percent_format
    dl, ranged, q = remember(profile, "_target_memo", (v, year, pf), _read_target, v, year, pf, profile,
                             keep=short_text(v))
    if dl is not None:
        row.kind = "deadline"
        if dl.date is None:
            out.add("TARGET_UNPARSEABLE", ind.target,
                    f"年度指标值“{quote(ind.target.text)}”需要年度才能确定截止日期，请在项目信息中填写年度，或写成“2022年12月31日前”。")
            return
        _score_deadline(row, dl.date, profile, out, year)
        return

    if ranged:
        out.add("TARGET_UNPARSEABLE", ind.target,
                f"年度指标值“{quote(ind.target.text)}”是区间，无法识别，请写成“≥90%”等形式。")
        return
    if q is None:  # text target
        if dkind in ("positive", "reverse", "equal"):
            out.add("TARGET_UNPARSEABLE", ind.target,
                    f"年度指标值“{quote(ind.target.text)}”无法识别为数值，{KIND_ZH[dkind]}指标请写成如“≥95%”“≤90万元”“=3个”；"
                    f"若为定性指标，请把指标方向改为“定性”。")
            return
        row.kind = "qualitative"
        _score_band(row, profile, out, from_actual=True)
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
        _score_band(row, profile, out, from_actual=True)
        return
    row.kind = kind
    if q.number < 0:
        out.add("TARGET_NEGATIVE", ind.target, "年度指标值不能为负数，请填写0或正数；下降类指标请用反向指标，如“≤5%”。")
        return
    _score_numeric(row, q, profile, out)


def _conflict(ind: Indicator, q: Quantity, out: _Out):
    d = ind.direction
    out.add("DIRECTION_CONFLICT", d if d.sheet else ind.target,
            f"指标方向（{d.ref or '指标性质'}）为“{quote(d.text)}”，但年度指标值（{ind.target.ref}）“{quote(ind.target.text)}”"
            f"为{KIND_ZH[OP_KIND[q.op]]}；请把指标方向改为“{KIND_ZH[OP_KIND[q.op]]}”，或改写年度指标值。")


def _read_actual(row: _Row, profile: Profile, out: _Out) -> Optional[Quantity]:
    ind = row.ind
    if ind.actual.blank:
        out.add("ACTUAL_MISSING", ind.actual, "实际完成值为空，请填写实际完成的数值，如“96%”或“3个”。")
        return None
    v, pf = ind.actual.value, ind.actual.percent_format
    b = remember(profile, "_actual_memo", (v, pf), _read_actual_quantity, v, pf, profile, keep=short_text(v))
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


def _percent_value(q: Quantity, cell: Cell, label: str, percent_row: bool, profile: Profile, out: _Out) -> Decimal:
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


def _reconcile(row: _Row, a: Quantity, b: Quantity, profile: Profile, out: _Out) -> Optional[tuple[Decimal, Decimal, str]]:
    """Target and actual on one scale and unit (§2.3, §2.4), or None after UNIT_MISMATCH."""
    ind = row.ind
    a, b = _fold_scale(a), _fold_scale(b)
    col = _unit_of_column(ind, profile)
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


def _fold_scale(q: Quantity) -> Quantity:
    """A bare ``1.2万`` is the number 12,000 (§2.4), not a unit the other side could inherit."""
    if q.unit in ("万", "亿"):  # a scale with no base unit (unit_scale gives base '')
        scale, _ = unit_scale(q.unit)
        return Quantity(q.op, q.number * scale, "", q.percent_format)
    return q


def _unit_mismatch(ind: Indicator, ua: str, ub: str, out: _Out, against_column=None):
    if against_column:
        u, cell, col = against_column
        out.add("UNIT_MISMATCH", cell,
                f"{'年度指标值' if cell is ind.target else '实际完成值'}（{cell.ref}）单位为“{u}”，"
                f"计量单位（{ind.unit.ref}）为“{col}”；请把{'年度指标值' if cell is ind.target else '实际完成值'}"
                f"改为以“{col}”为单位的数值，或更正计量单位。")
        return
    out.add("UNIT_MISMATCH", ind.actual,
            f"年度指标值（{ind.target.ref}）单位为“{ua}”，实际完成值（{ind.actual.ref}）单位为“{ub}”；"
            f"请把实际完成值改为以“{ua}”为单位的数值。")


def _score_numeric(row: _Row, a: Quantity, profile: Profile, out: _Out):
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
    # the arithmetic text (评分明细) is only built if a writer asks for it: a batch never does
    if row.kind in ("positive", "equal") and A == 0:
        if row.kind == "positive":
            row.rule, row.score = "positive-zero-target", round2(w)
            row.detail = lambda: f"正向指标值为0：任何完成值均得满分{fmt(w)}"
            out.add("TARGET_ZERO_POSITIVE", ind.target, "正向指标的指标值为0，任何完成值均得满分，请检查指标设置。")
        else:
            row.rule = "equal-zero-target"
            row.score = round2(w if B <= 0 else ZERO)
            row.detail = lambda: f"等于0：完成值{fmt_plain(B)}{unit}{'=0，得满分' if B <= 0 else '>0，得0分'}"
        return
    if row.kind in ("positive", "equal"):
        row.rule = row.kind
        name = KIND_ZH[row.kind]
        if B >= A:
            row.score = round2(w)
            row.detail = lambda: f"{name}：完成值{fmt_plain(B)}{unit} ≥ 指标值{fmt_plain(A)}{unit}，得满分{fmt(w)}"
        else:
            row.score = round2(w * B / A)
            row.detail = lambda: f"{name}：{fmt_plain(w)} × {fmt_plain(B)} ÷ {fmt_plain(A)} = {fmt(row.score)}"
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
        row.detail = lambda: f"反向，指标值为0：完成值{fmt_plain(B)}{unit}{'≤0，得满分' if B <= 0 else '>0，得0分'}"
        return
    if B <= A:
        row.rule = f"reverse-{profile.reverse_formula}"
        row.score = round2(w)
        row.detail = lambda: f"反向：完成值{fmt_plain(B)}{unit} ≤ 指标值{fmt_plain(A)}{unit}，得满分{fmt(w)}"
        return
    if profile.reverse_formula == "ratio":
        row.rule = "reverse-ratio"
        row.score = round2(w * A / B)
        row.detail = lambda: f"反向（比例法）：{fmt_plain(w)} × {fmt_plain(A)} ÷ {fmt_plain(B)} = {fmt(row.score)}"
        return
    row.rule = "reverse-linear"
    if B >= 2 * A:
        row.score = round2(ZERO)
        row.detail = lambda: f"反向：完成值{fmt_plain(B)}{unit} ≥ 2 × 指标值{fmt_plain(A)}{unit}，得0分"
    else:
        row.score = round2(w * (2 * A - B) / A)
        row.detail = lambda: (f"反向：{fmt_plain(w)} × (2 × {fmt_plain(A)} − {fmt_plain(B)}) ÷ {fmt_plain(A)}"
                      f" = {fmt(row.score)}")


def _band_where(ind: Indicator) -> tuple[Cell, str]:
    """Where a missing 完成档次 is asked for, and how: the official form has no 完成档次 column, so
    there the clerk writes the band into 实际完成值 (which band_of reads)."""
    if ind.band.sheet:
        return ind.band, "请在完成档次中选择"
    return ind.actual, "本表没有“完成档次”列，请在实际完成值中写明"


def _score_deadline(row: _Row, deadline, profile: Profile, out: _Out, year: Optional[int]):
    """Pass/fail against the date, then graded inside the bands (§4.4)."""
    ind = row.ind
    row.rule = "deadline"
    met = None
    said = None  # the band a band phrase in 实际完成值 names (no date typed)
    if ind.actual.blank:
        if ind.band.blank:
            out.add("ACTUAL_MISSING", ind.actual, "实际完成值为空，请填写实际完成日期，如“2022年12月20日”，或在完成档次中选择。")
            return
    else:
        d = parse_date(ind.actual.value, year)
        if d is not None:
            met = d <= deadline
        else:
            said = band_of(ind.actual.value, profile)
            if said is not None:
                met = said.key == "met"
    band_b = band_of(ind.band.value, profile) if not ind.band.blank else None
    if not ind.band.sheet and not ind.actual.blank and met is not None:
        band_b = said  # no 完成档次 column: a band phrase in 实际完成值 is the band
    if not ind.band.blank and band_b is None:
        out.add("QUAL_BAND_MISSING", ind.band,
                f"完成档次“{quote(ind.band.text)}”无法识别，请在“{'”“'.join(b.phrase for b in profile.bands)}”中选择其一。")
        return
    if met is None:  # free text: graded from 完成档次 alone
        if band_b is None:
            where, how = _band_where(ind)
            out.add("QUAL_BAND_MISSING", where,
                    f"时限指标的实际完成值“{quote(ind.actual.text)}”无法判断是否按时完成，{how}"
                    f"“{'”“'.join(b.phrase for b in profile.bands)}”之一。")
            return
        band = band_b
    elif met:
        if band_b is not None and band_b.key != "met":
            out.add("QUAL_BAND_CONFLICT", ind.band, _band_conflict(ind, band_b, said) or
                    f"完成档次为“{band_b.phrase}”，但实际完成日期未晚于{deadline:%Y年%m月%d日}（按时完成），请选择“{profile.band('met').phrase}”。")
            return
        band = profile.band("met")
    else:
        if band_b is None:
            where, how = _band_where(ind)
            out.add("QUAL_BAND_MISSING", where,
                    f"未在{deadline:%Y年%m月%d日}前完成，{how}“{profile.band('partly').phrase}”或“{profile.band('not_met').phrase}”。")
            return
        if band_b.key == "met":
            out.add("QUAL_BAND_CONFLICT", ind.band, _band_conflict(ind, band_b, said) or
                    f"完成档次为“{band_b.phrase}”，但实际完成日期晚于{deadline:%Y年%m月%d日}；"
                    f"请改选“{profile.band('partly').phrase}”或“{profile.band('not_met').phrase}”，或更正实际完成日期。")
            return
        band = band_b
    _apply_band(row, band, profile, out, prefix=f"时限{deadline:%Y-%m-%d}，{'按时' if met else ('未按时' if met is False else '按完成档次')}：")


def _band_conflict(ind: Indicator, band_b, said) -> Optional[str]:
    """The conflict message when 实际完成值 names a band (no date was typed), else None."""
    if said is None:
        return None
    return (f"完成档次为“{band_b.phrase}”，但实际完成值为“{quote(ind.actual.text)}”，两者不一致；"
            f"请把完成档次改为“{said.phrase}”，或更正实际完成值。")


def _score_band(row: _Row, profile: Profile, out: _Out, from_actual: bool):
    """定性 rows: band from 完成档次, else from the 实际完成值 phrase (§6.2)."""
    ind = row.ind
    row.rule = "qualitative"
    band_b = band_of(ind.band.value, profile) if not ind.band.blank else None
    band_a = None
    if from_actual and not ind.actual.blank:
        band_a = band_of(ind.actual.value, profile)
        if band_a is None and norm_text(ind.actual.value) == norm_text(ind.target.value) and not ind.target.blank:
            band_a = profile.band("met")
    if not ind.band.blank and band_b is None:
        out.add("QUAL_BAND_MISSING", ind.band, f"完成档次“{quote(ind.band.text)}”无法识别，请在“{_band_choices(profile)}”中选择其一。")
        return
    if band_b is not None and band_a is not None and band_a.key != band_b.key:
        out.add("QUAL_BAND_CONFLICT", ind.band,
                f"完成档次为“{band_b.phrase}”，但实际完成值“{quote(ind.actual.text)}”表示“{band_a.phrase}”；"
                f"请把完成档次改为“{band_a.phrase}”，或更正实际完成值。")
        return
    band = band_b or band_a
    if band is None:
        what = f"（“{quote(ind.actual.text)}”无法对应档次）" if not ind.actual.blank else ""
        where, how = _band_where(ind)
        out.add("QUAL_BAND_MISSING", where, f"定性指标未选择完成档次{what}，{how}“{_band_choices(profile)}”之一。")
        return
    _apply_band(row, band, profile, out, prefix="定性：")


def _band_choices(profile: Profile) -> str:
    return "”“".join(b.phrase for b in profile.bands)


def band_limits(w: Decimal, band) -> tuple[Decimal, Decimal]:
    return round2(w * band.min), round2(w * band.max)


def _apply_band(row: _Row, band, profile: Profile, out: _Out, prefix: str):
    """Band rules of §6.1: a self score inside the band is the score; else the band default."""
    w = row.w
    lo, hi = band_limits(w, band)
    top = band.key == "met"
    row.band = band.phrase
    default = round2(w * band.default)
    s = row.self_score
    if s is not None:
        inside = lo <= s <= hi if top else lo <= s < hi
        if inside:
            row.score = s
            row.detail = lambda: f"{prefix}{band.phrase}，自评得分{fmt(s)}在档内（{fmt(lo)}至{fmt(hi)}），采用自评得分"
            return
        rng = f"{fmt(lo)}（含）至{fmt(hi)}（含）" if top else f"{fmt(lo)}（含）至{fmt(hi)}"
        out.add("QUAL_SCORE_OUT_OF_BAND", row.ind.self_score,
                f"“{band.phrase}”档得分应在{rng}之间，填写的是{fmt(s)}；已按{fmt(default)}计分，请改为档内分数。")
    row.score = default
    row.detail = lambda: f"{prefix}{band.phrase}，按该档默认{fmt_plain(band.default * 100)}%：{fmt_plain(w)} × {fmt_plain(band.default)} = {fmt(default)}"


def _after_score(row: _Row, profile: Profile, out: _Out):
    """Deviation note and self-score comparison, once a row has its score."""
    ind = row.ind
    if row.score < row.w and ind.note.blank:
        out.add("DEVIATION_REASON_MISSING", ind.note if ind.note.sheet else ind.actual,
                f"该指标得分{fmt(row.score)}低于分值{fmt_plain(row.w)}，请填写偏差原因分析及改进措施。")
    s = row.self_score
    if s is not None and row.kind in ("positive", "reverse", "equal") and abs(s - row.score) > profile.tol_score:
        out.add("SELF_SCORE_DIFFERS", ind.self_score, f"自评得分{fmt(s)}，按规则计算为{fmt(row.score)}。")


# -- weights (§7.1) --------------------------------------------------------------------------


def _check_weights(project: Project, scores: list, profile: Profile, out: _Out):
    """The weight rules of §7.1; sums are only checked where every weight in them is valid."""
    if not scores:
        return
    sheet = scores[0].indicator.level3.sheet or scores[0].indicator.weight.sheet
    stated = _stated_level1_weights(project, profile)
    if profile.level1_split == "fixed":
        _check_fixed_split(scores, stated, profile, out, sheet)
    else:
        _check_free_split(scores, stated, profile, out, sheet)
    _check_stated_level2(project, scores, profile, out)
    _check_caps(scores, profile, out)


def _weight_sum(rows: list) -> Optional[Decimal]:
    """Σ of the rows' weights, or None when a weight is invalid (its own finding says so)."""
    if any(s.weight is None for s in rows):
        return None
    return sum((s.weight for s in rows), ZERO)


def _stated_level1_weights(project: Project, profile: Profile) -> dict:
    """一级 name -> (weight written in the label, e.g. 产出指标(50分), its cell)."""
    stated = {}
    for c in project.level1_labels:
        name, sw = norm_label(c.value)
        l1 = profile.level1_by_name(name)
        if l1 is not None and sw is not None:
            stated.setdefault(l1.name, (sw, c))
    return stated


def _check_fixed_split(scores, stated, profile: Profile, out: _Out, sheet: str):
    for l1 in profile.level1:
        rows = [s for s in scores if s.level1 == l1.name]
        total = _weight_sum(rows)
        if total is None:
            continue
        if l1.name in stated and stated[l1.name][0] != l1.weight:
            sw, c = stated[l1.name]
            out.add("LEVEL1_WEIGHT_MISMATCH", c, f"{l1.name}分值为{fmt_plain(sw)}，评分规则规定为{fmt_plain(l1.weight)}，"
                                                f"请改为{fmt_plain(l1.weight)}。")
        if not rows:
            out.add("WEIGHT_SUM_MISMATCH", None,
                    f"绩效指标表中没有{l1.name}的三级指标，请补充（{l1.name}下各三级指标分值合计应为{fmt_plain(l1.weight)}）。",
                    sheet=sheet)
        elif total != l1.weight:
            first = rows[0].indicator.level1
            out.add("WEIGHT_SUM_MISMATCH", first,
                    f"{l1.name}下三级指标分值合计{fmt_plain(total)}，应为{fmt_plain(l1.weight)}，请调整各三级指标分值。",
                    sheet=first.sheet or sheet)


def _check_free_split(scores, stated, profile: Profile, out: _Out, sheet: str):
    for name, (sw, c) in stated.items():
        rows = [s for s in scores if s.level1 == name]
        total = _weight_sum(rows)
        if rows and total is not None and total != sw:
            out.add("WEIGHT_SUM_MISMATCH", c, f"{name}下三级指标分值合计{fmt_plain(total)}，应为{fmt_plain(sw)}，"
                                             "请调整各三级指标分值。")
    total = _weight_sum(scores)
    want = profile.total - profile.execution_weight
    if total is not None and total != want:
        out.add("WEIGHT_TOTAL_MISMATCH", None, f"绩效指标分值合计{fmt_plain(total)}，应为{fmt_plain(want)}，请调整各三级指标分值。", sheet=sheet)


def _check_stated_level2(project: Project, scores, profile: Profile, out: _Out):
    """A weight written in a 二级 cell must equal the sum of the 三级 weights it spans."""
    seen = set()
    for c in project.level2_labels:
        name, sw = norm_label(c.value)
        canon = profile.level2_canonical(name)
        if sw is None or canon is None or (c.sheet, c.ref) in seen:
            continue
        seen.add((c.sheet, c.ref))
        rows = [s for s in scores if s.indicator.level2.ref == c.ref and s.indicator.level2.sheet == c.sheet]
        total = _weight_sum(rows)
        if rows and total is not None and total != sw:
            out.add("WEIGHT_SUM_MISMATCH", c, f"{canon}分值为{fmt_plain(sw)}，其下三级指标分值合计{fmt_plain(total)}；"
                                             f"请把{canon}分值改为{fmt_plain(total)}，或调整其下各三级指标分值。")


def _check_caps(scores, profile: Profile, out: _Out):
    for canon, cap in profile.level2_caps.items():
        rows = [s for s in scores if s.level2 == canon]
        total = _weight_sum(rows)
        if rows and total is not None and total > cap:
            out.add("WEIGHT_CAP_EXCEEDED", rows[0].indicator.level2,
                    f"{canon}分值合计{fmt_plain(total)}，不得超过{fmt_plain(cap)}，请调减{canon}下的三级指标分值。")


# -- self-reported total (§8) ----------------------------------------------------------------


def _check_self_total(project: Project, budget: BudgetScore, scores: list, total, profile: Profile, out: _Out):
    c = project.self_total
    st = _self_number(c, "自评总分", "95或95.5", out)
    if st is None:
        return None
    selfs = [s.self_score for s in scores]
    if budget.self_score is not None and selfs and all(x is not None for x in selfs):
        ssum = budget.self_score + sum(selfs, ZERO)
        if abs(ssum - st) > profile.tol_score:
            out.add("SELF_TOTAL_INCONSISTENT", c, f"自评总分{fmt(st)}，与各项自评得分合计{fmt(ssum)}不一致；请更正自评总分或各项自评得分。")
    if total is not None and abs(st - total) > profile.tol_score:
        out.add("SELF_TOTAL_DIFFERS", c, f"自评总分{fmt(st)}，按规则计算为{fmt(total)}。")
    return st
