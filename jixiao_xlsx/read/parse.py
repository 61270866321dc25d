"""What the reader process does with one file: inflate and check its parts, pre-scan its sheets, and
read every worksheet with python-calamine. Runs only inside :mod:`.isolate`'s child process.

Returns plain data — ``[(name, rows, merges, hidden)]`` and ``{sheet name: SheetScan}`` — which the
calling process turns into a :class:`~.grid.Book`. Raises :class:`~.refusal.UnreadableFile`.
"""
from __future__ import annotations

import datetime as _dt
import io
import math
import struct
import zipfile
from typing import Any

from ..a1 import sheet_parts_of
from . import refusal as R
from .guard import (BINARY_PARTS, COL_LIMIT, MERGES_MAX, ROW_LIMIT, ZIP_ERRORS, check_ods, sane_string_count,
                    xml_part)
from .refusal import ASK_XLSX, CONTENT_TOO_LARGE_TEXT, ODD_CELL_TAG, UnreadableFile, damaged, encrypted
from . import xlsxscan
from .xlsxscan import OddCellTag, SheetScan, percent_styles, prepare_sheet


class PartMemo:
    """Answers that depend only on a part's bytes, kept across the files one reader process reads: the
    files of a batch share their template's styles, workbook part, relationships and instruction sheet
    byte for byte. Keyed by the bytes themselves (never a hash or a CRC, so no two different parts can
    share an answer); only parts up to ``max_bytes``, at most ``entries`` answers (the oldest goes); a
    refusal is never kept (it is raised again for every file). Issue #12 first removed the memos of
    the old pre-scan; paired runs showed the read ~10 % slower without them, so this one stays, in the
    child only, behind this interface (tests/test_book.py checks answers with and without it)."""

    def __init__(self, entries: int = 64, max_bytes: int = 256 * 1024):
        self.entries, self.max_bytes = entries, max_bytes
        self._answers: dict = {}
        self.clean: set = set()  # XML parts already found free of DTDs (bounded with the answers)

    def get(self, key: tuple, size: int, compute):
        if size > self.max_bytes:
            return compute()
        hit = self._answers.pop(key, _MISS)
        if hit is not _MISS:
            self._answers[key] = hit  # the most recently used goes last: the oldest unused goes first
            return hit
        value = compute()
        if len(self._answers) >= self.entries:
            del self._answers[next(iter(self._answers))]
        self._answers[key] = value
        return value

    def mark_clean(self, parts: dict) -> None:
        if len(self.clean) >= self.entries:
            self.clean.clear()
        self.clean.update(x for x in parts.values() if len(x) <= self.max_bytes)

    def clear(self) -> None:
        self._answers.clear()
        self.clean.clear()


_MISS = object()
MEMO = PartMemo()  # this reader process's memo (tests may clear it)


def read_workbook(data: bytes, kind: str) -> tuple:
    """(sheets, scans) of a workbook whose container already passed :func:`.guard.check_zip` or
    :func:`.sniff.check_ole`; ``kind`` is 'xlsx', 'ods' or 'xls'."""
    scans: dict = {}
    if kind != "xls":
        try:
            data, scans = _prepare_zip(data, kind)
        except UnreadableFile:
            raise
        except MemoryError:
            raise UnreadableFile(CONTENT_TOO_LARGE_TEXT, R.CONTENT_TOO_LARGE)
        except Exception:  # zlib.error, struct.error ... from a damaged zip
            raise damaged()
    sheets = read_sheets(data)
    for name, rows, _merges, _hidden in sheets:
        sc = scans.get(name)
        if sc is not None and sc.error_cells:
            _put_errors(rows, sc.error_cells)
    return sheets, scans


def _put_errors(rows: list, errors: dict) -> None:
    """Error cells (``t="e"``) as their text, ``#DIV/0!`` or ``#NAME?``: python-calamine reads them as
    empty, and the clerk would be told the cell is empty instead of what Excel shows in it."""
    for (r, c), text in errors.items():
        if r >= ROW_LIMIT or c >= COL_LIMIT:
            continue
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([""] * (c + 1 - len(row)))
        if row[c] == "" or row[c] is None:
            row[c] = text


def _prepare_zip(data: bytes, kind: str) -> tuple:
    """(bytes for calamine, {sheet: SheetScan}): every XML part checked, sheets pre-scanned, and the
    zip rewritten by zipfile only when a part had to be cut (a hostile file; never the usual one)."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = zf.infolist()
    names = {i.filename.lower(): i.filename for i in infos}
    parts = _read_parts(zf, data)
    MEMO.mark_clean(parts)
    if kind == "ods":
        check_ods(parts.get(names.get("content.xml", ""), b""))
        return data, {}
    styles = parts.get(names.get("xl/styles.xml", ""), b"")
    pct = MEMO.get(("styles", styles), len(styles), lambda: percent_styles(styles)) if styles else frozenset()
    scans, trimmed = {}, {}
    sst_name = names.get("xl/sharedstrings.xml")
    if sst_name in parts:
        sst = sane_string_count(parts[sst_name])
        if sst is not None:
            trimmed[sst_name] = sst
    wb = parts.get(names.get("xl/workbook.xml", ""))
    rels = parts.get(names.get("xl/_rels/workbook.xml.rels", ""), b"")
    listed = MEMO.get(("parts", wb, rels, tuple(names.items())), len(wb or b"") + len(rels) + 64 * len(names),
                      lambda: tuple(sheet_parts_of(wb, rels, names))) if wb is not None else ()
    for sheet_name, part in listed:
        if part not in parts:  # a sheet under an image's or a folder's name: calamine reads it as XML
            try:
                parts[part] = xml_part(zf, zf.getinfo(part))
            except (KeyError,) + ZIP_ERRORS:
                raise damaged()
        xml = parts.get(part, b"")
        try:
            key = ("sheet", xml, pct, xlsxscan.ROW_LIMIT, xlsxscan.COL_LIMIT)
            new, sc = MEMO.get(key, len(xml), lambda: prepare_sheet(xml, pct))
            sc = _copy(sc)  # the sheet keeps its sets: never one shared with another file's
        except OddCellTag:  # say which sheet: the clerk may know what was pasted into it
            raise UnreadableFile(ODD_CELL_TAG.format(where=f"工作表“{sheet_name[:31]}”"), R.ODD_CELL)
        scans[sheet_name] = sc
        if new is not None:
            trimmed[part] = new
    # any other part that looks like a worksheet may still reach calamine (its path rules may differ
    # from ours): trim it too
    listed_parts = {p for _, p in listed}
    for real, xml in parts.items():
        if real not in listed_parts and b"sheetData" in xml:
            try:
                new, _sc = prepare_sheet(xml, set())
            except OddCellTag:
                raise UnreadableFile(ODD_CELL_TAG.format(where="工作簿"), R.ODD_CELL)
            if new is not None:
                trimmed[real] = new
    return (_rezip(zf, trimmed) if trimmed else data), scans


def _read_parts(zf: zipfile.ZipFile, data: bytes) -> dict:
    """{real name: bytes} of every part calamine may parse as XML, each checked by :func:`.guard.xml_part`,
    with each part's answer kept in :data:`MEMO` by the part's local
    header and compressed bytes (and the directory's name, method, sizes, CRC and flags, all that
    ``zipfile`` goes by): a part shared with an earlier file of the batch (the template's theme,
    styles, relationships, instruction sheet) is neither inflated nor checked again."""
    parts = {}
    try:
        for i in zf.infolist():
            low = i.filename.lower()
            if low.endswith(BINARY_PARTS) or (low.endswith("/") and i.file_size == 0):
                continue
            raw = _raw_member(data, i) if i.compress_size <= MEMO.max_bytes else None
            if raw is None:
                parts[i.filename] = xml_part(zf, i, MEMO.clean)
                continue
            key = ("part", i.orig_filename, i.compress_type, i.CRC, i.file_size, i.compress_size, i.flag_bits, raw)
            parts[i.filename] = MEMO.get(key, len(raw), lambda i=i: xml_part(zf, i, MEMO.clean))
    except UnreadableFile:
        raise
    except ZIP_ERRORS:
        raise damaged()
    except MemoryError:
        raise UnreadableFile(CONTENT_TOO_LARGE_TEXT, R.CONTENT_TOO_LARGE)
    return parts


def _raw_member(data: bytes, info: zipfile.ZipInfo):
    """The member's local header and compressed bytes as ``zipfile`` reads them, or None (odd header:
    then ``zipfile`` alone reads it, raising what it raises)."""
    off = info.header_offset
    head = data[off:off + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04" or off < 0:
        return None
    n, e = struct.unpack("<HH", head[26:30])
    end = off + 30 + n + e + info.compress_size
    return data[off:end] if end <= len(data) else None


def _copy(sc: SheetScan) -> SheetScan:
    return SheetScan(far_cells=sc.far_cells, far_ref=sc.far_ref, needs_trim=sc.needs_trim,
                     formulas_without_value=list(sc.formulas_without_value), percent_cells=set(sc.percent_cells),
                     hidden_rows=set(sc.hidden_rows), error_cells=dict(sc.error_cells))


def _rezip(zf: zipfile.ZipFile, trimmed: dict) -> bytes:
    """The workbook with its cut parts, written by zipfile."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for i in zf.infolist():
            body = trimmed.get(i.filename)
            out.writestr(i.filename, body if body is not None else zf.read(i))
    return buf.getvalue()


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)  # NaN/inf cannot come from Excel; hand it on as text so it is reported, not summed
    if isinstance(v, _dt.timedelta):  # durations come back as timedelta; keep them readable
        return str(v)
    return v


def read_sheets(data: bytes) -> list:
    """[(name, rows, merges, hidden)] of every worksheet, via calamine. Raises :class:`UnreadableFile`."""
    import python_calamine as pc

    try:
        wb = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except pc.PasswordError:
        raise encrypted()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # calamine errors, and pyo3's PanicException (a BaseException) on odd input
        raise UnreadableFile(f"无法作为Excel工作簿打开（{type(e).__name__}），文件可能已损坏；" + ASK_XLSX, R.DAMAGED)
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
                    "请取消表格以外的合并单元格后重新保存提交。",
                    R.TOO_MANY_MERGES,
                )
            out.append((meta.name, rows, merges, str(meta.visible) != "SheetVisibleEnum.Visible"))
    except UnreadableFile:
        raise
    except pc.PasswordError:
        raise encrypted()
    except MemoryError:
        raise UnreadableFile("工作表内容过大，无法读取；请删除无关内容后重新保存提交。", R.CONTENT_TOO_LARGE)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # includes pyo3's PanicException
        raise UnreadableFile(f"读取工作表时出错（{type(e).__name__}），文件可能已损坏，请重新保存后提交。", R.DAMAGED)
    finally:
        try:
            wb.close()
        except BaseException:
            pass
    return out
