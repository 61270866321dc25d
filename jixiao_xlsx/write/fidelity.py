"""What the clerk saw beyond the values: number formats and data validations of an .xlsx source.

The scored workbook is rebuilt from the read grid (values only), so ``0.00``, ``#,##0.00``,
``yyyy"年"m"月"d"日"`` and the template's dropdowns would be lost (issue #13 item 18).  This module reads
them straight from the source zip: ``xl/styles.xml`` (numFmts + cellXfs), each worksheet's cell style
indexes and its ``<dataValidations>``.  Best effort and bounded: a part that is too large, holds a DTD
or does not parse gives nothing (the copy then shows values as before); it never raises.

Interface: :func:`read_fidelity(path) <read_fidelity>` -> ``{sheet name: SheetLook}``.
"""
from __future__ import annotations

import math
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Optional

from defusedxml import ElementTree as _ET

MAX_PART = 64 * 1024 * 1024  # bytes of one uncompressed part read for this (book.py refuses far larger files)
MAX_STYLES_PART = 8 * 1024 * 1024
MAX_XFS = 65_536  # Excel's own limit of cell formats
MAX_FORMATTED = 200_000  # formatted cells kept per sheet
MAX_VALIDATIONS = 1_000  # data validations kept per sheet (a template has a handful)
ROWS, COLS = 10_000, 100  # the grid the reader keeps (read.book ROW_LIMIT / COL_LIMIT)

_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"
_CELL = re.compile(rb"<" + _NS + rb"c\b([^<>]*)>")
_ATTR_R = re.compile(rb"""(?<![\w:.-])r\s*=\s*["']\$?([A-Za-z]{1,3})\$?([0-9]{1,7})["']""")
_ATTR_S = re.compile(rb"""(?<![\w:.-])s\s*=\s*["']([0-9]{1,6})["']""")
_DVS = re.compile(rb"<(" + _NS + rb")dataValidations\b.*?</\1dataValidations\s*>", re.S)
_PREFIX = re.compile(rb"<(/?)[A-Za-z_][\w.-]*:")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_GENERAL = {0, 49}  # General and @ (text): nothing to keep

DV_TYPES = {"whole": "integer", "decimal": "decimal", "list": "list", "date": "date", "time": "time",
            "textLength": "length", "custom": "custom"}  # fmt: skip
DV_OPERATORS = {"between": "between", "notBetween": "not between", "equal": "==", "notEqual": "!=",
                "greaterThan": ">", "lessThan": "<", "greaterThanOrEqual": ">=", "lessThanOrEqual": "<="}  # fmt: skip
DV_ERROR_STYLES = {"stop": "stop", "warning": "warning", "information": "information"}


@dataclass
class SheetLook:
    """One sheet's look: ``formats`` {(r, c) 0-based: num_format (code, or a built-in index)} and
    ``validations`` [(first_row, first_col, last_row, last_col, xlsxwriter options)]."""

    formats: dict = field(default_factory=dict)
    validations: list = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _col(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def _rc(ref: str) -> Optional[tuple]:
    m = _REF.match(ref.strip())
    return (int(m.group(2)) - 1, _col(m.group(1))) if m else None


def _read(z: zipfile.ZipFile, name: str, limit: int = MAX_PART) -> Optional[bytes]:
    try:
        info = z.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        return None
    with z.open(info) as f:
        data = f.read(limit + 1)
    if len(data) > limit or _DTD.search(data):
        return None
    return data


def _parse(data: Optional[bytes]):
    if data is None:
        return None
    try:
        return _ET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except Exception:  # noqa: BLE001 - a malformed or hostile part gives nothing, never a traceback
        return None


def _number_formats(z) -> list:
    """num_format per cellXfs index (None: General/text); a custom code, or a built-in index."""
    data = _read(z, "xl/styles.xml", MAX_STYLES_PART)
    return [] if data is None else list(_styles_formats(data))


def _styles_formats(data: bytes) -> tuple:
    root = _parse(data)
    if root is None:
        return ()
    codes = {}
    xfs = []
    for el in root:
        name = _local(el.tag)
        if name == "numFmts":
            for nf in el:
                try:
                    codes[int(nf.get("numFmtId", ""))] = nf.get("formatCode") or ""
                except ValueError:
                    continue
        elif name == "cellXfs":
            for xf in el:
                if len(xfs) >= MAX_XFS:
                    break
                try:
                    xfs.append(int(xf.get("numFmtId", "0") or 0))
                except ValueError:
                    xfs.append(0)
    out = []
    for i in xfs:
        if i in _GENERAL:
            out.append(None)
        elif i in codes and codes[i]:
            out.append(codes[i])
        elif i < 164:
            out.append(i)  # a built-in format: xlsxwriter writes the index as it is
        else:
            out.append(None)
    return tuple(out)


def _sheet_parts(z) -> dict:
    """{sheet name: zip part name} from workbook.xml and its relationships."""
    wb = _parse(_read(z, "xl/workbook.xml", MAX_STYLES_PART))
    rels = _parse(_read(z, "xl/_rels/workbook.xml.rels", MAX_STYLES_PART))
    if wb is None or rels is None:
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target") or ""
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = part
    out = {}
    for el in wb.iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
            if el.get("name") and rid in targets:
                out[el.get("name")] = targets[rid]
    return out


def _formats(xml: bytes, styles: list) -> dict:
    out = {}
    for m in _CELL.finditer(xml):
        attrs = m.group(1)
        s = _ATTR_S.search(attrs)
        if not s:
            continue
        i = int(s.group(1))
        fmt = styles[i] if i < len(styles) else None
        if fmt is None:
            continue
        r = _ATTR_R.search(attrs)
        if not r:
            continue
        row, col = int(r.group(2)) - 1, _col(r.group(1).decode())
        if 0 <= row < ROWS and 0 <= col < COLS:
            out[(row, col)] = fmt
            if len(out) >= MAX_FORMATTED:
                break
    return out


def _dv_value(kind: str, text: Optional[str]):
    """A formula1/formula2 as xlsxwriter takes it: a number where it is one, else a formula."""
    if text is None:
        return None
    t = text.strip()
    try:
        x = float(t)
    except ValueError:
        return "=" + t
    if not math.isfinite(x):
        return None
    if kind in ("date", "time"):
        return "=" + t  # a serial number: a formula keeps it exact without a datetime round trip
    return int(x) if x == int(x) and abs(x) < 1e15 else x  # "0" stays 0, not 0.0


def _validation(el) -> Optional[tuple]:
    a = el.attrib
    kind = DV_TYPES.get(a.get("type", ""), None)
    ranges = [x for x in (a.get("sqref") or "").split() if x]
    if kind is None or not ranges:
        return None
    cells = []
    for rng in ranges:
        ends = [_rc(x) for x in rng.split(":")]
        if not ends or None in ends or len(ends) > 2:
            return None
        (r0, c0), (r1, c1) = ends[0], ends[-1]
        cells.append((min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1)))
    f1 = f2 = None
    for child in el:
        if _local(child.tag) == "formula1":
            f1 = child.text
        elif _local(child.tag) == "formula2":
            f2 = child.text
    opts: dict = {"validate": kind, "ignore_blank": a.get("allowBlank") in ("1", "true")}
    if kind == "list":
        if not f1:
            return None
        t = f1.strip()
        if len(t) >= 2 and t[0] == t[-1] == '"':
            items = t[1:-1].replace('""', '"').split(",")
            opts["source"] = items
        else:
            opts["source"] = "=" + t
        # showDropDown="1" means *hide* the in-cell arrow (an OOXML quirk)
        opts["dropdown"] = a.get("showDropDown") not in ("1", "true")
    elif kind == "custom":
        if not f1:
            return None
        opts["value"] = "=" + f1.strip()
    else:
        crit = DV_OPERATORS.get(a.get("operator") or "between", "between")
        opts["criteria"] = crit
        if crit in ("between", "not between"):
            lo, hi = _dv_value(kind, f1), _dv_value(kind, f2)
            if lo is None or hi is None:
                return None
            opts["minimum"], opts["maximum"] = lo, hi
        else:
            v = _dv_value(kind, f1)
            if v is None:
                return None
            opts["value"] = v
    for attr, key, most in (("promptTitle", "input_title", 32), ("prompt", "input_message", 255),
                            ("errorTitle", "error_title", 32), ("error", "error_message", 255)):  # fmt: skip
        if a.get(attr):
            opts[key] = a.get(attr)[:most]  # Excel's limits (xlsxwriter refuses the validation beyond them)
    opts["show_input"] = a.get("showInputMessage") in ("1", "true")
    opts["show_error"] = a.get("showErrorMessage") in ("1", "true")
    opts["error_type"] = DV_ERROR_STYLES.get(a.get("errorStyle") or "stop", "stop")
    r0, c0, r1, c1 = cells[0]
    if len(cells) > 1:
        opts["multi_range"] = " ".join(ranges)
    return (r0, c0, r1, c1, opts)


def _validations(xml: bytes) -> list:
    m = _DVS.search(xml)
    if not m:
        return []
    return list(_parse_validations(m.group(0)))


def _parse_validations(fragment: bytes) -> tuple:
    root = _parse(_PREFIX.sub(rb"<\1", fragment))
    if root is None:
        return ()
    out = []
    for el in root:
        if _local(el.tag) == "dataValidation":
            v = _validation(el)
            if v is not None:
                out.append(v)
                if len(out) >= MAX_VALIDATIONS:
                    break
    return tuple(out)


def read_fidelity(path) -> dict:
    """{sheet name: :class:`SheetLook`} of an .xlsx/.xlsm at ``path``; {} for any other file or on
    any problem (the scored workbook then keeps values only, as before)."""
    try:
        if not zipfile.is_zipfile(path):
            return {}
        with zipfile.ZipFile(path) as z:
            styles = _number_formats(z)
            out = {}
            for name, part in _sheet_parts(z).items():
                xml = _read(z, part)
                if xml is None:
                    continue
                look = SheetLook(_formats(xml, styles) if styles else {}, _validations(xml))
                if look.formats or look.validations:
                    out[name] = look
            return out
    except Exception:  # noqa: BLE001 - fidelity is a nicety; a bad file is the reader's to report
        return {}
