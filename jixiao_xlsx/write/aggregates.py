"""District aggregates of scored records: totals, rates, rankings, grade and unit tables.

Pure functions over plain records (``{"file", "errors", "hints", "result": Result.as_dict()}``), so
the summary workbook, ``--json`` and any other report read the same numbers.  Nothing is scored here:
only sums, counts, means and the rate of sums.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from ..rules.scoring import RATE_PLACES
from ..rules.values import CENT, norm, quantize, to_decimal

NO_GRADE = "未评定"
YEARS_MIXED = "年度不一"  # the 说明 label when the batch sums several years


def dec(v) -> Optional[Decimal]:
    """A JSON number from ``Result.as_dict()`` back to the Decimal the scorer had (2-4 decimals)."""
    return to_decimal(v)


_EXACT = 2**53  # ints up to this are floats exactly, however they are converted


def _shown(v) -> Optional[float]:
    """``float(dec(v))``: a JSON number of ``as_dict`` as its cell shows it (None: not a finite number),
    without the Decimal round trip for the usual float or small int (``float(Decimal(repr(x)))`` is x)."""
    if v.__class__ is float:
        return v if v - v == 0 else None
    if v.__class__ is int and -_EXACT <= v <= _EXACT:
        return float(v)
    d = dec(v)
    return None if d is None else float(d)


def _collate(s: str) -> bytes:
    """GB18030 byte order: common hanzi in pinyin order (嘉禾街 before 京溪街), total and stable."""
    return (s or "").encode("gb18030", "replace")


def sort_key(rec: dict):
    """By 实施单位, then 项目名称, then file path: the same order whatever finished first."""
    r = rec["result"]
    return (_collate(r.get("unit")), _collate(r.get("project")), rec["file"])


def money_totals(records) -> tuple:
    """(Σ全年预算数, Σ全年执行数, Σ执行/Σ预算 rounded half-up to 4 decimals or None) over the projects
    that have both amounts (:func:`money_coverage` says which were left out and why).

    A project with only one of the two amounts would add to one sum and not the other (issue #17: a
    missing 全年预算数 made a district rate of 180 %), so it is left out of both.  The rate is that of
    the sums, not a mean of rates, so a 1万元 project cannot weigh as much as a 1000万元 one.
    """
    budget = executed = Decimal(0)
    for r in records:
        b, e = _amounts(r)
        if _counted(b, e):
            budget += b
            executed += e
    rate = quantize(executed / budget, RATE_PLACES) if budget else None  # rounded as a project's rate
    return budget, executed, rate


def _counted(b, e) -> bool:
    """Both amounts, and a budget that is not 0 (a 0 budget would add its execution alone, as a blank does)."""
    return b is not None and e is not None and b != 0


def _amounts(rec: dict) -> tuple:
    b = rec["result"].get("budget") or {}
    return dec(b.get("adjusted")), dec(b.get("executed"))


# why a project is left out of the money totals, in the order the note names them
MISSING_BOTH, MISSING_BUDGET, MISSING_EXECUTED = "全年预算数和全年执行数均缺失", "全年预算数缺失", "全年执行数缺失"
ZERO_BUDGET = "全年预算数为0"


def money_coverage(records) -> tuple:
    """(projects counted in :func:`money_totals`, {reason: projects left out}) in a fixed reason order."""
    counted, out = 0, {MISSING_BUDGET: 0, ZERO_BUDGET: 0, MISSING_EXECUTED: 0, MISSING_BOTH: 0}
    for r in records:
        b, e = _amounts(r)
        if _counted(b, e):
            counted += 1
        elif b is None:
            out[MISSING_BOTH if e is None else MISSING_BUDGET] += 1
        else:
            out[MISSING_EXECUTED if e is None else ZERO_BUDGET] += 1
    return counted, {k: n for k, n in out.items() if n}


def coverage_note(left_out: dict) -> str:
    """'1个项目全年预算数缺失，未计入合计' ('' when none was left out)."""
    if not left_out:
        return ""
    return "、".join(f"{n}个项目{why}" for why, n in left_out.items()) + "，未计入合计"


def mean_total(records) -> tuple:
    """(mean 总分 rounded to 2 decimals or None, projects that have a total): a project without a
    total is left out, never averaged as 0."""
    totals = [dec(r["result"]["total"]) for r in records if r["result"].get("total") is not None]
    totals = [t for t in totals if t is not None]
    return (quantize(sum(totals, Decimal(0)) / len(totals), CENT) if totals else None), len(totals)


def district_totals(records, profile=None) -> dict:
    """Every district aggregate with what it covers — the one source for the summary's 合计 and 说明,
    ``--json`` totals and any district report (plain data; Decimals, not floats).

    ``money_*``: over the projects with both amounts (``money_projects``; ``money_left_out`` by reason,
    ``money_note`` the sentence the summary prints).  ``mean_total``: over ``with_total`` projects.
    ``grades``: {grade: projects}, files without a total counted under ``NO_GRADE`` when ``profile`` is
    given (the profile's grade order), else only the grades that occur."""
    records = list(records)
    budget, executed, rate = money_totals(records)
    counted, left_out = money_coverage(records)
    mean, with_total = mean_total(records)
    if profile is not None:
        grades = dict(grade_table(records, profile))
    else:
        grades = {}
        for r in records:
            g = r["result"].get("grade")
            if g:
                grades[g] = grades.get(g, 0) + 1
    return {
        "projects": len(records),
        "budget": budget, "executed": executed, "rate": rate,
        "money_projects": counted, "money_left_out": left_out, "money_note": coverage_note(left_out),
        "mean_total": mean, "with_total": with_total, "without_total": len(records) - with_total,
        "grades": grades,
    }  # fmt: skip


def duplicate_groups(records) -> list:
    """Files that report the same project — 实施单位, 项目名称 and 年度 alike (whitespace and full-width
    forms aside) — as ``[[file, ...], ...]``, each group of two or more in summary order.

    A street that re-sends a corrected workbook while the first one stays in the folder is counted
    twice in the district totals; the bureau has to be told which files to check. Records without
    a 实施单位 or 项目名称 are never grouped (nothing says they are the same project)."""
    groups: dict = {}
    for rec in sorted(records, key=sort_key):
        res = rec["result"]
        unit, project = norm(res.get("unit")), norm(res.get("project"))
        if unit and project:
            groups.setdefault((unit, project, _year(res.get("year"))), []).append(rec["file"])
    return [files for files in groups.values() if len(files) > 1]


def year_counts(records) -> list:
    """[(年度, files)] of the scored records, most files first (a blank year as ''): a district
    summary normally covers one year, and totals over several years are worth a second look."""
    counts: dict = {}
    for rec in records:
        y = _year(rec["result"].get("year"))
        counts[y] = counts.get(y, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == "", str(kv[0])))  # a blank year last


def year_note(records) -> Optional[tuple]:
    """The 说明 row for the years of the batch: one year, or several (a file from another year in the
    folder, or a year typed wrong) with how many files each."""
    counts = year_counts(records)
    if not counts:
        return None
    said = "、".join(f"{y if y != '' else '未填年度'}{'年' if y != '' else ''}{n}个" for y, n in counts)
    if len(counts) == 1:
        return ("年度", said)
    return (YEARS_MIXED, f"{said}；合计包含不同年度，请在“汇总”工作表按“年度”列筛选：不属于本次汇总的文件移出文件夹，年度填错的在该自评表中改正后重新汇总。")


def duplicate_message(group: list, file: str) -> str:
    """The DUPLICATE_PROJECT text for ``file``: the (first three) other files of its group."""
    others = [f for f in group[:4] if f != file][:3]
    n = len(group) - 1
    named = "、".join(f"“{f}”" for f in others) + (f"等{n}个文件" if n > 3 else "")
    return (f"与{named}的实施单位、项目名称和年度相同，可能是重复报送（如修改后重报而旧文件未删除）；"
            "汇总表的合计把它们都计入了。请核实后只保留一份，再重新汇总。")


def difference(res: dict) -> Optional[Decimal]:
    """自评总分 − 计算总分: positive when the unit claims more than the numbers support."""
    s, t = dec(res.get("self_reported_total")), dec(res.get("total"))
    if s is None or t is None:
        return None
    return s - t


def ranking(records) -> list:
    """[(rank or None, record)]: by total descending; ties share the best rank (1, 2, 2, 4);
    files without a total come last, unranked, in summary order."""
    ordered = sorted(records, key=sort_key)
    with_total = [r for r in ordered if r["result"].get("total") is not None]
    without = [r for r in ordered if r["result"].get("total") is None]
    with_total.sort(key=lambda r: -dec(r["result"]["total"]))  # stable: ties keep summary order
    out, prev, rank = [], None, 0
    for i, r in enumerate(with_total, 1):
        t = dec(r["result"]["total"])
        if t != prev:
            rank, prev = i, t
        out.append((rank, r))
    out.extend((None, r) for r in without)
    return out


def unit_table(records) -> list:
    """Per 实施单位: (unit, projects, mean total of the projects with a total, Σ预算, Σ执行, rate of
    sums, projects with a total, projects in the money sums) — each aggregate with what it covers."""
    groups: dict = {}
    for r in sorted(records, key=sort_key):
        groups.setdefault(r["result"].get("unit") or "（未填写）", []).append(r)
    rows = []
    for unit, recs in groups.items():
        mean, with_total = mean_total(recs)
        b, e, rate = money_totals(recs)
        counted = money_coverage(recs)[0]
        if not counted:  # no project with both amounts: blank, not a 0 that reads as "spent nothing"
            b = e = None
        rows.append((unit, len(recs), mean, b, e, rate, with_total, counted))
    return rows


def grade_table(records, profile) -> list:
    """[(grade, count)] in the profile's order, then 未评定 for files without a total."""
    names = [g[0] for g in profile.grades]
    counts = {n: 0 for n in names}
    none = 0
    for r in records:
        g = r["result"].get("grade")
        if g in counts:
            counts[g] += 1
        elif r["result"].get("total") is None:
            none += 1
    return [(n, counts[n]) for n in names] + [(NO_GRADE, none)]


def _year(v):
    s = "" if v is None else str(v).strip()
    return int(s) if s.isdigit() and len(s) == 4 else s

