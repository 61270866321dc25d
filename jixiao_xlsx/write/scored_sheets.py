"""The three sheets added to the scored workbook: 评分结果 (laid out like the national 项目支出绩效自评表,
printable on A4), 评分明细 (every rule and the numbers it used) and 问题清单 (every finding).
Every number comes from the :class:`~jixiao_xlsx.model.Result`; nothing is computed here.
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Optional

from .. import layout
from ..model import ERROR, Cell, Result
from ..rules.profile import Profile
from ..rules.scoring import KIND_ZH
from .cells import (BLOCKED_TEXT, MONEY, RATE, SCORE, Formats, fmt2, indicator_sheet, is_number, row_height,
                    level_runs, text_lines, write_value, year_text)

KIND_NAMES = KIND_ZH  # the scorer's words for each kind, so sheets and messages read alike

RULE_NAMES = {
    "positive": "正向比例",
    "positive-zero-target": "正向（指标值为0）",
    "reverse-linear": "反向线性",
    "reverse-ratio": "反向比值",
    "reverse-zero-target": "反向（指标值为0）",
    "equal": "等于比例",
    "equal-zero-target": "等于（指标值为0）",
    "qualitative": "定性档次",
    "deadline": "时限档次",
    "execution": "预算执行率",
}


def _cell_value(cell: Cell):
    """A typed value for the summary sheets: numbers stay numbers, everything else its text."""
    v = cell.value
    if is_number(v):
        return v
    return cell.text or None


RESULT_COLS = (  # width of columns A..I of 评分结果
    10, 10, 12, 22, 14, 14, 7, 9, 22,
)


def write_result_sheet(wb, fm: Formats, name: str, result: Result, profile: Profile):
    """评分结果: the national 项目支出绩效自评表 filled with the computed figures, A4, one page wide."""
    ws = wb.add_worksheet(name)
    p = result.project
    b = result.budget
    base = dict(border=1, valign="vcenter", text_wrap=True, font_size=10)
    lab = dict(base, bold=True, align="center", bg_color="#F2F2F2")
    cen = dict(base, align="center")
    left = dict(base, align="left")
    heights: dict = {}

    for c, w in enumerate(RESULT_COLS):
        ws.set_column(c, c, w)

    def need(r, text, width):
        heights[r] = max(heights.get(r, 1), text_lines(str(text or ""), width))

    def span_w(c0, c1):
        return sum(RESULT_COLS[c0 : c1 + 1])

    def put(r, c0, c1, v, props, r1=None):
        r1 = r if r1 is None else r1
        if (r, c0) != (r1, c1):
            ws.merge_range(r, c0, r1, c1, None, fm.get(**props))
        write_value(ws, fm, r, c0, v, **dict(props))
        if r1 == r and isinstance(v, str):
            need(r, v, span_w(c0, c1))

    year = year_text(p.year)
    title = f"项目支出绩效自评表（{year}年度）" if year else "项目支出绩效自评表"
    ws.merge_range(0, 0, 0, 8, title, fm.get(bold=True, font_size=16, align="center", valign="vcenter"))
    ws.set_row(0, 30)
    r = 1
    put(r, 0, 0, "项目名称", lab)
    put(r, 1, 8, p.name.text, left)
    r += 1
    put(r, 0, 0, "主管部门", lab)
    put(r, 1, 3, p.department.text, left)
    put(r, 4, 4, "实施单位", lab)
    put(r, 5, 8, p.unit.text, left)
    r += 1

    # Funds block.
    sources = [l for l in p.funds if not l.is_total]
    if not sources:
        from ..model import BudgetLine

        sources = [BudgetLine(name=s.name, label=Cell(value=s.name)) for s in profile.funds_sources]
    fund_rows = 2 + len(sources)
    put(r, 0, 0, "项目资金（万元）", lab, r1=r + fund_rows - 1)
    put(r, 1, 2, "", lab)
    for c, h in zip(range(3, 9), ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        put(r, c, c, h, lab)
    r += 1
    put(r, 1, 2, layout.FUNDS_TOTAL_LABEL, left)
    put(r, 3, 3, b.initial, dict(cen, num_format=MONEY))
    put(r, 4, 4, b.adjusted, dict(cen, num_format=MONEY))
    put(r, 5, 5, b.executed, dict(cen, num_format=MONEY))
    put(r, 6, 6, b.weight, cen)
    put(r, 7, 7, b.rate if b.rate is not None else BLOCKED_TEXT, dict(cen, num_format=RATE))
    put(r, 8, 8, b.score if b.score is not None else BLOCKED_TEXT, dict(cen, num_format=SCORE))
    r += 1
    for i, line in enumerate(sources):
        label = line.name or line.label.text
        put(r, 1, 2, ("其中：" if i == 0 else "　　　") + label, left)
        for c, cell in zip((3, 4, 5), (line.initial, line.adjusted, line.executed)):
            put(r, c, c, _cell_value(cell), dict(cen, num_format=MONEY))
        for c in (6, 7, 8):
            put(r, c, c, "—", cen)
        r += 1

    # 年度总体目标.
    put(r, 0, 0, "年度总体目标", lab, r1=r + 1)
    put(r, 1, 4, "预期目标", lab)
    put(r, 5, 8, "实际完成情况", lab)
    r += 1
    put(r, 1, 4, p.goal_expected.text, left)
    put(r, 5, 8, p.goal_actual.text, left)
    r += 1

    # Indicator table.
    inds = result.indicators
    put(r, 0, 0, "绩效指标", lab, r1=r + max(len(inds), 1))
    for c, h in enumerate(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                           "偏差原因分析及改进措施"), start=1):
        put(r, c, c, h, lab)
    r += 1
    first = r
    if not inds:
        put(r, 1, 8, "（无三级指标）", cen)
        r += 1
    for i, s in enumerate(inds):
        row = first + i
        put(row, 3, 3, s.level3, left)
        put(row, 4, 4, seen(s.indicator.target, s.target), cen)
        put(row, 5, 5, seen(s.indicator.actual, s.actual), cen)
        put(row, 6, 6, s.weight if s.weight is not None else (s.indicator.weight.text or None), cen)
        put(row, 7, 7, s.score, dict(cen, num_format=SCORE))
        put(row, 8, 8, s.indicator.note.text, left)
    # Merge 一级 / 二级 over consecutive equal values, as on the paper form.
    for col, i, j, v in level_runs(inds):
        if j > i:
            ws.merge_range(first + i, col, first + j, col, None, fm.get(**cen))
            write_value(ws, fm, first + i, col, v, **cen)
            lines = text_lines(v, RESULT_COLS[col])
            per = math.ceil(lines / (j - i + 1))
            for k in range(i, j + 1):
                heights[first + k] = max(heights.get(first + k, 1), per)
        else:
            put(first + i, col, col, v, cen)
    r = first + max(len(inds), 1) if inds else r

    weights = b.weight + sum((s.weight for s in inds if s.weight is not None), Decimal(0))
    put(r, 0, 5, "总分", lab)
    put(r, 6, 6, weights, dict(cen, bold=True))
    put(r, 7, 7, result.total if result.total is not None else BLOCKED_TEXT,
        dict(cen, bold=True, num_format=SCORE))
    put(r, 8, 8, "", cen)
    r += 1
    put(r, 0, 0, "评价等级", lab)
    put(r, 1, 2, result.grade or BLOCKED_TEXT, dict(cen, bold=True))
    if result.self_total is not None:
        put(r, 3, 3, "自评总分", lab)
        put(r, 4, 4, result.self_total, dict(cen, num_format=SCORE))
        put(r, 5, 8, "", cen)
    else:
        put(r, 3, 8, "", cen)
    r += 1
    note = (
        f"说明：得分按评分规则 {profile.describe()} 计算；发现错误 {result.errors} 项、提示 {result.hints} 项，"
        f"详见“{layout.FINDINGS_SHEET}”工作表；各项计算过程见“{layout.DETAIL_SHEET}”工作表。"
    )
    ws.merge_range(r, 0, r, 8, None, fm.get(text_wrap=True, valign="top", font_size=9))
    ws.write_string(r, 0, note, fm.get(text_wrap=True, valign="top", font_size=9))
    need(r, note, span_w(0, 8))

    for row, n in heights.items():
        ws.set_row(row, min(409, max(18, 14 * n + 4)))

    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")
    ws.print_area(0, 0, r, 8)
    return ws


DETAIL_HEADERS = (
    ("行号/单元格", 18), ("一级指标", 11), ("二级指标", 15), ("三级指标", 28), ("指标类型", 9),
    ("年度指标值", 16), ("实际完成值", 16), ("分值", 7), ("计算得分", 9), ("自评得分", 9), ("差异", 8),
    ("评分规则", 22), ("计算过程", 60),
)


def seen(cell: Cell, text: str) -> str:
    """The scorer's display ``text`` of ``cell``, or '92%' for a percent-formatted 0.92 (as the clerk saw it)."""
    return cell.shown if cell.percent_format else text


def rule_text(rule: Optional[str]) -> str:
    """The rule's Chinese name, 未计分 for a row not scored (the English id stays in --json only);
    the summary's 指标明细 uses it too, so both workbooks name a rule alike."""
    if not rule:
        return "未计分"
    return RULE_NAMES.get(rule, rule)


def _execution_detail(b) -> str:
    """The scorer's own explanation; it writes one whenever it computes the rate (a writer never
    redoes the arithmetic)."""
    return b.detail or "全年预算数或全年执行数无法使用，未能计算执行率（原因见“问题清单”）。"


def write_detail_sheet(wb, fm: Formats, name: str, result: Result, profile: Profile):
    """评分明细: one row per scored line with the rule and the numbers it used."""
    ws = wb.add_worksheet(name)
    head = dict(bold=True, border=1, align="center", valign="vcenter", text_wrap=True, bg_color="#D9E1F2")
    base = dict(border=1, valign="vcenter")
    for c, (h, w) in enumerate(DETAIL_HEADERS):
        ws.set_column(c, c, w)
        ws.write_string(0, c, h, fm.get(**head))

    p = result.project
    b = result.budget
    total_line = next((l for l in p.funds if l.is_total), p.funds[0] if p.funds else None)
    where = ""
    if total_line is not None:
        for cell in (total_line.label, total_line.executed, total_line.adjusted):
            if cell.where:
                where = cell.where
                break
    exec_self = b.self_score
    rows = [(
        where, "预算执行率", "全年执行数÷全年预算数", "预算执行率", "执行率",
        f"全年预算数 {fmt2(b.adjusted)}" if b.adjusted is not None else "全年预算数 —",
        f"全年执行数 {fmt2(b.executed)}" if b.executed is not None else "全年执行数 —",
        b.weight, b.score, exec_self,
        (exec_self - b.score) if exec_self is not None and b.score is not None else None,
        rule_text("execution"), _execution_detail(b),
    )]
    for s in result.indicators:
        ind = s.indicator
        loc = ind.level3.where if ind.level3.sheet and ind.level3.ref else ""
        if not loc:
            sheet = indicator_sheet(ind)
            loc = f"{sheet} 第{ind.row}行" if ind.row else sheet
        rows.append((
            loc, s.level1, s.level2, s.level3, KIND_NAMES.get(s.kind or "", "无法识别"),
            seen(ind.target, s.target), seen(ind.actual, s.actual), s.weight, s.score, s.self_score,
            (s.self_score - s.score) if s.self_score is not None and s.score is not None else None,
            rule_text(s.rule), s.explain(),
        ))
    numfmt = {8: SCORE, 9: SCORE, 10: SCORE}
    for i, row in enumerate(rows, start=1):
        lines = 1
        for c, v in enumerate(row):
            props = dict(base)
            if c in numfmt:
                props["num_format"] = numfmt[c]
            if isinstance(v, str) and v:
                n = text_lines(v, DETAIL_HEADERS[c][1])
                if n > 1:
                    props["text_wrap"] = True
                    lines = max(lines, n)
            write_value(ws, fm, i, c, v, **props)
        if lines > 1:
            ws.set_row(i, row_height(lines))
    last = len(rows)
    weights = b.weight + sum((s.weight for s in result.indicators if s.weight is not None), Decimal(0))
    tot = dict(base, bold=True)
    r = last + 2
    ws.write_string(r, 0, "合计", fm.get(**tot))
    write_value(ws, fm, r, 7, weights, **tot)
    write_value(ws, fm, r, 8, result.total if result.total is not None else BLOCKED_TEXT,
                **dict(tot, num_format=SCORE))
    write_value(ws, fm, r, 9, result.self_total, **dict(tot, num_format=SCORE))
    ws.write_string(r, 12, f"等级：{result.grade or BLOCKED_TEXT}", fm.get(**tot))

    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, len(DETAIL_HEADERS) - 1)
    _landscape(ws)
    return ws


FINDING_HEADERS = (("序号", 6), ("严重程度", 9), ("问题代码", 28), ("工作表", 12), ("单元格", 9), ("问题说明", 70))


def write_findings_sheet(wb, fm: Formats, name: str, result: Result):
    """问题清单: every finding with where it is and what to type instead."""
    ws = wb.add_worksheet(name)
    head = dict(bold=True, border=1, align="center", valign="vcenter", bg_color="#D9E1F2")
    base = dict(border=1, valign="vcenter")
    for c, (h, w) in enumerate(FINDING_HEADERS):
        ws.set_column(c, c, w)
        ws.write_string(0, c, h, fm.get(**head))
    if not result.findings:
        ws.merge_range(1, 0, 1, 5, None, fm.get(**base))
        ws.write_string(1, 0, "未发现问题", fm.get(**base))
        last = 1
    for i, f in enumerate(result.findings, start=1):
        sev = dict(base, align="center")
        if f.severity == ERROR:
            sev["font_color"] = "#C00000"
            sev["bold"] = True
        ws.write_number(i, 0, i, fm.get(**dict(base, align="center")))
        ws.write_string(i, 1, f.severity, fm.get(**sev))
        ws.write_string(i, 2, f.code, fm.get(**base))
        ws.write_string(i, 3, f.sheet or "", fm.get(**base))
        ws.write_string(i, 4, f.cell or "", fm.get(**base))
        ws.write_string(i, 5, f.message, fm.get(**dict(base, text_wrap=True)))
        lines = text_lines(f.message, FINDING_HEADERS[5][1])
        if lines > 1:
            ws.set_row(i, row_height(lines))
        last = i
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, len(FINDING_HEADERS) - 1)
    _landscape(ws)
    return ws


def _landscape(ws):
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")

