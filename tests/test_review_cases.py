"""Hostile and odd workbooks a review of the pre-scan and the stored zip turned up.

Each case is built from the 嘉禾街 sample by editing its parts. The first two aborted the whole
process before (python-calamine allocates a grid up to the farthest cell it sees, and it takes the
*last* of two ``r`` attributes and cells under any namespace prefix), so they run in a child.
"""
from __future__ import annotations

import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from jixiao_xlsx import book as B

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "jiahe-2022.xlsx"
GUIDE = "xl/worksheets/sheet1.xml"  # 填表说明, the first sheet of the sample


def build(path: Path, edit, method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(SAMPLE) as z:
        parts = [(i.filename, z.read(i)) for i in z.infolist()]
    parts = edit(parts) or parts
    with zipfile.ZipFile(path, "w", method) as z:
        for name, body in parts:
            z.writestr(name, body)
    return path


def in_sheet(xml_edit):
    def edit(parts):
        return [(n, xml_edit(b) if n == GUIDE else b) for n, b in parts]
    return edit


def open_in_child(path: Path) -> str:
    code = (
        "import sys; from jixiao_xlsx import book as B\n"
        f"b = B.open_book({str(path)!r})\n"
        "print([(f.code, f.cell) for f in b.findings])\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 0, (r.returncode, r.stderr[-500:])
    return r.stdout


@pytest.mark.parametrize("cell", [
    b'<c r="B2" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',  # two r: calamine takes the last
    '<前:c xmlns:前="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="XFD1048576" '
    't="inlineStr"><前:is><前:t>x</前:t></前:is></前:c>'.encode(),  # a prefix that is not ASCII
])
def test_far_cell_calamine_would_see_is_cut_not_fatal(tmp_path, cell):
    p = build(tmp_path / "far.xlsx", in_sheet(lambda x: x.replace(b"</row>", cell + b"</row>", 1)))
    assert "SHEET_TOO_LARGE" in open_in_child(p)


def test_formula_elements_far_from_any_cell_do_not_make_the_scan_quadratic(tmp_path):
    """40,000 ``<cx/>`` tags then 40,000 ``<f/>`` after the table: the backward searches have a budget
    of one walk over the sheet (this took minutes before; a hang guard, not a timing test)."""
    junk = b"<extLst>" + b"<cx/>" * 40_000 + b"<f/>" * 40_000 + b"</extLst>"
    p = build(tmp_path / "quad.xlsx", in_sheet(lambda x: x.replace(b"</worksheet>", junk + b"</worksheet>")))
    assert open_in_child(p).startswith("[")


def test_thousands_of_percent_styles_do_not_become_one_pattern(tmp_path):
    styles = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="5000">'
              + b'<xf numFmtId="9"/>' * 5000 + b"</cellXfs></styleSheet>")  # fmt: skip
    p = build(tmp_path / "styles.xlsx", lambda parts: [(n, styles if n == "xl/styles.xml" else b) for n, b in parts])
    B._PCT_CELL_MEMO.clear()
    B.open_book(p)
    assert all(len(k) <= B._PCT_PATTERN_MAX for k in B._PCT_CELL_MEMO)


def test_rows_inside_a_comment_are_not_rows(tmp_path):
    """A far row written inside an XML comment: calamine ignores it, so must the pre-scan (the cut
    used to start inside the comment and leave it unclosed)."""
    p = build(tmp_path / "c.xlsx", in_sheet(lambda x: x.replace(
        b"</sheetData>", b'<!-- <row r="20001"><c r="A20001"><v>1</v></c></row> --></sheetData>')))
    b = B.open_book(p)
    assert b.findings == [] and b.get("填表说明").nrows < 100


def _clear_utf8_flags(path: Path) -> None:
    d = bytearray(path.read_bytes())
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = d.find(sig)
        while i >= 0:
            struct.pack_into("<H", d, i + at, struct.unpack_from("<H", d, i + at)[0] & ~0x800)
            i = d.find(sig, i + 4)
    path.write_bytes(bytes(d))


def test_member_names_keep_their_own_bytes(tmp_path):
    """A sheet part named in UTF-8 without the UTF-8 flag (some zip tools do that) opened before;
    the zip handed to calamine keeps the name's bytes and flag, so it still opens."""
    def rename(parts):
        out = []
        for n, b in parts:
            if n == "xl/worksheets/sheet5.xml":
                n = "xl/worksheets/表5.xml"
            if n in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                b = b.replace(b"worksheets/sheet5.xml", "worksheets/表5.xml".encode())
            out.append((n, b))
        return out

    p = build(tmp_path / "noflag.xlsx", rename)
    _clear_utf8_flags(p)
    assert len(B.open_book(p).get("绩效指标").rows) > 10


def test_lzma_members_are_refused_as_before(tmp_path):
    p = build(tmp_path / "lzma.xlsx", lambda parts: None, method=zipfile.ZIP_LZMA)
    with pytest.raises(B.UnreadableFile):
        B.open_book(p)


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_two_members_of_one_name_go_to_calamine_as_they_were(tmp_path):
    p = build(tmp_path / "dup.xlsx", lambda parts: parts + [(GUIDE, dict(parts)[GUIDE])])
    data = p.read_bytes()
    _kind, blob, _scans = B._check_zip(data, str(p))
    assert blob == data
