"""The summary workbook's data rows, written as sheet XML instead of cell by cell.

xlsxwriter spends about 4 µs on each cell (argument checks, its row table, escaping every string
anew); the summary's 指标明细 and 问题清单 sheets hold ~250 cells per input file, which was a quarter
of a batch's time. Their cells, and the data rows of 汇总 and 排名, are plain — inline strings and
numbers in a few styles — so they are written here straight as ``<row>`` XML into a temporary file,
and :func:`splice` puts them right below the header row of the sheets xlsxwriter wrote (widths,
filter, frozen panes, page setup, and a totals row below) once the workbook is closed. The XML is
what xlsxwriter's constant-memory mode writes for the same cells (inline strings, ``_xHHHH_``
escapes, ``xml:space``, numbers as ``%.16G``, error cells for NaN/infinity, strings cut at Excel's
32,767 characters); memory stays flat because rows go to disk as they come.
"""
from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
import zipfile
from typing import Optional, Sequence

from ..a1 import COL_LETTERS as _COLS
from ..a1 import cell_ref, col_index, col_letter, sheet_parts_of
from .output import readable

SPLICED_LEVEL = 1  # zlib level of the spliced sheets
STR_MAX = 32_767  # Excel's limit on one cell's text, in UTF-16 units
_FLUSH_ROWS = 200  # rows buffered in memory before they go to the temporary file

_ESCAPE_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")  # a literal "_x0041_" must survive Excel's unescaping
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")


def _utf16_len(s: str) -> int:
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def _truncate(s: str) -> str:
    """``s`` cut to Excel's cell limit (counted in UTF-16 units, as Excel does)."""
    if len(s) <= STR_MAX // 2 or _utf16_len(s) <= STR_MAX:
        return s
    out, n = [], 0
    for ch in s:
        n += 2 if ord(ch) > 0xFFFF else 1
        if n > STR_MAX:
            break
        out.append(ch)
    return "".join(out)


# any character that makes _inline_escaped change a text: without one (nearly every cell), the text
# goes into the XML as it is, and four regex/replace passes are saved (~1 µs a cell; the targets and
# actual values of 指标明细 are mostly unique)
_SPECIAL = re.compile(r"[\x00-\x08\x0b-\x1f&<>_\ud800-\udfff\ufffe\uffff]")


def _inline(s: str) -> str:
    """The tail of an inline-string <c> element (after '<c r=".." s=".."')."""
    if len(s) <= STR_MAX // 2 and _SPECIAL.search(s) is None:
        if s[:1].isspace() or s[-1:].isspace():
            return f' t="inlineStr"><is><t xml:space="preserve">{s}</t></is></c>'
        return f' t="inlineStr"><is><t>{s}</t></is></c>'
    return _inline_escaped(s)


def _inline_escaped(s: str) -> str:
    s = _truncate(readable(s))
    s = _ESCAPE_ESCAPE.sub(r"_x005F\1", s)
    s = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", s)
    s = s.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    space = ' xml:space="preserve"' if s[:1].isspace() or s[-1:].isspace() else ""
    if "&" in s or "<" in s or ">" in s:
        s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f' t="inlineStr"><is><t{space}>{s}</t></is></c>'



_OPEN = tuple(f'<c r="{col}' for col in _COLS)
_STYLE_ATTR = ('"',) + tuple(f'" s="{i}"' for i in range(1, 256))  # xf 0 (none) writes no s attribute




def number(v) -> str:
    """The tail of a number ``<c>`` element; NaN and ±infinity (a budget of 1e400 does that) become
    the error cells xlsxwriter writes for them with ``nan_inf_to_errors``, never invalid XML."""
    if type(v) is float and v - v == 0:  # the usual case: a finite float
        return f"><v>{v:.16G}</v></c>"
    try:
        f = float(v)
    except OverflowError:  # an int beyond float
        f = math.inf if v > 0 else -math.inf
    if f != f:
        return ' t="e"><f>#NUM!</f><v>#NUM!</v></c>'
    if f == math.inf:
        return ' t="e"><f>1/0</f><v>#DIV/0!</v></c>'
    if f == -math.inf:
        return ' t="e"><f>-1/0</f><v>#DIV/0!</v></c>'
    return f"><v>{v:.16G}</v></c>"




class RowStream:
    """Rows for one sheet, right below its header row: ``write(r, values, styles)`` then :func:`splice`.

    ``values[c]`` is the cell of column c: ``str`` (inline text), ``int``/``float`` (a number) or
    None/'' (no cell); in the ``text_cols`` columns any other value is written as its ``str()``
    (converted here, where a cell's type is looked at anyway, rather than a row at a time by the
    caller). ``styles[c]`` is the xf index of column c (0: none), from :func:`xf_index`. Rows must
    come in increasing order, and below the header row: whatever xlsxwriter wrote after the header
    (a totals row) must lie below them.
    """

    def __init__(self, sheet_name: str, ncols: int, text_cols=()):
        self.sheet_name, self.ncols = sheet_name, ncols
        self.text_cols = frozenset(text_cols)
        self.fh = tempfile.TemporaryFile()
        self.size = 0
        self.last_row = 0  # 0-based; the header row is 0
        self._buf: list = []

    def write(self, r: int, values: Sequence, styles: Sequence[int],
              text_styles: Optional[Sequence[int]] = None) -> None:
        """One row; ``text_styles`` (default ``styles``): the xf indexes for text cells, where a
        column styles numbers and text differently."""
        row = str(r + 1)
        ts = styles if text_styles is None else text_styles
        text_cols = self.text_cols
        parts = ['<row r="', row, '">']
        add = parts.append
        for c, v in enumerate(values):
            if v is None or v == "":
                continue
            if v.__class__ is str:
                s = ts[c]
                tail = _inline(v)
            elif c in text_cols or isinstance(v, str):  # a str subclass is written as plain text too
                v = str(v)
                if not v:
                    continue
                s = ts[c]
                tail = _inline(v)
            else:
                s = styles[c]
                tail = number(v)
            # '<c r="B7" s="3"' + tail, in pieces (no int formatting per cell)
            add(_OPEN[c] if c < 702 else '<c r="' + col_letter(c))
            add(row)
            add(_STYLE_ATTR[s] if s < 256 else f'" s="{s}"')
            add(tail)
        add("</row>")
        self._buf.append("".join(parts))
        self.last_row = r
        if len(self._buf) >= _FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self._buf:
            data = "".join(self._buf).encode("utf-8")
            self._buf.clear()
            self.fh.write(data)
            self.size += len(data)

    def close(self) -> None:
        self.fh.close()


def xf_index(fmt) -> int:
    """The xf index xlsxwriter gives ``fmt`` (0 for None): what its constant-memory mode asks while
    writing rows, before the workbook is closed."""
    return fmt._get_xf_index() if fmt is not None else 0


_DIMENSION = re.compile(rb'<dimension ref="([^"]*)"/>')


def splice(path: str, streams: Sequence[RowStream]) -> None:
    """Put each stream's rows right below the header row of its sheet in the closed workbook ``path``
    (rewritten in place: ``path`` is the caller's temporary file) and widen the sheet's dimension.
    The spliced sheets are compressed at :data:`SPLICED_LEVEL` (a third of the time of the default
    level, for a file about a fifth larger); the other parts keep xlsxwriter's compression."""
    by_name = {s.sheet_name: s for s in streams if s.size or s._buf}
    if not by_name:
        return
    for s in by_name.values():
        s.flush()
    tmp = path + ".splice"
    try:
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            infos = zin.infolist()
            names = {i.filename.lower(): i.filename for i in infos}
            wb = zin.read(names["xl/workbook.xml"])
            rels = zin.read(names["xl/_rels/workbook.xml.rels"])
            part_of = {name: part for name, part in sheet_parts_of(wb, rels, names)}
            targets = {part_of[name]: s for name, s in by_name.items()}
            for info in infos:
                out = zipfile.ZipInfo(info.filename, info.date_time)
                out.compress_type = info.compress_type
                out.external_attr, out.create_system = info.external_attr, info.create_system
                stream = targets.get(info.filename)
                if stream is None:
                    zout.writestr(out, zin.read(info))
                    continue
                _set_level(out, SPLICED_LEVEL)
                _write_spliced(zout, out, zin.read(info), stream)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _set_level(info: zipfile.ZipInfo, level: int) -> None:
    info.compress_type = zipfile.ZIP_DEFLATED
    try:
        info.compress_level = level  # Python 3.13+
    except AttributeError:
        info._compresslevel = level  # up to 3.12: what ZipFile.writestr sets from its compresslevel


def _write_spliced(zout: zipfile.ZipFile, info: zipfile.ZipInfo, xml: bytes, stream: RowStream) -> None:
    start = xml.find(b"<sheetData>")
    if start < 0:  # no row at all: xlsxwriter wrote <sheetData/>
        at = xml.find(b"<sheetData/>")
        head, tail = xml[:at] + b"<sheetData>", b"</sheetData>" + xml[at + len(b"<sheetData/>") :]
    else:  # after the header row, before any row xlsxwriter wrote below it (the summary's totals)
        first = xml.find(b"</row>", start)
        at = first + len(b"</row>") if first >= 0 else start + len(b"<sheetData>")
        head, tail = xml[:at], xml[at:]
    head = _DIMENSION.sub(lambda m: _widen(m.group(1), stream), head, count=1)
    # zip64 only when it must be (over 2 GiB): Excel is strict about zip64 records it does not expect
    big = len(head) + stream.size + len(tail) > zipfile.ZIP64_LIMIT
    with zout.open(info, "w", force_zip64=big) as dst:
        dst.write(head)
        stream.fh.seek(0)
        shutil.copyfileobj(stream.fh, dst, 1 << 20)
        dst.write(tail)


def _widen(ref: bytes, stream: RowStream) -> bytes:
    """The sheet's dimension grown to hold the stream's rows and columns."""
    m = re.fullmatch(rb"A1(?::([A-Z]+)([0-9]+))?", ref)
    cols, rows = stream.ncols - 1, stream.last_row
    if m and m.group(1):
        cols, rows = max(cols, col_index(m.group(1).decode())), max(rows, int(m.group(2)) - 1)
    return f'<dimension ref="A1:{cell_ref(rows, cols)}"/>'.encode()
