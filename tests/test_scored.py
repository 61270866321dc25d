"""The scored workbook: the clerk's workbook survives value by value, and the computed figures are added.

Most tests build a small template-layout workbook and a :class:`Result` by hand, so they test the
writer alone (no reader, no scorer); the expected numbers are the hand-built ones and their
arithmetic is written beside them.  One end-to-end test runs an official form through the real
reader and scorer, and one converts the output with LibreOffice when it is installed.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from jixiao_xlsx import layout
from jixiao_xlsx.write import scored
from jixiao_xlsx.read.book import Book, Sheet, open_book
from jixiao_xlsx.model import (
    ERROR,
    HINT,
    BudgetLine,
    BudgetScore,
    Cell,
    Finding,
    Indicator,
    IndicatorScore,
    Project,
    Result,
)
from jixiao_xlsx.rules.profile import load_profile

PROFILE = load_profile()
IND = layout.IND_SHEET
FUNDS = layout.FUNDS_SHEET
INFO = layout.INFO_SHEET


# -- the clerk's workbook ----------------------------------------------------------------------

INDICATOR_ROWS = [
    # 一级, 二级, 三级, 方向, 年度指标值, 单位, 实际完成值, 档次, 分值, 自评得分, 偏差原因
    ("产出指标", "数量指标", "开展培训人次", "正向", "≥5000", "人次", 4200, None, 10, 10, "=1+1"),
    ("产出指标", "成本指标", "培训成本", "反向", "≤90", "万元", 99, None, 8, None, "物价上涨"),
    ("效益指标", "社会效益指标", "居民知晓度提升", "定性", "明显提升", None, "明显提升", "达成年度指标", 10, 10, None),
    ("满意度指标", "服务对象满意度指标", "参训居民满意度", "正向", "≥90%", None, "无法统计", None, 10, None, None),
]


def write_clerk_book(path: Path, extra_result_sheet: bool = True) -> Path:
    """A template-layout workbook as a clerk fills it, with text that looks like a formula."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    guide = wb.add_worksheet(layout.GUIDE_SHEET)
    guide.write_string(0, 0, "填表说明：请按模板填写。")
    guide.write_string(2, 0, "=SUM(A1:A2) 这是文字，不是公式")

    info = wb.add_worksheet(INFO)
    for c, h in enumerate(layout.INFO_HEADERS):
        info.write_string(1, c, h)
    info.merge_range(0, 0, 0, 2, "项目信息")
    values = ["社区消防培训", "区应急管理局", "嘉禾街道办事处", 2022, "李四", "培训5000人次", "培训4200人次", 96.5]
    for i, ((label, _attr, _req), v) in enumerate(zip(layout.INFO_FIELDS, values)):
        info.write_string(2 + i, 0, label)
        if isinstance(v, str):
            info.write_string(2 + i, 1, v)
        else:
            info.write_number(2 + i, 1, v)

    funds = wb.add_worksheet(FUNDS)
    funds.merge_range(0, 0, 0, 3, "预算执行（万元）")
    for c, h in enumerate(layout.FUNDS_HEADERS):
        funds.write_string(1, c, h)
    for r, (label, a, b, c) in enumerate(
        [("年度资金总额", 100, 120, 103.5), ("当年财政拨款", 100, 120, 103.5), ("上年结转资金", 0, 0, 0)], start=2
    ):
        funds.write_string(r, 0, label)
        for cc, v in enumerate((a, b, c), start=1):
            funds.write_number(r, cc, v)

    alloc = wb.add_worksheet(layout.ALLOC_SHEET)
    for c, h in enumerate(layout.ALLOC_HEADERS):
        alloc.write_string(1, c, h)
    alloc.write_string(2, 0, "培训")
    alloc.write_number(2, 2, 120)
    alloc.write_number(2, 3, 103.5)

    ind = wb.add_worksheet(IND)
    ind.merge_range(0, 0, 0, len(layout.IND_HEADERS) - 1, "绩效指标")
    for c, h in enumerate(layout.IND_HEADERS):
        ind.write_string(1, c, h)
    for r, row in enumerate(INDICATOR_ROWS, start=2):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                ind.write_string(r, c, v)
            else:
                ind.write_number(r, c, v)

    if extra_result_sheet:  # a clerk's own sheet that happens to carry the name we add
        own = wb.add_worksheet(layout.RESULT_SHEET)
        own.write_string(0, 0, "单位自己的评分结果")
        own.write_number(1, 0, 99)

    notes = wb.add_worksheet("备注")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    notes.write_datetime(0, 0, dt.datetime(2022, 12, 31), date_fmt)
    notes.write_boolean(1, 0, True)
    notes.write_string(2, 0, "=1+1")
    notes.write_string(3, 0, "多行\n文字")
    notes.merge_range(4, 0, 5, 1, "合并单元格")
    notes.write_number(7, 3, -3.25)
    notes.write_number(8, 0, 0.955, wb.add_format({"num_format": "0.0%"}))
    notes.write_string(9, 0, "隐藏行")
    notes.set_row(9, None, None, {"hidden": True})
    notes.hide()
    wb.close()
    return path


def _cell(sheet, ref, value):
    return Cell(value, sheet, ref)


def build_result(total_blocked: bool = False, findings=None) -> Result:
    """The scores of the clerk's workbook, written by hand.

    execution: r = 103.5 / 120 = 0.8625 -> 86.25%; 10 × 0.8625 = 8.625 -> 8.63 (half-up)
    row 3 正向: 10 × 4200 / 5000 = 8.40
    row 4 反向 linear: 8 × (2 × 90 − 99) / 90 = 8 × 81 / 90 = 7.20
    row 5 定性 达成: 10.00
    row 6: actual '无法统计' not a number -> no score (blocks)
    total (unblocked variant, row 6 given 0.00): 8.63 + 8.40 + 7.20 + 10.00 + 0.00 = 34.23 -> 差
    """
    inds = []
    for i, row in enumerate(INDICATOR_ROWS):
        r = 3 + i
        l1, l2, l3, direction, target, unit, actual, band, w, self_score, note = row
        inds.append(
            Indicator(
                level1=_cell(IND, f"A{r}", l1),
                level2=_cell(IND, f"B{r}", l2),
                level3=_cell(IND, f"C{r}", l3),
                direction=_cell(IND, f"D{r}", direction),
                target=_cell(IND, f"E{r}", target),
                unit=_cell(IND, f"F{r}", unit),
                actual=_cell(IND, f"G{r}", actual),
                band=_cell(IND, f"H{r}", band),
                weight=_cell(IND, f"I{r}", w),
                self_score=_cell(IND, f"J{r}", self_score),
                note=_cell(IND, f"K{r}", note),
                row=r,
            )
        )
    scores = [
        (D("8.40"), "positive", "positive", "正向：10 × 4200 ÷ 5000 = 8.40"),
        (D("7.20"), "reverse", "reverse-linear", "反向：8 × (2 × 90 − 99) ÷ 90 = 7.20"),
        (D("10.00"), "qualitative", "qualitative", "定性：达成年度指标，得满分10.00"),
        (None if total_blocked else D("0.00"), "positive", None, "实际完成值“无法统计”不是数值，未计分"),
    ]
    iscores = []
    for ind, (score, kind, rule, detail) in zip(inds, scores):
        self_score = ind.self_score.value
        iscores.append(
            IndicatorScore(
                indicator=ind,
                level1=ind.level1.value,
                level2=ind.level2.value,
                level3=ind.level3.value,
                kind=kind,
                rule=rule,
                target=ind.target.text,
                actual=ind.actual.text,
                weight=D(str(ind.weight.value)),
                score=score,
                self_score=None if self_score is None else D(str(self_score)),
                detail=detail,
            )
        )
    funds = [
        BudgetLine(
            "年度资金总额",
            _cell(FUNDS, "A3", "年度资金总额"),
            _cell(FUNDS, "B3", 100),
            _cell(FUNDS, "C3", 120),
            _cell(FUNDS, "D3", 103.5),
            is_total=True,
        ),
        BudgetLine(
            "当年财政拨款",
            _cell(FUNDS, "A4", "当年财政拨款"),
            _cell(FUNDS, "B4", 100),
            _cell(FUNDS, "C4", 120),
            _cell(FUNDS, "D4", 103.5),
        ),
        BudgetLine(
            "上年结转资金",
            _cell(FUNDS, "A5", "上年结转资金"),
            _cell(FUNDS, "B5", 0),
            _cell(FUNDS, "C5", 0),
            _cell(FUNDS, "D5", 0),
        ),
    ]
    project = Project(
        source="clerk.xlsx",
        layout="template",
        name=_cell(INFO, "B3", "社区消防培训"),
        department=_cell(INFO, "B4", "区应急管理局"),
        unit=_cell(INFO, "B5", "嘉禾街道办事处"),
        year=_cell(INFO, "B6", 2022.0),
        goal_expected=_cell(INFO, "B8", "培训5000人次"),
        goal_actual=_cell(INFO, "B9", "培训4200人次"),
        self_total=_cell(INFO, "B10", 96.5),
        funds=funds,
        indicators=inds,
    )
    budget = BudgetScore(D("100"), D("120"), D("103.5"), D("0.8625"), D("8.63"), D("10"), "执行率 = 103.50 ÷ 120.00")
    if findings is None:
        findings = [
            Finding(HINT, "SELF_SCORE_DIFFERS", IND, "J3", "自评得分10.00，按规则计算为8.40。"),
            Finding(ERROR, "DEVIATION_REASON_MISSING", IND, "K6", "该指标得分0.00低于分值10，请填写偏差原因分析及改进措施。"),
        ]
    if total_blocked:
        findings = findings + [Finding(ERROR, "ACTUAL_UNPARSEABLE", IND, "G6", "实际完成值“无法统计”不是数值。", True)]
    return Result(
        project=project,
        profile_id=PROFILE.id,
        budget=budget,
        indicators=iscores,
        subtotals={
            "output": D("15.60"),  # 8.40 + 7.20
            "effect": D("10.00"),
            "satisfaction": None if total_blocked else D("0.00"),
        },
        total=None if total_blocked else D("34.23"),
        grade=None if total_blocked else "差",
        self_total=D("96.5"),
        findings=findings,
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """(input Book, output path, Result) for the clerk's workbook, written once for many tests."""
    tmp = tmp_path_factory.mktemp("scored")
    src = write_clerk_book(tmp / "clerk.xlsx")
    book = open_book(str(src))
    result = build_result()
    out = tmp / "clerk.scored.xlsx"
    scored.write_scored(result, book, str(out), PROFILE)
    return book, out, result


@pytest.fixture(scope="module")
def out_book(written):
    return open_book(str(written[1]))


@pytest.fixture(scope="module")
def out_xl(written):
    return openpyxl.load_workbook(str(written[1]))


def col_of(ws, row: int, header: str) -> int:
    """1-based column of ``header`` in 1-based ``row`` of an openpyxl sheet."""
    for c in range(1, ws.max_column + 1):
        if ws.cell(row=row, column=c).value == header:
            return c
    raise AssertionError(f"{header} not in row {row}")


# -- round trip ---------------------------------------------------------------------------------


def test_every_clerk_value_is_at_the_same_sheet_and_cell(written, out_book):
    book, _, _ = written
    assert out_book.names[: len(book.names)] == book.names
    checked = 0
    for sheet in book.sheets:
        copy = out_book.get(sheet.name)
        for r, row in enumerate(sheet.rows):
            for c, v in enumerate(row):
                if v in ("", None):
                    continue
                assert copy.raw(r, c) == v, (sheet.name, r, c)
                assert type(copy.raw(r, c)) is type(v) or isinstance(v, (int, float)), (sheet.name, r, c)
                checked += 1
    assert checked > 60


def test_a_large_input_is_assembled_in_temporary_files_with_the_same_content(written, tmp_path, monkeypatch):
    # in memory, every part's XML would sit there at once: a workbook far beyond a self-evaluation's
    # few hundred cells goes through xlsxwriter's temporary files instead; the content is the same
    book, out, result = written
    asked = []
    real = scored.new_workbook
    monkeypatch.setattr(scored, "new_workbook", lambda path, **kw: asked.append(kw) or real(path, **kw))
    monkeypatch.setattr(scored, "IN_MEMORY_CELLS", 10)
    big = tmp_path / "big.scored.xlsx"
    scored.write_scored(result, book, str(big), PROFILE)
    monkeypatch.undo()
    assert asked == [{"in_memory": False}]
    same = openpyxl.load_workbook(str(big))
    ref = openpyxl.load_workbook(str(out))
    assert same.sheetnames == ref.sheetnames
    for a, b in zip(same.worksheets, ref.worksheets):
        assert [[c.value for c in r] for r in a.iter_rows()] == [[c.value for c in r] for r in b.iter_rows()], a.title


def test_clerk_text_that_looks_like_a_formula_stays_text(written, out_xl):
    assert out_xl["备注"]["A3"].value == "=1+1"
    assert out_xl["备注"]["A3"].data_type == "s"
    assert out_xl[IND]["K3"].value == "=1+1"
    assert out_xl[IND]["K3"].data_type == "s"
    assert out_xl[layout.GUIDE_SHEET]["A3"].data_type == "s"


def test_types_merges_and_hidden_sheet_survive(written, out_xl):
    notes = out_xl["备注"]
    assert notes.sheet_state == "hidden"
    assert notes["A1"].value == dt.datetime(2022, 12, 31)
    assert notes["A1"].is_date
    assert notes["A2"].value is True
    assert notes["D8"].value == -3.25
    assert "A5:B6" in {str(m) for m in notes.merged_cells.ranges}
    assert notes["A9"].number_format == "0.0%"  # the percent format as the clerk set it (95.5%, not 0.955)
    assert notes.row_dimensions[10].hidden and notes["A10"].value == "隐藏行"
    assert "A1:K1" in {str(m) for m in out_xl[IND].merged_cells.ranges}
    assert "A1:D1" in {str(m) for m in out_xl[FUNDS].merged_cells.ranges}


def test_template_table_sheets_freeze_their_header(out_xl):
    for name in (INFO, FUNDS, layout.ALLOC_SHEET, IND):
        assert out_xl[name].freeze_panes == f"A{layout.HEADER_ROW + 1}", name
    assert out_xl[IND]["A2"].font.b  # header row bold
    assert out_xl[IND].column_dimensions["C"].width >= 14  # 三级指标 names are readable


def test_clerks_own_result_sheet_is_kept_and_ours_gets_a_suffix(written, out_xl):
    names = out_xl.sheetnames
    assert names.count(layout.RESULT_SHEET) == 1
    own = out_xl[layout.RESULT_SHEET]
    assert own["A1"].value == "单位自己的评分结果" and own["A2"].value == 99
    assert names[-3:] == [f"{layout.RESULT_SHEET}(2)", layout.DETAIL_SHEET, layout.FINDINGS_SHEET]


# -- figures added to the copied sheets -----------------------------------------------------------


def test_score_and_rule_columns_beside_each_indicator(out_xl):
    ws = out_xl[IND]
    sc = col_of(ws, layout.HEADER_ROW, "计算得分")
    assert sc == len(layout.IND_HEADERS) + 1  # first free column, right of 偏差原因分析及改进措施 (K)
    assert ws.cell(row=layout.HEADER_ROW, column=sc + 1).value == "评分规则"
    assert [ws.cell(row=r, column=sc).value for r in (3, 4, 5, 6)] == [8.4, 7.2, 10.0, 0.0]
    assert ws.cell(row=3, column=sc).number_format == "0.00"
    assert ws.cell(row=4, column=sc + 1).value == "反向：8 × (2 × 90 − 99) ÷ 90 = 7.20"
    # computed cells are light green, never the template's light yellow "fill here" (F2CC)
    from jixiao_xlsx.write.template import INPUT_FILL

    for c in (sc, sc + 1):
        for r in (layout.HEADER_ROW, 3, 4, 5, 6):
            rgb = ws.cell(row=r, column=c).fill.fgColor.rgb
            assert not rgb.endswith(INPUT_FILL[1:]), (r, c, rgb)
            if c == sc + 1 or r == layout.HEADER_ROW:  # (score cells may be red: a self score differs)
                assert rgb.endswith(scored.COMPUTED_FILL[1:]), (r, c, rgb)


def test_blocked_row_leaves_the_score_blank_and_total_says_so(tmp_path):
    src = write_clerk_book(tmp_path / "b.xlsx", extra_result_sheet=False)
    out = tmp_path / "b.scored.xlsx"
    scored.write_scored(build_result(total_blocked=True), open_book(str(src)), str(out), PROFILE)
    xl = openpyxl.load_workbook(str(out))
    ws = xl[IND]
    sc = col_of(ws, layout.HEADER_ROW, "计算得分")
    assert ws.cell(row=5, column=sc).value == 10.0
    assert ws.cell(row=6, column=sc).value is None
    info = xl[INFO]
    labels = {info.cell(row=r, column=1).value: info.cell(row=r, column=2).value for r in range(1, info.max_row + 1)}
    assert labels["计算总分"] == scored.BLOCKED_TEXT
    assert labels["等级"] == scored.BLOCKED_TEXT
    res = xl[layout.RESULT_SHEET]
    total_row = next(r for r in range(1, res.max_row + 1) if res.cell(row=r, column=1).value == "总分")
    assert res.cell(row=total_row, column=8).value == scored.BLOCKED_TEXT
    assert xl[layout.DETAIL_SHEET].cell(row=6, column=9).value is None  # row 6's 计算得分 blank


def test_execution_rate_and_score_beside_the_funds_total_row(out_xl):
    ws = out_xl[FUNDS]
    c = col_of(ws, 2, "执行率")
    assert c == len(layout.FUNDS_HEADERS) + 1
    assert ws.cell(row=2, column=c + 1).value == "预算执行得分"
    assert ws.cell(row=3, column=c).value == pytest.approx(0.8625)  # 103.5 / 120
    assert ws.cell(row=3, column=c).number_format == "0.00%"
    assert ws.cell(row=3, column=c + 1).value == pytest.approx(8.63)  # 10 × 0.8625 = 8.625 -> 8.63
    assert ws.cell(row=3, column=c + 1).number_format == "0.00"


def test_total_and_grade_appended_to_project_info(written, out_xl):
    book = written[0]
    last = scored.used_extent(book.get(INFO))[0]  # rows used by the clerk (0-based count)
    ws = out_xl[INFO]
    labels = {ws.cell(row=r, column=1).value: (r, ws.cell(row=r, column=2).value) for r in range(1, ws.max_row + 1)}
    assert labels["计算总分"][1] == pytest.approx(34.23)  # 8.63 + 8.40 + 7.20 + 10.00 + 0.00
    assert labels["等级"][1] == "差"  # 34.23 < 60
    assert labels["计算得分：产出指标"][1] == pytest.approx(15.6)  # 8.40 + 7.20
    assert min(r for r, _ in labels.values() if r) <= 2
    assert labels["计算得分：预算执行"][0] == last + 1  # first appended row is right below the clerk's last
    assert ws.cell(row=labels["自评总分"][0], column=2).value == 96.5  # the clerk's own total untouched


# -- the three added sheets -----------------------------------------------------------------------


def _rows(ws):
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_result_sheet_is_the_national_form(out_xl):
    ws = out_xl[f"{layout.RESULT_SHEET}(2)"]
    rows = _rows(ws)
    assert rows[0][0] == "项目支出绩效自评表（2022年度）"
    assert rows[1][:2] == ["项目名称", "社区消防培训"]
    assert rows[2][0] == "主管部门" and rows[2][1] == "区应急管理局"
    assert rows[2][4] == "实施单位" and rows[2][5] == "嘉禾街道办事处"
    assert rows[3][0] == "项目资金（万元）"
    assert rows[3][3:9] == ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]
    assert rows[4][1] == "年度资金总额"
    assert rows[4][3:9] == [100, 120, 103.5, 10, pytest.approx(0.8625), pytest.approx(8.63)]
    assert ws.cell(row=5, column=8).number_format == "0.00%"
    assert ws.cell(row=5, column=4).number_format == "0.00"
    assert rows[5][1] == "其中：当年财政拨款" and rows[5][6:9] == ["—", "—", "—"]
    goal = next(i for i, r in enumerate(rows) if r[0] == "年度总体目标")
    assert rows[goal][1] == "预期目标" and rows[goal][5] == "实际完成情况"
    assert rows[goal + 1][1] == "培训5000人次" and rows[goal + 1][5] == "培训4200人次"
    head = next(i for i, r in enumerate(rows) if r[0] == "绩效指标")
    assert rows[head][1:9] == [
        "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施",
    ]
    body = rows[head + 1 : head + 5]
    assert [r[3] for r in body] == [row[2] for row in INDICATOR_ROWS]
    assert [r[7] for r in body] == [8.4, 7.2, 10.0, 0.0]
    assert body[0][8] == "=1+1" and ws.cell(row=head + 2, column=9).data_type == "s"
    # 产出指标 spans the first two rows: one merged cell, as on the paper form
    assert f"B{head + 2}:B{head + 3}" in {str(m) for m in ws.merged_cells.ranges}
    total = rows[head + 5]
    assert total[0] == "总分"
    assert total[6] == 48  # weights: 10 (execution) + 10 + 8 + 10 + 10
    assert total[7] == pytest.approx(34.23)
    grade = rows[head + 6]
    assert grade[0] == "评价等级" and grade[1] == "差"
    assert grade[3] == "自评总分" and grade[4] == 96.5


def test_result_sheet_prints_on_a4_one_page_wide(out_xl):
    ws = out_xl[f"{layout.RESULT_SHEET}(2)"]
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # absent means 1 (the OOXML default)
    assert ws.page_setup.fitToHeight == 0  # as many pages tall as needed
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.print_title_rows == "$1:$1"
    assert ws.cell(row=12, column=4).border.left.style == "thin"


def test_detail_sheet_lists_execution_then_every_indicator(out_xl):
    ws = out_xl[layout.DETAIL_SHEET]
    rows = _rows(ws)
    assert rows[0] == [
        "行号/单元格", "一级指标", "二级指标", "三级指标", "指标类型", "年度指标值", "实际完成值", "分值",
        "计算得分", "自评得分", "差异", "评分规则", "计算过程",
    ]
    exec_row = rows[1]
    assert exec_row[0] == f"{FUNDS}!A3"
    assert exec_row[1] == "预算执行率"
    assert "120.00" in exec_row[5] and "103.50" in exec_row[6]
    assert exec_row[7] == 10 and exec_row[8] == pytest.approx(8.63)
    assert exec_row[12] == "执行率 = 103.50 ÷ 120.00"
    first = rows[2]
    assert first[0] == f"{IND}!C3"
    assert first[1:5] == ["产出指标", "数量指标", "开展培训人次", "正向"]
    assert first[7:11] == [10, 8.4, 10, pytest.approx(1.6)]  # 差异 = 自评 10 − 计算 8.40 = 1.60
    assert ws.cell(row=3, column=9).number_format == "0.00"
    assert first[11] == "正向比例"  # Chinese rule name only; the id "positive" is in --json
    assert [r[4] for r in rows[2:6]] == ["正向", "反向", "定性", "正向"]
    assert rows[3][9] is None and rows[3][10] is None  # no self score: no difference
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:M6"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth in (None, 1)


def test_findings_sheet_lists_every_finding(written, out_xl):
    ws = out_xl[layout.FINDINGS_SHEET]
    rows = _rows(ws)
    assert rows[0] == ["序号", "严重程度", "问题代码", "工作表", "单元格", "问题说明"]  # the summary's names too
    assert rows[1] == [1, HINT, "SELF_SCORE_DIFFERS", IND, "J3", "自评得分10.00，按规则计算为8.40。"]
    assert rows[2][:5] == [2, ERROR, "DEVIATION_REASON_MISSING", IND, "K6"]
    assert len(rows) == 3
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:F3"


def test_no_findings_says_so(tmp_path):
    src = write_clerk_book(tmp_path / "n.xlsx")
    out = tmp_path / "n.scored.xlsx"
    scored.write_scored(build_result(findings=[]), open_book(str(src)), str(out), PROFILE)
    ws = openpyxl.load_workbook(str(out))[layout.FINDINGS_SHEET]
    assert ws["A2"].value == "未发现问题"


def test_added_sheets_get_new_names_each_time_they_clash(tmp_path):
    """Re-scoring a scored workbook keeps all its sheets and adds a fresh set with suffixes."""
    src = write_clerk_book(tmp_path / "c.xlsx")
    once = tmp_path / "once.xlsx"
    scored.write_scored(build_result(), open_book(str(src)), str(once), PROFILE)
    twice = tmp_path / "twice.xlsx"
    first_book = open_book(str(once))
    scored.write_scored(build_result(), first_book, str(twice), PROFILE)
    names = open_book(str(twice)).names
    assert names[: len(first_book.names)] == first_book.names
    assert names[len(first_book.names) :] == ["评分结果(3)", "评分明细(2)", "问题清单(2)"]


# -- odd values --------------------------------------------------------------------------------


def test_nan_inf_and_odd_values_become_text(tmp_path):
    sheet = Sheet(
        "杂项",
        [
            [float("nan"), float("inf"), 10**400, dt.date(1899, 12, 1)],
            ["", dt.time(8, 30), D("1.25"), "=HYPERLINK(\"http://x\")"],
        ],
    )
    book = Book("x.xlsx", [sheet])
    result = build_result()
    out = tmp_path / "odd.xlsx"
    scored.write_scored(result, book, str(out), PROFILE)
    ws = openpyxl.load_workbook(str(out))["杂项"]
    assert ws["A1"].value == "nan" and ws["B1"].value == "inf"
    assert ws["C1"].data_type == "s" and ws["C1"].value.startswith("1000")
    assert ws["D1"].value == "1899-12-01"
    assert ws["B2"].value == dt.time(8, 30)
    assert ws["C2"].value == 1.25
    assert ws["D2"].data_type == "s"


def test_sheet_names_are_made_valid_and_unique():
    names = scored.SheetNames()
    assert names.take("评分结果") == "评分结果"
    assert names.take("评分结果") == "评分结果(2)"
    assert names.take("A/B:C*?[x]") == "A_B_C___x_"
    long = "很" * 40
    assert names.take(long) == "很" * 31
    assert names.take(long) == "很" * 28 + "(2)"
    assert names.take("sheet") == "sheet" and names.take("SHEET") == "SHEET(2)"


def test_helpers():
    assert scored.ref_rc("C7") == (6, 2)
    assert scored.ref_rc("$AA$10") == (9, 26)
    assert scored.ref_rc("") is None and scored.ref_rc("第7行") is None
    assert scored.display_width("三级a") == 5
    assert scored.text_lines("一二三四五", 6) == 2  # width 10 in a column of 6 (5 usable)


# -- end to end with the real reader and scorer -------------------------------------------------


@pytest.mark.parametrize("builder", ["build_v1", "build_v3"])  # v1 has a 总分 row, v3 has none
def test_official_form_gets_scores_beside_the_written_ones(tmp_path, builder):
    from jixiao_xlsx import api
    from jixiao_xlsx.rules.scoring import evaluate

    from tests.support import official_forms

    src = getattr(official_forms, builder)(tmp_path / "form.xlsx")
    book = open_book(str(src))
    result = evaluate(api.read_project(book, PROFILE), PROFILE)
    # totals worked by hand row by row in tests/test_official.py (test_v1_score, test_v3_score)
    assert (str(result.total), result.grade) == {"build_v1": ("97.06", "优"), "build_v3": ("96.94", "优")}[builder]
    out = tmp_path / "form.scored.xlsx"
    api.write_scored_file(result, out, PROFILE, book=book)
    back = open_book(str(out))
    form = book.sheets[0]
    copy = back.get(form.name)
    for r, row in enumerate(form.rows):
        for c, v in enumerate(row):
            if v not in ("", None):
                assert copy.raw(r, c) == v
    assert set(form.merges) <= set(copy.merges)
    _, ncols = scored.used_extent(form)
    for s in result.indicators:
        got = copy.raw(s.indicator.row - 1, ncols)
        if s.score is None:
            assert got in ("", None)
        else:
            assert got == pytest.approx(float(s.score))
    first = min(s.indicator.row for s in result.indicators) - 1
    header = max(r for r in range(first) if "三级指标" in [str(v).strip() for v in form.rows[r]])
    assert copy.raw(header, ncols) == "计算得分" and copy.raw(header, ncols + 1) == "评分规则"
    total_rows = [r for r in range(first, form.nrows) if "总分" in [str(v).strip() for v in form.rows[r]]]
    if total_rows:
        assert copy.raw(total_rows[0], ncols) == pytest.approx(float(result.total))
        assert copy.raw(total_rows[0], ncols + 1) == f"评价等级：{result.grade}"
    else:  # no 总分 row: two labelled rows below the form
        r = scored.used_extent(form)[0] + 1
        assert [copy.raw(r, 0), copy.raw(r, 1)] == ["计算总分", pytest.approx(float(result.total))]
        assert [copy.raw(r + 1, 0), copy.raw(r + 1, 1)] == ["评价等级", result.grade]
    assert back.names[1:] == [layout.RESULT_SHEET, layout.DETAIL_SHEET, layout.FINDINGS_SHEET]


@pytest.mark.soffice
@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_libreoffice_opens_it_and_each_sheet_prints_one_page_wide(written, tmp_path):
    """Every sheet of this small workbook is one page; a repair prompt or overflow would add pages."""
    out = written[1]
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [exe, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(out)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = tmp_path / (out.stem + ".pdf")
    assert pdf.exists()
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    else:
        pages = len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))
    visible = len([n for n in openpyxl.load_workbook(str(out)).worksheets if n.sheet_state == "visible"])
    assert pages == visible


def test_self_scores_the_scorer_flagged_are_highlighted(tmp_path):
    """Row 3: ≥2部 with 1部 → 8 × 1 / 2 = 4.00 while the clerk wrote 8 → SELF_SCORE_DIFFERS → red fill on the
    computed score (column L, right of the template's A–K); row 4 has no self score → no fill."""
    import copy

    import openpyxl

    from jixiao_xlsx import api
    from jixiao_xlsx.write.template import write_template
    from samples.make_samples import JIAHE

    data = copy.deepcopy(JIAHE)
    data["indicators"][0].update({"年度指标值": "≥2部", "自评得分": 8, "偏差原因分析及改进措施": "印刷延期"})
    src = tmp_path / "in.xlsx"
    write_template(src, data)
    book, result = api.open_and_evaluate(str(src), PROFILE)
    assert [(f.code, f.cell) for f in result.findings if f.code == "SELF_SCORE_DIFFERS"] == [("SELF_SCORE_DIFFERS", "J3")]
    out = tmp_path / "out.xlsx"
    api.write_scored_file(result, out, PROFILE, book)
    ws = openpyxl.load_workbook(out)[layout.IND_SHEET]
    assert ws["L3"].value == 4 and ws["L3"].fill.fgColor.rgb.endswith("F8CBAD")
    assert not ws["L4"].fill.fgColor.rgb.endswith("F8CBAD")
