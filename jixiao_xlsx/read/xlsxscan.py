"""The pre-scan of a worksheet part: what calamine does not give, and sheets cut to size for it.

python-calamine gives values and merged ranges, not number formats, hidden rows nor formulas, and
it builds a dense grid up to the farthest cell: a cell at XFD1048576 makes it allocate gigabytes.
So each worksheet part is scanned once, in the reader process, before calamine reads the workbook:
percent-formatted cells, hidden rows, formulas without a cached value, and any cell beyond
ROW_LIMIT/COL_LIMIT (noted and cut, so the sheet still reads). The usual sheet takes one C-level
pass (:func:`prepare_sheet`'s shortcut, checked against the exact route by tests/test_prescan.py);
an odd one the exact, slower route.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from html import unescape as _unescape
from typing import Optional

from ..a1 import cell_ref, col_index
from .guard import COL_LIMIT, ROW_LIMIT

# a namespace prefix as calamine accepts one (any name, ASCII or not): required, or optional
_NS_NAME = rb"[^\s<>/:=\x22\x27]+:"
_NS = rb"(?:" + _NS_NAME + rb")?"
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
# an error cell (t="e": #DIV/0!, #NAME? ...): calamine reads it as empty, the scan keeps its text
_ATTR_T_ERROR = re.compile(rb"""(?<![\w:.-])t\s*=\s*["']e["']""")
_V_TEXT = re.compile(rb"<" + _NS + rb"v\b[^>]*>([^<]*)</" + _NS + rb"v\s*>")
_ERROR_TEXT_MAX = 32  # Excel's longest error text is #GETTING_DATA; anything longer is not one


def _error_text(inner: bytes) -> Optional[str]:
    """The text of an error cell's cached value (``#DIV/0!``), or None."""
    m = _V_TEXT.search(inner)
    if m is None:
        return None
    text = _unescape(m.group(1).decode("utf-8", "replace")).strip()
    return text if 0 < len(text) <= _ERROR_TEXT_MAX else None


@dataclass
class SheetScan:
    """What the pre-scan learned about one worksheet part."""

    far_cells: int = 0  # cells with a value beyond ROW_LIMIT/COL_LIMIT
    far_ref: str = ""  # the farthest such cell
    needs_trim: bool = False  # some cell (valued or not) lies beyond the limits
    formulas_without_value: list = field(default_factory=list)  # ['B4']
    percent_cells: set = field(default_factory=set)
    hidden_rows: set = field(default_factory=set)
    error_cells: dict = field(default_factory=dict)  # {(r, c): '#DIV/0!'} cells whose value is an error


def percent_styles(styles: bytes) -> frozenset:
    """Indexes of cellXfs entries whose number format is a percentage (built-in 9/10 or custom '%')."""
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


class OddCellTag(Exception):
    """A row or cell tag no scan can be sure of; :mod:`.parse` names the sheet in the refusal."""

_HIDDEN_ROW = re.compile(rb"<" + _NS + rb"row\b([^<>]*)>")


def _scan_sheet(xml: bytes, pct_styles: set, max_row_num: Optional[int] = None) -> SheetScan:
    """Extent, far cells, formulas without values, percent cells and hidden rows of a worksheet part.

    Reached when :func:`prepare_sheet`'s one-pass test could not vouch for the sheet. When every
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


def _scan_marks(xml: bytes, pct_styles: set) -> SheetScan:
    """Hidden rows, formulas without values and percent cells of a sheet whose cells are all
    unprefixed, addressed and within the limits (the caller has made sure)."""
    sc = SheetScan()
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
    if starts is not None and (b'"e"' in xml or b"'e'" in xml):
        starts.update(m.start() for m in _ERROR_CELL.finditer(xml))
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
        err = b"e" in attrs and _ATTR_T_ERROR.search(attrs) is not None
        if not (pct or has_f or err):
            continue
        has_value = _HAS_VALUE.search(inner) is not None
        rm = _ATTR_R.search(attrs)
        if not rm:
            continue
        r, c = int(rm.group(2)) - 1, col_index(rm.group(1).decode())
        if err and has_value:
            text = _error_text(inner)
            if text is not None:
                sc.error_cells[(r, c)] = text
        if has_f and not has_value:
            sc.formulas_without_value.append(cell_ref(r, c))
        elif pct and has_value:
            sc.percent_cells.add((r, c))
    return sc


# the start of an unprefixed cell tag with t="e" (as for percent cells: only these cells are walked)
_ERROR_CELL = re.compile(rb"""<c\s[^<>]*?(?<![\w:.-])t\s*=\s*["']e["']""")
_PCT_PATTERN_MAX = 64  # percent styles one pattern lists; a real styles part has a handful
_CELL_NAME_ENDS = frozenset((b" ", b"\t", b"\r", b"\n", b">", b"/"))


def _pct_cell_pattern(pct_styles: set) -> "re.Pattern":
    """A pattern for the start of every unprefixed cell whose style index is in ``pct_styles``."""
    alts = b"|".join(str(i).encode() for i in sorted(pct_styles))  # (re keeps compiled patterns)
    return re.compile(rb"""<c\s[^<>]*?(?<![\w:.-])s\s*=\s*["']0*(?:""" + alts + rb""")["']""")


def _hidden_rows(xml: bytes, sc: SheetScan) -> None:
    for m in _HIDDEN_ROW.finditer(xml):
        if _ATTR_HIDDEN.search(m.group(1)):
            rm = _ATTR_ROW_R.search(m.group(1))
            if rm:
                sc.hidden_rows.add(int(rm.group(1)) - 1)


def _scan_sheet_full(xml: bytes, pct_styles: set) -> SheetScan:
    """One pass over every row and cell: extent, far cells, formulas without values, percent cells."""
    sc = SheetScan()
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
        if not far and _ATTR_T_ERROR.search(attrs):
            text = _error_text(inner)
            if text is not None:
                sc.error_cells[(r, c)] = text
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


def prepare_sheet(xml: bytes, pct_styles: set) -> tuple:
    """(xml for calamine or None when unchanged, scan): far rows cut, far columns trimmed, all noted."""
    if not _unsafe_pattern(ROW_LIMIT, COL_LIMIT).search(xml):
        # the usual sheet, in one C-level pass: every row and cell says where it is (Excel, WPS
        # and the writing libraries put r first) and nothing lies beyond the limits
        new, sc = None, _scan_marks(xml, pct_styles)
    else:
        new, sc = _prepare_sheet_exact(xml, pct_styles)
    return new, sc


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
    """:func:`prepare_sheet` for any sheet: several passes, and a cell-by-cell walk where needed.

    A row or cell tag with two r attributes or a bracket in a quoted value is refused (:data:`ODD_CELL_TAG`). Comments are dropped
    first (calamine ignores them; a row or cell written inside one must not be taken for real, nor a
    cut start inside one)."""
    original = xml
    if _TWO_R.search(xml) or _QUOTED_BRACKET.search(xml):
        raise OddCellTag()
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


@functools.lru_cache(maxsize=4)  # one pair of limits in practice: built once per process
def _unsafe_pattern(row_limit: int, col_limit: int) -> "re.Pattern":
    """A pattern that finds any row or cell tag that is not plain — first attribute an address surely
    within the limits (``r="B12"``, ``r="12"``), then only ``name="value"`` attributes, none a second
    ``r`` — any prefixed row or cell (``<x:c``, ``<前:c``), and any comment or CDATA section.
    No match: nothing to cut or trim.

    Conservative on purpose: an address it cannot vouch for (``r='B12'``, ``$B$12``, row 10000 of
    10000) only sends the sheet down the exact, slower path."""
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
    pat = re.compile(
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


