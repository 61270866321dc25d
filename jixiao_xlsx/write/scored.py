"""Write the scored workbook: the clerk's workbook as entered, plus the computed scores beside it.

The input is copied value by value (never through a formula, so a clerk's ``=1+1`` stays text);
the computed figures are written in free columns/rows so nothing the clerk typed is moved or
overwritten, and three sheets are added: 评分结果 (laid out like the national 项目支出绩效自评表,
printable on A4), 评分明细 (every rule and the numbers it used) and 问题清单 (every finding).
This module computes no score: every number comes from the :class:`~jixiao_xlsx.model.Result`.
"""
from __future__ import annotations

import math
import re
import warnings
from typing import Optional

from .. import layout
from ..a1 import cell_ref
from ..read.book import Book, Sheet
from ..model import Result
from .fidelity import SheetLook, read_fidelity
from .output import new_workbook
from ..rules.profile import Profile
from .cells import (  # noqa: F401 - re-exported: tests and other writers import them from here
    BLOCKED_TEXT, DATE, DATETIME, MAX_COLS, MAX_ROWS, MONEY, RATE, SCORE, TIME, Formats, SheetNames, cell_text,
    display_width, find_row, fmt2, indicator_sheet, is_number, ref_rc, row_height, safe_sheet_name, text_lines,
    used_extent, write_value, year_text,
)
from .scored_sheets import (  # noqa: F401 - re-exported (the summary names rules and kinds alike)
    DETAIL_HEADERS, FINDING_HEADERS, KIND_NAMES, RESULT_COLS, RULE_NAMES, rule_text, write_detail_sheet,
    write_findings_sheet, write_result_sheet,
)

# Template table sheets whose header row is frozen in the copy (layout.HEADER_ROW).
TEMPLATE_TABLES = (layout.INFO_SHEET, layout.FUNDS_SHEET, layout.ALLOC_SHEET, layout.IND_SHEET)
# Words that mark a header row of the official form (made bold in the copy).
FORM_HEADER_WORDS = ("三级指标", "年初预算数", "预期目标", "项目支出绩效自评表")


# -- the plan of what is added to the copied sheets -----------------------------------------------


class Additions:
    """Cells added to the copied sheets: {sheet name: {(r, c): (value, props)}} plus column widths."""

    def __init__(self):
        self.cells: dict = {}
        self.widths: dict = {}

    def put(self, sheet: str, r: int, c: int, value, **props):
        if not (0 <= r < MAX_ROWS and 0 <= c < MAX_COLS):
            return
        self.cells.setdefault(sheet, {}).setdefault((r, c), (value, props))

    def width(self, sheet: str, c: int, w: float):
        ws = self.widths.setdefault(sheet, {})
        ws[c] = max(ws.get(c, 0), w)



SELF_SCORE_FINDINGS = ("SELF_SCORE_DIFFERS", "QUAL_SCORE_OUT_OF_BAND")


def _flagged_self_scores(result: Result) -> set:
    """(sheet, cell) of self scores the scorer found at odds with the rules: the writer does not re-judge."""
    return {(f.sheet, f.cell) for f in result.findings if f.code in SELF_SCORE_FINDINGS}


# Cells this tool adds: light green, never the template's light yellow, which tells a clerk "fill here".
COMPUTED_FILL = "#E2EFDA"
DIFFERS_FILL = "#F8CBAD"  # the clerk's own score differs from the computed one


def plan_additions(result: Result, book: Book, profile: Profile) -> Additions:
    """Where the computed figures go in the copied sheets (free columns right of each table)."""
    add = Additions()
    project = result.project
    extents = {s.name: used_extent(s) for s in book.sheets}
    head = dict(bold=True, border=1, align="center", valign="vcenter", text_wrap=True, bg_color=COMPUTED_FILL)
    val = dict(border=1, valign="vcenter", bg_color=COMPUTED_FILL)
    rule = dict(border=1, valign="vcenter", text_wrap=True, bg_color=COMPUTED_FILL, font_size=9)

    # Indicator rows: 计算得分 / 评分规则.
    flagged = _flagged_self_scores(result)
    by_sheet: dict = {}
    for s in result.indicators:
        name = indicator_sheet(s.indicator)
        if name in extents and s.indicator.row > 0:
            by_sheet.setdefault(name, []).append(s)
    for name, scores in by_sheet.items():
        sheet = book.get(name)
        nrows, ncols = extents[name]
        c = ncols
        first = min(s.indicator.row for s in scores) - 1
        hr = find_row(sheet, ("三级指标",), first - 1, max(-1, first - 12))
        if hr is None and project.layout == "template" and first > layout.HEADER_ROW - 1:
            hr = layout.HEADER_ROW - 1
        if hr is None or hr >= first:
            hr = first - 1
        if hr >= 0:
            add.put(name, hr, c, "计算得分", **head)
            add.put(name, hr, c + 1, "评分规则", **head)
        for s in scores:
            r = s.indicator.row - 1
            props = dict(val, num_format=SCORE)
            own = s.indicator.self_score
            if (own.sheet, own.ref) in flagged:
                props["bg_color"] = DIFFERS_FILL  # the clerk's own score differs: make it visible
            add.put(name, r, c, s.score, **props)
            add.put(name, r, c + 1, s.explain() or "", **rule)
        add.width(name, c, 10)
        add.width(name, c + 1, 40)
        last = max(s.indicator.row for s in scores) - 1
        _plan_form_total(add, result, sheet, name, last, c, head, val, rule, project.layout)

    # Funds total row: 执行率 / 预算执行得分.
    line = next((l for l in project.funds if l.is_total and ref_rc(l.label.ref)), None)
    if line is None:
        line = next((l for l in project.funds if ref_rc(l.label.ref)), None)
    if line is not None and line.label.sheet in extents:
        name = line.label.sheet
        r, _ = ref_rc(line.label.ref)
        c = extents[name][1]
        hr = find_row(book.get(name), ("全年预算数", "年初预算数"), r - 1, max(-1, r - 10))
        hr = r - 1 if hr is None else hr
        if hr >= 0:
            add.put(name, hr, c, "执行率", **head)
            add.put(name, hr, c + 1, "预算执行得分", **head)
        add.put(name, r, c, result.budget.rate, **dict(val, num_format=RATE))
        add.put(name, r, c + 1, result.budget.score, **dict(val, num_format=SCORE))
        add.width(name, c, 10)
        add.width(name, c + 1, 12)

    # Template 项目信息: subtotals, total and grade below the last used row.
    if project.layout == "template" and layout.INFO_SHEET in extents:
        r = extents[layout.INFO_SHEET][0]
        label = dict(bold=True, border=1, valign="vcenter", bg_color=COMPUTED_FILL)
        note = f"按评分规则 {profile.describe()} 计算，详见“{layout.RESULT_SHEET}”工作表"
        rows = [("计算得分：预算执行", result.budget.score)]
        for l1 in profile.level1:
            rows.append((f"计算得分：{l1.name}", result.subtotals.get(l1.key)))
        rows.append(("计算总分", result.total if result.total is not None else BLOCKED_TEXT))
        rows.append(("等级", result.grade or BLOCKED_TEXT))
        for i, (lab, v) in enumerate(rows):
            add.put(layout.INFO_SHEET, r + i, 0, lab, **label)
            add.put(layout.INFO_SHEET, r + i, 1, v, **dict(val, num_format=SCORE))
            add.put(layout.INFO_SHEET, r + i, 2, note if i == len(rows) - 2 else "", **rule)
    return add


def _plan_form_total(add, result, sheet, name, last, c, head, val, rule, layout_name):
    """Official form: the computed total and grade beside its 总分 row (or below the table)."""
    if layout_name == "template":
        return
    total = result.total if result.total is not None else BLOCKED_TEXT
    grade = f"评价等级：{result.grade or BLOCKED_TEXT}"
    r = find_row(sheet, ("总分",), last + 1, sheet.nrows)
    if r is not None:
        add.put(name, r, c, total, **dict(val, num_format=SCORE, bold=True))
        add.put(name, r, c + 1, grade, **dict(rule, bold=True))
        return
    r = used_extent(sheet)[0] + 1
    label = dict(bold=True, border=1, bg_color=COMPUTED_FILL)
    add.put(name, r, 0, "计算总分", **label)
    add.put(name, r, 1, total, **dict(val, num_format=SCORE))
    add.put(name, r + 1, 0, "评价等级", **label)
    add.put(name, r + 1, 1, result.grade or BLOCKED_TEXT, **val)



# -- copying the clerk's sheets ------------------------------------------------------------------


def _percent_cells(result: Result) -> set:
    """Cells the reader saw with a percent format: shown as percentages again in the copy."""
    out = set()
    for s in result.indicators:
        ind = s.indicator
        for cell in (ind.target, ind.actual):
            if cell.percent_format and cell.sheet and cell.ref:
                out.add((cell.sheet, cell.ref))
    return out


def _header_rows(sheet: Sheet, template: bool, nrows: int) -> set:
    if template:
        return {layout.TITLE_ROW - 1, layout.HEADER_ROW - 1} if sheet.name in TEMPLATE_TABLES else set()
    rows = set()
    for r in range(min(nrows, 200)):
        for v in sheet.rows[r]:
            if isinstance(v, str) and len(v) <= 30 and any(w in re.sub(r"\s", "", v) for w in FORM_HEADER_WORDS):
                rows.add(r)
                break
    return rows


def _table_start(sheet: Sheet, template: bool, holds_data: bool, nrows: int) -> Optional[int]:
    """First row of the bordered table area, or None when the sheet is not a table."""
    if template:
        return layout.HEADER_ROW - 1 if sheet.name in TEMPLATE_TABLES else None
    if not holds_data:
        return None
    for r in range(nrows):
        if sum(1 for v in sheet.rows[r] if v not in ("", None)) >= 2:
            return r
    return None


def copy_sheet(wb, fm: Formats, sheet: Sheet, name: str, result: Result, extras: dict,
               extra_widths: dict, percent: set, holds_data: bool, look: Optional[SheetLook] = None):
    """Copy one input sheet value by value, merges included, and add the planned cells; ``look``
    (the source's number formats and data validations, :mod:`fidelity`) is kept where given."""
    ws = wb.add_worksheet(name)
    formats = look.formats if look is not None else {}
    template = result.project.layout == "template"
    nrows, ncols = used_extent(sheet)
    headers = _header_rows(sheet, template, nrows)
    start = _table_start(sheet, template, holds_data, nrows)
    sheet_pct = getattr(sheet, "percent_cells", None) or set()

    def props_for(r, c, v, merged=False):
        p = {"valign": "vcenter"}
        if r in headers:
            p["bold"] = True
        if start is not None and r >= start:
            p["border"] = 1
        pct = (r, c) in sheet_pct or (sheet.name, cell_ref(r, c)) in percent
        own = formats.get((r, c)) if v not in ("", None) else None
        if own is not None:
            p["num_format"] = own  # what the clerk saw: 0.00, #,##0.00, yyyy"年"m"月"d"日", 0% …
        elif pct and is_number(v) and math.isfinite(float(v)):
            x = float(v) * 100
            p["num_format"] = "0%" if abs(x - round(x)) < 1e-9 else "0.00%"
        if merged:
            p["align"] = "center"
        return p

    covered = set()
    merges = []
    for r0, c0, r1, c1 in sheet.merges:
        if (r0, c0) == (r1, c1) or r0 > r1 or c0 > c1 or r1 >= MAX_ROWS or c1 >= MAX_COLS:
            continue
        merges.append((r0, c0, r1, c1))

    # Column widths from content (merged cells excluded: they span several columns).
    in_merge = set()
    for r0, c0, r1, c1 in merges:
        for rr in range(r0, min(r1, nrows - 1) + 1):
            for cc in range(c0, min(c1, ncols - 1) + 1):
                in_merge.add((rr, cc))
    widths = [0] * ncols
    for r in range(nrows):
        row = sheet.rows[r]
        for c in range(min(len(row), ncols)):
            v = row[c]
            if v in ("", None) or (r, c) in in_merge:
                continue
            t = cell_text(v)[:120]
            w = max(display_width(part) for part in t.split("\n")) if t else 0
            if w > widths[c]:
                widths[c] = w
    cap = 100 if ncols <= 2 else 50  # a sheet of prose (填表说明) reads better wide
    final_w = [min(max(w + 2, 8), cap) if w else 9 for w in widths]
    for c, w in enumerate(final_w):
        ws.set_column(c, c, w)
    for c, w in extra_widths.items():
        ws.set_column(c, c, w)

    def wide(v, width):
        return isinstance(v, str) and (("\n" in v) or display_width(v) > width)

    lines: dict = {}

    def grow(r, v, width):
        n = text_lines(v, width)
        if n > lines.get(r, 1):
            lines[r] = n

    for r0, c0, r1, c1 in merges:
        v = sheet.raw(r0, c0)
        v = None if v == "" else v
        span = sum(final_w[c] if c < ncols else 9 for c in range(c0, c1 + 1))
        p = props_for(r0, c0, v, merged=not wide(v, span))
        if wide(v, span):
            p["text_wrap"] = True
            if r0 == r1:
                grow(r0, v, span)
        try:
            ws.merge_range(r0, c0, r1, c1, None, fm.get(**p))
        except Exception:  # overlapping ranges in a hostile file: keep the value, skip the merge
            write_value(ws, fm, r0, c0, v, **p)
            continue
        for rr in range(r0, r1 + 1):
            for cc in range(c0, c1 + 1):
                covered.add((rr, cc))
        if v is not None:
            write_value(ws, fm, r0, c0, v, **p)

    for r in range(nrows):
        row = sheet.rows[r]
        bordered = start is not None and r >= start
        last = ncols if bordered else min(len(row), ncols)
        for c in range(last):
            if (r, c) in covered:
                continue
            v = row[c] if c < len(row) else ""
            if v in ("", None) and not bordered:
                continue
            p = props_for(r, c, v)
            if wide(v, final_w[c]):
                p["text_wrap"] = True
                grow(r, v, final_w[c])
            write_value(ws, fm, r, c, v, **p)

    for (r, c), (v, p) in sorted(extras.items()):
        if (r, c) in covered:
            continue
        if p.get("text_wrap") and isinstance(v, str) and v:
            grow(r, v, extra_widths.get(c, 9))
        write_value(ws, fm, r, c, v, **dict(p))

    with warnings.catch_warnings():  # xlsxwriter warns (to the clerk's console) about one it refuses
        warnings.simplefilter("ignore")
        for r0, c0, r1, c1, opts in (look.validations if look is not None else ()):
            try:  # the clerk's dropdowns and input checks; one xlsxwriter refuses is left out, never fatal
                ws.data_validation(r0, c0, r1, c1, dict(opts))
            except Exception:  # noqa: BLE001
                continue

    hidden_rows = getattr(sheet, "hidden_rows", None) or set()
    for r in sorted(set(hidden_rows) | {r for r, n in lines.items() if n > 1}):
        if 0 <= r < MAX_ROWS:
            height = row_height(lines[r]) if lines.get(r, 1) > 1 else None
            ws.set_row(r, height, None, {"hidden": True} if r in hidden_rows else None)
    if template and sheet.name in TEMPLATE_TABLES:
        ws.freeze_panes(layout.HEADER_ROW, 0)
    if sheet.hidden:
        ws.hide()
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    return ws



# -- entry point ---------------------------------------------------------------------------------


IN_MEMORY_CELLS = 100_000  # a self-evaluation holds a few hundred cells; far beyond that, use temp files


def write_scored(result: Result, book: Book, path: str, profile: Profile) -> None:
    """Write the scored workbook for ``result`` (read from ``book``) to ``path``.

    The caller owns atomicity (:func:`jixiao_xlsx.output.atomic_path`); this only fills ``path``.
    """
    # the clerk's sheets are copied cell by cell: a large input is assembled part by part in temporary
    # files (in memory every part's XML would sit there at once, ~40 % more at the peak)
    cells = sum(len(row) for sheet in book.sheets for row in sheet.rows)
    wb = new_workbook(path, in_memory=cells <= IN_MEMORY_CELLS)
    try:
        fm = Formats(wb)
        names = SheetNames()
        add = plan_additions(result, book, profile)
        percent = _percent_cells(result)
        data_sheets = {indicator_sheet(s.indicator) for s in result.indicators}
        data_sheets |= {l.label.sheet for l in result.project.funds}
        looks = read_fidelity(book.path) if getattr(book, "path", None) else {}  # {} unless .xlsx/.xlsm
        for sheet in book.sheets:
            copy_sheet(
                wb, fm, sheet, names.take(sheet.name), result,
                add.cells.get(sheet.name, {}), add.widths.get(sheet.name, {}), percent,
                sheet.name in data_sheets, looks.get(sheet.name),
            )
        res = write_result_sheet(wb, fm, names.take(layout.RESULT_SHEET), result, profile)
        write_detail_sheet(wb, fm, names.take(layout.DETAIL_SHEET), result, profile)
        write_findings_sheet(wb, fm, names.take(layout.FINDINGS_SHEET), result)
        res.activate()
    except BaseException:
        try:
            wb.close()
        except Exception:
            pass
        raise
    wb.close()
