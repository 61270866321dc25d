"""Score a Project by the rules profile: pure, no I/O (spec §3–§9).

``evaluate(project, profile)`` is the whole of the rules. Each step appends findings to one list and
returns plain numbers; the grade and total are only filled in when no blocking error stands (§8).
"""
from __future__ import annotations

import dataclasses
from typing import Optional

from ..model import BudgetScore, Project, Result
from . import cellerrors
from .budget import RATE_PLACES, check_allocations, score_budget
from .indicators import score_indicator
from .profile import Profile
from .report import KIND_ZH, Out, self_number
from .values import ZERO, fmt, parse_year, quote
from .weights import check_weights

__all__ = ["evaluate", "KIND_ZH", "RATE_PLACES"]


# -- entry point -----------------------------------------------------------------------------


def evaluate(project: Project, profile: Profile) -> Result:
    """All checks and all scores for one project; see spec §8 for when the total stays empty."""
    cleaned, errors = cellerrors.clean_project(project)
    if errors is None:
        return _evaluate(project, profile)
    # error values (#DIV/0! …) are scored as empty cells, then named in place of what was said of them
    r = _evaluate(cleaned, profile)
    findings = cellerrors.report(r.findings, errors)  # (blocks where what it replaces blocked)
    scores = cellerrors.restore_scores(r.indicators, project, cleaned)
    return dataclasses.replace(r, project=project, indicators=scores, findings=findings)


def _evaluate(project: Project, profile: Profile) -> Result:
    out = Out()
    out.items.extend(project.findings)
    year = _check_required(project, out)
    budget = score_budget(project, profile, out)
    check_allocations(project, budget, profile, out)
    scores = [score_indicator(ind, profile, out, year) for ind in project.indicators]
    scores = [s for s in scores if s is not None]
    if not scores and not any(f.code == "SHEET_MISSING" for f in out.items):
        sheet = project.indicators[0].level3.sheet if project.indicators else _indicator_sheet(project)
        out.add("INDICATORS_EMPTY", None, "绩效指标表没有任何三级指标，无法评分。请在绩效指标表中逐行填写三级指标。",
                sheet=sheet)
    check_weights(project, scores, profile, out)

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
    return Result(project=project, profile_id=profile.id, budget=budget, indicators=scores, subtotals=subtotals,
                  total=total, grade=grade, self_total=self_total, findings=out.items)


def _indicator_sheet(project: Project) -> str:
    return "绩效指标" if project.layout == "template" else (project.name.sheet or "")


# -- project information ---------------------------------------------------------------------

_REQUIRED = (
    ("name", "项目名称", "请填写项目全称。"),
    ("department", "主管部门", "请填写主管部门全称。"),
    ("unit", "实施单位", "请填写实施单位全称，如“广州市白云区嘉禾街道办事处”。"),
    ("year", "年度", "请填写四位年份，如2022。"),
)


def _check_required(project: Project, out: Out) -> Optional[int]:
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


# -- self-reported total (§8) ----------------------------------------------------------------


def _check_self_total(project: Project, budget: BudgetScore, scores: list, total, profile: Profile, out: Out):
    c = project.self_total
    st = self_number(c, "自评总分", "95或95.5", out)
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
