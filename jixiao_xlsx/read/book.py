"""Open a workbook file as plain grids of values: the read stage's public module.

python-calamine reads .xlsx/.xlsm/.xls/.ods an order of magnitude faster than openpyxl; every
reader works on the :class:`Book` this returns, so the input file is opened once and never written.

calamine can end the whole process on absurd input (a Rust out-of-memory abort, not an exception),
so :func:`open_book` splits the work (issue #12):

1. in this process, cheap checks that inflate nothing (:mod:`.guard`, :mod:`.sniff`): what the file
   system says, what kind of file it is (naming what it looks like when it is not a workbook), OLE2
   encryption, and the zip's declared sizes and compression ratios;
2. in the reader child process (:mod:`.isolate`, started with ``spawn``): the parts inflated and
   checked (DTD), each sheet pre-scanned once (:mod:`.xlsxscan`: percent cells, hidden rows, formulas
   without values, cells beyond the read limits cut) and read by calamine (:mod:`.parse`). If the
   child dies, the file is reported unreadable and the next file reads in a new child;
3. here again: the :class:`Book` (:mod:`.grid`) and its findings about the file itself.
"""
from __future__ import annotations

import os

from ..a1 import COL_LETTERS, cell_ref, col_index, col_letter, sheet_parts_of  # noqa: F401 - kept importable
from ..findings import make
from . import isolate
from . import refusal as R
from .grid import Book, Sheet
from .guard import COL_LIMIT, HEAD_BYTES, MAX_UNZIPPED_BYTES, ROW_LIMIT, check_zip, read_bytes  # noqa: F401
from .refusal import ENCRYPTED, LOCK_FILE, NUMBERS, WPS_ET, UnreadableFile  # noqa: F401
from .sniff import MAX_FILE_BYTES, OLE_MAGIC, ZIP_MAGICS, check_ole, extracted_beside, is_wps_name  # noqa: F401
from .sniff import ole_stream_names, sniff_other  # noqa: F401

__all__ = ["Book", "Sheet", "UnreadableFile", "open_book", "extracted_beside", "ole_stream_names", "sniff_other",
           "SHEET_TOO_LARGE", "FORMULA_NOT_CALCULATED", "WPS_ET", "NUMBERS", "LOCK_FILE"]

SHEET_TOO_LARGE = "SHEET_TOO_LARGE"
FORMULA_NOT_CALCULATED = "FORMULA_NOT_CALCULATED"
FORMULA_FINDINGS_MAX = 20  # FORMULA_NOT_CALCULATED findings listed one by one


def open_book(path) -> Book:
    """Read every sheet of ``path``. Raises :class:`UnreadableFile` with a Chinese reason and a code."""
    path = str(path)
    data = read_bytes(path)
    head = data[:HEAD_BYTES]
    if head.startswith(OLE_MAGIC):
        check_ole(data, path)
        kind = "xls"
    elif head.startswith(ZIP_MAGICS):
        kind = check_zip(data)
    elif os.path.basename(path).startswith("~$"):
        raise UnreadableFile(LOCK_FILE, R.LOCK)
    else:
        raise sniff_other(head)
    try:
        raw, scans = isolate.read(data, kind)
    except UnreadableFile as e:
        raise _wps_hint(path, e) if kind == "xls" else e
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


def _wps_hint(path: str, e: UnreadableFile) -> UnreadableFile:
    """An .et/.ett file that calamine cannot read is WPS's own format rather than a damaged workbook:
    say how to save it as .xlsx (a password-protected one keeps its own message)."""
    if is_wps_name(path) and e.code != ENCRYPTED:
        return UnreadableFile(WPS_ET, R.WPS)
    return e


def _book_findings(name_order: list, scans: dict) -> tuple:
    """Findings about trimmed sheets and formulas without values, plus the formula cell list."""
    findings, formulas = [], []
    for name in name_order:
        sc = scans.get(name)
        if sc is None:
            continue
        if sc.far_cells:
            findings.append(
                make(
                    SHEET_TOO_LARGE,
                    None,
                    sheet=name,
                    cell=sc.far_ref,
                    message=f"工作表“{name}”有{sc.far_cells}个单元格超出读取范围（最远到{sc.far_ref}；"
                    f"本工具只读取前{ROW_LIMIT}行、前{COL_LIMIT}列），超出部分未读取；"
                    "请删除表格以外的多余内容（或把有用的内容移到表格内）后重新提交。",
                )
            )
        formulas.extend((name, ref) for ref in sc.formulas_without_value)
    for sheet, ref in formulas[:FORMULA_FINDINGS_MAX]:
        findings.append(
            make(
                FORMULA_NOT_CALCULATED,
                None,
                sheet=sheet,
                cell=ref,
                message=f"单元格{ref}含公式但没有计算结果，请在Excel/WPS中打开并保存后重新提交。",
            )
        )
    if len(formulas) > FORMULA_FINDINGS_MAX:
        rest = len(formulas) - FORMULA_FINDINGS_MAX
        findings.append(
            make(
                FORMULA_NOT_CALCULATED,
                None,
                sheet=formulas[FORMULA_FINDINGS_MAX][0],
                cell="",
                message=f"另有{rest}个单元格含公式但没有计算结果，请在Excel/WPS中打开并保存后重新提交。",
            )
        )
    return findings, formulas
