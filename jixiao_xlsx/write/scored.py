"""Write the scored workbook: the clerk's workbook as entered, plus the computed scores beside it.

The input is copied value by value (never through a formula, so a clerk's ``=1+1`` stays text);
the computed figures are written in free columns/rows so nothing the clerk typed is moved or
overwritten, and three sheets are added: 评分结果 (laid out like the national 项目支出绩效自评表,
printable on A4), 评分明细 (every rule and the numbers it used) and 问题清单 (every finding).
This module computes no score: every number comes from the :class:`~jixiao_xlsx.model.Result`.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from decimal import Decimal
from typing import Any, Optional

from .. import layout
from ..a1 import cell_ref
from ..read.book import Book, Sheet
from ..model import ERROR, Cell, Result
from .output import new_workbook
from ..rules.profile import Profile
from ..rules.scoring import KIND_ZH

MAX_ROWS = 1_048_576
MAX_COLS = 16_384

MONEY = "0.00"
SCORE = "0.00"
RATE = "0.00%"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm:ss"
TIME = "hh:mm:ss"

BLOCKED_TEXT = "未能计算"

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

# Template table sheets whose header row is frozen in the copy (layout.HEADER_ROW).
TEMPLATE_TABLES = (layout.INFO_SHEET, layout.FUNDS_SHEET, layout.ALLOC_SHEET, layout.IND_SHEET)
# Words that mark a header row of the official form (made bold in the copy).
FORM_HEADER_WORDS = ("三级指标", "年初预算数", "预期目标", "项目支出绩效自评表")

_BAD_NAME_CHARS = re.compile(r"[\[\]:*?/\\]")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


# -- small pure helpers -------------------------------------------------------------------------


def ref_rc(ref: str) -> Optional[tuple]:
    """'C7' -> (6, 2) 0-based; None when ``ref`` is not a cell address."""
    m = _REF.match((ref or "").strip())
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    row = int(m.group(2))
    if row < 1:
        return None
    return row - 1, col - 1


def display_width(text: str) -> int:
    """Width of ``text`` in Excel character units: CJK characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (estimate)."""
    if not text:
        return 1
    usable = max(1.0, width - 1)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))


def row_height(lines: int) -> float:
    """Row height in points for ``lines`` wrapped lines: LibreOffice does not grow rows by itself."""
    return min(409.0, 15.0 * max(1, lines) + 1)  # 409 pt is Excel's maximum row height


def safe_sheet_name(name: str) -> str:
    """A name Excel accepts (≤31 characters, none of []:*?/\\, no edge apostrophe)."""
    name = _BAD_NAME_CHARS.sub("_", str(name)).strip("'")[:31]
    return name or "Sheet"


class SheetNames:
    """Hands out unique sheet names (Excel compares them case-insensitively)."""

    def __init__(self):
        self.used: set = set()

    def take(self, wanted: str) -> str:
        base = safe_sheet_name(wanted)
        name, n = base, 2
        while name.lower() in self.used:
            suffix = f"({n})"
            name = base[: 31 - len(suffix)] + suffix
            n += 1
        self.used.add(name.lower())
        return name


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


def fmt2(d) -> str:
    return "" if d is None else f"{Decimal(d):.2f}"


def year_text(cell: Cell) -> str:
    t = cell.text.strip()
    return t[:-1] if t.endswith("年") else t


def cell_text(v: Any) -> str:
    """Display text of a raw grid value, for widths and the summary sheets."""
    if v in ("", None):
        return ""
    if isinstance(v, _dt.time):  # Cell.text assumes a date when it sees isoformat
        return v.isoformat()
    return Cell(v).text


def used_extent(sheet: Sheet) -> tuple:
    """(rows, cols) actually used by values or merged ranges (calamine may pad with blanks)."""
    nrows = ncols = 0
    for r, row in enumerate(sheet.rows):
        for c in range(len(row) - 1, -1, -1):
            v = row[c]
            if v != "" and v is not None:
                nrows = r + 1
                ncols = max(ncols, c + 1)
                break
    for r0, c0, r1, c1 in sheet.merges:
        if sheet.raw(r0, c0) not in ("", None):
            nrows = max(nrows, r1 + 1)
            ncols = max(ncols, c1 + 1)
    return nrows, ncols


def find_row(sheet: Sheet, words, start: int, stop: int, longest: int = 12) -> Optional[int]:
    """First row in [start, stop) (walking in that direction) with a label containing one of ``words``.

    Only short cells count (``longest`` characters), so a note that mentions 总分 is not a label.
    """
    step = 1 if stop >= start else -1
    for r in range(start, stop, step):
        if 0 <= r < sheet.nrows:
            for v in sheet.rows[r]:
                if isinstance(v, str) and len(v) <= 3 * longest:
                    t = re.sub(r"\s", "", v)
                    if len(t) <= longest and any(w in t for w in words):
                        return r
    return None


# -- formats: created once per workbook -------------------------------------------------------------


class Formats:
    """xlsxwriter formats cached by their properties, so a batch does not create thousands."""

    def __init__(self, wb):
        self.wb = wb
        self.cache: dict = {}

    def get(self, **props):
        key = tuple(sorted(props.items()))
        f = self.cache.get(key)
        if f is None:
            f = self.cache[key] = self.wb.add_format(dict(props))
        return f


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


def indicator_sheet(ind) -> str:
    """The sheet an indicator row lives on: its 三级 cell's, else any other addressed cell's."""
    for cell in (ind.level3, ind.target, ind.actual, ind.weight, ind.level2, ind.level1,
                 ind.self_score, ind.note, ind.direction, ind.band, ind.unit):
        if cell.sheet:
            return cell.sheet
    return ""


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


# -- writing values ------------------------------------------------------------------------------


def write_value(ws, fm: Formats, r: int, c: int, v: Any, **props):
    """Write one value with the type it has: text never becomes a formula, NaN/inf become text."""
    if v is None or v == "":
        ws.write_blank(r, c, None, fm.get(**props) if props else None)
        return
    if isinstance(v, bool):
        ws.write_boolean(r, c, v, fm.get(**props) if props else None)
    elif is_number(v):
        try:
            x = float(v)
        except (OverflowError, ValueError):
            x = float("nan")
        if math.isfinite(x):
            ws.write_number(r, c, x, fm.get(**props) if props else None)
        else:
            props.pop("num_format", None)
            ws.write_string(r, c, str(v), fm.get(**props) if props else None)
    elif isinstance(v, (_dt.datetime, _dt.date, _dt.time)):
        if isinstance(v, _dt.date) and v.year < 1900:  # before Excel's epoch: keep as text
            ws.write_string(r, c, Cell(v).text, fm.get(**props) if props else None)
            return
        if "num_format" not in props:
            if isinstance(v, _dt.datetime):
                props["num_format"] = DATETIME if (v.hour or v.minute or v.second) else DATE
            elif isinstance(v, _dt.date):
                props["num_format"] = DATE
            else:
                props["num_format"] = TIME
        if isinstance(v, _dt.datetime) and v.tzinfo is not None:
            v = v.replace(tzinfo=None)
        ws.write_datetime(r, c, v, fm.get(**props))
    else:
        ws.write_string(r, c, str(v), fm.get(**props) if props else None)


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
               extra_widths: dict, percent: set, holds_data: bool):
    """Copy one input sheet value by value, merges included, and add the planned cells."""
    ws = wb.add_worksheet(name)
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
        if pct and is_number(v) and math.isfinite(float(v)):
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


# -- the added sheets ----------------------------------------------------------------------------


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

        sources = [BudgetLine(s.name, Cell(s.name)) for s in profile.funds_sources]
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
        put(row, 4, 4, s.target, cen)
        put(row, 5, 5, s.actual, cen)
        put(row, 6, 6, s.weight if s.weight is not None else (s.indicator.weight.text or None), cen)
        put(row, 7, 7, s.score, dict(cen, num_format=SCORE))
        put(row, 8, 8, s.indicator.note.text, left)
    # Merge 一级 / 二级 over consecutive equal values, as on the paper form.
    for col, key in ((1, lambda s: (s.level1,)), (2, lambda s: (s.level1, s.level2))):
        i = 0
        while i < len(inds):
            j = i
            while j + 1 < len(inds) and key(inds[j + 1]) == key(inds[i]):
                j += 1
            v = inds[i].level1 if col == 1 else inds[i].level2
            if j > i:
                ws.merge_range(first + i, col, first + j, col, None, fm.get(**cen))
                write_value(ws, fm, first + i, col, v, **cen)
                lines = text_lines(v, RESULT_COLS[col])
                per = math.ceil(lines / (j - i + 1))
                for k in range(i, j + 1):
                    heights[first + k] = max(heights.get(first + k, 1), per)
            else:
                put(first + i, col, col, v, cen)
            i = j + 1
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
            s.target, s.actual, s.weight, s.score, s.self_score,
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
        for sheet in book.sheets:
            copy_sheet(
                wb, fm, sheet, names.take(sheet.name), result,
                add.cells.get(sheet.name, {}), add.widths.get(sheet.name, {}), percent,
                sheet.name in data_sheets,
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
