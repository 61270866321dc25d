"""Open a workbook file as plain grids of values (the only place that touches the input file).

python-calamine reads .xlsx/.xlsm/.xls/.ods an order of magnitude faster than openpyxl; every
reader works on the :class:`Book` this returns, so the input file is opened once and never written.

Before any byte reaches calamine the file is sniffed and checked (issue #4): calamine aborts the
whole process (a Rust out-of-memory abort, not an exception) on a sheet whose cells span A1:XFD1048576,
and it has no limits of its own.  So this module refuses what is not a workbook (naming what it
looks like), encrypted workbooks, truncated zips, zip bombs and XML with a DTD, and trims sheets
that reach absurdly far before calamine builds its dense grid.  What it trims or cannot read is
reported in :attr:`Book.findings`.
"""
from __future__ import annotations

import datetime as _dt
import io
import math
import os
import re
import stat
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from html import unescape as _unescape
from typing import Any, Optional

from ..model import ERROR, HINT, Cell, Finding, _tuple_new  # row_cells builds Cells without a call per cell

# -- limits -----------------------------------------------------------------------------------------
MAX_FILE_BYTES = 100 * 1024 * 1024  # a self-evaluation workbook is well under 1 MB
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # sum of declared uncompressed sizes of all parts
MAX_RATIO = 1000  # compression ratio of one large part; real XML compresses 5-50x
RATIO_MIN_BYTES = 10 * 1024 * 1024  # ... only parts larger than this are judged by ratio
ROW_LIMIT = 10_000  # rows read per sheet (a self-evaluation form has well under 200)
COL_LIMIT = 100  # columns read per sheet (the widest known form has about 15)
_MERGE_CELLS_INDEXED = 10_000  # merged ranges up to this many cells are indexed cell by cell
_MERGE_CELLS_TOTAL = 1_000_000  # ... as long as a sheet's index stays below this many cells
MERGES_MAX = 10_000  # merged ranges per sheet; a self-evaluation form has a few dozen
FORMULA_FINDINGS_MAX = 20  # FORMULA_NOT_CALCULATED findings listed one by one

SHEET_TOO_LARGE = "SHEET_TOO_LARGE"
FORMULA_NOT_CALCULATED = "FORMULA_NOT_CALCULATED"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


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


def col_index(letters: str) -> int:
    """Excel letters -> 0-based column index (A -> 0, AA -> 26)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def cell_ref(r: int, c: int) -> str:
    """0-based (row, col) -> 'A1' style reference."""
    if 0 <= c < len(COL_LETTERS):
        return f"{COL_LETTERS[c]}{r + 1}"
    return f"{col_letter(c)}{r + 1}"


COL_LETTERS = tuple(col_letter(c) for c in range(702))  # A .. ZZ: every column a form uses


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
    _memo: dict = field(default_factory=dict, repr=False, compare=False)  # readers' per-sheet cache

    @property
    def nrows(self) -> int:
        return len(self.rows)

    @property
    def ncols(self) -> int:
        """Widest row (cached: readers ask often and ``rows`` are not changed after reading)."""
        if self._ncols is None:
            self._ncols = max((len(r) for r in self.rows), default=0)
        return self._ncols

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
        return Cell(v, self.name, cell_ref(r, c), (r, c) in self.percent_cells)

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
            # Cell(v, name, ref, pct) without the call: the tuple and the blank rule of model.Cell.__new__,
            # kept in step with it (tests/test_book.py compares the two cell for cell)
            add(_tuple_new(Cell, (v, name, (COL_LETTERS[c] if c < 702 else col_letter(c)) + num,
                                  (r, c) in pct if pct else False,
                                  v is None or (isinstance(v, str) and not v.strip()))))
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


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)  # NaN/inf cannot come from Excel; hand it on as text so it is reported, not summed
    if isinstance(v, _dt.timedelta):  # durations come back as timedelta; keep them readable
        return str(v)
    return v


# -- sniffing ---------------------------------------------------------------------------------------
_ASK_XLSX = "请用Excel或WPS打开后另存为.xlsx格式的自评表再提交。"
_ENCRYPTED = "工作簿设置了打开密码（已加密），无法读取；请在Excel/WPS中取消密码后重新提交。"


def _not_workbook(what: str) -> UnreadableFile:
    return UnreadableFile(f"这是一个{what}，不是Excel工作簿，请提交.xlsx格式的自评表。")


def _decode_text(head: bytes) -> Optional[str]:
    """The head as text if it plausibly is text (UTF-8/UTF-16/GBK), else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16", errors="ignore")
        except Exception:
            return None
    if b"\x00" in head:
        return None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return head.decode(enc)
        except UnicodeDecodeError:
            # the head may end inside a multi-byte character
            try:
                return head[:-3].decode(enc)
            except UnicodeDecodeError:
                continue
    return None


def sniff_other(head: bytes) -> UnreadableFile:
    """Describe a file that is neither a zip nor an OLE2 container (what a clerk would call it)."""
    if head.startswith(b"%PDF"):
        return _not_workbook("PDF文件")
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff") or head[:4] in (b"GIF8", b"BM\x00\x00"):
        return _not_workbook("图片文件")
    if head.startswith(b"Rar!") or head.startswith(b"7z\xbc\xaf") or head.startswith(b"\x1f\x8b"):
        return UnreadableFile("这是一个压缩包，不是Excel工作簿；请解压后提交其中的.xlsx自评表。")
    if head.startswith(b"{\\rtf"):
        return _not_workbook("Word文档（RTF格式）")
    text = _decode_text(head)
    if text is None:
        return UnreadableFile("无法识别的文件格式，不是Excel工作簿（可能已损坏）；" + _ASK_XLSX)
    low = text.lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in low:
        return UnreadableFile("这是Excel 2003 XML格式的表格（扩展名虽为Excel），本工具无法读取；" + _ASK_XLSX)
    if low.startswith("<") and ("<html" in low or "<table" in low or "<!doctype html" in low):
        return UnreadableFile("这是一个网页（HTML）文件，只是扩展名像Excel（常见于从系统导出的表格）；" + _ASK_XLSX)
    if low.startswith("<?xml") or low.startswith("<"):
        return _not_workbook("XML文本文件")
    first = low.splitlines()[0] if low else ""
    if "," in first or "\t" in first or "，" in first:
        return UnreadableFile(
            "这是一个CSV/文本文件，不是Excel工作簿（没有工作表、格式和合并单元格）；"
            "请在区财政局下发的标准模板（.xlsx）中填写后提交。"
        )
    return _not_workbook("文本文件")


# -- OLE2 (compound file): .xls, encrypted .xlsx, .doc ------------------------------------------------
def ole_stream_names(data: bytes) -> list:
    """Names of the storages/streams in an OLE2 compound file (minimal reader, never raises)."""
    names = []
    try:
        sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
        if sector_shift not in (9, 12):
            raise ValueError("sector size")
        ssz = 1 << sector_shift
        n_fat = struct.unpack_from("<I", data, 0x2C)[0]
        first_dir = struct.unpack_from("<I", data, 0x30)[0]
        first_difat, n_difat = struct.unpack_from("<II", data, 0x44)
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sec = first_difat
        for _ in range(min(n_difat, 10000)):
            if sec >= 0xFFFFFFFA:
                break
            off = (sec + 1) * ssz
            vals = struct.unpack_from(f"<{ssz // 4}I", data, off)
            difat.extend(vals[:-1])
            sec = vals[-1]
        fat = []
        for s in difat[: min(n_fat, len(difat))]:
            if s >= 0xFFFFFFFA:
                continue
            fat.extend(struct.unpack_from(f"<{ssz // 4}I", data, (s + 1) * ssz))
        sec, seen = first_dir, set()
        while sec < 0xFFFFFFFA and sec not in seen and len(seen) < 100000:
            seen.add(sec)
            off = (sec + 1) * ssz
            for e in range(ssz // 128):
                ent = data[off + e * 128 : off + (e + 1) * 128]
                if len(ent) < 128:
                    break
                nlen = struct.unpack_from("<H", ent, 0x40)[0]
                typ = ent[0x42]
                if typ in (1, 2, 5) and 2 <= nlen <= 64:
                    names.append(ent[: nlen - 2].decode("utf-16-le", errors="replace"))
            sec = fat[sec] if sec < len(fat) else 0xFFFFFFFE
    except (struct.error, ValueError, IndexError):
        pass
    if not names:  # damaged directory: fall back on the raw names
        for n in ("EncryptedPackage", "EncryptionInfo", "Workbook", "Book", "WordDocument"):
            if n.encode("utf-16-le") in data:
                names.append(n)
    return names


def _check_ole(data: bytes, path: str = "") -> None:
    """Refuse OLE2 files that are not an .xls workbook (encrypted .xlsx, Word .doc, ...; under an
    .et/.ett name, WPS's own format)."""
    names = set(ole_stream_names(data))
    if {"EncryptedPackage", "EncryptionInfo"} & names:
        raise UnreadableFile(_ENCRYPTED)
    if "WordDocument" in names:
        raise _not_workbook("Word文档（.doc）")
    if "PowerPoint Document" in names:
        raise _not_workbook("PowerPoint演示文稿（.ppt）")
    if names and not ({"Workbook", "Book", "WORKBOOK", "BOOK"} & names):
        raise UnreadableFile(WPS_ET if _is_wps_name(path) else _OFFICE_NOT_EXCEL)


_OFFICE_NOT_EXCEL = "这是一个Office文件，但不是Excel工作簿；" + _ASK_XLSX
WPS_ET = ("这是WPS表格自有格式（.et/.ett）的文件，本工具无法读取；请用WPS打开后点“另存为”，"
          "文件类型选“Excel 工作簿（*.xlsx）”，再提交另存后的文件。")


def _is_wps_name(path: str) -> bool:
    return path.lower().endswith((".et", ".ett"))


# -- zip (.xlsx/.xlsm/.ods) -------------------------------------------------------------------------
# parts never parsed as XML (images, printer settings, VBA); every other part is read and checked
_BINARY_PARTS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff", ".bin", ".wdp", ".jfif")
# a namespace prefix as calamine accepts one (any name, ASCII or not): required, or optional
_NS_NAME = rb"[^\s<>/:=\x22\x27]+:"
_NS = rb"(?:" + _NS_NAME + rb")?"
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_ROW_OR_CELL = re.compile(
    rb"<" + _NS + rb"row\b([^<>]*)>|<" + _NS + rb"c\b([^<>]*?)(?:/>|>((?:[^<]|<(?!" + _NS + rb"(?:c|row)\b))*?)</" + _NS + rb"c\s*>)", re.S
)
# the attribute named r itself (not x:r, which calamine ignores), an address of any length as calamine takes it
_ATTR_R = re.compile(rb"""(?<![\w:.-])r\s*=\s*["']\$?([A-Za-z]+)\$?([0-9]+)["']""")
_ATTR_ROW_R = re.compile(rb"""(?<![\w:.-])r\s*=\s*["']([0-9]+)["']""")
_ATTR_S = re.compile(rb"""(?<![\w:.-])s\s*=\s*["']([0-9]{1,6})["']""")
_ATTR_HIDDEN = re.compile(rb"""(?<![\w:.-])hidden\s*=\s*["'](?:1|true)["']""")
_HAS_F = re.compile(rb"<" + _NS + rb"f\b")
_HAS_VALUE = re.compile(rb"<" + _NS + rb"(?:v|is)\b[^>]*>\s*[^<\s]|<" + _NS + rb"t\b[^>]*>[^<]", re.S)


@dataclass
class _SheetScan:
    """What the pre-scan learned about one worksheet part."""

    far_cells: int = 0  # cells with a value beyond ROW_LIMIT/COL_LIMIT
    far_ref: str = ""  # the farthest such cell
    needs_trim: bool = False  # some cell (valued or not) lies beyond the limits
    formulas_without_value: list = field(default_factory=list)  # ['B4']
    percent_cells: set = field(default_factory=set)
    hidden_rows: set = field(default_factory=set)


def _percent_styles(styles: bytes) -> frozenset:
    """Indexes of cellXfs entries whose number format is a percentage (built-in 9/10 or custom '%').

    Memoised by content: the files of a batch mostly share one template's styles part."""
    if len(styles) > _MEMO_MAX_BYTES:
        return _percent_styles_uncached(styles)
    hit = _PCT_MEMO.get(styles)
    if hit is None:
        if len(_PCT_MEMO) >= _MEMO_ENTRIES:
            _PCT_MEMO.clear()
        hit = _PCT_MEMO[styles] = _percent_styles_uncached(styles)
    return hit  # shared: callers only read it


_PCT_MEMO: dict = {}
_MEMO_ENTRIES = 32  # per memo; a batch mixes a few templates
_MEMO_MAX_BYTES = 256 * 1024  # larger parts are not kept (a hostile part must not stay in memory)


def _percent_styles_uncached(styles: bytes) -> frozenset:
    pct_ids = {9, 10}
    for m in re.finditer(rb"<" + _NS + rb"numFmt\b([^<>]*)>", styles):
        attrs = m.group(1)
        fid = re.search(rb"""numFmtId\s*=\s*["']([0-9]+)["']""", attrs)
        code = re.search(rb"""formatCode\s*=\s*(["'])(.*?)\1""", attrs, re.S)
        if fid and code:
            text = _unescape(code.group(2).decode("utf-8", "replace"))
            text = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", text)  # quoted literals, escapes, [colors]
            if "%" in text:
                pct_ids.add(int(fid.group(1)))
    block = re.search(rb"<" + _NS + rb"cellXfs\b[^<>]*>(.*?)</" + _NS + rb"cellXfs>", styles, re.S)
    out = set()
    if block:
        for i, m in enumerate(re.finditer(rb"<" + _NS + rb"xf\b([^<>]*)>", block.group(1))):
            fid = re.search(rb"""numFmtId\s*=\s*["']([0-9]+)["']""", m.group(1))
            if fid and int(fid.group(1)) in pct_ids:
                out.add(i)
    return frozenset(out)


_PREFIXED_CELL = re.compile(rb"<" + _NS_NAME + rb"c[\s/>]")
_ROW_NUMS = re.compile(rb"""<""" + _NS + rb"""row\b[^<>]*?(?<![\w:.-])r\s*=\s*["']([0-9]+)["']""")
_WIDE_COLS = re.compile(rb"""<""" + _NS + rb"""c\s[^<>]*?(?<![\w:.-])r\s*=\s*["']\$?([A-Za-z]{2,})\$?[0-9]""")
_ANY_COLS = re.compile(rb"""<""" + _NS + rb"""c\s[^<>]*?(?<![\w:.-])r\s*=\s*["']\$?([A-Za-z]+)\$?[0-9]""")
_CELL_WITH_R_UNPREFIXED = re.compile(rb"""<c\s[^<>]*?(?<![\w:.-])r\s*=\s*["']""")
# contained in every match of _WIDE_COLS; a literal first byte keeps the search fast
_TWO_LETTER_REF = re.compile(rb"""r\s*=\s*["']\$?[A-Za-z]{2,}\$?[0-9]""")
# three passes with a literal start each beat one alternation (which loses the fast literal search)
_HIDDEN = re.compile(rb"hidden")
_F_PLAIN = re.compile(rb"<f\b")
_F_PREFIXED = re.compile(rb":f\b")
_FULL_CELL = re.compile(rb"<" + _NS + rb"c\b((?:[^<>/]|/(?!>))*)>((?:[^<]|<(?!" + _NS + rb"(?:c|row)\b))*?)</" + _NS + rb"c\s*>", re.S)
# a row or cell tag naming two r attributes (quote-aware; any byte that is not a name byte separates):
# calamine takes the first or the last depending on the other attributes, so no scan can be sure
_ATTR_VALUE = rb"""(?:[^<>"']|"[^"]*"|'[^']*')*?"""  # never past a < : a tag holds none outside quotes
_TWO_R = re.compile(  # also two s or two t: calamine stops reading attributes once it has r, s and t
    rb"<" + _NS + rb"(?:c|row)\b" + _ATTR_VALUE + rb"(?<![\w:.-])([rst])\s*=" + _ATTR_VALUE
    + rb"(?<![\w:.-])\1\s*="
)
# a row or cell tag with > or < inside a quoted value: the scans (and their [^<>]* tag patterns) would
# end the tag there while calamine reads on
_QUOTED_BRACKET = re.compile(rb"""<""" + _NS + rb"""(?:c|row)\b[^<>]*?=\s*(?:"[^"]*[<>]|'[^']*[<>])""")
ODD_CELL_TAG = ("{where}中有格式异常的单元格标记（如同一个单元格写了两个位置），可能是异常文件；"
                "请用Excel或WPS打开并重新保存后提交。")


class _OddCellTag(UnreadableFile):
    """:data:`ODD_CELL_TAG`, raised for a part; :func:`_check_zip` names the sheet where it knows it."""
_HIDDEN_ROW = re.compile(rb"<" + _NS + rb"row\b([^<>]*)>")


def _scan_sheet(xml: bytes, pct_styles: set, max_row_num: Optional[int] = None) -> _SheetScan:
    """Extent, far cells, formulas without values, percent cells and hidden rows of a worksheet part.

    Reached when :func:`_prepare_sheet`'s one-pass test could not vouch for the sheet. When every
    cell is addressed and nothing lies beyond the limits, :func:`_scan_marks` looks only at the
    cells that matter; anything else takes the exact cell-by-cell walk of :func:`_scan_sheet_full`.
    ``max_row_num`` is the largest ``<row r=...>`` of ``xml`` when the caller already knows it.

    Each test below is preceded by a cheaper one that can only rule it out (a plain byte search
    for what the regex must contain), so that the usual sheet costs a few C-level passes.
    """
    n_cells = xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
    if b":c" in xml and _PREFIXED_CELL.search(xml):
        return _scan_sheet_full(xml, pct_styles)
    # no prefixed cell here, so counting the unprefixed cells that carry an r is enough
    if n_cells != len(_CELL_WITH_R_UNPREFIXED.findall(xml)):
        return _scan_sheet_full(xml, pct_styles)
    if max_row_num is None:
        rows = _ROW_NUMS.findall(xml)
        max_row_num = max(int(r) for r in rows) if rows else None
    if max_row_num is not None and max_row_num > ROW_LIMIT:
        return _scan_sheet_full(xml, pct_styles)
    if COL_LIMIT >= 26:
        # a far column has a 2-3 letter reference ("r" ... "CW1"): none of those, no far column
        if _TWO_LETTER_REF.search(xml) and any(
            col_index(c.decode()) >= COL_LIMIT for c in _WIDE_COLS.findall(xml)
        ):
            return _scan_sheet_full(xml, pct_styles)
    elif any(col_index(c.decode()) >= COL_LIMIT for c in _ANY_COLS.findall(xml)):
        return _scan_sheet_full(xml, pct_styles)
    return _scan_marks(xml, pct_styles)


def _scan_marks(xml: bytes, pct_styles: set) -> _SheetScan:
    """Hidden rows, formulas without values and percent cells of a sheet whose cells are all
    unprefixed, addressed and within the limits (the caller has made sure)."""
    sc = _SheetScan()
    hidden = _HIDDEN.search(xml) is not None
    prefixed_f = _F_PREFIXED.search(xml) is not None
    starts = set()  # where the cells that hold a formula or a percent style start
    budget = len(xml)  # bytes the backward searches may cover in all: never worse than one walk
    for m in _F_PLAIN.finditer(xml):
        pos = m.start()
        at = xml.rfind(b"<c", 0, pos)
        while at >= 0 and xml[at + 2 : at + 3] not in _CELL_NAME_ENDS:  # "<cols", "<cfRule" ...
            at = xml.rfind(b"<c", 0, at)
        budget -= pos - at if at >= 0 else pos
        if budget < 0:  # formula elements far from any cell (hostile): walk every cell instead
            starts = None
            break
        if at >= 0:
            starts.add(at)
    if hidden:
        _hidden_rows(xml, sc)
    if starts is None or prefixed_f and _HAS_F.search(xml) or len(pct_styles) > _PCT_PATTERN_MAX:
        starts = None  # odd or hostile (prefixed formulas, thousands of percent styles): every cell
    else:
        if pct_styles:
            starts.update(m.start() for m in _pct_cell_pattern(pct_styles).finditer(xml))
        if not starts:
            return sc
    cells = _FULL_CELL.finditer(xml) if starts is None else (
        m for m in map(lambda at: _FULL_CELL.match(xml, at), sorted(starts)) if m is not None
    )
    for m in cells:
        attrs, inner = m.group(1), m.group(2)
        sm = _ATTR_S.search(attrs) if pct_styles else None
        pct = sm is not None and int(sm.group(1)) in pct_styles
        has_f = b"f" in inner and _HAS_F.search(inner) is not None
        if not (pct or has_f):
            continue
        has_value = _HAS_VALUE.search(inner) is not None
        rm = _ATTR_R.search(attrs)
        if not rm:
            continue
        r, c = int(rm.group(2)) - 1, col_index(rm.group(1).decode())
        if has_f and not has_value:
            sc.formulas_without_value.append(cell_ref(r, c))
        elif pct and has_value:
            sc.percent_cells.add((r, c))
    return sc


_PCT_PATTERN_MAX = 64  # percent styles one pattern lists; a real styles part has a handful
_CELL_NAME_ENDS = frozenset((b" ", b"\t", b"\r", b"\n", b">", b"/"))
_PCT_CELL_MEMO: dict = {}


def _pct_cell_pattern(pct_styles: set) -> "re.Pattern":
    """A pattern for the start of every unprefixed cell whose style index is in ``pct_styles``."""
    key = frozenset(pct_styles)
    pat = _PCT_CELL_MEMO.get(key)
    if pat is None:
        if len(_PCT_CELL_MEMO) >= _MEMO_ENTRIES:
            _PCT_CELL_MEMO.clear()
        alts = b"|".join(str(i).encode() for i in sorted(key))
        pat = _PCT_CELL_MEMO[key] = re.compile(
            rb"""<c\s[^<>]*?(?<![\w:.-])s\s*=\s*["']0*(?:""" + alts + rb""")["']"""
        )
    return pat


def _hidden_rows(xml: bytes, sc: _SheetScan) -> None:
    for m in _HIDDEN_ROW.finditer(xml):
        if _ATTR_HIDDEN.search(m.group(1)):
            rm = _ATTR_ROW_R.search(m.group(1))
            if rm:
                sc.hidden_rows.add(int(rm.group(1)) - 1)


def _scan_sheet_full(xml: bytes, pct_styles: set) -> _SheetScan:
    """One pass over every row and cell: extent, far cells, formulas without values, percent cells."""
    sc = _SheetScan()
    pos = _Positions()
    far_max = (-1, -1)
    for m in _ROW_OR_CELL.finditer(xml):
        row_attrs = m.group(1)
        if row_attrs is not None:
            row = pos.row_tag(row_attrs)
            if _ATTR_HIDDEN.search(row_attrs) and row < ROW_LIMIT:
                sc.hidden_rows.add(row)
            continue
        attrs, inner = m.group(2), m.group(3)
        r, c = pos.cell(attrs)
        far = r >= ROW_LIMIT or c >= COL_LIMIT
        if far:
            sc.needs_trim = True
        if not inner:
            continue
        has_value = _HAS_VALUE.search(inner) is not None
        if _HAS_F.search(inner) and not has_value:
            if not far:
                sc.formulas_without_value.append(cell_ref(r, c))
            continue
        if not has_value:
            continue
        if far:
            sc.far_cells += 1
            if (r, c) > far_max:
                far_max = (r, c)
                sc.far_ref = cell_ref(r, c)
        if pct_styles:
            sm = _ATTR_S.search(attrs)
            if sm and int(sm.group(1)) in pct_styles and not far:
                sc.percent_cells.add((r, c))
    return sc


_SHEETDATA_END = re.compile(rb"</" + _NS + rb"sheetData>")
_VALUE_END = re.compile(rb"</" + _NS + rb"(?:v|is)>")
_REF = re.compile(rb"""(?<![\w:.-])r\s*=\s*["']\$?([A-Za-z]+\$?[0-9]+)["']""")


def _cut_far_rows(xml: bytes) -> tuple:
    """Cut every row beyond ROW_LIMIT in one slice (rows are stored in order): (kept, far cells, far ref,
    the largest row number when nothing was cut, else None).

    100,000 junk rows would otherwise cost a Python-level walk over every cell; unordered rows are
    left alone here and handled cell by cell by :func:`_scan_sheet_full`.
    """
    nums = _ROW_NUMS.findall(xml)  # the usual case in one C-level pass: no row beyond the limit
    if not nums:
        return xml, 0, "", None
    top = max(map(int, nums))
    if top <= ROW_LIMIT:
        return xml, 0, "", top
    cut, top = None, None
    for m in _ROW_NUMS.finditer(xml):
        r = int(m.group(1))
        if cut is None:
            if r > ROW_LIMIT:
                cut = m.start()
            elif top is None or r > top:
                top = r
        elif r <= ROW_LIMIT:  # out of order: let the exact walk decide
            return xml, 0, "", None
    if cut is None:
        return xml, 0, "", top
    ends = list(_SHEETDATA_END.finditer(xml, cut))
    if not ends:
        return xml, 0, "", None
    end = ends[0].start()
    seg = xml[cut:end]
    refs = _REF.findall(seg[-4096:])
    far_ref = refs[-1].decode().replace("$", "").upper() if refs else ""
    return xml[:cut] + xml[end:], len(_VALUE_END.findall(seg)), far_ref, None


def _prepare_sheet(xml: bytes, pct_styles: set) -> tuple:
    """(xml for calamine or None when unchanged, scan): far rows cut, far columns trimmed, all noted.

    Memoised by content (a sheet every file of a template has unchanged, such as its instructions,
    is scanned once); a hit hands out its own copy of the scan, whose sets the sheet keeps."""
    key = None
    if len(xml) <= _MEMO_MAX_BYTES:
        key = (xml, frozenset(pct_styles), ROW_LIMIT, COL_LIMIT)
        hit = _lru_get(_SHEET_MEMO, key)
        if hit is not None:
            return hit[0], _scan_copy(hit[1])
    if not _unsafe_pattern(ROW_LIMIT, COL_LIMIT).search(xml):
        # the usual sheet, in one C-level pass: every row and cell says where it is (Excel, WPS
        # and the writing libraries put r first) and nothing lies beyond the limits
        new, sc = None, _scan_marks(xml, pct_styles)
    else:
        new, sc = _prepare_sheet_exact(xml, pct_styles)
    if key is not None:
        _lru_put(_SHEET_MEMO, key, (new, _scan_copy(sc)))
    return new, sc


_SHEET_MEMO: dict = {}  # (worksheet part, percent styles, limits) -> (xml for calamine or None, scan)


def _scan_copy(sc: _SheetScan) -> _SheetScan:
    return _SheetScan(sc.far_cells, sc.far_ref, sc.needs_trim, list(sc.formulas_without_value),
                      set(sc.percent_cells), set(sc.hidden_rows))


def _lru_get(memo: dict, key):
    """``memo[key]`` or None; a hit becomes the most recently used entry."""
    hit = memo.pop(key, None)
    if hit is not None:
        memo[key] = hit
    return hit


def _lru_put(memo: dict, key, value) -> None:
    """Keep ``value``; when the memo is full the least recently used entry goes (a batch's template
    parts stay while each file's own parts pass through)."""
    if len(memo) >= _MEMO_ENTRIES:
        del memo[next(iter(memo))]
    memo[key] = value


def _drop_comments(xml: bytes) -> bytes:
    """``xml`` without its ``<!-- … -->`` comments, in one pass (an unclosed one is left as it is:
    calamine refuses it)."""
    out, at = [], 0
    while True:
        start = xml.find(b"<!--", at)
        if start < 0:
            break
        end = xml.find(b"-->", start + 4)
        if end < 0:
            break
        out.append(xml[at:start])
        at = end + 3
    if not out:
        return xml
    out.append(xml[at:])
    return b"".join(out)


def _prepare_sheet_exact(xml: bytes, pct_styles: set) -> tuple:
    """:func:`_prepare_sheet` for any sheet: several passes, and a cell-by-cell walk where needed.

    A row or cell tag with two r attributes or a bracket in a quoted value is refused (:data:`ODD_CELL_TAG`). Comments are dropped
    first (calamine ignores them; a row or cell written inside one must not be taken for real, nor a
    cut start inside one)."""
    original = xml
    if _TWO_R.search(xml) or _QUOTED_BRACKET.search(xml):
        raise _OddCellTag(ODD_CELL_TAG.format(where="工作簿"))
    if b"<!--" in xml and b"<![CDATA[" not in xml:  # (a "<!--" inside CDATA text is no comment)
        xml = _drop_comments(xml)
    kept, far_cells, far_ref, top = _cut_far_rows(xml)
    # the rows _ROW_NUMS found: when nothing was cut, the scan need not look for the rows again
    sc = _scan_sheet(kept, pct_styles, top)
    if sc.needs_trim:
        kept = _trim_sheet(kept)
    if far_cells:
        sc.far_cells += far_cells
        sc.far_ref = far_ref or sc.far_ref
    return (kept if kept is not original else None), sc


_UNSAFE_MEMO: dict = {}


def _unsafe_pattern(row_limit: int, col_limit: int) -> "re.Pattern":
    """A pattern that finds any row or cell tag that is not plain — first attribute an address surely
    within the limits (``r="B12"``, ``r="12"``), then only ``name="value"`` attributes, none a second
    ``r`` — any prefixed row or cell (``<x:c``, ``<前:c``), and any comment or CDATA section.
    No match: nothing to cut or trim.

    Conservative on purpose: an address it cannot vouch for (``r='B12'``, ``$B$12``, row 10000 of
    10000) only sends the sheet down the exact, slower path."""
    key = (row_limit, col_limit)
    pat = _UNSAFE_MEMO.get(key)
    if pat is None:
        digits = max(len(str(row_limit + 1)) - 1, 0)  # 9999 < 10000: every 4-digit row is in
        rows = rb"[1-9][0-9]{0,%d}" % (digits - 1) if digits else rb"(?!)"
        cols = []
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        if col_limit >= 1:
            cols.append(f"[A-{letters[min(col_limit, 26) - 1]}]")
        for f in range(26):
            n = min(col_limit - 26 * (f + 1), 26)  # two-letter columns starting with letters[f]
            if n > 0:
                cols.append(f"{letters[f]}[A-{letters[n - 1]}]")
        col = ("(?:" + "|".join(cols) + ")").encode() if cols else rb"(?!)"
        # the rest of the tag as Excel writes it: attributes with ASCII names, double-quoted values
        # without < or >, one space before each, none of them a second r, then > or />. Anything
        # else (other whitespace, quoting, a second r) is for the exact route to judge.
        rest = rb'"(?: (?:[A-Za-qs-z_][\w:.-]*|r[\w:.-]+)="[^"<>]*")*/?>'
        pat = _UNSAFE_MEMO[key] = re.compile(
            rb'<(?:c\b(?! r="' + col + rows + rest + rb')|row\b(?! r="' + rows + rest + rb')|!'
            + rb'|' + _NS_NAME + rb'(?:c|row)\b)'
        )
    return pat


class _Positions:
    """Where the cells of a sheet land, for cells with and without an ``r``.

    A cell without ``r`` follows the one before it; calamine counts its row from the row tags only,
    while a cell's own ``r`` might move the row too: such a cell is placed at the farther of the two
    readings, so that no reading of it escapes the limits."""

    def __init__(self):
        self.tag_row, self.row, self.col, self.n = -1, -1, -1, 0

    def row_tag(self, attrs: bytes) -> int:
        rm = _ATTR_ROW_R.search(attrs)
        self.tag_row = int(rm.group(1)) - 1 if rm else self.tag_row + 1
        self.row, self.col, self.n = self.tag_row, -1, 0
        return self.tag_row

    def cell(self, attrs: bytes) -> tuple:
        rm = _ATTR_R.search(attrs)
        if rm:
            r, c = int(rm.group(2)) - 1, col_index(rm.group(1).decode())
        else:
            r, c = max(self.tag_row, self.row, 0), max(self.col + 1, self.n)
        self.row, self.col, self.n = r, c, self.n + 1
        return r, c


def _trim_sheet(xml: bytes) -> bytes:
    """Drop every cell beyond ROW_LIMIT/COL_LIMIT so that calamine never builds a gigantic grid."""
    pos = _Positions()

    def keep(m):
        if m.group(1) is not None:
            pos.row_tag(m.group(1))
            return m.group(0)
        r, c = pos.cell(m.group(2))
        return b"" if (r >= ROW_LIMIT or c >= COL_LIMIT) else m.group(0)

    return _ROW_OR_CELL.sub(keep, xml)


def _zip_kind(names_lower: set, zf: zipfile.ZipFile) -> str:
    """'xlsx', 'ods', or raise with what the zip actually is."""
    if "xl/workbook.xml" in names_lower:
        return "xlsx"
    if "xl/workbook.bin" in names_lower:
        raise UnreadableFile("这是二进制格式的Excel工作簿（.xlsb），本工具不支持；" + _ASK_XLSX)
    if "index/document.iwa" in names_lower or "index.zip" in names_lower:
        raise UnreadableFile(NUMBERS)
    if "word/document.xml" in names_lower:
        raise _not_workbook("Word文档（.docx）")
    if "ppt/presentation.xml" in names_lower:
        raise _not_workbook("PowerPoint演示文稿（.pptx）")
    if "mimetype" in names_lower:
        try:
            mt = zf.read("mimetype")[:100]
        except Exception:
            mt = b""
        if b"opendocument.spreadsheet" in mt:
            return "ods"
        if b"opendocument.text" in mt:
            raise _not_workbook("文字处理文档（.odt）")
    inner = _inner_workbooks(zf)
    if inner:
        raise UnreadableFile(
            f"这是一个压缩包，里面有{len(inner)}个Excel文件（如“{os.path.basename(inner[0])[:40]}”）；请解压后逐个提交。"
        )
    return_msg = "这是一个压缩包（zip）或已损坏的工作簿，不是可读取的Excel文件；" + _ASK_XLSX
    raise UnreadableFile(return_msg)


def _inner_workbooks(zf: zipfile.ZipFile) -> list:
    """Names (as their maker meant them) of the Excel workbooks inside an archive."""
    return [_shown_name(i) for i in zf.infolist()
            if i.filename.lower().endswith((".xlsx", ".xls", ".xlsm")) and not i.is_dir()]


def extracted_beside(path: str) -> bool:
    """Whether every workbook inside the zip ``path`` already lies, unzipped, in the zip's own folder
    (as extracted "here" or into a folder named after the zip): a batch then skips the archive
    instead of reporting it on every run. False for anything unreadable or without a workbook."""
    folder, stem = os.path.dirname(path), os.path.splitext(os.path.basename(path))[0]
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            return False
        with zipfile.ZipFile(path) as zf:
            inner = _inner_workbooks(zf)
    except Exception:  # noqa: BLE001 - a damaged zip is the reader's to report
        return False
    if not inner:
        return False
    for name in inner:
        rel = name.replace("\\", "/").lstrip("/")
        if ".." in rel.split("/"):
            return False
        places = (os.path.join(folder, rel), os.path.join(folder, stem, rel), os.path.join(folder, os.path.basename(rel)))
        if not any(os.path.isfile(p) for p in places):
            return False
    return True


NUMBERS = "这是苹果Numbers表格，Excel和WPS都打不开；请在Numbers中选“文件 > 导出为 > Excel”，再提交导出的.xlsx文件。"


def _shown_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker meant it: zips made on Chinese Windows store GBK names without
    the UTF-8 flag, which zipfile decodes as cp437 (mojibake in a message)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


_DAMAGED = "文件已损坏或不完整（可能下载或复制时中断），无法读取；请用Excel或WPS重新保存后提交。"


def _sheet_parts(zf: zipfile.ZipFile, names: dict, parts: Optional[dict] = None) -> list:
    """[(sheet name, part name)] from xl/workbook.xml and its relationships, in workbook order.

    ``parts``: the parts already read (real name -> bytes), so that they are not read again.
    Memoised by content (the files of a batch mostly share one template's workbook part)."""
    parts = parts or {}

    def read(real):
        return parts[real] if real in parts else zf.read(real)

    try:
        wb = read(names["xl/workbook.xml"])
        rels = read(names["xl/_rels/workbook.xml.rels"]) if "xl/_rels/workbook.xml.rels" in names else b""
    except KeyError:
        return []
    if len(wb) + len(rels) > _MEMO_MAX_BYTES or len(names) > 500:
        return sheet_parts_of(wb, rels, names)
    key = (wb, rels, tuple(names.items()))
    hit = _PARTS_MEMO.get(key)
    if hit is None:
        if len(_PARTS_MEMO) >= _MEMO_ENTRIES:
            _PARTS_MEMO.clear()
        hit = _PARTS_MEMO[key] = tuple(sheet_parts_of(wb, rels, names))
    return list(hit)


_PARTS_MEMO: dict = {}


def sheet_parts_of(wb: bytes, rels: bytes, names: dict) -> list:
    """[(sheet name, part name)] from the bytes of xl/workbook.xml and its relationships; ``names``:
    lower-cased part name -> real part name of the zip (also used by the summary's row splicer)."""
    targets = {}
    for m in re.finditer(rb"<" + _NS + rb"Relationship\b([^<>]*)>", rels):
        a = m.group(1)
        rid = re.search(rb"""\bId\s*=\s*(["'])(.*?)\1""", a)
        tgt = re.search(rb"""\bTarget\s*=\s*(["'])(.*?)\1""", a)
        if rid and tgt:
            t = _unescape(tgt.group(2).decode("utf-8", "replace"))
            t = t.lstrip("/") if t.startswith("/") else "xl/" + t
            parts = []
            for p in t.split("/"):  # resolve '..' in targets such as '../xl/worksheets/sheet1.xml'
                if p == "..":
                    if parts:
                        parts.pop()
                elif p and p != ".":
                    parts.append(p)
            targets[rid.group(2)] = "/".join(parts)
    out = []
    for m in re.finditer(rb"<" + _NS + rb"sheet\b([^<>]*)>", wb):
        a = m.group(1)
        nm = re.search(rb"""\bname\s*=\s*(["'])(.*?)\1""", a, re.S)
        rid = re.search(_NS + rb"""id\s*=\s*(["'])(.*?)\1""", a)
        if nm and rid and rid.group(2) in targets:
            part = names.get(targets[rid.group(2)].lower())
            if part:
                out.append((_unescape(nm.group(2).decode("utf-8", "replace")), part))
    return out


_ODS_CELL = re.compile(rb"<table:table-cell\b([^>]*)>")
_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*)>(.*?)</table:table-row>", re.S)
_REPEAT = re.compile(rb"""number-(?:columns|rows)-repeated\s*=\s*["']([0-9]+)["']""")


def _check_ods(content: bytes) -> None:
    """Refuse an .ods whose repeated value cells would make calamine build a gigantic grid."""
    too_big = UnreadableFile(
        f"工作表中有重复到极远处的内容（超出前{ROW_LIMIT}行、前{COL_LIMIT}列），可能是异常文件；"
        "请删除表格以外的多余内容后另存为.xlsx提交。"
    )
    for m in _ODS_CELL.finditer(content):
        rep = _REPEAT.search(m.group(1))
        if rep and int(rep.group(1)) > COL_LIMIT and b"value-type" in m.group(1):
            raise too_big
    for m in _ODS_ROW.finditer(content):
        rep = _REPEAT.search(m.group(1))
        if rep and int(rep.group(1)) > ROW_LIMIT and b"value-type" in m.group(2):
            raise too_big


_LOCAL_HEADER = struct.Struct("<4s2xHH4xIIIHH")  # magic, flags, method, crc, sizes, name/extra lengths


def _member_bytes(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes, raw: Optional[bytes] = None) -> bytes:
    """``zf.read(info)`` of a plain stored or deflated member straight from ``data``.

    zipfile's reader costs more than the decompression of a small part; only a member whose local
    header agrees with the directory and whose size and CRC come out right is read here, anything
    else goes to ``zf.read`` (so a damaged member fails exactly as before). Output is bounded by
    the declared size, as in zipfile. ``raw``: the member's :func:`_plain_raw`, when already known.
    """
    if raw is None:
        raw = _plain_raw(info, data, _local_header(info, data, zf))
        if raw is None:
            return zf.read(info)
    try:
        if info.compress_type == 8:
            d = zlib.decompressobj(-15)
            out = d.decompress(raw, info.file_size + 1)
            if not d.eof or d.unconsumed_tail:
                return zf.read(info)
        else:
            out = raw
    except (zlib.error, ValueError, OverflowError):
        return zf.read(info)
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        return zf.read(info)
    return out


def _plain_raw(info: zipfile.ZipInfo, data: bytes, head: Optional[tuple]) -> Optional[bytes]:
    """The compressed bytes of a plain member (local header as in the directory, not encrypted nor
    patched, stored or deflated, whole), else None (then zipfile reads it)."""
    if head is None or info.flag_bits & 0x61 or info.compress_type not in (0, 8):
        return None
    start = head[1]
    raw = data[start : start + info.compress_size]
    return raw if len(raw) == info.compress_size else None


_LOCAL = struct.Struct("<IHHHHHIIIHH")  # local file header, without the name
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")  # central directory header, without the name
_END = struct.Struct("<IHHHHIIH")  # end of central directory


def _for_calamine(infos: list, parts: dict, trimmed: dict, data: bytes, zf: zipfile.ZipFile,
                  heads: Optional[dict] = None) -> bytes:
    """The workbook as calamine reads it: every XML part stored uncompressed, as already inflated
    (and checked, and trimmed) here, so that calamine does not inflate it a second time; other
    parts (images, VBA) keep their compressed bytes. A zip calamine reads a quarter faster than
    the original, built in a few tens of microseconds; member names keep their own bytes and
    encoding flag. Anything unusual (65,535 parts, two members of one name, bzip2/lzma members, a
    member whose header disagrees with the directory) is left as before: the original bytes, or,
    when a sheet was trimmed, a zip written by zipfile. ``heads``: :func:`_local_header` of the
    members already read (ZipInfo -> result), so that no header is parsed twice."""
    stored = _stored_zip(infos, parts, trimmed, data, zf, heads or {})
    if stored is not None:
        return stored
    return _rezip(infos, parts, trimmed, zf) if trimmed else data


def _stored_zip(infos: list, parts: dict, trimmed: dict, data: bytes, zf: zipfile.ZipFile,
                heads: dict) -> Optional[bytes]:
    if len(infos) >= 0xFFFF or len({i.filename for i in infos}) != len(infos):
        return None  # zip64 territory, or two members of one name (each would need its own body)
    local, central, offset = [], [], 0
    for i in infos:
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return None  # bzip2/lzma: neither Excel nor calamine reads them; refused as before
        head = heads[i] if i in heads else _local_header(i, data, zf)
        if head is None:
            return None
        name, start = head
        flags = i.flag_bits & 0x800  # the name's own bytes and encoding flag, as the file had them
        body = trimmed.get(i.filename)
        if body is not None:
            method, crc, usize = 0, zlib.crc32(body), len(body)
        else:
            body = parts.get(i.filename)
            if body is not None:
                method, crc, usize = 0, i.CRC, len(body)  # CRC checked when the part was inflated
            else:
                body = data[start : start + i.compress_size]  # images, VBA: as compressed
                if len(body) != i.compress_size:
                    return None
                method, crc, usize = i.compress_type, i.CRC, i.file_size
        size = len(body)
        if size > 0xFFFFFFFE or usize > 0xFFFFFFFE or offset > 0xFFFFFFFE:
            return None
        local.append(_LOCAL.pack(0x04034B50, 20, flags, method, 0, 0x21, crc, size, usize, len(name), 0))
        local.append(name)
        local.append(body)
        central.append(_CENTRAL.pack(0x02014B50, 20, 20, flags, method, 0, 0x21, crc, size, usize, len(name),
                                     0, 0, 0, 0, 0, offset))
        central.append(name)
        offset += _LOCAL.size + len(name) + size
    cd = b"".join(central)
    end = _END.pack(0x06054B50, 0, 0, len(infos), len(infos), len(cd), offset, 0)
    return b"".join(local) + cd + end


def _local_header(info: zipfile.ZipInfo, data: bytes, zf: zipfile.ZipFile) -> Optional[tuple]:
    """(the member's name bytes as stored, where its data starts), or None when the local header
    disagrees with the directory (then the zip is not rebuilt)."""
    try:
        off = info.header_offset
        magic, flags, method, _crc, _csize, _usize, n, e = _LOCAL_HEADER.unpack_from(data, off)
        name = data[off + 30 : off + 30 + n]
        enc = "utf-8" if flags & 0x800 else (getattr(zf, "metadata_encoding", None) or "cp437")
        if magic != b"PK\x03\x04" or method != info.compress_type or name.decode(enc) != info.orig_filename:
            return None
    except (struct.error, UnicodeDecodeError, ValueError, OverflowError):
        return None
    return name, off + 30 + n + e


def _rezip(infos: list, parts: dict, trimmed: dict, zf: zipfile.ZipFile) -> bytes:
    """The workbook with its trimmed sheets, written by zipfile."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for i in infos:
            if i.filename in trimmed:
                out.writestr(i.filename, trimmed[i.filename])
            elif i.filename in parts:
                out.writestr(i.filename, parts[i.filename])
            else:
                try:
                    out.writestr(i.filename, zf.read(i))
                except Exception:
                    raise UnreadableFile(_DAMAGED)
    return buf.getvalue()


_ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error)


def _xml_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes, heads: Optional[dict] = None) -> bytes:
    """A part calamine may parse as XML, inflated and checked: a DTD or entity declaration is refused
    (may raise the :data:`_ZIP_ERRORS` of a damaged member). ``heads`` collects the local headers
    read (for :func:`_for_calamine`).

    Memoised by the compressed bytes (and method, size and CRC, which fix the inflated bytes): the
    files of a batch share most of one template's parts (theme, styles, workbook, relationships)."""
    head = _local_header(info, data, zf)
    if heads is not None:
        heads[info] = head
    raw = _plain_raw(info, data, head)
    key = None
    if raw is not None and len(raw) <= _MEMO_MAX_BYTES and info.file_size <= _MEMO_MAX_BYTES:
        key = (raw, info.compress_type, info.file_size, info.CRC)
        hit = _lru_get(_XML_MEMO, key)
        if hit is not None:
            return hit
    xml = _member_bytes(zf, info, data, raw)
    if _DTD.search(xml):
        raise UnreadableFile(
            f"工作簿内部文件“{info.filename[:60]}”含有DTD/实体声明（可能是恶意构造的文件），已拒绝读取；"
            "请用Excel或WPS重新保存后提交。"
        )
    if key is not None:
        _lru_put(_XML_MEMO, key, xml)
    return xml


_XML_MEMO: dict = {}  # (compressed bytes, method, size, CRC) -> the part, inflated and checked


_SST_TAG = re.compile(rb"<" + _NS + rb"sst\b[^>]*>")
_SST_COUNT = re.compile(rb"""\s(?:uniqueCount|count)\s*=\s*["']\s*([0-9]+)\s*["']""")


def _sane_string_count(sst: bytes) -> Optional[bytes]:
    """The shared-strings part without its declared counts when they promise more strings than the
    part could hold (calamine reserves memory for the count before reading a string), else None."""
    tag = _SST_TAG.search(sst)
    if tag is None:
        return None
    counts = [m.group(1) for m in _SST_COUNT.finditer(tag.group(0))]
    if not any(len(c) > 9 or int(c) > len(sst) for c in counts):
        return None
    return sst[: tag.start()] + _SST_COUNT.sub(b"", tag.group(0)) + sst[tag.end() :]


def _check_zip(data: bytes, path: str):
    """Check an .xlsx/.ods zip; return (kind, bytes for calamine, {sheet: _SheetScan})."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UnreadableFile(_DAMAGED)
    names = {i.filename.lower(): i.filename for i in infos}
    kind = _zip_kind(set(names), zf)
    total = sum(max(i.file_size, 0) for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise UnreadableFile(
            f"文件解压后过大（约{total // (1024 * 1024)}MB），超出本工具的处理上限"
            f"（{MAX_UNZIPPED_BYTES // (1024 * 1024)}MB），可能是异常文件；请只保留自评表内容后重新保存提交。"
        )
    for i in infos:
        if i.file_size > RATIO_MIN_BYTES and i.file_size / max(i.compress_size, 1) > MAX_RATIO:
            raise UnreadableFile(
                f"文件内部“{i.filename[:60]}”解压后过大（压缩比超过{MAX_RATIO}倍），可能是异常文件（压缩炸弹）；"
                "请只保留自评表内容后重新保存提交。"
            )
        if i.flag_bits & 0x1:
            raise UnreadableFile(_ENCRYPTED)
    parts, heads = {}, {}
    try:
        for i in infos:
            low = i.filename.lower()
            if not low.endswith(_BINARY_PARTS) and not (low.endswith("/") and i.file_size == 0):
                parts[i.filename] = _xml_part(zf, i, data, heads)
    except UnreadableFile:
        raise
    except _ZIP_ERRORS:
        raise UnreadableFile(_DAMAGED)
    except MemoryError:
        raise UnreadableFile("文件内容过大，无法读取；请只保留自评表内容后重新保存提交。")
    if kind == "ods":
        _check_ods(parts.get(names.get("content.xml", ""), b""))
    if kind != "xlsx":
        return kind, data, {}
    styles = parts.get(names.get("xl/styles.xml", ""), b"")
    pct = _percent_styles(styles) if styles else frozenset()
    scans, trimmed = {}, {}
    sst_name = names.get("xl/sharedstrings.xml")
    if sst_name in parts:
        sst = _sane_string_count(parts[sst_name])
        if sst is not None:
            trimmed[sst_name] = sst
    listed = _sheet_parts(zf, names, parts)
    for sheet_name, part in listed:
        if part not in parts:  # a sheet under an image's or a folder's name: calamine reads it as XML
            try:
                parts[part] = _xml_part(zf, zf.getinfo(part), data)
            except (KeyError,) + _ZIP_ERRORS:
                raise UnreadableFile(_DAMAGED)
        try:
            new, sc = _prepare_sheet(parts.get(part, b""), pct)
        except _OddCellTag:  # say which sheet: the clerk may know what was pasted into it
            raise UnreadableFile(ODD_CELL_TAG.format(where=f"工作表“{sheet_name[:31]}”"))
        scans[sheet_name] = sc
        if new is not None:
            trimmed[part] = new
    # any other part that looks like a worksheet may still reach calamine (its path rules may differ
    # from ours): trim it too
    listed_parts = {p for _, p in listed}
    for real, xml in parts.items():
        if real not in listed_parts and b"sheetData" in xml:
            new, _sc = _prepare_sheet(xml, set())
            if new is not None:
                trimmed[real] = new
    return kind, _for_calamine(infos, parts, trimmed, data, zf, heads), scans



def _read_sheets(data: bytes) -> list:
    """[(name, rows, merges, hidden)] of every worksheet, via calamine. Raises :class:`UnreadableFile`."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise UnreadableFile(_ENCRYPTED)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # calamine errors, and pyo3's PanicException (a BaseException) on odd input
        raise UnreadableFile(f"无法作为Excel工作簿打开（{type(e).__name__}），文件可能已损坏；" + _ASK_XLSX)
    out = []
    try:
        for meta in wb.sheets_metadata:
            if str(meta.typ) not in ("SheetTypeEnum.WorkSheet",):
                continue
            sh = wb.get_sheet_by_name(meta.name)
            rows = []
            for row in sh.to_python(skip_empty_area=False, nrows=ROW_LIMIT):
                if len(row) > COL_LIMIT:
                    row = row[:COL_LIMIT]
                rows.append([v if type(v) is str else _clean(v) for v in row])
            merges = []
            try:
                for (r0, c0), (r1, c1) in sh.merged_cell_ranges or []:
                    if r0 < ROW_LIMIT and c0 < COL_LIMIT:
                        merges.append((r0, c0, min(r1, ROW_LIMIT - 1), min(c1, COL_LIMIT - 1)))
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # merged ranges are unsupported for some formats
                merges = []
            if len(merges) > MERGES_MAX:
                raise UnreadableFile(
                    f"工作表“{meta.name}”中有{len(merges)}处合并单元格（超过{MERGES_MAX}处），可能是异常文件；"
                    "请取消表格以外的合并单元格后重新保存提交。"
                )
            out.append((meta.name, rows, merges, str(meta.visible) != "SheetVisibleEnum.Visible"))
    except UnreadableFile:
        raise
    except pc.PasswordError:
        raise UnreadableFile(_ENCRYPTED)
    except MemoryError:
        raise UnreadableFile("工作表内容过大，无法读取；请删除无关内容后重新保存提交。")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # includes pyo3's PanicException
        raise UnreadableFile(f"读取工作表时出错（{type(e).__name__}），文件可能已损坏，请重新保存后提交。")
    finally:
        try:
            wb.close()
        except BaseException:
            pass
    return out


_DEVNULL = None  # one descriptor for the process, opened on first use


def _quiet(fn, *args):
    """``fn(*args)`` with file descriptor 2 silenced: a Rust panic inside calamine prints its own
    backtrace there. (Once per file of a batch, so without a context manager or a fresh open.)"""
    global _DEVNULL
    try:
        saved = os.dup(2)
    except OSError:
        return fn(*args)
    try:
        if _DEVNULL is None:
            _DEVNULL = os.open(os.devnull, os.O_WRONLY)
        os.dup2(_DEVNULL, 2)
        return fn(*args)
    finally:
        os.dup2(saved, 2)
        os.close(saved)


XLS_CHILD_TIMEOUT = 60  # seconds for one .xls in its child process
XLS_CHILD_MEMORY = 1536 * 1024 * 1024  # extra address space the child may use


def _read_isolated(data: bytes) -> list:
    """:func:`_read_sheets` in a forked child: calamine's .xls reader can abort the whole process
    (a damaged header makes it allocate hundreds of GB) or panic; the child dies, the batch goes on."""
    if not sys.platform.startswith("linux"):  # no fork on Windows; fork without exec is unsafe on macOS
        return _quiet(_read_sheets, data)
    import pickle
    import select
    import signal
    import time

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns
        status = 0
        try:
            os.close(r)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            import faulthandler

            faulthandler.disable()  # an abort here must stay silent (pytest/PYTHONFAULTHANDLER enable it)
            _limit_memory()
            try:
                payload = ("ok", _read_sheets(data))
            except UnreadableFile as e:
                payload = ("unreadable", e.reason)
            except BaseException as e:  # noqa: BLE001
                payload = ("error", type(e).__name__)
            blob = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(blob)
            while view:
                n = os.write(w, view[:1 << 20])
                view = view[n:]
        except BaseException:  # noqa: BLE001
            status = 1
        finally:
            os._exit(status)
    os.close(w)
    chunks, deadline = [], time.monotonic() + XLS_CHILD_TIMEOUT
    try:
        while True:
            left = deadline - time.monotonic()
            ready = select.select([r], [], [], max(left, 0))[0] if left > 0 else []
            if not ready:
                os.kill(pid, signal.SIGKILL)
                raise UnreadableFile("读取该.xls文件超时，文件可能已损坏；" + _ASK_XLSX)
            chunk = os.read(r, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    try:
        kind, value = pickle.loads(b"".join(chunks))
    except Exception:  # the child died (out of memory, abort) before answering
        raise UnreadableFile(_DAMAGED)
    if kind == "ok":
        return value
    if kind == "unreadable":
        raise UnreadableFile(value)
    raise UnreadableFile(f"读取工作表时出错（{value}），文件可能已损坏，请重新保存后提交。")


def _limit_memory() -> None:
    """Cap the child's address space so a runaway allocation fails fast instead of swapping."""
    try:
        import resource

        with open("/proc/self/statm") as fh:
            current = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = current + XLS_CHILD_MEMORY
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except Exception:  # no /proc or no resource module: run without a cap
        pass


# -- entry point ------------------------------------------------------------------------------------
_HEAD_BYTES = 8192  # what sniffing a file that is not a zip or OLE container looks at


def _too_large(path: str, size: int, head: bytes) -> UnreadableFile:
    mb = size // (1024 * 1024)
    if head.startswith(ZIP_MAGICS) and path.lower().endswith(".zip"):  # an archive, not a workbook
        return UnreadableFile(f"这是一个压缩包（约{mb}MB），不是Excel工作簿；请解压后提交其中的.xlsx自评表。")
    return UnreadableFile(
        f"文件过大（{mb}MB），超出本工具的处理上限（{MAX_FILE_BYTES // (1024 * 1024)}MB）；"
        "自评表一般不足1MB，请删除图片和无关工作表后重新保存提交。"
    )


def _read_bytes(path: str) -> bytes:
    """The file's bytes (up to the cap) when it is a zip or OLE container; otherwise only its first
    bytes, which is all :func:`sniff_other` reads (a 90 MB CSV or .rar is not read whole to say what it is)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UnreadableFile("文件不存在，请检查路径。")
    except OSError as e:
        raise UnreadableFile(f"无法访问该文件（{e.strerror or type(e).__name__}），请检查路径和权限。")
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableFile("这是一个文件夹，不是Excel工作簿；批量处理请使用 jixiao batch。")
    if not stat.S_ISREG(st.st_mode):  # a device, pipe or socket: never read from it
        raise UnreadableFile("这不是一个普通文件，不是Excel工作簿，请提交.xlsx格式的自评表。")
    if st.st_size == 0:
        raise UnreadableFile("文件为空（0字节），可能上传或复制时出错；请重新保存后提交。")
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEAD_BYTES)
            if not head.startswith(OLE_MAGIC) and not head.startswith(ZIP_MAGICS):
                return head  # not a workbook container (CSV, PDF, rar …): the head is all that is sniffed
            if st.st_size > MAX_FILE_BYTES:
                raise _too_large(path, st.st_size, head)
            # the size just seen, not the cap: read(n) reserves n bytes first (100 MB for every file)
            # the rest as stat saw it (never read(negative), which reads to the end, past any cap)
            data = head + fh.read(max(st.st_size + 1 - len(head), 0))
            if len(data) > st.st_size:  # the file grew since: the rest, up to the cap
                data += fh.read(MAX_FILE_BYTES + 1 - len(data))
            return data
    except PermissionError:
        raise UnreadableFile("没有读取该文件的权限；请关闭正在使用它的程序或检查文件权限后重试。")
    except OSError as e:
        raise UnreadableFile(f"读取文件时出错（{e.strerror or type(e).__name__}），请重新保存后提交。")


def _book_findings(name_order: list, scans: dict) -> tuple:
    """Findings about trimmed sheets and formulas without values, plus the formula cell list."""
    findings, formulas = [], []
    for name in name_order:
        sc = scans.get(name)
        if sc is None:
            continue
        if sc.far_cells:
            findings.append(
                Finding(
                    HINT,
                    SHEET_TOO_LARGE,
                    name,
                    sc.far_ref,
                    f"工作表“{name}”有{sc.far_cells}个单元格超出读取范围（最远到{sc.far_ref}；"
                    f"本工具只读取前{ROW_LIMIT}行、前{COL_LIMIT}列），超出部分未读取；"
                    "请删除表格以外的多余内容（或把有用的内容移到表格内）后重新提交。",
                )
            )
        formulas.extend((name, ref) for ref in sc.formulas_without_value)
    for sheet, ref in formulas[:FORMULA_FINDINGS_MAX]:
        findings.append(
            Finding(
                ERROR,
                FORMULA_NOT_CALCULATED,
                sheet,
                ref,
                f"单元格{ref}含公式但没有计算结果，请在Excel/WPS中打开并保存后重新提交。",
            )
        )
    if len(formulas) > FORMULA_FINDINGS_MAX:
        rest = len(formulas) - FORMULA_FINDINGS_MAX
        findings.append(
            Finding(
                ERROR,
                FORMULA_NOT_CALCULATED,
                formulas[FORMULA_FINDINGS_MAX][0],
                "",
                f"另有{rest}个单元格含公式但没有计算结果，请在Excel/WPS中打开并保存后重新提交。",
            )
        )
    return findings, formulas


LOCK_FILE = ("这是Excel/WPS打开工作簿时自动生成的临时锁定文件（文件名以~$开头），不是自评表；"
             "请关闭Excel/WPS后提交不带~$的原文件。")


def _wps_hint(path: str, e: UnreadableFile) -> UnreadableFile:
    """An .et/.ett file that calamine cannot read is WPS's own format rather than a damaged workbook:
    say how to save it as .xlsx (a password-protected one keeps its own message)."""
    if _is_wps_name(path) and e.reason != _ENCRYPTED:
        return UnreadableFile(WPS_ET)
    return e


def open_book(path: str) -> Book:
    """Read every sheet of ``path``. Raises :class:`UnreadableFile` with a Chinese reason."""
    path = str(path)
    data = _read_bytes(path)
    head = data[:_HEAD_BYTES]
    scans: dict = {}
    # .xlsx is pre-scanned and trimmed first; .xls/.ods cannot be, so calamine reads them in a child
    if head.startswith(OLE_MAGIC):
        _check_ole(data, path)
        try:
            raw = _read_isolated(data)
        except UnreadableFile as e:
            raise _wps_hint(path, e)
        kind = "xls"
    elif head.startswith(ZIP_MAGICS):
        try:
            kind, data, scans = _check_zip(data, path)
        except (UnreadableFile, KeyboardInterrupt, SystemExit):
            raise
        except MemoryError:
            raise UnreadableFile("文件内容过大，无法读取；请只保留自评表内容后重新保存提交。")
        except Exception:  # zlib.error, struct.error ... from a damaged zip
            raise UnreadableFile(_DAMAGED)
        raw = _read_isolated(data) if kind == "ods" else _quiet(_read_sheets, data)
    elif os.path.basename(path).startswith("~$"):
        raise UnreadableFile(LOCK_FILE)
    else:
        raise sniff_other(head)
    sheets = []
    for name, rows, merges, hidden in raw:
        sc = scans.get(name)
        sheets.append(
            Sheet(
                name,
                rows,
                merges,
                hidden,
                percent_cells=sc.percent_cells if sc else set(),
                hidden_rows=sc.hidden_rows if sc else set(),
            )
        )
    findings, formulas = _book_findings([s.name for s in sheets], scans)
    return Book(path, sheets, findings, formulas, kind)
