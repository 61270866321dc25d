"""Hostile and odd workbooks a review of the pre-scan and the (since removed) stored zip turned up.

Each case is built from the 嘉禾街 sample by editing its parts. The first two aborted the whole
process before (python-calamine allocates a grid up to the farthest cell it sees, and it takes the
*last* of two ``r`` attributes and cells under any namespace prefix), so they run in a child.
"""
from __future__ import annotations

import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from jixiao_xlsx.read import book as B
from jixiao_xlsx.read import grid, isolate, parse, xlsxscan

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
    """open_book in a child process (an abort there must not take pytest down): its findings, or
    REFUSED and the reason."""
    code = (
        "import sys; from jixiao_xlsx.read import book as B\n"
        "try:\n"
        f"    b = B.open_book({str(path)!r})\n"
        "    print([(f.code, f.cell) for f in b.findings])\n"
        "except B.UnreadableFile as e:\n"
        "    print('REFUSED', e.reason)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 0, (r.returncode, r.stderr[-500:])
    return r.stdout


@pytest.mark.parametrize("rows", [
    '<row r="26"><前:c xmlns:前="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="XFD1048576" '
    't="inlineStr"><前:is><前:t>x</前:t></前:is></前:c></row>'.encode(),  # a prefix that is not ASCII
    b'<row r="26"><c r="XFD0001048576"><v>1</v></c></row>',  # leading zeros: more than 9 digits
    b'<row r="26"><c r="AAAA1048576"><v>1</v></c></row>',  # four letters
    b'<row r="26"><c r="A26"><v>1</v></c ><c r="XFD1048576"><v>1</v></c></row>',  # an end tag with a space
    b'<row r="00001048576">' + b"<c><v>1</v></c>" * 100 + b'</row><row r="27"/>',  # an 11-digit row
    # calamine counts rows from the row tags only: a cell's own r must not move the far row back
    b'<row r="1048576"><c r="A1"><v>1</v></c>' + b"<c><v>1</v></c>" * 99 + b'</row><row r="27"/>',
])
def test_far_cell_calamine_would_see_is_cut_not_fatal(tmp_path, rows):
    p = build(tmp_path / "far.xlsx", in_sheet(lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>", 1)))
    assert "SHEET_TOO_LARGE" in open_in_child(p)


@pytest.mark.parametrize("rows", [
    b'<row r="26"><c r="B2" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',  # two r
    b'<row r="26"><c r="XFD1048576" s="0" t="n" r="B26"><v>1</v></c></row>',  # calamine: the first r here
    b'<row r="26"><c r="XFD1048576"\x0br="B26"><v>1</v></c></row>',  # not whitespace to calamine
    b'<row r="26"><c foo=">" r="XFD1048576"><v>1</v></c></row>',  # a > inside a quoted value
    b'<row foo=">" r="1048576">' + b"<c><v>1</v></c>" * 100 + b'</row><row r="27"/>',
    b'<row r="1048576" r="26">' + b"<c><v>1</v></c>" * 100 + b'</row><row r="27"/>',  # rows: the first
    b'<row r="1048576"><c r="CV1"><v>1</v></c>' + b'<c s="0" s="0" t="n" r="A1"><v>1</v></c>' * 30
    + b'</row><row r="27"/>',  # two s: calamine stops reading attributes before r
])
def test_cell_tags_no_reader_can_be_sure_of_are_refused(tmp_path, rows):
    """Tags Excel never writes, which calamine and any scan may read differently: a clear refusal
    (open it in Excel or WPS and save it again) instead of a guess that can abort the process."""
    p = build(tmp_path / "odd.xlsx", in_sheet(lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>", 1)))
    out = open_in_child(p)
    assert out.startswith("REFUSED") and "重新保存" in out, out
    assert "工作表“填表说明”中有格式异常的单元格标记" in out, out  # which sheet to look at


FAR_ROW = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


@pytest.mark.parametrize("target", ["xl/worksheets/sheet1.bin", "xl/worksheets/sheet1.png", "xl/worksheets/sheet1.xml/"])
def test_a_sheet_under_any_name_is_checked(tmp_path, target):
    """The workbook may point at a sheet named like an image or a folder: calamine reads it as XML,
    so it is checked and trimmed like any sheet (each of these aborted the process before). The name
    ending in / resolves to no sheet of ours: trimmed without a finding."""
    def edit(parts):
        out = []
        for n, b in parts:
            if n == GUIDE:
                n, b = target, b.replace(b"</sheetData>", FAR_ROW + b"</sheetData>")
            if n == "xl/_rels/workbook.xml.rels":
                b = b.replace(b'Target="worksheets/sheet1.xml"', b'Target="' + target[3:].encode() + b'"')
            out.append((n, b))
        return out

    out = open_in_child(build(tmp_path / "t.xlsx", edit))
    assert ("SHEET_TOO_LARGE" in out) if not target.endswith("/") else out.startswith("[")


def test_an_absurd_shared_string_count_is_dropped(tmp_path):
    """calamine reserves memory for the declared count before reading a string."""
    p = build(tmp_path / "sst.xlsx", lambda parts: [
        (n, b.replace(b'uniqueCount="', b'uniqueCount="100000000000', 1) if n == "xl/sharedStrings.xml" else b)
        for n, b in parts])  # fmt: skip
    assert open_in_child(p).startswith("[")


@pytest.mark.parametrize("body", [
    b"<!-- " + b"<c " * 40_000 + b"-->",  # tags never closed, inside a comment
    b"<!-- " + b"<row " * 40_000 + b"-->",
    b'<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[' + b"<c " * 40_000 + b"]]></t></is></c></row>",
], ids=["c-in-comment", "row-in-comment", "c-in-cdata"])
def test_tags_that_never_close_do_not_hang(tmp_path, body):
    """No tag pattern runs past a '<' (a real tag holds none outside quotes), so 40,000 '<c ' in a
    comment or CDATA cost one pass, not one pass each (minutes before; a hang guard)."""
    p = build(tmp_path / "q.xlsx", in_sheet(lambda x: x.replace(b"<sheetData>", b"<sheetData>" + body, 1)
                                            if body.startswith(b"<!--") else x.replace(b"</sheetData>", body + b"</sheetData>", 1)))
    assert open_in_child(p).startswith("[")


@pytest.mark.parametrize("junk", [b"<c>", b"<!--"])
def test_unclosed_tags_in_bulk_do_not_hang(tmp_path, junk):
    """60,000 unclosed <c> or <!-- after the table: each once, not once per later tag (minutes before;
    a hang guard, not a timing test)."""
    extra = b'<extLst><ext uri="x"><![CDATA[' + junk * 60_000 + b"]]></ext></extLst>"
    p = build(tmp_path / "u.xlsx", in_sheet(lambda x: x.replace(b"</worksheet>", extra + b"</worksheet>")))
    open_in_child(p)


def test_formula_elements_far_from_any_cell_do_not_make_the_scan_quadratic(tmp_path):
    """40,000 ``<cx/>`` tags then 40,000 ``<f/>`` after the table: the backward searches have a budget
    of one walk over the sheet (this took minutes before; a hang guard, not a timing test)."""
    junk = b"<extLst>" + b"<cx/>" * 40_000 + b"<f/>" * 40_000 + b"</extLst>"
    p = build(tmp_path / "quad.xlsx", in_sheet(lambda x: x.replace(b"</worksheet>", junk + b"</worksheet>")))
    assert open_in_child(p).startswith("[")


def test_thousands_of_percent_styles_do_not_become_one_pattern(tmp_path, monkeypatch):
    styles = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="5000">'
              + b'<xf numFmtId="9"/>' * 5000 + b"</cellXfs></styleSheet>")  # fmt: skip
    p = build(tmp_path / "styles.xlsx", lambda parts: [(n, styles if n == "xl/styles.xml" else b) for n, b in parts])
    sizes = []
    real = xlsxscan._pct_cell_pattern
    monkeypatch.setattr(xlsxscan, "_pct_cell_pattern", lambda pct: sizes.append(len(pct)) or real(pct))
    monkeypatch.setattr(isolate, "read", parse.read_workbook)  # in this process, to see the calls
    B.open_book(p)
    assert all(n <= xlsxscan._PCT_PATTERN_MAX for n in sizes)


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
    blob, _scans = parse._prepare_zip(data, "xlsx")
    assert blob is data


def _merges(n: int, ref: bytes):
    def edit(parts):
        sheet = "xl/worksheets/sheet5.xml"  # 绩效指标
        out = []
        for name, body in parts:
            if name == sheet:
                cells = b'<mergeCells count="%d">' % n + (b'<mergeCell ref="' + ref + b'"/>') * n + b"</mergeCells>"
                body = re.sub(rb"<mergeCells.*?</mergeCells>", b"", body, flags=re.S)
                body = body.replace(b"</sheetData>", b"</sheetData>" + cells)
            out.append((name, body))
        return out
    return edit


def test_tens_of_thousands_of_merges_are_refused_not_spread(tmp_path):
    """60,000 merged ranges of 10,000 cells each made `check` spend 45 s spreading them cell by cell."""
    with pytest.raises(B.UnreadableFile) as e:
        B.open_book(build(tmp_path / "m.xlsx", _merges(60_000, b"A300:CV399")))
    assert "合并单元格" in e.value.reason and "60000" in e.value.reason


def test_merged_cells_indexed_stay_bounded():
    """Below the refusal, a sheet indexes at most _MERGE_CELLS_TOTAL merged cells; the rest are looked
    up range by range, with the same answers."""
    merges = [(r, 0, r + 99, 99) for r in range(0, 15_000, 100)]  # 150 ranges × 10,000 cells
    s = B.Sheet("x", [["v"] * 100 for _ in range(100)], merges)
    assert s.anchor(14_950, 50) == (14_900, 0) and s.anchor(5, 5) == (0, 0) and s.anchor(9_850, 99) == (9_800, 0)
    assert len(s._anchor) <= grid._MERGE_CELLS_TOTAL and s._big_merges


def test_an_attribute_in_another_namespace_is_not_the_address(tmp_path):
    """calamine ignores x:r; so does the pre-scan now (it used to take x:r="XFD1048576" for the
    address and cut a cell calamine would have kept)."""
    rows = b'<row r="26"><c x:r="XFD1048576" xmlns:x="urn:x" t="inlineStr"><is><t>kept</t></is></c></row>'
    p = build(tmp_path / "x.xlsx", in_sheet(lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>", 1)))
    b = B.open_book(p)
    assert b.findings == [] and b.get("填表说明").rows[25][0] == "kept"
