"""Build Projects in memory (no files) for rule tests: one call per row, cells addressed like the template."""
from __future__ import annotations

from jixiao_xlsx.model import Allocation, BudgetLine, Cell, Indicator, Project
from jixiao_xlsx.rules.profile import load_profile
from jixiao_xlsx.rules.values import norm_label

_PROFILE = load_profile()

IND = "绩效指标"
FUNDS = "预算执行"
INFO = "项目信息"
ALLOC = "资金分配"

# template columns of 绩效指标 (layout.IND_HEADERS order)
COLS = dict(level1="A", level2="B", level3="C", direction="D", target="E", unit="F", actual="G", band="H",
            weight="I", self_score="J", note="K")


def row(n, level1="产出指标", level2="数量指标", level3="指标", target=None, actual=None, weight=None,
        direction=None, unit=None, band=None, self_score=None, note=None) -> Indicator:
    """Indicator on sheet row n (1-based) with every value in its template column."""
    vals = dict(level1=level1, level2=level2, level3=level3, direction=direction, target=target, unit=unit,
                actual=actual, band=band, weight=weight, self_score=self_score, note=note)
    cells = {k: Cell(v, IND, f"{COLS[k]}{n}") for k, v in vals.items()}
    return Indicator(row=n, **cells)


def funds(total=(100, 100, 100), *sources) -> list:
    """Total row at row 3, sources (name, (initial, adjusted, executed)) from row 4."""
    lines = []
    if total is not None:
        lines.append(_line("年度资金总额", 3, total, True))
    for i, (name, vals) in enumerate(sources):
        lines.append(_line(name, 4 + i, vals, False))
    return lines


def _line(name, r, vals, is_total):
    i, a, e = vals
    return BudgetLine(name, Cell(name, FUNDS, f"A{r}"), Cell(i, FUNDS, f"B{r}"), Cell(a, FUNDS, f"C{r}"),
                      Cell(e, FUNDS, f"D{r}"), is_total)


def alloc(r, planned, actual, purpose="用途"):
    return Allocation(Cell(purpose, ALLOC, f"A{r}"), Cell("对象", ALLOC, f"B{r}"), Cell(planned, ALLOC, f"C{r}"),
                      Cell(actual, ALLOC, f"D{r}"), Cell(None, ALLOC, f"E{r}"))


def full_weights(rows, output_rest=None):
    """Pad a list of rows with filler rows so each 一级 sums to 50/30/10 (scores full marks, no findings)."""
    sums = {"产出指标": 0, "效益指标": 0, "满意度指标": 0}
    for r in rows:
        w = r.weight.value
        if isinstance(w, (int, float)) and w > 0:
            l1 = _PROFILE.level1_by_name(norm_label(r.level1.value)[0])
            key = l1.name if l1 else r.level1.value
            sums[key] = sums.get(key, 0) + w
    n = 100
    out = list(rows)
    l2 = {"产出指标": "数量指标", "效益指标": "社会效益指标", "满意度指标": "服务对象满意度指标"}
    for l1, want in (("产出指标", 50), ("效益指标", 30), ("满意度指标", 10)):
        rest = want - sums.get(l1, 0)
        if rest > 0:
            out.append(row(n, l1, l2[l1], f"补足{l1}", target="≥1个", actual="1个", weight=rest, direction="正向"))
            n += 1
    return out


def project(indicators=(), fund_lines=None, allocations=None, year=2022, self_total=None, **info) -> Project:
    p = Project(source="mem.xlsx", layout="template")
    p.name = Cell(info.get("name", "测试项目"), INFO, "B3")
    p.department = Cell(info.get("department", "某主管部门"), INFO, "B4")
    p.unit = Cell(info.get("unit", "某街道办事处"), INFO, "B5")
    p.year = Cell(year, INFO, "B6")
    p.self_total = Cell(self_total, INFO, "B10")
    p.funds = funds() if fund_lines is None else fund_lines
    p.allocations = [alloc(3, 100, 100)] if allocations is None else allocations
    p.indicators = list(indicators)
    p.level1_labels = [r.level1 for r in p.indicators]
    p.level2_labels = [r.level2 for r in p.indicators]
    return p
