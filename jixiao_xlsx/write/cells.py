"""Cell-level helpers shared by the scored workbook's writers: addresses, widths, number formats and
typed writes (text never becomes a formula).  Pure helpers plus :class:`Formats` and :func:`write_value`.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from decimal import Decimal
from typing import Any, Optional

from ..read.book import Sheet
from ..model import Cell

MAX_ROWS = 1_048_576
MAX_COLS = 16_384

MONEY = "0.00"
SCORE = "0.00"
RATE = "0.00%"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm:ss"
TIME = "hh:mm:ss"

BLOCKED_TEXT = "未能计算"

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


def indicator_sheet(ind) -> str:
    """The sheet an indicator row lives on: its 三级 cell's, else any other addressed cell's."""
    for cell in (ind.level3, ind.target, ind.actual, ind.weight, ind.level2, ind.level1,
                 ind.self_score, ind.note, ind.direction, ind.band, ind.unit):
        if cell.sheet:
            return cell.sheet
    return ""


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


def level_runs(scores: list):
    """(column, first, last, text) of each run of consecutive rows with the same 一级 (column 1) or the
    same 一级 and 二级 (column 2): the cells the 评分结果 layout merges, as on the paper form; rows are
    indexes into ``scores`` (IndicatorScores)."""
    for col, key in ((1, lambda s: (s.level1,)), (2, lambda s: (s.level1, s.level2))):
        i = 0
        while i < len(scores):
            j = i
            while j + 1 < len(scores) and key(scores[j + 1]) == key(scores[i]):
                j += 1
            yield col, i, j, scores[i].level1 if col == 1 else scores[i].level2
            i = j + 1
