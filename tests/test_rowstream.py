"""rowstream writes the summary's long sheets as XML rows; xlsxwriter's own cell writer is the oracle.

Each test writes the same cells twice — once with ``worksheet.write_string``/``write_number`` in
xlsxwriter's constant-memory mode, once through :class:`RowStream` + :func:`splice` — and requires
the two workbooks to read back alike (openpyxl: values, number formats, fonts, dimensions).
"""
from __future__ import annotations

import zipfile

import openpyxl
import pytest
import python_calamine as pc

from jixiao_xlsx.write.output import new_workbook
from jixiao_xlsx.write.rowstream import STR_MAX, RowStream, splice, xf_index

ODD = [
    "普通文字",
    "  前后有空格  ",
    "\t制表符开头",
    "换行结尾\n",
    "A & B <tag> \"引号\" 'x'",
    "控制字符\x01\x07\x1f在中间",
    "_x0041_ 字面的转义写法",
    "emoji 👍 与生僻字 𠀀",
    "=SUM(A1:A2)",  # text that looks like a formula stays text
    "x" * (STR_MAX + 50),  # longer than Excel allows: cut at 32,767
    "👍" * (STR_MAX // 2 + 10),  # astral characters count twice
]
NUMBERS = [0, 8, 4.5, 99.99, 1e-7, 123456789.123, -3.25]


def _write(path, mode: str, rows):
    wb = new_workbook(path, constant_memory=True)
    ws = wb.add_worksheet("长表")
    other = wb.add_worksheet("其他")
    other.write_string(0, 0, "别的工作表不受影响")
    num = wb.add_format({"num_format": "0.00"})
    red = wb.add_format({"font_color": "#9C0006"})
    ws.write_string(0, 0, "表头一")
    ws.write_string(0, 1, "表头二")
    ws.write_string(0, 2, "表头三")
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), 2)
    if mode == "xlsxwriter":
        for r, (text, number) in enumerate(rows, 1):
            ws.write_string(r, 0, text, red if r % 2 else None)
            if number is not None:
                ws.write_number(r, 1, number, num)
        wb.close()
        return
    stream = RowStream("长表", 3)
    styles_odd, styles_even = (xf_index(red), xf_index(num), 0), (0, xf_index(num), 0)
    for r, (text, number) in enumerate(rows, 1):
        stream.write(r, [text, number, None], styles_odd if r % 2 else styles_even)
    wb.close()
    splice(str(path), [stream])
    stream.close()


def _read(path):
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        cells = [
            (c.coordinate, c.value, c.number_format, c.font.color.rgb if c.font and c.font.color else None)
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        ]
        out[ws.title] = (ws.dimensions, ws.freeze_panes, ws.auto_filter.ref, cells)
    return out


def _sheet_xml(path, n=1):
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{n}.xml").decode()


def test_same_cells_as_xlsxwriter_writes_them(tmp_path):
    rows = [(t, NUMBERS[i % len(NUMBERS)] if i % 3 else None) for i, t in enumerate(ODD)]
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    _write(a, "xlsxwriter", rows)
    _write(b, "rowstream", rows)
    want, got = _read(a), _read(b)
    assert got == want
    # the sheet XML itself is xlsxwriter's, byte for byte (escapes, xml:space, number text, styles)
    assert _sheet_xml(b) == _sheet_xml(a) and _sheet_xml(b, 2) == _sheet_xml(a, 2)
    assert '<t xml:space="preserve">  前后有空格  </t>' in _sheet_xml(b)
    cells = {coord: v for coord, v, _, _ in got["长表"][3]}
    assert cells["A2"] == "普通文字" and cells["A3"] == "  前后有空格  "
    # control characters are stored as Excel's _xHHHH_ escape, a literal "_x0041_" as _x005F_x0041_;
    # openpyxl shows the stored text, calamine (our reader, like Excel) reads back what was typed
    assert cells["A7"] == "控制字符_x0001__x0007__x001F_在中间"
    assert cells["A8"] == "_x005F_x0041_ 字面的转义写法"
    back = pc.CalamineWorkbook.from_path(str(b)).get_sheet_by_name("长表").to_python()
    assert (back[6][0], back[7][0]) == (ODD[5], ODD[6])
    assert cells["A10"] == "=SUM(A1:A2)"
    assert len(cells["A11"]) == STR_MAX
    assert len(cells["A12"]) == STR_MAX // 2  # 16,383 astral characters = 32,766 UTF-16 units


def test_many_rows_stream_through_the_temporary_file(tmp_path):
    rows = [(f"第{i}行", i / 4) for i in range(5_000)]  # more than one flush of buffered rows
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    _write(a, "xlsxwriter", rows)
    _write(b, "rowstream", rows)
    assert _read(b) == _read(a)
    assert _read(b)["长表"][0] == "A1:C5001"


def test_no_rows_leaves_the_workbook_as_written(tmp_path):
    path = tmp_path / "a.xlsx"
    wb = new_workbook(path, constant_memory=True)
    wb.add_worksheet("长表").write_string(0, 0, "表头")
    wb.close()
    before = path.read_bytes()
    stream = RowStream("长表", 1)
    splice(str(path), [stream])
    assert path.read_bytes() == before


def test_splice_leaves_no_temporary_file_behind_on_failure(tmp_path):
    path = tmp_path / "a.xlsx"
    wb = new_workbook(path, constant_memory=True)
    wb.add_worksheet("长表").write_string(0, 0, "表头")
    wb.close()
    stream = RowStream("不存在的表", 1)
    stream.write(1, ["x"], (0,))
    with pytest.raises(KeyError):
        splice(str(path), [stream])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx"]
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None


@pytest.mark.parametrize("constant_memory", [True, False], ids=["constant-memory", "in-memory"])
def test_rows_go_between_the_header_and_a_totals_row_written_below(tmp_path, constant_memory):
    # the summary's 汇总: xlsxwriter writes the header (row 1) and the totals row (row 7, a formula);
    # the stream's rows 2..6 must land between them, and the dimension must cover both. The summary
    # itself is written in xlsxwriter's default (in-memory) mode, where its own cells use shared
    # strings: there the two workbooks must read back alike, in constant-memory mode byte for byte.
    def build(path, use_stream):
        wb = new_workbook(path, constant_memory=constant_memory)
        ws = wb.add_worksheet("汇总")
        money = wb.add_format({"num_format": "0.00"})
        for c, name in enumerate(("单位", "金额", "说明")):
            ws.write_string(0, c, name)
        rows = [(f"第{i}街道", 10.5 * i, "x" if i % 2 else None) for i in range(1, 6)]
        stream = RowStream("汇总", 3) if use_stream else None
        styles = (0, xf_index(money), 0) if use_stream else None
        for r, row in enumerate(rows, 1):
            if stream:
                stream.write(r, row, styles)
                continue
            ws.write_string(r, 0, row[0])
            ws.write_number(r, 1, row[1], money)
            if row[2]:
                ws.write_string(r, 2, row[2])
        ws.write_string(6, 0, "合计")
        ws.write_formula(6, 1, "=SUM(B2:B6)", money, 157.5)
        wb.close()
        if stream:
            splice(str(path), [stream])
            stream.close()

    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    build(a, False)
    build(b, True)
    if constant_memory:
        assert _sheet_xml(b) == _sheet_xml(a)
    else:
        assert "<sst" in zipfile.ZipFile(a).read("xl/sharedStrings.xml").decode()  # the other mode indeed
    assert _read(b) == _read(a)
    assert _read(b)["汇总"][0] == "A1:C7"
    back = pc.CalamineWorkbook.from_path(str(b)).get_sheet_by_name("汇总").to_python()
    assert [r[0] for r in back] == ["单位", "第1街道", "第2街道", "第3街道", "第4街道", "第5街道", "合计"]
    assert back[6][1] == 157.5  # 10.5 × (1+2+3+4+5) = 10.5 × 15, the formula's cached value


def test_nan_and_infinity_become_excel_error_cells_as_xlsxwriter_writes_them(tmp_path):
    # the project's workbooks set nan_inf_to_errors: xlsxwriter writes #NUM! / #DIV/0! cells; so must we
    # (a budget typed as 1 followed by 400 zeros is a valid Decimal whose float is inf)
    values = [float("nan"), float("inf"), float("-inf")]

    def build(path, use_stream):
        wb = new_workbook(path, constant_memory=True)
        ws = wb.add_worksheet("长表")
        ws.write_string(0, 0, "表头")
        if use_stream:
            stream = RowStream("长表", 3)
            stream.write(1, values, (0, 0, 0))
            wb.close()
            splice(str(path), [stream])
            stream.close()
        else:
            for c, v in enumerate(values):
                ws.write_number(1, c, v)
            wb.close()

    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    build(a, False)
    build(b, True)
    assert _sheet_xml(b) == _sheet_xml(a)
    assert '<f>#NUM!</f>' in _sheet_xml(b) and "<v>INF" not in _sheet_xml(b)
    from jixiao_xlsx.write.rowstream import number

    assert number(10**400) == number(float("inf")) and number(-(10**400)) == number(float("-inf"))
