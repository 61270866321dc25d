"""Issue #13 item 18: the scored workbook keeps what the clerk saw — number formats, data validations
(the dropdowns) — and a percent-formatted actual reads '92%' in --json, 评分明细 and 指标明细."""
from __future__ import annotations

import datetime as dt
import json
import zipfile

import openpyxl
import python_calamine as pc
import pytest
from click.testing import CliRunner

from jixiao_xlsx import api
from jixiao_xlsx.cli import main
from jixiao_xlsx.model import Cell
from jixiao_xlsx.write import fidelity
from jixiao_xlsx.write import summary as S
from tests.support import badbooks

PCT_ROW = badbooks.IND_FIRST_ROW + badbooks.SATISFACTION  # 1-based row 12: the 满意度 indicator


def _edit(wb):
    ind = wb["绩效指标"]
    ind[f"G{PCT_ROW}"].number_format = "0%"  # typed 92% in Excel: stored 0.92
    ind["I3"].number_format = "0.0"
    ind["K3"] = dt.datetime(2022, 12, 20)
    ind["K3"].number_format = 'yyyy"年"m"月"d"日"'
    funds = wb["预算执行"]
    funds["D3"].number_format = "#,##0.00"


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    d = badbooks.with_rows({badbooks.SATISFACTION: {
        "指标方向": "正向", "年度指标值": "≥90%", "计量单位": "%", "实际完成值": 0.92, "完成档次": None}})
    p = tmp_path_factory.mktemp("fid") / "自评表.xlsx"
    badbooks.openpyxl_edit(d, _edit)(p)
    return p


@pytest.fixture(scope="module")
def scored(source):
    result = api.evaluate_file(str(source))
    assert not result.blocked, [f.message for f in result.findings]
    out = source.with_name("自评表.scored.xlsx")
    api.write_scored_file(result, str(out))
    return out


def test_number_formats_survive(source, scored):
    src, out = openpyxl.load_workbook(source), openpyxl.load_workbook(scored)
    for sheet, ref, fmt in (("绩效指标", f"G{PCT_ROW}", "0%"), ("绩效指标", "I3", "0.0"),
                            ("绩效指标", "K3", 'yyyy"年"m"月"d"日"'), ("预算执行", "D3", "#,##0.00")):  # fmt: skip
        assert src[sheet][ref].number_format == fmt  # the test's own premise
        assert out[sheet][ref].number_format == fmt, (sheet, ref)
        assert out[sheet][ref].value == src[sheet][ref].value
    assert out["绩效指标"]["K3"].is_date


def test_data_validations_survive(source, scored):
    src, out = openpyxl.load_workbook(source), openpyxl.load_workbook(scored)
    for name in ("项目信息", "预算执行", "资金分配", "绩效指标"):
        a = {(str(v.sqref), v.type, v.formula1, v.formula2, v.operator) for v in src[name].data_validations.dataValidation}
        b = {(str(v.sqref), v.type, v.formula1, v.formula2, v.operator) for v in out[name].data_validations.dataValidation}
        assert a and a == b, name
    lists = {str(v.sqref): v.formula1 for v in out["绩效指标"].data_validations.dataValidation if v.type == "list"}
    assert lists["A3:A202"] == '"产出指标,效益指标,满意度指标"'  # the 一级指标 dropdown, items intact


def test_percent_actual_shown_as_typed(source, scored):
    r = CliRunner().invoke(main, ["score", str(source), "--json"])
    doc = json.loads(r.stdout)
    sat = doc["indicators"][badbooks.SATISFACTION]
    assert sat["actual"] == "92%" and sat["target"] == "≥90%"
    assert sat["score"] == 10  # 92 ≥ 90: full marks, the score itself unchanged by the display
    wb = pc.CalamineWorkbook.from_path(str(scored))
    detail = wb.get_sheet_by_name("评分明细").to_python()
    assert any(row[6] == "92%" for row in detail), "评分明细 实际完成值"


def test_percent_actual_in_summary_indicator_sheet(source, tmp_path):
    out = tmp_path / "汇总.xlsx"
    r = CliRunner().invoke(main, ["batch", str(source), "-o", str(out), "--jobs", "1"])
    assert out.exists(), r.output
    rows = pc.CalamineWorkbook.from_path(str(out)).get_sheet_by_name(S.INDICATOR_SHEET).to_python()
    col = list(S.INDICATOR_COLUMNS).index("实际完成值")
    assert "92%" in [row[col] for row in rows[1:]]


def test_cell_shown():
    assert Cell(0.92, "s", "A1", True).shown == "92%"
    assert Cell(0.925, "s", "A1", True).shown == "92.5%"
    assert Cell(1, "s", "A1", True).shown == "100%"
    assert Cell(0.07, "s", "A1", True).shown == "7%"  # 0.07 * 100 is 7.000000000000001 as floats
    assert Cell(0.92, "s", "A1", False).shown == "0.92"  # no percent format: as typed
    assert Cell("95%", "s", "A1", True).shown == "95%"  # text stays text
    assert Cell(float("nan"), "s", "A1", True).shown == "nan"


# -- hostile or odd sources give nothing, never an exception ------------------------------------------


def _rezip(src, dst, change):
    with zipfile.ZipFile(src) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    change(parts)
    with zipfile.ZipFile(dst, "w") as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return dst


def test_dtd_in_styles_or_sheet_is_not_parsed(source, tmp_path):
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'

    def styles(parts):
        xml = parts["xl/styles.xml"]
        parts["xl/styles.xml"] = bomb + (xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml)

    looks = fidelity.read_fidelity(_rezip(source, tmp_path / "dtd.xlsx", styles))
    assert all(not look.formats for look in looks.values())  # no styles read: no formats
    assert any(look.validations for look in looks.values())  # the sheets still give their dropdowns


def test_not_a_zip_and_broken_validation(source, tmp_path):
    txt = tmp_path / "a.xlsx"
    txt.write_text("不是工作簿", encoding="utf-8")
    assert fidelity.read_fidelity(txt) == {}
    assert fidelity.read_fidelity(tmp_path / "missing.xlsx") == {}

    def broken(parts):
        name = next(n for n in parts if n.startswith("xl/worksheets/") and b"<dataValidations" in parts[n])
        parts[name] = parts[name].replace(b"<formula1>", b"<formula1><x>", 1)  # unbalanced: does not parse

    looks = fidelity.read_fidelity(_rezip(source, tmp_path / "broken.xlsx", broken))
    assert looks  # the other sheets and the number formats are still read


def test_validation_options_mapping():
    el = fidelity._ET.fromstring(
        '<dataValidation type="whole" operator="between" allowBlank="1" showErrorMessage="1" sqref="B6 D2:D4">'
        "<formula1>2000</formula1><formula2>2100</formula2></dataValidation>")
    r0, c0, r1, c1, opts = fidelity._validation(el)
    assert (r0, c0, r1, c1) == (5, 1, 5, 1)
    assert opts["validate"] == "integer" and (opts["minimum"], opts["maximum"]) == (2000, 2100)
    assert opts["multi_range"] == "B6 D2:D4" and opts["ignore_blank"] and opts["show_error"]
    el = fidelity._ET.fromstring('<dataValidation type="list" showDropDown="1" sqref="A1">'
                                 "<formula1>填表说明!$A$1:$A$3</formula1></dataValidation>")
    opts = fidelity._validation(el)[4]
    assert opts["source"] == "=填表说明!$A$1:$A$3" and opts["dropdown"] is False  # showDropDown=1 hides it


def test_overlong_prompt_is_cut_to_excels_limit_not_dropped(tmp_path):
    import warnings

    import xlsxwriter

    el = fidelity._ET.fromstring(
        f'<dataValidation type="decimal" operator="greaterThanOrEqual" promptTitle="{"标" * 40}" '
        f'prompt="{"请" * 300}" sqref="B3"><formula1>0</formula1></dataValidation>')
    r0, c0, r1, c1, opts = fidelity._validation(el)
    assert len(opts["input_title"]) == 32 and len(opts["input_message"]) == 255  # Excel's limits
    wb = xlsxwriter.Workbook(str(tmp_path / "v.xlsx"))
    ws = wb.add_worksheet()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # xlsxwriter warns when it refuses one
        assert ws.data_validation(r0, c0, r1, c1, dict(opts)) == 0
    wb.close()
