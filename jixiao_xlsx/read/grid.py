"""The workbook as plain grids: :class:`Book` and :class:`Sheet`, what every reader works on.

A Book is plain data (values, merged ranges, percent cells, hidden rows), built from what the reader
process sent back; nothing here touches the file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ..a1 import COL_LETTERS, cell_ref, col_letter
from ..model import Cell

_MERGE_CELLS_INDEXED = 10_000  # merged ranges up to this many cells are indexed cell by cell
_MERGE_CELLS_TOTAL = 1_000_000  # ... as long as a sheet's index stays below this many cells


@dataclass
class Sheet:
    """One worksheet as a grid from A1 (0-based rows/cols), with its merged ranges."""

    name: str
    rows: list  # list of row lists; '' for empty cells as calamine gives them
    merges: list = field(default_factory=list)  # [(r0, c0, r1, c1)] 0-based inclusive
    hidden: bool = False
    _anchor: Optional[dict] = None  # (r, c) -> (r0, c0) for every cell inside a merge
    percent_cells: set = field(default_factory=set)  # {(r, c)} with a percent number format (.xlsx)
    hidden_rows: set = field(default_factory=set)  # {r} 0-based rows hidden in the sheet (.xlsx)
    _ncols: Optional[int] = field(default=None, repr=False, compare=False)
    _big_merges: list = field(default_factory=list, repr=False, compare=False)
    _merged_rows: set = field(default_factory=set, repr=False, compare=False)
    _starts: Optional[dict] = field(default=None, repr=False, compare=False)  # (r0, c0) -> merged range

    @property
    def nrows(self) -> int:
        return len(self.rows)

    @property
    def ncols(self) -> int:
        """Widest row (cached: readers ask often and ``rows`` are not changed after reading)."""
        if self._ncols is None:
            self._ncols = max((len(r) for r in self.rows), default=0)
        return self._ncols

    def merge_from(self, r: int, c: int) -> tuple:
        """The merged range (r0, c0, r1, c1) whose top-left cell is (r, c), or the cell itself; the first
        such range in the sheet's list wins, as Excel shows it."""
        if self._starts is None:
            self._starts = {(m[0], m[1]): m for m in reversed(self.merges)}
        return self._starts.get((r, c), (r, c, r, c))

    def anchor(self, r: int, c: int) -> tuple[int, int]:
        """Top-left cell of the merged range holding (r, c), or (r, c) itself."""
        a = self._anchor
        if a is None:
            a = self._index_merges()
        hit = a.get((r, c))
        if hit is not None:
            return hit
        for r0, c0, r1, c1 in self._big_merges:
            if r0 <= r <= r1 and c0 <= c <= c1:
                return (r0, c0)
        return (r, c)

    def _index_merges(self) -> dict:
        a, big, rows = {}, [], set()
        for m in self.merges:
            r0, c0, r1, c1 = m
            n = (r1 - r0 + 1) * (c1 - c0 + 1)
            if n > _MERGE_CELLS_INDEXED or len(a) + n > _MERGE_CELLS_TOTAL:
                big.append(m)  # a huge merge (hostile or a formatted title area) is not spread cell by cell
                continue
            for rr in range(r0, r1 + 1):
                rows.add(rr)
                for cc in range(c0, c1 + 1):
                    a[(rr, cc)] = (r0, c0)
        self._anchor, self._big_merges, self._merged_rows = a, big, rows
        return a

    def row_has_merge(self, r: int) -> bool:
        """Whether any merged range touches row ``r`` (readers skip merge checks on plain rows)."""
        if self._anchor is None:
            self._index_merges()
        if r in self._merged_rows:
            return True
        big = self._big_merges  # almost always empty: no generator for it
        return bool(big) and any(r0 <= r <= r1 for r0, _c0, r1, _c1 in big)

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
        if spread:  # as anchor(r, c), inlined: readers build a Cell for most cells they look at
            a = self._anchor
            if a is None:
                a = self._index_merges()
            hit = a.get((r, c))
            if hit is not None:
                r, c = hit
            elif self._big_merges:
                r, c = self.anchor(r, c)
        v = None  # as value(r, c, spread=False), inlined
        if 0 <= r < len(self.rows):
            row = self.rows[r]
            if 0 <= c < len(row):
                v = row[c]
                if v == "":
                    v = None
        return Cell(value=v, sheet=self.name, ref=cell_ref(r, c), percent_format=(r, c) in self.percent_cells)

    def row_cells(self, r: int, cols, missing: Cell) -> list:
        """``[self.cell(r, c) for c in cols]``, ``missing`` where ``c`` is None; plain rows (no merged
        range touches them) skip the merge lookups: readers build a Cell for most cells of a table."""
        if self.row_has_merge(r):
            return [missing if c is None else self.cell(r, c) for c in cols]
        row = self.rows[r] if 0 <= r < len(self.rows) else ()
        n, num, name, pct = len(row), str(r + 1), self.name, self.percent_cells
        out = []
        add = out.append
        for c in cols:
            if c is None:
                add(missing)
                continue
            v = row[c] if 0 <= c < n else None
            if v == "":
                v = None
            add(Cell(value=v, sheet=name, ref=(COL_LETTERS[c] if c < 702 else col_letter(c)) + num,
                     percent_format=(r, c) in pct if pct else False))
        return out

    def values_none(self, r: int, cols) -> bool:
        """``all(self.value(r, c) is None for c in cols)``: readers skip empty pre-formatted rows with
        it before building their cells, so a plain row reads its values directly."""
        if self.row_has_merge(r):
            return all(self.value(r, c) is None for c in cols)
        row = self.rows[r] if 0 <= r < len(self.rows) else ()
        n = len(row)
        for c in cols:
            if 0 <= c < n:
                v = row[c]
                if v is not None and v != "":
                    return False
        return True


@dataclass
class Book:
    path: str
    sheets: list  # [Sheet] in workbook order
    findings: list = field(default_factory=list)  # [Finding] about the file itself (trimmed sheets, formulas)
    formula_cells_without_value: list = field(default_factory=list)  # [(sheet, 'B4')]
    format: str = ""  # 'xlsx' (also .xlsm), 'xls' or 'ods'

    def get(self, name: str) -> Optional[Sheet]:
        for s in self.sheets:
            if s.name == name:
                return s
        return None

    @property
    def names(self) -> list:
        return [s.name for s in self.sheets]

