"""The report's appendix: the scored 项目支出绩效自评表 as a Word table, laid out as the 评分结果 sheet
of the scored workbook (write/scored.py ``write_result_sheet``): the same nine columns, the funds block,
年度总体目标, the indicator rows with 一级/二级 merged over equal neighbours, 总分 and 评价等级."""
from __future__ import annotations

from decimal import Decimal

from .. import layout
from ..model import BudgetLine, Cell, Result
from ..rules.profile import Profile
from . import docx_style as S
from .cells import level_runs
from .report import num

# Column widths (mm) of a landscape A4 page (247 mm of text width), in the proportions of RESULT_COLS.
WIDTHS = (20, 20, 24, 42, 25, 25, 14, 22, 55)
LABEL = "F2F2F2"


def fmt2(d) -> str:
    """As the 评分结果 sheet shows a figure: 2 decimals (0.00), — when undefined."""
    return "—" if d is None else format(Decimal(str(d)).quantize(Decimal("0.01")), "f")


def rate2(r) -> str:
    return "—" if r is None else fmt2(Decimal(str(r)) * 100) + "%"


def _money(cell: Cell) -> str:
    from ..rules.values import to_decimal

    d = to_decimal(cell.value)
    return fmt2(d) if d is not None else cell.text


def appendix(doc, result: Result, profile: Profile) -> None:
    from .report import APPENDIX

    S.landscape_section(doc)
    S.heading(doc, APPENDIX)
    p, b = result.project, result.budget
    sources = [ln for ln in p.funds if not ln.is_total] or [BudgetLine(name=s.name, label=Cell(value=s.name))
                                                            for s in profile.funds_sources]
    inds = result.indicators
    n_rows = 3 + (1 + 1 + len(sources)) + 2 + 1 + max(len(inds), 1) + 2
    t = S.table(doc, n_rows, 9, WIDTHS)
    g = S.Grid(t)

    def put(r, c0, c1, text, bold=False, align="center", shade="", r1=None):
        g.put(r, c0, c1, "" if text is None else str(text), r1=r1, bold=bold, align=align, shade=shade)

    def lab(r, c0, c1, text, r1=None):
        put(r, c0, c1, text, bold=True, shade=LABEL, r1=r1)

    from .scored import year_text

    year = year_text(p.year)
    put(0, 0, 8, f"项目支出绩效自评表（{year}年度）" if year else "项目支出绩效自评表", bold=True)
    S.repeat_header(t.rows[0])
    lab(1, 0, 0, "项目名称")
    put(1, 1, 8, p.name.text, align="left")
    lab(2, 0, 0, "主管部门")
    put(2, 1, 3, p.department.text, align="left")
    lab(2, 4, 4, "实施单位")
    put(2, 5, 8, p.unit.text, align="left")
    r = 3
    fund_rows = 2 + len(sources)
    lab(r, 0, 0, "项目资金（万元）", r1=r + fund_rows - 1)
    lab(r, 1, 2, "")
    for c, h in zip(range(3, 9), ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        lab(r, c, c, h)
    r += 1
    put(r, 1, 2, layout.FUNDS_TOTAL_LABEL, align="left")
    for c, v in zip((3, 4, 5), (b.initial, b.adjusted, b.executed)):
        put(r, c, c, fmt2(v))
    put(r, 6, 6, num(b.weight))
    put(r, 7, 7, rate2(b.rate))
    put(r, 8, 8, fmt2(b.score))
    r += 1
    for i, line in enumerate(sources):
        put(r, 1, 2, ("其中：" if i == 0 else "") + (line.name or line.label.text), align="left")
        for c, cell in zip((3, 4, 5), (line.initial, line.adjusted, line.executed)):
            put(r, c, c, _money(cell))
        for c in (6, 7, 8):
            put(r, c, c, "—")
        r += 1
    lab(r, 0, 0, "年度总体目标", r1=r + 1)
    lab(r, 1, 4, "预期目标")
    lab(r, 5, 8, "实际完成情况")
    r += 1
    put(r, 1, 4, p.goal_expected.text, align="left")
    put(r, 5, 8, p.goal_actual.text, align="left")
    r += 1
    lab(r, 0, 0, "绩效指标", r1=r + max(len(inds), 1))
    for c, h in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                           "偏差原因分析及改进措施"), start=1):
        lab(r, c, c, h)
    r += 1
    first = r
    if not inds:
        put(r, 1, 8, "（无三级指标）")
    for i, s in enumerate(inds):
        row = first + i
        put(row, 3, 3, s.level3, align="left")
        put(row, 4, 4, s.target)
        put(row, 5, 5, s.actual)
        put(row, 6, 6, num(s.weight) if s.weight is not None else s.indicator.weight.text)
        put(row, 7, 7, fmt2(s.score))
        put(row, 8, 8, s.indicator.note.text, align="left")
    for col, i, j, text in level_runs(inds):
        put(first + i, col, col, text, r1=first + j)
    r = first + max(len(inds), 1)
    weights = b.weight + sum((s.weight for s in inds if s.weight is not None), Decimal(0))
    lab(r, 0, 5, "总分")
    put(r, 6, 6, num(weights), bold=True)
    put(r, 7, 7, fmt2(result.total), bold=True)
    put(r, 8, 8, "")
    r += 1
    lab(r, 0, 0, "评价等级")
    put(r, 1, 2, result.grade or "—", bold=True)
    if result.self_total is not None:
        lab(r, 3, 3, "自评总分")
        put(r, 4, 4, fmt2(result.self_total))
        put(r, 5, 8, "")
    else:
        put(r, 3, 8, "")
    g.finish()
    note = S.paragraph(doc, f"说明：得分按评分规则{profile.describe()}计算；发现错误{result.errors}项、提示{result.hints}项。",
                       indent=False)
    for run in note.runs:
        run.font.size = S.Pt(S.TABLE_PT)
