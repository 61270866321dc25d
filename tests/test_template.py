"""The standard template (writer) and its reader: layout, validations, round trip, messy layouts."""
from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from jixiao_xlsx import layout as L
from jixiao_xlsx.read import template as read_template
from jixiao_xlsx.read.book import Book, Sheet, open_book
from jixiao_xlsx.model import ERROR, Cell
from jixiao_xlsx.rules.profile import load_profile, parse_profile
from jixiao_xlsx.write.template import IND_BLANK_ROWS, write_template

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "input_templates" / "jixiao-template.xlsx"


@pytest.fixture(scope="module")
def profile():
    return load_profile()


@pytest.fixture(scope="module")
def blank(tmp_path_factory):
    p = tmp_path_factory.mktemp("tpl") / "blank.xlsx"
    write_template(p)
    return p


def _shape(path):
    """What must not drift between the committed template and the code: names, headers, checks, panes."""
    wb = openpyxl.load_workbook(path)
    out = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        dvs = sorted(
            (dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref), dv.showDropDown)
            for dv in ws.data_validations.dataValidation
        )
        out[ws.title] = {
            "cells": [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=12)],
            "validations": dvs,
            "freeze": ws.freeze_panes,
            "orientation": ws.page_setup.orientation,
            "paper": ws.page_setup.paperSize,
            "print_titles": ws.print_title_rows,
        }
    return out


def test_committed_template_matches_code(blank):
    assert COMMITTED.exists(), "run: jixiao template input_templates/jixiao-template.xlsx"
    assert _shape(COMMITTED) == _shape(blank)


def test_sheets_headers_and_panes(blank):
    wb = openpyxl.load_workbook(blank)
    assert tuple(wb.sheetnames) == L.TEMPLATE_SHEETS + (L.REPORT_SHEET,)  # 自评报告 (#14) last
    ind = wb[L.IND_SHEET]
    assert tuple(c.value for c in ind[L.HEADER_ROW]) == L.IND_HEADERS
    assert tuple(c.value for c in wb[L.FUNDS_SHEET][L.HEADER_ROW]) == L.FUNDS_HEADERS
    assert tuple(c.value for c in wb[L.ALLOC_SHEET][L.HEADER_ROW]) == L.ALLOC_HEADERS
    info = wb[L.INFO_SHEET]
    assert tuple(c.value for c in info[L.HEADER_ROW]) == L.INFO_HEADERS
    labels = [info.cell(L.HEADER_ROW + 1 + i, 1).value for i in range(len(L.INFO_FIELDS))]
    assert labels == [f[0] for f in L.INFO_FIELDS]
    funds = wb[L.FUNDS_SHEET]
    assert [funds.cell(r, 1).value for r in range(3, 7)] == [L.FUNDS_TOTAL_LABEL, *L.FUNDS_SOURCE_LABELS]
    for name in L.TEMPLATE_SHEETS[1:]:
        ws = wb[name]
        assert ws.freeze_panes == "A3"
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.paperSize == 9  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToHeight == 0  # one page wide, as many pages tall as needed
        assert ws.print_title_rows == "$1:$2"


def test_input_cells_marked_and_formatted(blank):
    wb = openpyxl.load_workbook(blank)
    ind = wb[L.IND_SHEET]
    last = L.HEADER_ROW + IND_BLANK_ROWS
    for ref in ("A3", "K3", f"C{last}"):
        assert ind[ref].fill.fgColor.rgb.endswith("FFF2CC"), ref
    assert not ind[f"C{last + 1}"].fill.fgColor.rgb.endswith("FFF2CC")
    assert not ind["A2"].fill.fgColor.rgb.endswith("FFF2CC")  # header is not an input
    assert ind["E3"].number_format == "@"  # targets stay exactly as typed
    funds = wb[L.FUNDS_SHEET]
    assert funds["C3"].number_format == "0.00"
    assert funds["C3"].fill.fgColor.rgb.endswith("FFF2CC")
    assert wb[L.ALLOC_SHEET]["D12"].number_format == "0.00"
    assert wb[L.INFO_SHEET]["B3"].fill.fgColor.rgb.endswith("FFF2CC")
    assert ind.column_dimensions["C"].width >= 20


def _validations(ws):
    return {str(dv.sqref).split(":")[0][0]: dv for dv in ws.data_validations.dataValidation}


def test_dropdowns_and_number_checks(blank, profile):
    wb = openpyxl.load_workbook(blank)
    dv = _validations(wb[L.IND_SHEET])
    assert dv["A"].type == "list" and dv["A"].formula1 == '"产出指标,效益指标,满意度指标"'
    l2 = [n for l1 in profile.level1 for n in l1.level2]
    assert dv["B"].formula1 == '"' + ",".join(l2) + '"'
    assert dv["D"].formula1 == '"' + ",".join(L.DIRECTIONS) + '"'
    assert dv["H"].formula1 == '"达成年度指标,部分达成年度指标并具有一定效果,未达成年度指标且效果较差"'
    for col in "IJ":
        assert dv[col].type == "decimal" and dv[col].operator == "greaterThanOrEqual" and dv[col].formula1 == "0"
        assert dv[col].error and dv[col].prompt  # Chinese messages present
    assert str(dv["A"].sqref).startswith("A3:A")
    year = _validations(wb[L.INFO_SHEET])["B"]
    ys = [d for d in wb[L.INFO_SHEET].data_validations.dataValidation if d.type == "whole"]
    assert len(ys) == 1 and (ys[0].formula1, ys[0].formula2) == ("2000", "2100") and str(ys[0].sqref) == "B6"
    assert year is not None
    money = _validations(wb[L.FUNDS_SHEET])["B"]
    assert money.type == "decimal" and str(money.sqref) == "B3:D6"
    alloc = wb[L.ALLOC_SHEET].data_validations.dataValidation
    assert sorted(str(d.sqref)[0] for d in alloc) == ["C", "D"]


def _guide_text(path):
    ws = openpyxl.load_workbook(path)[L.GUIDE_SHEET]
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)


def test_guide_summarises_rules_from_profile(blank, profile, tmp_path):
    text = _guide_text(blank)
    for phrase in ("预算执行率10分", "产出指标50分", "效益指标30分", "满意度指标10分", "80%～100%", "60%～80%",
                   "0%～60%", "优（90分及以上）", "良（80分及以上、低于90分）", "差（低于60分）", "正向", "反向"):
        assert phrase in text, phrase
    # Change the profile: the guide follows it (no rule number is hard-coded in the writer).
    raw = copy.deepcopy(profile.raw)
    raw["grades"][0]["min"] = 85
    raw["qualitative"]["partly"]["min"] = 0.5
    raw["qualitative"]["not_met"]["max"] = 0.5
    raw["qualitative"]["partly"]["default"] = 0.5
    other = parse_profile(raw)
    p = tmp_path / "g.xlsx"
    write_template(p, profile=other)
    text2 = _guide_text(p)
    assert "优（85分及以上）" in text2 and "50%～80%" in text2 and "0%～50%" in text2


FILLED = {
    "info": {"项目名称": "=HYPERLINK(\"x\")", "主管部门": "部门", "实施单位": "单位", "年度": 2022, "自评总分": 88.5},
    "funds": {"年度资金总额": (100, 120, 103.5), "当年财政拨款": (100, 120, None)},
    "allocations": [{"用途": "甲", "计划金额": 70, "实际金额": 69.99}],
    "indicators": [
        {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "+人数", "年度指标值": "≥5000人",
         "实际完成值": 5200, "分值": 10, "自评得分": None},
        {"一级指标": "产出指标", "二级指标": "时效指标", "三级指标": "完工", "年度指标值": "2022年12月31日前",
         "实际完成值": dt.date(2022, 11, 30), "分值": 5, "完成档次": "达成年度指标"},
    ],
}


def test_filled_values_written_as_given(tmp_path):
    p = tmp_path / "f.xlsx"
    write_template(p, FILLED)
    wb = openpyxl.load_workbook(p)
    info = wb[L.INFO_SHEET]
    assert info["B3"].value == '=HYPERLINK("x")' and info["B3"].data_type == "s"  # text, never a formula
    assert info["B6"].value == 2022 and info["B10"].value == 88.5
    ind = wb[L.IND_SHEET]
    assert ind["C3"].value == "+人数" and ind["C3"].data_type == "s"
    assert ind["G3"].value == 5200 and ind["G3"].data_type == "n"
    assert ind["J3"].value is None
    assert ind["G4"].value.date() == dt.date(2022, 11, 30)
    funds = wb[L.FUNDS_SHEET]
    assert (funds["B3"].value, funds["C3"].value, funds["D3"].value) == (100, 120, 103.5)
    assert funds["D4"].value is None


def test_filled_unknown_key_is_rejected(tmp_path):
    with pytest.raises(KeyError):
        write_template(tmp_path / "x.xlsx", {"indicators": [{"三级": "x"}]})
    with pytest.raises(KeyError):
        write_template(tmp_path / "y.xlsx", {"info": {"项目": "x"}})


# -- reader --------------------------------------------------------------------------------------
def test_read_blank_template(blank, profile):
    book = open_book(blank)
    assert read_template.looks_like_template(book, profile)
    p = read_template.read(book, profile)
    # the reader's only finding: the blank 自评报告 sheet (issue #14), one hint for all nine sections
    assert p.layout == "template" and [f.code for f in p.findings] == ["REPORT_TEXT_MISSING"]
    assert p.indicators == [] and p.allocations == []
    assert p.name == Cell(None, "项目信息", "B3")
    assert p.year == Cell(None, "项目信息", "B6")
    assert p.self_total == Cell(None, "项目信息", "B10")
    total = p.funds[0]
    assert total.is_total and total.name == "年度资金总额"
    assert (total.initial, total.adjusted, total.executed) == (
        Cell(None, "预算执行", "B3"), Cell(None, "预算执行", "C3"), Cell(None, "预算执行", "D3"))
    assert [f.name for f in p.funds[1:]] == list(L.FUNDS_SOURCE_LABELS)
    assert p.funds[3].executed == Cell(None, "预算执行", "D6")


def test_read_filled_round_trip(tmp_path, profile):
    path = tmp_path / "f.xlsx"
    write_template(path, FILLED)
    p = read_template.read(open_book(path), profile)
    assert p.name.value == '=HYPERLINK("x")' and p.year.value == 2022 and p.self_total.value == 88.5
    assert [(i.row, i.level3.value, i.target.value, i.actual.value, i.weight.value) for i in p.indicators] == [
        (3, "+人数", "≥5000人", 5200, 10), (4, "完工", "2022年12月31日前", p.indicators[1].actual.value, 5)]
    assert p.indicators[1].actual.value in (dt.date(2022, 11, 30), dt.datetime(2022, 11, 30))
    assert p.indicators[1].band == Cell("达成年度指标", "绩效指标", "H4")
    assert p.indicators[0].self_score == Cell(None, "绩效指标", "J3")
    assert p.indicators[0].note == Cell(None, "绩效指标", "K3")
    assert [c.value for c in p.level1_labels] == ["产出指标"]
    assert [c.ref for c in p.level2_labels] == ["B3", "B4"]
    assert [(a.purpose.value, a.planned.value, a.actual.value, a.recipient.ref) for a in p.allocations] == [
        ("甲", 70, 69.99, "B3")]
    src = p.funds[1]
    assert (src.name, src.executed) == ("当年财政拨款", Cell(None, "预算执行", "D4"))


def test_reordered_renamed_and_extra_columns(tmp_path, profile):
    # Columns moved, renamed with aliases/units/line breaks, an extra column inserted, 计量单位 missing.
    headers = ("序号", "一级指标", "二级指标", "三级\n指标", "权重（分）", "指标值", "完成值", "得分",
               "指标性质", "偏差原因", "备注", "完成情况档次")
    row = {"序号": 1, "一级指标": "产出指标", "二级指标": "数量指标", "三级\n指标": "人数", "权重（分）": 10,
           "指标值": "≥5000人", "完成值": "4200人", "得分": 8.4, "指标性质": "正向", "偏差原因": "疫情", "备注": "x"}
    path = tmp_path / "r.xlsx"
    write_template(path, {"indicator_headers": headers, "indicators": [row]})
    p = read_template.read(open_book(path), profile)
    assert [f.code for f in p.findings] == []
    (i,) = p.indicators
    assert i.level3 == Cell("人数", "绩效指标", "D3")
    assert i.weight == Cell(10, "绩效指标", "E3")
    assert i.target.ref == "F3" and i.actual.ref == "G3" and i.self_score.ref == "H3"
    assert i.direction == Cell("正向", "绩效指标", "I3")
    assert i.note == Cell("疫情", "绩效指标", "J3")
    assert i.band == Cell(None, "绩效指标", "L3")
    assert i.unit == Cell(None, "绩效指标", "")  # optional column absent: blank, no address


def test_missing_required_column_is_a_finding(tmp_path, profile):
    headers = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值")
    path = tmp_path / "m.xlsx"
    write_template(path, {"indicator_headers": headers, "indicators": [
        {"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "x", "年度指标值": "≥1个", "实际完成值": "1个"}]})
    p = read_template.read(open_book(path), profile)
    (f,) = p.findings
    assert (f.code, f.severity, f.sheet, f.cell, f.blocks) == ("COLUMN_MISSING", ERROR, "绩效指标", "A2", True)
    assert "分值" in f.message
    assert p.indicators[0].weight.blank


@pytest.mark.parametrize("new_name", ["绩效指标表", " 绩效指标 ", "指标", "Sheet5"])
def test_renamed_indicator_sheet(tmp_path, profile, new_name):
    path = tmp_path / "s.xlsx"
    write_template(path, {"sheet_names": {L.IND_SHEET: new_name}, "indicators": FILLED["indicators"]})
    book = open_book(path)
    assert read_template.looks_like_template(book, profile)
    p = read_template.read(book, profile)
    assert p.findings == []
    assert [i.level3.where for i in p.indicators] == [f"{new_name}!C3", f"{new_name}!C4"]


def test_renamed_funds_and_info_sheets_found_by_content(tmp_path, profile):
    path = tmp_path / "s.xlsx"
    write_template(path, {"sheet_names": {L.FUNDS_SHEET: "Sheet2", L.INFO_SHEET: "Sheet1", L.ALLOC_SHEET: "资金分配表"},
                          **{k: FILLED[k] for k in ("info", "funds", "allocations")}})
    p = read_template.read(open_book(path), profile)
    assert p.findings == []
    assert p.funds[0].adjusted == Cell(120, "Sheet2", "C3")
    assert p.unit == Cell("单位", "Sheet1", "B5")
    assert p.allocations[0].purpose.where == "资金分配表!A3"


def _book(*sheets):
    return Book("mem.xlsx", [Sheet(name, rows, merges) for name, rows, merges in sheets])


def test_missing_sheets_are_findings_not_exceptions(profile):
    book = _book(("项目信息", [["填报项目", "填写内容"], ["项目名称", "x"]], []))
    assert read_template.looks_like_template(book, profile)
    p = read_template.read(book, profile)
    got = {(f.code, f.sheet, f.blocks, f.severity) for f in p.findings}
    assert got == {("SHEET_MISSING", "预算执行", True, ERROR), ("SHEET_MISSING", "绩效指标", True, ERROR)}
    assert all("标准模板" in f.message for f in p.findings)
    assert p.name == Cell("x", "项目信息", "B2")
    assert p.unit == Cell(None, "项目信息", "")


IND_HEAD = list(L.IND_HEADERS)


def _ind_row(l1, l2, l3, target="≥1个", actual="1个", weight=5):
    return [l1, l2, l3, "正向", target, "个", actual, None, weight, None, None]


def test_merged_cells_blank_rows_notes_and_totals(profile):
    rows = [
        ["项目绩效指标"] + [""] * 10,
        IND_HEAD,
        _ind_row("产出指标", "数量指标", "a"),
        _ind_row("", "", "b"),  # inside the merged 一级/二级 ranges
        [""] * 11,  # blank line
        _ind_row("", "质量指标", "c"),  # 一级 merged A3:A6; a new 二级
        _ind_row("效益指标", "", "d"),  # typed 一级 without 二级: nothing carried from another 一级
        _ind_row("预算执行率(10分)", "", "", target=None, actual=None, weight=10),
        ["合计", "", "", "", "", "", "", "", 100, "", ""],
        ["注：本表由实施单位填写。"] + [""] * 10,
    ]
    rows[7][9] = 9.5
    merges = [(2, 0, 5, 0), (2, 1, 3, 1)]
    p = read_template.read(_book(("绩效指标", rows, merges), ("预算执行", [list(L.FUNDS_HEADERS)], [])), profile)
    ind = p.indicators
    assert [(i.row, i.level1.value, i.level1.ref, i.level2.value, i.level2.ref, i.level3.value) for i in ind] == [
        (3, "产出指标", "A3", "数量指标", "B3", "a"),
        (4, "产出指标", "A3", "数量指标", "B3", "b"),
        (6, "产出指标", "A3", "质量指标", "B6", "c"),
        (7, "效益指标", "A7", None, "B7", "d"),
    ]
    assert p.execution_weight == Cell(10, "绩效指标", "I8")
    assert p.execution_self_score == Cell(9.5, "绩效指标", "J8")
    assert [c.ref for c in p.level1_labels] == ["A3", "A7"]
    assert [c.ref for c in p.level2_labels] == ["B3", "B6"]


def test_total_row_with_its_weight_is_not_an_indicator(profile):
    # “总分（100分）” with 分值 100 / 得分 95 is the table's total line, as the official-form reader
    # already treats it; read as an indicator it raised a blocking LEVEL1_UNKNOWN on A3
    rows = [IND_HEAD, _ind_row("产出指标", "数量指标", "a"),
            ["总分（100分）", "", "", "", "", "", "", "", 100, 95, ""],
            ["小计", "", "", "", "", "", "", "", 5, "", ""]]
    p = read_template.read(_book(("绩效指标", rows, []), ("预算执行", [list(L.FUNDS_HEADERS)], [])), profile)
    assert [i.level3.value for i in p.indicators] == ["a"]
    assert not [f for f in p.findings if f.sheet == "绩效指标"]


def test_note_rows_below_the_table(profile):
    rows = [IND_HEAD, _ind_row("产出指标", "数量指标", "a"),
            ["说明：本行是合并单元格的备注"] + [""] * 10,
            [None, None, "注：指标值按年初申报填写"] + [None] * 8,
            [None, None, "注册企业数量"] + [None] * 8]  # a real indicator with its values missing
    p = read_template.read(_book(("绩效指标", rows, [(2, 0, 2, 10)])), profile)
    assert [(i.row, i.level3.value) for i in p.indicators] == [(2, "a"), (5, "注册企业数量")]


def test_cover_sheet_next_to_official_form_is_not_a_template(profile):
    cover = [["项目名称", "x"], ["实施单位", "y"]]
    official = [
        ["项目支出绩效自评表（2022年度）"],
        ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数"],
        ["年度资金总额", "", 100, 100, 100],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ]
    assert not read_template.looks_like_template(_book(("封面", cover, []), ("自评表", official, [])), profile)
    assert read_template.looks_like_template(_book(("封面", cover, [])), profile)


def test_unmerged_blank_level_cells_belong_to_the_group_above(profile):
    rows = [IND_HEAD, _ind_row("产出指标", "数量指标", "a"), _ind_row(None, None, "b"), _ind_row(None, "质量指标", "c"),
            _ind_row("效益指标", "社会效益指标", "d"), _ind_row(None, None, "e")]
    p = read_template.read(_book(("绩效指标", rows, [])), profile)
    assert [(i.level1.where, i.level2.where) for i in p.indicators] == [
        ("绩效指标!A2", "绩效指标!B2"), ("绩效指标!A2", "绩效指标!B2"), ("绩效指标!A2", "绩效指标!B4"),
        ("绩效指标!A5", "绩效指标!B5"), ("绩效指标!A5", "绩效指标!B5")]
    # A first row without 一级 stays blank so the scorer can point at it.
    p2 = read_template.read(_book(("绩效指标", [IND_HEAD, _ind_row(None, "数量指标", "a")], [])), profile)
    assert p2.indicators[0].level1 == Cell(None, "绩效指标", "A2")


def test_funds_aliases_units_and_prefixes(profile):
    rows = [
        ["预算执行情况"],
        ["项目资金", "年初预算数（万元）", "调整后预算数（万元）", "预算执行数\n（万元）"],
        ["资金总额", 100, 120, 103.5],
        ["其中：本年财政拨款", 100, 110, 95],
        ["上年结转", None, 10, 8.5],
        ["其中", "其他资金", None, None],
        ["执行率", None, None, 0.8625],
        ["注：单位万元"],
    ]
    p = read_template.read(_book(("预算执行", rows, [(5, 0, 5, 0)])), profile)
    names = [(f.name, f.is_total, f.label.ref, f.adjusted.value, f.executed.ref) for f in p.funds]
    assert names == [
        ("年度资金总额", True, "A3", 120, "D3"),
        ("当年财政拨款", False, "A4", 110, "D4"),
        ("上年结转资金", False, "A5", 10, "D5"),
    ]


def test_fund_row_under_another_name_with_text_amounts_is_kept(profile):
    # “专项债资金 | 50万元 …” was dropped without a word because its amounts are text, while the official
    # reader keeps such a row; both now keep it, so the scorer reads (or reports) its amounts
    rows = [["资金来源", "年初预算数", "全年预算数", "全年执行数"],
            ["年度资金总额", 150, 150, 140],
            ["当年财政拨款", 100, 100, 100],
            ["专项债资金", "50万元", "50万元", "40万元"],
            ["—", "—", "—", "—"]]
    p = read_template.read(_book(("预算执行", rows, [])), profile)
    assert [(f.name, f.executed.value) for f in p.funds] == [
        ("年度资金总额", 140), ("当年财政拨款", 100), ("专项债资金", "40万元")]


def test_funds_label_split_over_two_columns(profile):
    rows = [
        ["项目资金", "", "年初预算数", "全年预算数", "全年执行数"],
        ["年度资金总额", "", 100, 100, 100],
        ["其中：", "当年财政拨款", 100, 100, 100],
        ["", "上年结转资金", None, None, None],
    ]
    merges = [(1, 0, 1, 1), (2, 0, 3, 0)]
    p = read_template.read(_book(("预算执行", rows, merges)), profile)
    assert [(f.name, f.label.ref, f.initial.ref) for f in p.funds] == [
        ("年度资金总额", "A2", "C2"), ("当年财政拨款", "B3", "C3"), ("上年结转资金", "B4", "C4")]


def test_allocations_skip_blank_total_and_note_rows(profile):
    rows = [
        list(L.ALLOC_HEADERS),
        ["甲", "A社", 70, 70, None],
        [None, None, None, None, None],
        ["乙", None, 30, None, None],
        ["合计", None, 100, 70, None],
        ["注：金额单位为万元", None, None, None, None],
    ]
    p = read_template.read(_book(("资金分配", rows, [])), profile)
    assert [(a.purpose.value, a.planned.value, a.actual.ref) for a in p.allocations] == [("甲", 70, "D2"), ("乙", 30, "D4")]
    empty = read_template.read(_book(("资金分配", [list(L.ALLOC_HEADERS)], [])), profile)
    assert empty.allocations == []


def test_info_header_units_and_aliases(profile):
    rows = [
        ["项目基本信息", "", ""],
        ["项目名称：", "甲项目", "实施单位", "乙单位"],
        ["主管部门", "丙部门", "评价年度", 2022],
    ]
    p = read_template.read(_book(("项目信息", rows, [(0, 0, 0, 2)])), profile)
    assert (p.name.where, p.unit.where, p.department.value, p.year) == (
        "项目信息!B2", "项目信息!D2", "丙部门", Cell(2022, "项目信息", "D3"))


def test_official_form_is_not_a_template(profile):
    rows = [
        ["项目支出绩效自评表（2022年度）"],
        ["项目名称", "x"],
        ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", "", 100, 100, 100, 10, 1, 10],
        ["绩效指标", "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["", "产出指标", "数量指标", "a", "≥1个", "1个", 50, 50, ""],
    ]
    assert not read_template.looks_like_template(_book(("Sheet1", rows, [])), profile)
    assert not read_template.looks_like_template(_book(("其他", [["随便"]], [])), profile)


def test_header_normalisation():
    n = read_template.norm_header
    assert n("全年预算数（万元）") == "全年预算数"
    assert n("全年\n预算数 (万元)") == "全年预算数"
    assert n("＊分值（分）") == "分值"
    assert read_template.row_label("（一）当年财政拨款") == "当年财政拨款"
    assert read_template.row_label("一级指标") == "一级指标"


def test_cli_template_writes_the_standard_workbook(tmp_path, blank):
    from click.testing import CliRunner

    from jixiao_xlsx.cli import main

    out = tmp_path / "模板.xlsx"
    res = CliRunner().invoke(main, ["template", str(out)])
    assert res.exit_code == 0, res.output
    assert _shape(out) == _shape(blank)
