"""Budget execution (spec §3): the funds table, the execution rate and its score, and the 资金分配 table."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from ..model import EMPTY, BudgetScore, Cell, Indicator, Project
from .profile import Profile
from .target_checks import amount_in_yuan_hint
from .report import Out, self_number
from .values import ZERO, fmt, fmt_plain, norm_label, norm_text, parse_money, parse_plain_number, quantize, quote, round2

RATE_PLACES = Decimal("0.0001")

_COLUMNS = (("initial", "年初预算数"), ("adjusted", "全年预算数"), ("executed", "全年执行数"))


def _no_amount(cell: Cell, profile: Profile) -> bool:
    """Blank, or a placeholder such as ``—`` or ``无`` that clerks type for "none"."""
    return cell.blank or (isinstance(cell.value, str) and norm_text(cell.value) in profile.blank_placeholders)


def _amount(cell: Cell, profile: Profile, out: Out, label: str) -> Optional[Decimal]:
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


def _yuan_hint(project: Project, vals: dict, profile: Profile, out: Out) -> None:
    """One AMOUNT_LOOKS_LIKE_YUAN hint, at the first bare amount large enough to be 元 typed in a 万元
    field: the declaration review's words (issue #16), so the same slip reads alike in both stages."""
    for line in project.funds:
        for attr, label in _COLUMNS:
            amount, cell = vals[id(line)][attr], getattr(line, attr)
            if amount is None:  # (an amount typed with 元 was converted: it is small now)
                continue
            hint = amount_in_yuan_hint(amount, profile)
            if hint:
                out.add("AMOUNT_LOOKS_LIKE_YUAN", cell, f"{line.name}{label}{hint}")
                return


def score_budget(project: Project, profile: Profile, out: Out) -> BudgetScore:
    w = profile.execution_weight
    total_line = next((l for l in project.funds if l.is_total), None)
    sources = [l for l in project.funds if not l.is_total]
    vals: dict[int, dict[str, Optional[Decimal]]] = {}
    for line in project.funds:
        vals[id(line)] = {
            attr: _amount(getattr(line, attr), profile, out, f"{line.name}{label}") for attr, label in _COLUMNS
        }
    _yuan_hint(project, vals, profile, out)
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
    adj_cell = cite.adjusted if cite else Cell(value=None, sheet=_funds_sheet(project), ref="")
    exe_cell = cite.executed if cite else Cell(value=None, sheet=_funds_sheet(project), ref="")

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
    return BudgetScore(initial=initial, adjusted=adjusted, executed=executed, rate=rate, score=score, weight=w,
                       detail=detail, self_score=self_score)


def _missing_amount(out: Out, code: str, cell: Cell, project: Project, profile: Profile, label: str, blank_msg: str):
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


def _check_execution_self(project, score, profile: Profile, out: Out) -> Optional[Decimal]:
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
    s = self_number(ss, "预算执行率自评得分", f"{fmt_plain(w)}或{fmt_plain(w - Decimal('0.5'))}", out)
    if s is not None and score is not None and abs(s - score) > profile.tol_score:
        out.add("SELF_SCORE_DIFFERS", ss, f"预算执行率自评得分{fmt(s)}，按规则计算为{fmt(score)}。")
    return s


# -- allocations (§3, template only) ---------------------------------------------------------


def check_allocations(project: Project, budget: BudgetScore, profile: Profile, out: Out):
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

