"""Open a workbook file as plain grids of values (the only place that touches the input file).

python-calamine reads .xlsx/.xlsm/.xls/.ods an order of magnitude faster than openpyxl; every
reader works on the :class:`Book` this returns, so the input file is opened once and never written.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Optional

from .model import Cell


class UnreadableFile(Exception):
    """The file cannot be read as a workbook. ``reason`` is a Chinese sentence a clerk can act on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def col_letter(c: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    s = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def cell_ref(r: int, c: int) -> str:
    """0-based (row, col) -> 'A1' style reference."""
    return f"{col_letter(c)}{r + 1}"


@dataclass
class Sheet:
    """One worksheet as a grid from A1 (0-based rows/cols), with its merged ranges."""

    name: str
    rows: list  # list of row lists; '' for empty cells as calamine gives them
    merges: list = field(default_factory=list)  # [(r0, c0, r1, c1)] 0-based inclusive
    hidden: bool = False
    _anchor: Optional[dict] = None  # (r, c) -> (r0, c0) for every cell inside a merge

    @property
    def nrows(self) -> int:
        return len(self.rows)

    @property
    def ncols(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def anchor(self, r: int, c: int) -> tuple[int, int]:
        """Top-left cell of the merged range holding (r, c), or (r, c) itself."""
        if self._anchor is None:
            a = {}
            for r0, c0, r1, c1 in self.merges:
                for rr in range(r0, r1 + 1):
                    for cc in range(c0, c1 + 1):
                        a[(rr, cc)] = (r0, c0)
            self._anchor = a
        return self._anchor.get((r, c), (r, c))

    def raw(self, r: int, c: int) -> Any:
        """The value at (r, c) itself ('' or None when empty / outside the grid)."""
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                return row[c]
        return None

    def value(self, r: int, c: int, spread: bool = True) -> Any:
        """Value at (r, c); inside a merged range, the range's value when ``spread``. None if empty."""
        if spread:
            r, c = self.anchor(r, c)
        v = self.raw(r, c)
        if v == "" or v is None:
            return None
        return v

    def cell(self, r: int, c: int, spread: bool = True) -> Cell:
        """A :class:`Cell` for (r, c), addressed at the top-left of its merged range."""
        if spread:
            r, c = self.anchor(r, c)
        return Cell(self.value(r, c, spread=False), self.name, cell_ref(r, c))


@dataclass
class Book:
    path: str
    sheets: list  # [Sheet] in workbook order

    def get(self, name: str) -> Optional[Sheet]:
        for s in self.sheets:
            if s.name == name:
                return s
        return None

    @property
    def names(self) -> list:
        return [s.name for s in self.sheets]


def _clean(v: Any) -> Any:
    if isinstance(v, _dt.timedelta):  # durations come back as timedelta; keep them readable
        return str(v)
    return v


def open_book(path: str) -> Book:
    """Read every sheet of ``path``. Raises :class:`UnreadableFile` with a Chinese reason."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
    except FileNotFoundError:
        raise UnreadableFile("文件不存在，请检查路径。")
    except Exception as e:  # calamine raises several error types for non-workbooks
        raise UnreadableFile(
            f"无法作为Excel工作簿打开（{type(e).__name__}），请用Excel或WPS另存为.xlsx后重新提交。"
        )
    sheets = []
    try:
        for meta in wb.sheets_metadata:
            if str(meta.typ) not in ("SheetTypeEnum.WorkSheet",):
                continue
            sh = wb.get_sheet_by_name(meta.name)
            rows = [[_clean(v) for v in row] for row in sh.to_python(skip_empty_area=False)]
            merges = []
            try:
                for (r0, c0), (r1, c1) in sh.merged_cell_ranges or []:
                    merges.append((r0, c0, r1, c1))
            except Exception:  # merged ranges are unsupported for some formats
                merges = []
            hidden = str(meta.visible) != "SheetVisibleEnum.Visible"
            sheets.append(Sheet(meta.name, rows, merges, hidden))
    except UnreadableFile:
        raise
    except Exception as e:
        raise UnreadableFile(f"读取工作表时出错（{type(e).__name__}），文件可能已损坏，请重新保存后提交。")
    finally:
        try:
            wb.close()
        except Exception:
            pass
    return Book(str(path), sheets)
