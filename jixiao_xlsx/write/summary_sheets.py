"""The summary workbook's sheets written through xlsxwriter: 汇总 (with its 合计 row), 排名, 图表,
未能处理 and 说明, plus the sheet and column names every part of the summary shares.
"""
from __future__ import annotations

import datetime as _dt
import math
from decimal import Decimal

from .. import __version__
from ..a1 import cell_ref, col_letter
from .output import readable
from .rowstream import RowStream, xf_index
from .aggregates import (coverage_note, difference, grade_table, mean_total, money_coverage, money_totals,
                         ranking, unit_table, _shown, _year)

SUMMARY_SHEET = "汇总"
RANK_SHEET = "排名"
CHART_SHEET = "图表"
INDICATOR_SHEET = "指标明细"
FINDINGS_SHEET = "问题清单"
FAILED_SHEET = "未能处理"
ABOUT_SHEET = "说明"
SHEETS = (SUMMARY_SHEET, RANK_SHEET, CHART_SHEET, INDICATOR_SHEET, FINDINGS_SHEET, FAILED_SHEET, ABOUT_SHEET)

SUMMARY_COLUMNS = (
    "实施单位", "主管部门", "项目名称", "年度", "全年预算数", "全年执行数", "执行率", "预算执行得分",
    "产出得分", "效益得分", "满意度得分", "总分", "等级", "自评总分", "差异", "错误数", "提示数", "源文件",
)  # fmt: skip
RANK_COLUMNS = ("名次", "实施单位", "项目名称", "总分", "等级", "执行率", "源文件")
INDICATOR_COLUMNS = (
    "源文件", "实施单位", "项目名称", "一级指标", "二级指标", "三级指标", "指标类型", "年度指标值",
    "实际完成值", "分值", "得分", "自评得分", "评分规则",
)  # fmt: skip
FINDING_COLUMNS = ("源文件", "实施单位", "工作表", "单元格", "严重程度", "问题代码", "问题说明")  # as in a scored workbook
FAILED_COLUMNS = ("源文件", "情况", "原因")
ABOUT_COLUMNS = ("项目", "内容")
GRADE_TABLE_COLUMNS = ("等级", "项目数")
UNIT_TABLE_COLUMNS = ("实施单位", "项目数", "平均总分", "全年预算数", "全年执行数", "执行率",
                      "计入平均总分的项目数", "计入金额合计的项目数")  # what each aggregate covers (#17)

TOTAL_LABEL = "合计"
FAILED_READ = "未能读取"
FAILED_SKIPPED = "已跳过"
SCORED_WRITE_FAILED = "SCORED_WRITE_FAILED"  # batch-level codes, in findings.CATALOGUE like every other
DUPLICATE_PROJECT = "DUPLICATE_PROJECT"
# what to do about DUPLICATE_PROJECT, in 说明 and on the console alike
DUPLICATE_ADVICE = (f"见汇总表“问题清单”工作表“问题代码”列为 {DUPLICATE_PROJECT} 的行，"
                    "核实后把多余的文件移出文件夹再汇总。")


GRADE_COLOURS = {"优": "#C6EFCE", "良": "#BDD7EE", "中": "#FFEB9C", "差": "#FFC7CE"}
GRADE_FONTS = {"优": "#006100", "良": "#1F4E78", "中": "#9C5700", "差": "#9C0006"}


# ---------------------------------------------------------------------------------------------
# writing


class _Writer:
    """Thin typed-cell helpers: text is always write_string, numbers write_number, None blank."""

    def __init__(self, wb):
        self.wb = wb
        f = wb.add_format
        self.head = f({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True, "valign": "vcenter"})
        self.text = f({})
        self.money = f({"num_format": "0.00"})
        self.score = f({"num_format": "0.00"})
        self.rate = f({"num_format": "0.00%"})
        self.int = f({"num_format": "0"})
        self.total_text = f({"bold": True, "top": 1})
        self.total_money = f({"bold": True, "top": 1, "num_format": "0.00"})
        self.total_rate = f({"bold": True, "top": 1, "num_format": "0.00%"})
        self.total_int = f({"bold": True, "top": 1, "num_format": "0"})
        self.total_blank = f({"top": 1})
        self.title = f({"bold": True, "font_size": 12})

    def header(self, ws, row, cols, widths=None):
        for c, name in enumerate(cols):
            ws.write_string(row, c, name, self.head)
            if widths:
                ws.set_column(c, c, widths[c])

    def put(self, ws, r, c, v, fmt=None):
        if v is None or v == "":
            return
        if isinstance(v, (Decimal, int, float)) and not isinstance(v, bool):
            ws.write_number(r, c, float(v), fmt)
        else:
            ws.write_string(r, c, readable(str(v)), fmt or self.text)



def _page(ws, landscape=True):
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _grade_formats(wb, ws, first_row, last_row, col):
    if last_row < first_row:
        return
    for g, bg in GRADE_COLOURS.items():
        fmt = wb.add_format({"bg_color": bg, "font_color": GRADE_FONTS[g]})
        ws.conditional_format(
            first_row, col, last_row, col, {"type": "cell", "criteria": "==", "value": f'"{g}"', "format": fmt}
        )


def _write_summary_sheet(w: _Writer, ws, records, profile, rows: RowStream):
    widths = (24, 20, 30, 6, 11, 11, 9, 9, 9, 9, 9, 8, 6, 9, 8, 7, 7, 40)
    w.header(ws, 0, SUMMARY_COLUMNS, widths)
    ws.freeze_panes(1, 0)
    ws.set_row(0, 30)
    money_cols = {"全年预算数", "全年执行数"}
    score_cols = {"预算执行得分", "产出得分", "效益得分", "满意度得分", "总分", "自评总分", "差异"}
    fmts = [
        w.money if name in money_cols
        else w.rate if name == "执行率"
        else w.score if name in score_cols
        else w.int if name in ("错误数", "提示数")
        else None
        for name in SUMMARY_COLUMNS
    ]  # fmt: skip
    num_styles, text_styles = _styles(w, fmts)
    for i, rec in enumerate(records, 1):
        res = rec["result"]
        b, s = res["budget"], res["scores"]
        values = (
            res.get("unit"),  # 实施单位
            res.get("department"),  # 主管部门
            res.get("project"),  # 项目名称
            _year(res.get("year")),  # 年度
            _shown(b.get("adjusted")),  # 全年预算数
            _shown(b.get("executed")),  # 全年执行数
            _shown(b.get("rate")),  # 执行率
            _shown(s.get("execution")),  # 预算执行得分
            _shown(s.get("output")),  # 产出得分
            _shown(s.get("effect")),  # 效益得分
            _shown(s.get("satisfaction")),  # 满意度得分
            _shown(res.get("total")),  # 总分
            res.get("grade"),  # 等级
            _shown(res.get("self_reported_total")),  # 自评总分
            difference(res),  # 差异
            rec["errors"],  # 错误数
            rec["hints"],  # 提示数
            rec["file"],  # 源文件
        )
        rows.write(i, _cells(values), num_styles, text_styles)
    n = len(records)
    last = n  # last data row (0-based); the totals row follows it
    _totals_row(w, ws, records, n + 1, last)
    ws.autofilter(0, 0, max(last, 1), len(SUMMARY_COLUMNS) - 1)
    col = SUMMARY_COLUMNS.index
    _grade_formats(w.wb, ws, 1, last, col("等级"))
    if last >= 1:
        hi = w.wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True})
        ws.conditional_format(
            1, col("差异"), last, col("差异"),
            {"type": "cell", "criteria": ">", "value": float(profile.tol_score), "format": hi},
        )  # fmt: skip
    _page(ws)
    ws.set_header("&C&\"宋体,Bold\"项目支出绩效自评汇总表")
    ws.set_footer("&C第 &P 页，共 &N 页")


def _totals_row(w: _Writer, ws, records, row, last):
    """Totals: live formulas with their values cached, computed in Decimal here so that a reader
    without a calculation engine sees the same figures.  The money sums are SUMIFS over the rows that
    have both amounts (issue #17: a project missing one of them would count on one side only), so
    they no longer follow the autofilter; the counts stay SUBTOTALs (they do)."""
    col = SUMMARY_COLUMNS.index
    budget, executed, rate = money_totals(records)
    counted, left_out = money_coverage(records)
    errors = sum(r["errors"] for r in records)
    hints = sum(r["hints"] for r in records)
    for c in range(len(SUMMARY_COLUMNS)):
        ws.write_blank(row, c, None, w.total_blank)
    ws.write_string(row, 0, TOTAL_LABEL, w.total_text)
    said = f"{len(records)}个项目"
    if left_out:
        said += f"；金额合计计入{counted}个，{coverage_note(left_out)}"
    ws.write_string(row, col("项目名称"), said, w.total_text)
    first_excel, last_excel = 2, last + 1  # 1-based data rows

    def rng(name):
        L = col_letter(col(name))
        return f"{L}{first_excel}:{L}{max(last_excel, first_excel)}"

    def both(name):  # SUM of ``name`` over the rows with both amounts and a budget that is not 0
        b = rng("全年预算数")
        return f'=SUMIFS({rng(name)},{b},"<>",{rng("全年执行数")},"<>",{b},"<>0")'

    if not records:  # no data row: a formula over E2:E2 would refer to itself (a circular reference)
        for name in ("全年预算数", "全年执行数", "错误数", "提示数"):
            ws.write_number(row, col(name), 0, w.total_int if name in ("错误数", "提示数") else w.total_money)
        ws.write_string(row, col("源文件"), "0个文件", w.total_text)
        return
    bcell = cell_ref(row, col("全年预算数"))
    ecell = cell_ref(row, col("全年执行数"))
    ws.write_formula(row, col("全年预算数"), both("全年预算数"), w.total_money, _cached(budget))
    ws.write_formula(row, col("全年执行数"), both("全年执行数"), w.total_money, _cached(executed))
    ws.write_formula(
        row, col("执行率"), f'=IF({bcell}=0,"",ROUND({ecell}/{bcell},4))', w.total_rate,
        "" if rate is None else _cached(rate),
    )
    ws.write_formula(row, col("错误数"), f"=SUBTOTAL(109,{rng('错误数')})", w.total_int, errors)
    ws.write_formula(row, col("提示数"), f"=SUBTOTAL(109,{rng('提示数')})", w.total_int, hints)
    ws.write_string(row, col("源文件"), f"{len(records)}个文件", w.total_text)


def _cached(v):
    """A formula's cached value: the number, or Excel's #DIV/0! where the sum is beyond a float (an
    amount typed with hundreds of digits), as the cells it adds up show."""
    f = float(v)
    return f if math.isfinite(f) else "#DIV/0!"


def _write_rank_sheet(w: _Writer, ws, records, stream: RowStream):
    w.header(ws, 0, RANK_COLUMNS, (6, 24, 30, 8, 6, 9, 40))
    ws.freeze_panes(1, 0)
    rows = ranking(records)
    num_styles, text_styles = _styles(w, (w.int, None, None, w.score, None, w.rate, None))
    for i, (rank, rec) in enumerate(rows, 1):
        res = rec["result"]
        values = (rank, res.get("unit"), res.get("project"), _shown(res.get("total")), res.get("grade"),
                  _shown(res["budget"].get("rate")), rec["file"])  # fmt: skip
        stream.write(i, _cells(values), num_styles, text_styles)
    ws.autofilter(0, 0, max(len(rows), 1), len(RANK_COLUMNS) - 1)
    _grade_formats(w.wb, ws, 1, len(rows), 4)
    _page(ws, landscape=False)


def _styles(w: _Writer, fmts) -> tuple:
    """xf indexes per column for numbers and for text, as :meth:`_Writer.put` formats them."""
    return (tuple(xf_index(f) for f in fmts), tuple(xf_index(f or w.text) for f in fmts))


def _cells(values) -> list:
    """Row values as :meth:`_Writer.put` writes them: numbers as float, anything else as text."""
    out = []
    for v in values:
        if v is None or v == "":
            out.append(None)
        elif isinstance(v, (Decimal, int, float)) and not isinstance(v, bool):
            out.append(float(v))
        else:
            out.append(str(v))
    return out


def _write_chart_sheet(w: _Writer, ws, records, profile):
    ws.set_column(0, 0, 24)
    ws.set_column(1, 5, 11)
    ws.set_column(6, 7, 21)  # 计入…的项目数: say what each aggregate covers
    grades = grade_table(records, profile)
    ws.write_string(0, 0, "等级分布", w.title)
    w.header(ws, 1, GRADE_TABLE_COLUMNS)
    for i, (g, n) in enumerate(grades, 2):
        ws.write_string(i, 0, g)
        ws.write_number(i, 1, n, w.int)
    g_first, g_last = 2, 1 + len(grades)
    units = unit_table(records)
    u_title = g_last + 2
    ws.write_string(u_title, 0, "各实施单位", w.title)
    w.header(ws, u_title + 1, UNIT_TABLE_COLUMNS)
    u_first = u_title + 2
    for i, (unit, n, mean, b, e, rate, with_total, counted) in enumerate(units, u_first):
        ws.write_string(i, 0, unit)
        ws.write_number(i, 1, n, w.int)
        w.put(ws, i, 2, mean, w.score)
        w.put(ws, i, 3, b, w.money)
        w.put(ws, i, 4, e, w.money)
        w.put(ws, i, 5, rate, w.rate)
        ws.write_number(i, 6, with_total, w.int)
        ws.write_number(i, 7, counted, w.int)
    u_last = u_first + len(units) - 1
    name = CHART_SHEET
    colours = [GRADE_FONTS.get(g, "#7F7F7F") for g, _ in grades]

    col_chart = w.wb.add_chart({"type": "column"})
    col_chart.add_series({
        "name": "项目数",
        "categories": [name, g_first, 0, g_last, 0],
        "values": [name, g_first, 1, g_last, 1],
        "points": [{"fill": {"color": c}} for c in colours],
        "data_labels": {"value": True},
    })  # fmt: skip
    col_chart.set_title({"name": "等级分布"})
    col_chart.set_legend({"none": True})
    col_chart.set_y_axis({"name": "项目数", "min": 0})
    left, right = len(UNIT_TABLE_COLUMNS) + 1, len(UNIT_TABLE_COLUMNS) + 10  # charts right of the tables
    ws.insert_chart(0, left, col_chart, {"x_scale": 1.29})

    pie = w.wb.add_chart({"type": "pie"})
    pie.add_series({
        "name": "等级分布",
        "categories": [name, g_first, 0, g_last, 0],
        "values": [name, g_first, 1, g_last, 1],
        "points": [{"fill": {"color": c}} for c in colours],
        "data_labels": {"percentage": True, "category": True},
    })  # fmt: skip
    pie.set_title({"name": "等级占比"})
    ws.insert_chart(0, right, pie, {"x_scale": 1.29})

    if units:
        height = min(max(320, 80 + 24 * len(units)), 4000)
        for title, c, fmt_axis, col in (
            ("各实施单位平均总分", 2, {"min": 0, "max": float(profile.total)}, left),
            ("各实施单位预算执行率", 5, {"min": 0, "num_format": "0%"}, right),
        ):
            bar = w.wb.add_chart({"type": "bar"})
            bar.add_series({
                "name": title,
                "categories": [name, u_first, 0, u_last, 0],
                "values": [name, u_first, c, u_last, c],
                "data_labels": {"value": True, "num_format": "0.00%" if c == 5 else "0.00"},
                "gap": 60,
            })  # fmt: skip
            bar.set_title({"name": title})
            bar.set_legend({"none": True})
            bar.set_x_axis(fmt_axis)
            bar.set_y_axis({"reverse": True})
            bar.set_size({"width": 620, "height": height})
            ws.insert_chart(16, col, bar)
    _page(ws)


def _write_failed_sheet(w: _Writer, ws, unreadable, skipped):
    w.header(ws, 0, FAILED_COLUMNS, (50, 10, 80))
    ws.freeze_panes(1, 0)
    rows = [(f, FAILED_READ, reason) for f, reason in sorted(unreadable)]
    rows += [(f, FAILED_SKIPPED, reason) for f, reason in skipped]
    for i, row in enumerate(rows, 1):
        for c, v in enumerate(row):
            w.put(ws, i, c, v)
    if not rows:
        ws.write_string(1, 0, "（无）")
    _page(ws)


def _write_about_sheet(w: _Writer, ws, records, unreadable, skipped, profile, started_at, notes=()):
    w.header(ws, 0, ABOUT_COLUMNS, (22, 90))
    when = started_at.strftime("%Y-%m-%d %H:%M:%S") if isinstance(started_at, _dt.datetime) else str(started_at)
    budget, executed, rate = money_totals(records)
    counted, left_out = money_coverage(records)
    covered = f"{counted}个项目（共{len(records)}个）" + (f"；{coverage_note(left_out)}" if left_out else "")
    mean, with_total = mean_total(records)
    rows = [
        ("评分规则", profile.describe()),
        ("工具版本", f"jixiao-xlsx {__version__}"),
        ("汇总时间", when),
        ("找到的自评工作簿", len(records) + len(unreadable)),
        ("已评分", len(records)),
        ("其中有错误的", sum(1 for r in records if r["errors"] or r.get("scored_error"))),
        ("其中未能计算总分的", sum(1 for r in records if r["result"].get("total") is None)),
        ("未能处理", len(unreadable)),
        ("已跳过（临时锁定文件、隐藏文件等）", len(skipped)),
        ("金额单位", "万元"),
        ("执行率", "全年执行数 ÷ 全年预算数；合计行为各项目执行数之和 ÷ 预算数之和（不是各项目执行率的平均数），"
                   "只计入两项金额都有的项目（缺一项的项目若计入，只加在一边，执行率会失真）。"),
        ("差异", f"自评总分 − 按规则计算的总分；大于{profile.tol_score}的以红色标出（自评高于按数据计算的分数）。"),
        ("排序", "汇总表按实施单位、项目名称、源文件排序；排名表按总分从高到低，同分同名次，未能计算总分的列在最后。"),
        ("总分为空", "存在无法计算总分的错误（见“问题清单”），已算出的部分得分照常列出。"),
        ("合计：全年预算数", budget),
        ("合计：全年执行数", executed),
        ("合计：执行率", rate),
        ("合计：计入的项目", covered),
        ("平均总分", mean if mean is not None else "无（没有算出总分的项目）"),
        ("平均总分：计入的项目", f"{with_total}个有总分的项目（共{len(records)}个）；未能计算总分的不按0分计入"),
    ] + list(notes)
    for i, (k, v) in enumerate(rows, 1):
        ws.write_string(i, 0, k)
        fmt = w.rate if k == "合计：执行率" else w.score if k == "平均总分" else w.money if isinstance(v, Decimal) else w.int if isinstance(v, int) else None
        w.put(ws, i, 1, v, fmt)
    _page(ws, landscape=False)
