"""book.open_book: sniffing, refusals, limits, formula/percent detection; output.safe_filename and atomic_path.

Tests that change a read limit run the reader in this process (:func:`in_process`): the reader
child of :mod:`jixiao_xlsx.read.isolate` would not see a monkeypatched limit."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from jixiao_xlsx.model import Cell
from jixiao_xlsx.read import book as B
from jixiao_xlsx.read import guard, isolate, parse, xlsxscan
from jixiao_xlsx.read.book import Book, Sheet, UnreadableFile, cell_ref, col_index, col_letter, open_book, ole_stream_names
from jixiao_xlsx.write.output import OutputError, atomic_path, safe_child, safe_filename

from tests.support import badbooks

ROOT = Path(__file__).resolve().parents[1]


def refuse(path) -> str:
    with pytest.raises(UnreadableFile) as e:
        open_book(path)
    assert e.value.code.startswith("FILE_")
    return e.value.reason


def in_process(monkeypatch, rows=None, cols=None):
    """Read in this process (no reader child) with the given limits."""
    monkeypatch.setattr(isolate, "read", parse.read_workbook)
    for mod in (guard, xlsxscan, parse, B):
        if rows is not None:
            monkeypatch.setattr(mod, "ROW_LIMIT", rows)
        if cols is not None:
            monkeypatch.setattr(mod, "COL_LIMIT", cols)


def xlsx(path, rows, name="S", fmt=None):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(name)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v, fmt and wb.add_format(fmt))
    wb.close()
    return path


def rezip(path, edit):
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    edit(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return path


# -- addresses ----------------------------------------------------------------------------------------
def test_col_letters_round_trip():
    assert [col_letter(c) for c in (0, 25, 26, 701, 702, 16383)] == ["A", "Z", "AA", "ZZ", "AAA", "XFD"]
    assert all(col_index(col_letter(c)) == c for c in range(0, 20000, 7))
    assert cell_ref(1048575, 16383) == "XFD1048576"
    from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell  # what a1.py agrees with

    assert all(col_letter(c) == xl_col_to_name(c) for c in range(0, 16384, 3))
    assert all(cell_ref(r, c) == xl_rowcol_to_cell(r, c) for r in (0, 9, 1048575) for c in range(0, 16384, 97))


# -- plain reading ------------------------------------------------------------------------------------
def test_reads_grid_from_a1_with_merges_and_types(tmp_path):
    p = tmp_path / "a.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("表")
    ws.merge_range("B2:C3", "合并", None)
    ws.write("D4", 2.5)
    wb.close()
    b = open_book(p)
    s = b.get("表")
    assert b.format == "xlsx" and b.names == ["表"] and b.findings == []
    assert s.value(0, 0) is None and s.value(1, 1) == "合并" and s.value(2, 2) == "合并"
    assert s.cell(2, 2).ref == "B2" and s.cell(3, 3).value == 2.5 and s.cell(3, 3).where == "表!D4"


def test_positional_constructors_stay_compatible():
    s = Sheet("x", [["a"]], [], True)
    b = Book("p.xlsx", [s])
    assert s.percent_cells == set() and s.hidden_rows == set() and b.findings == [] and b.formula_cells_without_value == []


def test_content_decides_not_extension(tmp_path):
    p = xlsx(tmp_path / "really_xlsx.xls", [["a", 1]])
    b = open_book(p)
    assert b.format == "xlsx" and b.sheets[0].value(0, 1) == 1


def test_nan_and_inf_become_text(tmp_path):
    p = xlsx(tmp_path / "n.xlsx", [["NANX", "INFX", 3]])

    def edit(parts):
        xml = parts["xl/worksheets/sheet1.xml"]
        xml = xml.replace(b'<c r="A1" t="s"><v>0</v></c>', b'<c r="A1"><v>NaN</v></c>')
        xml = xml.replace(b'<c r="B1" t="s"><v>1</v></c>', b'<c r="B1"><v>1e309</v></c>')
        parts["xl/worksheets/sheet1.xml"] = xml

    rezip(p, edit)
    row = open_book(p).sheets[0].rows[0]
    assert row[0].lower() == "nan" and row[1] == "inf" and row[2] == 3


# -- refusals -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "文件为空（0字节）"),
        (badbooks.MIN_PDF, "这是一个PDF文件，不是Excel工作簿，请提交.xlsx格式的自评表"),
        ("项目,年度\n党建,2022\n".encode("gbk"), "CSV"),
        ("说明文字\n".encode(), "文本文件"),
        (b"<html><table><tr><td>1</td></tr></table></html>", "网页"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "图片"),
        (b"Rar!\x1a\x07\x00" + b"\0" * 20, "压缩包"),
        (bytes(range(256)) * 4, "无法识别"),
    ],
)
def test_not_a_workbook_says_what_it_is(tmp_path, content, words):
    p = tmp_path / "x.xlsx"
    p.write_bytes(content)
    assert words in refuse(p)


def test_missing_file_and_folder(tmp_path):
    assert "不存在" in refuse(tmp_path / "nope.xlsx")
    assert "文件夹" in refuse(tmp_path)


def test_docx_renamed(tmp_path):
    p = tmp_path / "r.xlsx"
    badbooks.minimal_zip(badbooks.DOCX_PARTS)(p)
    assert "Word文档（.docx）" in refuse(p)


def test_truncated_zip(tmp_path):
    p = xlsx(tmp_path / "t.xlsx", [["a"] * 5] * 50)
    b = p.read_bytes()
    p.write_bytes(b[: len(b) // 2])
    assert "损坏或不完整" in refuse(p)


def test_encrypted_ole_container(tmp_path):
    data = badbooks.cfb({"EncryptionInfo": b"\x04\x00", "EncryptedPackage": b"\x00" * 10})
    assert {"EncryptionInfo", "EncryptedPackage"} <= set(ole_stream_names(data))
    p = tmp_path / "e.xlsx"
    p.write_bytes(data)
    assert "工作簿设置了打开密码" in refuse(p)


def test_word_doc_ole(tmp_path):
    p = tmp_path / "d.xls"
    p.write_bytes(badbooks.cfb({"WordDocument": b"\xec\xa5"}))
    assert "Word文档（.doc）" in refuse(p)


def test_wps_et_file_says_how_to_save_it_as_xlsx(tmp_path):
    # WPS's own .et format is an OLE file without an Excel "Workbook" stream: not a damaged workbook
    wps = badbooks.cfb({"WpsContent": b"\x01\x02"})
    (tmp_path / "街道.et").write_bytes(wps)
    assert refuse(tmp_path / "街道.et") == B.WPS_ET and "另存为" in B.WPS_ET and "xlsx" in B.WPS_ET
    (tmp_path / "街道.xls").write_bytes(wps)  # the same bytes under an Excel name: the general message
    assert refuse(tmp_path / "街道.xls") != B.WPS_ET
    (tmp_path / "报告.et").write_bytes(badbooks.cfb({"WordDocument": b"\xec\xa5"}))
    assert "Word文档（.doc）" in refuse(tmp_path / "报告.et")  # a Word file under .et is called what it is
    enc = badbooks.cfb({"EncryptionInfo": b"\x04", "EncryptedPackage": b"\x00"})
    (tmp_path / "加密.et").write_bytes(enc)
    assert "打开密码" in refuse(tmp_path / "加密.et")  # a password keeps its own message
    # by content, not by name: a workbook saved under .et is read
    p = xlsx(tmp_path / "另存.et", [["项目名称", "测试"]])
    assert open_book(p).sheets[0].rows[0] == ["项目名称", "测试"]


def test_zip_of_chinese_windows_names_its_workbook_readably(tmp_path):
    # Chinese Windows writes member names in GBK without the UTF-8 flag; zipfile reads them as cp437
    real = "嘉禾街自评表.xlsx".encode("gbk")
    placeholder = b"A" * (len(real) - 5) + b".xlsx"
    p = tmp_path / "报送.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr(placeholder.decode(), b"x")
    p.write_bytes(p.read_bytes().replace(placeholder, real))
    assert zipfile.ZipFile(p).infolist()[0].flag_bits & 0x800 == 0
    assert "（如“嘉禾街自评表.xlsx”）" in refuse(p)


def test_zip_bomb_by_declared_size(tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "MAX_UNZIPPED_BYTES", 1_000_000)  # same code path as 200 MB, 1000x cheaper
    p = xlsx(tmp_path / "b.xlsx", [["a"]])
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/pad.bin", b" " * 1_500_000)
    assert "解压后过大" in refuse(p)


def test_zip_bomb_by_ratio(tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "RATIO_MIN_BYTES", 100_000)
    p = xlsx(tmp_path / "r.xlsx", [["a"]])
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("xl/media/zeros.bin", b"\0" * 3_000_000)
    assert "压缩比" in refuse(p)


@pytest.mark.parametrize("part", ["xl/sharedStrings.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_dtd_and_entities_refused(tmp_path, part):
    p = xlsx(tmp_path / "l.xlsx", [["text"]])

    def edit(parts):
        body = parts[part].split(b"?>", 1)[1]
        parts[part] = badbooks.LAUGHS + body

    rezip(p, edit)
    reason = refuse(p)
    assert "DTD" in reason and part in reason


def test_xlsb_and_zip_archive(tmp_path):
    p = tmp_path / "b.xlsx"
    badbooks.minimal_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\0"})(p)
    assert ".xlsb" in refuse(p)
    badbooks.minimal_zip({"x/a.xlsx": b"1"})(p)
    assert "解压后逐个提交" in refuse(p)


# -- limits -------------------------------------------------------------------------------------------
def test_far_cell_is_trimmed_not_allocated(tmp_path):
    """calamine aborts the process on A1:XFD1048576; the pre-scan drops the far cell and says so."""
    p = xlsx(tmp_path / "f.xlsx", [["a", 1]])
    rezip(p, lambda ps: ps.update({"xl/worksheets/sheet1.xml": ps["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>7</v></c></row></sheetData>')}))
    b = open_book(p)
    s = b.sheets[0]
    assert s.nrows == 1 and s.ncols == 2
    [f] = b.findings
    assert (f.code, f.sheet, f.cell) == (B.SHEET_TOO_LARGE, "S", "XFD1048576") and "1个单元格" in f.message


def test_rows_beyond_limit_are_cut(tmp_path, monkeypatch):
    in_process(monkeypatch, rows=50, cols=3)
    p = xlsx(tmp_path / "r.xlsx", [[r, r, r, r, r] for r in range(80)])
    b = open_book(p)
    s = b.sheets[0]
    assert s.nrows == 50 and s.ncols == 3
    [f] = b.findings
    # beyond: rows 51-80 x 5 cols (150) + rows 1-50 x cols D-E (100) = 250 cells
    assert f.code == B.SHEET_TOO_LARGE and "250个单元格" in f.message and f.cell == "E80"


def test_cells_without_r_attribute_are_positioned(tmp_path, monkeypatch):
    in_process(monkeypatch, cols=2)
    p = xlsx(tmp_path / "n.xlsx", [["a"]])
    rezip(p, lambda ps: ps.update({"xl/worksheets/sheet1.xml": ps["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b'<row r="2"><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row></sheetData>')}))
    b = open_book(p)
    assert b.sheets[0].rows[1] == [1.0, 2.0] and b.findings[0].cell == "C2"


# -- formulas, percent formats, hidden rows ---------------------------------------------------------
def test_formula_without_cached_value_is_reported(tmp_path):
    p = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "预算执行"
    ws["B2"], ws["B3"], ws["B4"] = 1, 2, "=SUM(B2:B3)"
    wb.save(p)
    b = open_book(p)
    assert b.formula_cells_without_value == [("预算执行", "B4")]
    [f] = b.findings
    assert (f.code, f.sheet, f.cell) == ("FORMULA_NOT_CALCULATED", "预算执行", "B4")
    assert f.message == "单元格B4含公式但没有计算结果，请在Excel/WPS中打开并保存后重新提交。"


def test_formula_with_cached_value_is_not_reported(tmp_path):
    p = tmp_path / "c.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("S")
    ws.write("A1", 1)
    ws.write_formula("A2", "=A1*2", None, 2)
    wb.close()
    b = open_book(p)
    assert b.findings == [] and b.sheets[0].value(1, 0) == 2


def test_many_formulas_are_summarised(tmp_path):
    p = tmp_path / "m.xlsx"
    wb = openpyxl.Workbook()
    for r in range(1, 31):
        wb.active[f"A{r}"] = "=1+1"
    wb.save(p)
    b = open_book(p)
    assert len(b.formula_cells_without_value) == 30
    assert len(b.findings) == B.FORMULA_FINDINGS_MAX + 1 and "另有10个单元格" in b.findings[-1].message


def test_percent_cells_from_styles(tmp_path):
    p = tmp_path / "p.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("S")
    ws.write("A1", 0.95, wb.add_format({"num_format": "0%"}))
    ws.write("B1", 0.5, wb.add_format({"num_format": "0.0%"}))
    ws.write("C1", 0.5, wb.add_format({"num_format": '0.00"%"'}))  # a literal '%' is still shown as percent
    ws.write("D1", 0.5, wb.add_format({"num_format": "0.00"}))
    ws.write("E1", "95%")
    wb.close()
    s = open_book(p).sheets[0]
    assert s.percent_cells == {(0, 0), (0, 1)}
    assert s.cell(0, 0).percent_format and not s.cell(0, 3).percent_format


def test_hidden_rows_and_sheets_are_read(tmp_path):
    p = tmp_path / "h.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    wb.add_worksheet("shown").write("A1", 1)
    ws = wb.add_worksheet("secret")
    ws.write("A1", "x")
    ws.write("A2", "y")
    ws.set_row(1, None, None, {"hidden": True})
    ws.hide()
    wb.close()
    b = open_book(p)
    s = b.get("secret")
    assert s.hidden and s.value(1, 0) == "y" and s.hidden_rows == {1} and not b.get("shown").hidden


@pytest.mark.soffice
@pytest.mark.skipif(badbooks.soffice() is None, reason="LibreOffice not installed")
def test_xls_reads_like_xlsx(tmp_path):
    src = badbooks.JIAHE
    a = tmp_path / "a.xlsx"
    badbooks.write_template(a, src)
    x = tmp_path / "a.xls"
    badbooks.lo_convert(a, "xls", x)
    bx, ba = open_book(x), open_book(a)
    assert bx.format == "xls" and bx.names == ba.names
    ind_x, ind_a = bx.get("绩效指标"), ba.get("绩效指标")
    for r in range(2, 12):
        assert [ind_x.value(r, c) for c in range(11)] == [ind_a.value(r, c) for c in range(11)]


def test_xlsm_reads_like_xlsx(tmp_path):
    p = tmp_path / "m.xlsm"
    badbooks.xlsm(p)
    b = open_book(p)
    assert b.format == "xlsx" and "绩效指标" in b.names


# -- output safety --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd", "/abs/x.xlsx", "C:\\x\\y.xlsx", "..", ".", "", "a/../../b", "CON", "nul.xlsx", "COM1",
     "lpt9.txt", 'a<b>c:d"e|f?g*h', "name. . ", "x" * 400 + ".xlsx", "嘉" * 300, "a\x00b\x1f", "\u202e\u200bx"],
)
def test_safe_filename_never_escapes(tmp_path, name):
    s = safe_filename(name)
    assert s and s not in (".", "..") and len(s) <= 120 and len(s.encode()) <= 200
    assert not any(ch in s for ch in '<>:"/\\|?*') and not any(ord(ch) < 32 for ch in s)
    assert not s.endswith((" ", "."))
    assert s.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9"}
    p = safe_child(tmp_path, name)
    assert p.parent == tmp_path
    p.write_text("ok")  # the file system accepts it
    assert p.read_text() == "ok"


def test_safe_filename_keeps_ordinary_names():
    assert safe_filename("嘉禾街 2022 党建经费.scored.xlsx") == "嘉禾街 2022 党建经费.scored.xlsx"
    assert safe_filename("x" * 300 + ".xlsx").endswith(".xlsx")


GBK_NAME = "嘉禾街".encode("gbk")  # b"\xbc\xce\xba\xcc\xbd\xd6": a Windows zip's name, unpacked on Linux


def test_readable_turns_a_gbk_file_name_into_chinese():
    from jixiao_xlsx.write.output import readable

    # how Python holds that name on a UTF-8 Linux system: the bytes that are not UTF-8 as lone surrogates
    held = os.fsdecode(b"/data/\xe5\x98\x89\xe7\xa6\xbe/" + GBK_NAME + b".xlsx")  # UTF-8 folder 嘉禾, GBK file
    assert held != "/data/嘉禾/嘉禾街.xlsx"
    assert readable(held) == "/data/嘉禾/嘉禾街.xlsx"
    assert readable("普通文字 & <x>") == "普通文字 & <x>"  # valid text is never touched
    assert readable(os.fsdecode(b"\xff\xfe.xlsx")) == "\ufffd\ufffd.xlsx"  # neither UTF-8 nor GB18030
    assert readable("a\ud800b") == "a?b"  # a surrogate that is no file name's byte
    assert safe_filename(os.fsdecode(GBK_NAME + b".xlsx")) == "嘉禾街.xlsx"


def test_atomic_path_leaves_nothing_on_keyboard_interrupt(tmp_path):
    target = tmp_path / "out.xlsx"
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target) as tmp:
            Path(tmp).write_bytes(b"half")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_keeps_old_file_on_failure(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            Path(tmp).write_bytes(b"new")
            raise RuntimeError
    assert target.read_bytes() == b"old" and list(tmp_path.iterdir()) == [target]


def test_atomic_path_never_replaces_an_input(tmp_path):
    src = tmp_path / "in.xlsx"
    src.write_bytes(b"input")
    with pytest.raises(OutputError):
        with atomic_path(src, protect=[src]):
            pass
    assert src.read_bytes() == b"input"


def test_huge_merge_is_not_spread_cell_by_cell():
    s = Sheet("x", [["a", None], [None, None]], [(0, 0, 1_048_575, 16_383), (5, 5, 6, 6)])
    assert s.anchor(1_000_000, 16_000) == (0, 0) and s.cell(1, 1).value == "a" and s.anchor(6, 6) == (5, 5)


@pytest.mark.parametrize("merges", [[], [(1, 0, 3, 0), (2, 2, 2, 4)], [(0, 0, 20_000, 1)], [(4, 1, 30_000, 30)]])
def test_row_cells_is_cell_by_cell(merges):
    """Sheet.row_cells (plain rows skip the merge lookups) gives what Sheet.cell gives, cell for cell."""
    rows = [["a", "", 1.5, None, "x"], [None, "b"], [], ["c", 2, "", 3, "d", "e"], ["f", "  ", "\u3000", 0, False]]
    s = Sheet("表", rows, merges, percent_cells={(3, 1), (0, 2)})
    missing = Cell(None, "表", "")
    cols = [0, None, 1, 2, 3, 4, 5, 6, 800]
    for r in range(-1, 7):
        got = s.row_cells(r, cols, missing)
        assert got == [missing if c is None else s.cell(r, c) for c in cols], r
        assert [c.blank for c in got] == [missing.blank if c is None else s.cell(r, c).blank for c in cols], r
        for some in ([0], [1, 2], [1, 3], [2], [2, 3], [4, 800], [1, 2, 3, 4], []):
            assert s.values_none(r, some) == all(s.value(r, c) is None for c in some), (r, some)
    assert [c.blank for c in s.row_cells(4, [0, 1, 2, 3, 4], missing)] == [False, True, True, False, False] or merges
    if not merges:
        assert s.row_cells(3, [1, 0], missing)[0] == Cell(2, "表", "B4", True)


# -- fuzz: damaged bytes give UnreadableFile or a Book, never anything else --------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_SMALL = None


def _small_book() -> bytes:
    global _SMALL
    if _SMALL is None:
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        ws = wb.add_worksheet("绩效指标")
        ws.merge_range("A1:C1", "标题")
        ws.write_row(1, 0, ["产出指标", "≥95%", 8, "=1+1"])
        wb.close()
        _SMALL = buf.getvalue()
    return _SMALL


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=4000), flips=st.lists(st.tuples(st.integers(0, 4000), st.integers(0, 255)), max_size=6))
def test_damaged_bytes_never_escape_as_other_errors(tmp_path, cut, flips):
    b = bytearray(_small_book())
    for pos, val in flips:
        b[pos % len(b)] = val
    if cut:
        b = b[: max(1, len(b) - cut)]
    p = tmp_path / "fuzz.xlsx"
    p.write_bytes(bytes(b))
    try:
        book = open_book(p)
    except UnreadableFile as e:
        assert e.reason
    else:
        assert isinstance(book, Book)


_XLS = {}


def _xls_seed():
    if "b" not in _XLS:
        import tempfile

        with tempfile.TemporaryDirectory() as t:
            src = Path(t) / "s.xlsx"
            src.write_bytes(_small_book())
            badbooks.lo_convert(src, "xls", Path(t) / "s.xls")
            _XLS["b"] = (Path(t) / "s.xls").read_bytes()
    return _XLS["b"]


@pytest.mark.soffice
@pytest.mark.skipif(badbooks.soffice() is None, reason="LibreOffice not installed")
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8))
def test_damaged_xls_never_kills_the_process(tmp_path, flips):
    """calamine's .xls reader panics or aborts (allocating hundreds of GB) on some damaged headers;
    open_book reads .xls in a child process, so this only ever yields a Book or UnreadableFile."""
    b = bytearray(_xls_seed())
    for pos, val in flips:
        b[pos % 1024 if pos % 2 else pos % len(b)] = val  # half the flips hit the CFB header/directory area
    p = tmp_path / "fuzz.xls"
    p.write_bytes(bytes(b))
    try:
        assert isinstance(open_book(p), Book)
    except UnreadableFile as e:
        assert e.reason


@pytest.mark.soffice
@pytest.mark.skipif(badbooks.soffice() is None, reason="LibreOffice not installed")
def test_xls_that_aborts_calamine_is_refused(tmp_path, capfd):
    """calamine aborts on this header (allocation failure): only the reader child ends, silently
    (no Rust message on the clerk's console), and the next file reads in a new child."""
    p = tmp_path / "dim.xls"
    badbooks.xls_bad_dimensions(p)
    with pytest.raises(UnreadableFile) as e:
        open_book(p)
    assert "损坏" in e.value.reason and e.value.code == "FILE_READER_CRASHED"
    assert open_book(ROOT / "samples" / "jiahe-2022.xlsx").get("绩效指标") is not None
    assert capfd.readouterr().err == ""


def test_atomic_path_explains_os_errors_in_chinese(tmp_path):
    long = tmp_path / ("表" * 84 + ".scored.xlsx")  # 264 bytes: over the 255-byte limit of most file systems
    with pytest.raises(OutputError) as e:
        with atomic_path(long) as tmp:
            Path(tmp).write_bytes(b"x")
    assert "文件名过长" in str(e.value)
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    try:
        if os.access(ro, os.W_OK):  # running as root: permissions are not enforced
            return
        with pytest.raises(OutputError) as e:
            with atomic_path(ro / "x.xlsx"):
                pass
        assert "没有写入权限" in str(e.value)
    finally:
        os.chmod(ro, 0o700)
    assert [p for p in tmp_path.rglob(".~jixiao-*")] == []


def test_derived_name_fits_the_file_system(tmp_path):
    from jixiao_xlsx.write.output import derived_name

    name = derived_name("表" * 83, ".scored.xlsx")
    assert name.endswith(".scored.xlsx") and len(name.encode()) <= 200
    (tmp_path / name).write_bytes(b"ok")
    assert derived_name("嘉禾街", ".scored.xlsx") == "嘉禾街.scored.xlsx"
    assert derived_name("../CON", ".scored.xlsx") == "_CON.scored.xlsx"  # '..' and '/' gone, CON defused


def test_devices_and_pipes_are_never_read(tmp_path):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    assert "不是一个普通文件" in refuse(fifo)  # would block forever if it were opened
    assert "不是一个普通文件" in refuse("/dev/zero")


# -- the zip handed to calamine ------------------------------------------------------------------------
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def _members(blob: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        assert z.testzip() is None  # every CRC right
        return {i.filename: (i.compress_type, z.read(i)) for i in z.infolist()}


def _book_with_image_and_unicode_part(tmp_path) -> Path:
    p = tmp_path / "img.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("绩效指标")
    ws.write_row(0, 0, ["三级指标", "年度指标值", 1.5])
    ws.insert_image("E2", "logo.png", {"image_data": io.BytesIO(_PNG)})
    wb.close()
    rezip(p, lambda ps: ps.update({"customXml/说明.xml": b"<note>\xe8\xaf\xb4\xe6\x98\x8e</note>"}))
    return p


def test_calamine_gets_the_file_as_it_is_unless_a_part_was_cut(tmp_path):
    """No rewrite of the zip for the usual workbook (calamine inflates the parts itself); a cut sheet
    is written back by zipfile, and calamine reads from it what it reads from the original."""
    p = _book_with_image_and_unicode_part(tmp_path)
    for path in (p, ROOT / "samples" / "jiahe-2022.xlsx"):
        data = path.read_bytes()
        blob, scans = parse._prepare_zip(data, "xlsx")
        assert blob is data and scans
    rezip(p, lambda ps: ps.update({"xl/worksheets/sheet1.xml": ps["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b'<row r="20001"><c r="A20001"><v>7</v></c></row></sheetData>')}))
    blob, _scans = parse._prepare_zip(p.read_bytes(), "xlsx")
    assert blob != p.read_bytes()
    with zipfile.ZipFile(io.BytesIO(blob)) as z, zipfile.ZipFile(p) as orig:
        assert [i.filename for i in z.infolist()] == [i.filename for i in orig.infolist()]
        assert z.testzip() is None and b"A20001" not in z.read("xl/worksheets/sheet1.xml")
    assert open_book(p).get("绩效指标").rows[0][:3] == ["三级指标", "年度指标值", 1.5]


def test_a_damaged_part_nobody_reads_leaves_the_file_as_it_was(tmp_path):
    """An image whose local header is broken: the workbook still opens (calamine never reads it),
    from the original bytes, exactly as before the stored zip existed."""
    p = _book_with_image_and_unicode_part(tmp_path)
    data = bytearray(p.read_bytes())
    with zipfile.ZipFile(p) as z:
        info = next(i for i in z.infolist() if i.filename.endswith(".png"))
    data[info.header_offset : info.header_offset + 4] = b"XXXX"
    assert guard.check_zip(bytes(data)) == "xlsx"
    blob, _scans = parse._prepare_zip(bytes(data), "xlsx")
    assert blob == bytes(data)
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(bytes(data))
    assert open_book(damaged).get("绩效指标").rows[0][:3] == ["三级指标", "年度指标值", 1.5]


def test_read_bytes_takes_the_whole_file_even_if_it_grew_after_stat(tmp_path, monkeypatch):
    """The read is sized by the stat just made; a file that grew since is still read whole."""
    p = tmp_path / "grew.xlsx"
    whole = b"PK\x03\x04" + b"x" * 20_000  # longer than the head read first
    p.write_bytes(whole)
    real = os.stat

    def stale(path, *a, **k):  # what stat said a moment before the file grew
        st = real(path, *a, **k)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, 100,
                               st.st_atime, st.st_mtime, st.st_ctime))  # fmt: skip

    monkeypatch.setattr(guard.os, "stat", stale)
    assert guard.read_bytes(str(p)) == whole
    monkeypatch.setattr(guard, "MAX_FILE_BYTES", 10_000)  # grown past the cap: read up to the cap, not to the end
    assert guard.read_bytes(str(p)) == whole[:10_001]


def test_a_file_that_is_no_container_is_sniffed_from_its_head_only(tmp_path, monkeypatch):
    """A CSV, .rar or .7z is never read whole (nor refused by size) just to say what it is; an
    oversized .zip is called an archive, an oversized workbook too large."""
    monkeypatch.setattr(guard, "MAX_FILE_BYTES", 50_000)
    csv = tmp_path / "导出.csv"
    csv.write_text("项目名称,预算\n" + "垃圾分类,100\n" * 20_000, encoding="utf-8")  # ~300 KB > the cap
    assert len(guard.read_bytes(str(csv))) == guard.HEAD_BYTES
    assert "CSV" in refuse(csv)
    rar = tmp_path / "报送.rar"
    rar.write_bytes(b"Rar!\x1a\x07\x00" + os.urandom(80_000))
    assert "压缩包" in refuse(rar) and "解压" in refuse(rar)
    big_zip = tmp_path / "全街道.zip"
    big_zip.write_bytes(b"PK\x03\x04" + b"\x00" * 60_000)
    assert "压缩包" in refuse(big_zip) and "过大" not in refuse(big_zip)
    big_book = tmp_path / "自评表.xlsx"
    big_book.write_bytes(b"PK\x03\x04" + b"\x00" * 60_000)
    assert "文件过大" in refuse(big_book)


# -- guarantees kept from the removed pre-scan memos and hand-written zip reader (issue #12) -----------
def _crc_offsets(data: bytes, name: str) -> list:
    """Where the CRC of ``name`` sits in its local header and in the central directory."""
    import struct

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    out = [info.header_offset + 14]
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        n, e, c = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46 : at + 46 + n].decode("utf-8", "replace") == name:
            out.append(at + 16)
        at = data.find(b"PK\x01\x02", at + 46 + n + e + c)
    assert len(out) == 2
    return out


def test_a_part_whose_crc_is_wrong_is_refused_as_damaged_every_time(tmp_path):
    """A damaged copy of a part read just before (same compressed bytes, CRC changed in both headers)
    is refused as damaged: nothing is remembered from one file to the next."""
    data = (ROOT / "samples" / "jiahe-2022.xlsx").read_bytes()
    bad = bytearray(data)
    for off in _crc_offsets(data, "xl/styles.xml"):
        bad[off : off + 4] = b"\x00\x00\x00\x00"
    p = tmp_path / "crc.xlsx"
    p.write_bytes(bytes(bad))
    good = tmp_path / "good.xlsx"
    good.write_bytes(data)
    reasons = []
    for _ in range(2):
        open_book(good)
        with pytest.raises(UnreadableFile) as e:
            open_book(p)
        reasons.append((e.value.reason, e.value.code))
    assert reasons[0] == reasons[1] == (B.R.DAMAGED_TEXT, "FILE_DAMAGED")


def test_a_part_with_a_dtd_is_refused_every_time(tmp_path):
    p = tmp_path / "dtd.xlsx"
    p.write_bytes((ROOT / "samples" / "jiahe-2022.xlsx").read_bytes())
    rezip(p, lambda ps: ps.update({"xl/styles.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'
                                   + ps["xl/styles.xml"].split(b"?>", 1)[1]}))
    got = set()
    for _ in range(2):
        with pytest.raises(UnreadableFile) as e:
            open_book(p)
        got.add((e.value.reason, e.value.code))
    [(reason, code)] = got
    assert "DTD" in reason and "xl/styles.xml" in reason and code == "FILE_DTD"


def test_member_names_without_the_utf8_flag_are_shown_as_gbk():
    """Names without the UTF-8 flag are cp437 to zipfile (GBK mojibake from Chinese Windows): shown as
    their maker meant them; with the flag, UTF-8."""
    from jixiao_xlsx.read.sniff import shown_name

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr("abcd.xml", b"<a/>")  # renamed below to GBK bytes, without the UTF-8 flag
        z.writestr("文档.xml", b"<b/>")  # UTF-8 flag
    data = buf.getvalue().replace(b"abcd.xml", "说明.xml".encode("gbk"))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sorted(shown_name(i) for i in zf.infolist()) == sorted(["xl/workbook.xml", "说明.xml", "文档.xml"])


def test_the_reader_memo_gives_the_answers_of_no_memo(tmp_path, monkeypatch):
    """parse.PartMemo (kept across the files of one reader process) changes no answer: every bundled
    workbook read cold, warm, and with the memo off gives the same grids and marks, and a sheet's
    sets are its own."""
    paths = sorted(ROOT.glob("samples/**/*.xlsx")) + [_book_with_image_and_unicode_part(tmp_path)]
    datas = []
    for p in paths:
        try:
            if guard.check_zip(p.read_bytes()) == "xlsx":
                datas.append(p.read_bytes())
        except UnreadableFile:
            pass
    assert len(datas) >= 8

    def read_all():
        out = []
        for d in datas:
            raw, scans = parse.read_workbook(d, "xlsx")
            out.append((raw, {k: vars(v) for k, v in scans.items()}))
        return out

    monkeypatch.setattr(parse, "MEMO", parse.PartMemo())
    cold, warm = read_all(), read_all()
    assert parse.MEMO._answers and parse.MEMO.clean
    a, b = parse.read_workbook(datas[0], "xlsx")[1], parse.read_workbook(datas[0], "xlsx")[1]
    assert all(a[k].percent_cells is not b[k].percent_cells for k in a)
    monkeypatch.setattr(parse, "MEMO", parse.PartMemo(max_bytes=-1))  # nothing kept
    off = read_all()
    assert not parse.MEMO._answers and cold == warm == off


def test_error_values_are_read_as_their_text(tmp_path):
    """An error cell (#DIV/0! cached by Excel) reads as its text, not as empty (issue #13 item 9),
    also when the sheet takes the pre-scan's exact route (a cell beyond the limits)."""
    p = tmp_path / "e.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("S")
    ws.write("A1", "x")
    ws.write_formula("B1", "=1/0", None, "#DIV/0!")
    ws.write_formula("A2", "=20个", None, "#NAME?")
    wb.close()
    s = open_book(p).sheets[0]
    assert (s.rows[0][1], s.rows[1][0]) == ("#DIV/0!", "#NAME?")
    rezip(p, lambda ps: ps.update({"xl/worksheets/sheet1.xml": ps["xl/worksheets/sheet1.xml"].replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>7</v></c></row></sheetData>')}))
    s = open_book(p).sheets[0]
    assert (s.rows[0][1], s.rows[1][0]) == ("#DIV/0!", "#NAME?")


def test_the_reader_memo_never_vouches_for_a_member_zipfile_would_refuse(monkeypatch):
    """The memo keeps a part's answer by its local header, compressed bytes and directory entry: a
    copy of a workbook read before whose directory gives a wrong CRC for that part (or another
    name) is still refused as damaged, as without the memo."""
    import struct as _struct

    data = (ROOT / "samples" / "jiahe-2022.xlsx").read_bytes()
    monkeypatch.setattr(parse, "MEMO", parse.PartMemo())
    parse.read_workbook(data, "xlsx")
    hits = len(parse.MEMO._answers)
    parse.read_workbook(data, "xlsx")
    assert len(parse.MEMO._answers) == hits  # the second read found every part in the memo
    at = data.index(b"PK\x01\x02")  # the first central directory entry
    bad_crc = data[:at + 16] + _struct.pack("<I", _struct.unpack("<I", data[at + 16:at + 20])[0] ^ 1) + data[at + 20:]
    with pytest.raises(UnreadableFile) as e:
        parse.read_workbook(bad_crc, "xlsx")
    assert e.value.code == "FILE_DAMAGED"
    n = _struct.unpack("<H", data[at + 28:at + 30])[0]
    name = data[at + 46:at + 46 + n]
    renamed = data[:at + 46] + bytes([name[0] ^ 0x20]) + name[1:] + data[at + 46 + n:]  # local header disagrees
    with pytest.raises(UnreadableFile) as e:
        parse.read_workbook(renamed, "xlsx")
    assert e.value.code == "FILE_DAMAGED"


def test_merge_from_gives_the_range_a_cell_starts_or_the_cell():
    from jixiao_xlsx.read.grid import Sheet

    s = Sheet("S", [["a", "", ""], ["", "", ""]], merges=[(0, 0, 1, 1), (0, 0, 0, 2)])
    assert s.merge_from(0, 0) == (0, 0, 1, 1)  # the first range listed wins, as Excel shows it
    assert s.merge_from(1, 1) == (1, 1, 1, 1)  # inside a range, not its top-left: the cell itself
    assert s.merge_from(0, 2) == (0, 2, 0, 2)
