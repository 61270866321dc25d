"""The district summary workbook: the sheets the finance bureau reads after a batch.

Input is plain data (the records :mod:`jixiao_xlsx.batch` streams back), never a Result or a
DataFrame, so the summary of 5,000 files costs only its own rows.  Writers never score: every number
here is a number the scorer produced, except the batch totals (sums, and the rate of the sums).
The long sheets' rows are streamed to temporary files as worksheet XML (:mod:`rowstream`) and spliced
into the workbook xlsxwriter writes around them, so their size does not sit in memory.
"""
from __future__ import annotations

import datetime as _dt
import math
import sys
from decimal import Decimal
from typing import Optional

from .. import __version__
from ..a1 import cell_ref, col_letter
from ..model import ERROR, HINT
from .output import atomic_path, new_workbook, readable
from .rowstream import RowStream, splice, xf_index
from ..rules.scoring import RATE_PLACES
from ..rules.values import CENT, norm, quantize, to_decimal
from .scored import KIND_NAMES, rule_text  # the scored workbook's words, so both sheets read alike

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
UNIT_TABLE_COLUMNS = ("实施单位", "项目数", "平均总分", "全年预算数", "全年执行数", "执行率")

TOTAL_LABEL = "合计"
NO_GRADE = "未评定"
FAILED_READ = "未能读取"
FAILED_SKIPPED = "已跳过"
SCORED_WRITE_FAILED = "SCORED_WRITE_FAILED"  # batch-level codes, in findings.CATALOGUE like every other
DUPLICATE_PROJECT = "DUPLICATE_PROJECT"
YEARS_MIXED = "年度不一"  # the 说明 label when the batch sums several years
# what to do about DUPLICATE_PROJECT, in 说明 and on the console alike
DUPLICATE_ADVICE = (f"见汇总表“问题清单”工作表“问题代码”列为 {DUPLICATE_PROJECT} 的行，"
                    "核实后把多余的文件移出文件夹再汇总。")


GRADE_COLOURS = {"优": "#C6EFCE", "良": "#BDD7EE", "中": "#FFEB9C", "差": "#FFC7CE"}
GRADE_FONTS = {"优": "#006100", "良": "#1F4E78", "中": "#9C5700", "差": "#9C0006"}

def dec(v) -> Optional[Decimal]:
    """A JSON number from ``Result.as_dict()`` back to the Decimal the scorer had (2-4 decimals)."""
    return to_decimal(v)


_EXACT = 2**53  # ints up to this are floats exactly, however they are converted


def _shown(v) -> Optional[float]:
    """``float(dec(v))``: a JSON number of ``as_dict`` as its cell shows it (None: not a finite number),
    without the Decimal round trip for the usual float or small int (``float(Decimal(repr(x)))`` is x)."""
    if v.__class__ is float:
        return v if v - v == 0 else None
    if v.__class__ is int and -_EXACT <= v <= _EXACT:
        return float(v)
    d = dec(v)
    return None if d is None else float(d)


def _collate(s: str) -> bytes:
    """GB18030 byte order: common hanzi in pinyin order (嘉禾街 before 京溪街), total and stable."""
    return (s or "").encode("gb18030", "replace")


def sort_key(rec: dict):
    """By 实施单位, then 项目名称, then file path: the same order whatever finished first."""
    r = rec["result"]
    return (_collate(r.get("unit")), _collate(r.get("project")), rec["file"])


def money_totals(records) -> tuple:
    """(Σ全年预算数, Σ全年执行数, Σ执行/Σ预算 rounded half-up to 4 decimals or None).

    Sums like Excel's SUM over the column: a blank amount adds nothing.  The rate is that of the
    sums, not a mean of rates, so a 1万元 project cannot weigh as much as a 1000万元 one.
    """
    budget = sum((dec(r["result"]["budget"]["adjusted"]) or Decimal(0) for r in records), Decimal(0))
    executed = sum((dec(r["result"]["budget"]["executed"]) or Decimal(0) for r in records), Decimal(0))
    rate = quantize(executed / budget, RATE_PLACES) if budget else None  # rounded as a project's rate
    return budget, executed, rate


def duplicate_groups(records) -> list:
    """Files that report the same project — 实施单位, 项目名称 and 年度 alike (whitespace and full-width
    forms aside) — as ``[[file, ...], ...]``, each group of two or more in summary order.

    A street that re-sends a corrected workbook while the first one stays in the folder is counted
    twice in the district totals; the bureau has to be told which files to check. Records without
    a 实施单位 or 项目名称 are never grouped (nothing says they are the same project)."""
    groups: dict = {}
    for rec in sorted(records, key=sort_key):
        res = rec["result"]
        unit, project = norm(res.get("unit")), norm(res.get("project"))
        if unit and project:
            groups.setdefault((unit, project, _year(res.get("year"))), []).append(rec["file"])
    return [files for files in groups.values() if len(files) > 1]


def year_counts(records) -> list:
    """[(年度, files)] of the scored records, most files first (a blank year as ''): a district
    summary normally covers one year, and totals over several years are worth a second look."""
    counts: dict = {}
    for rec in records:
        y = _year(rec["result"].get("year"))
        counts[y] = counts.get(y, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == "", str(kv[0])))  # a blank year last


def year_note(records) -> Optional[tuple]:
    """The 说明 row for the years of the batch: one year, or several (a file from another year in the
    folder, or a year typed wrong) with how many files each."""
    counts = year_counts(records)
    if not counts:
        return None
    said = "、".join(f"{y if y != '' else '未填年度'}{'年' if y != '' else ''}{n}个" for y, n in counts)
    if len(counts) == 1:
        return ("年度", said)
    return (YEARS_MIXED, f"{said}；合计包含不同年度，请在“汇总”工作表按“年度”列筛选：不属于本次汇总的文件移出文件夹，年度填错的在该自评表中改正后重新汇总。")


def duplicate_message(group: list, file: str) -> str:
    """The DUPLICATE_PROJECT text for ``file``: the (first three) other files of its group."""
    others = [f for f in group[:4] if f != file][:3]
    n = len(group) - 1
    named = "、".join(f"“{f}”" for f in others) + (f"等{n}个文件" if n > 3 else "")
    return (f"与{named}的实施单位、项目名称和年度相同，可能是重复报送（如修改后重报而旧文件未删除）；"
            "汇总表的合计把它们都计入了。请核实后只保留一份，再重新汇总。")


def difference(res: dict) -> Optional[Decimal]:
    """自评总分 − 计算总分: positive when the unit claims more than the numbers support."""
    s, t = dec(res.get("self_reported_total")), dec(res.get("total"))
    if s is None or t is None:
        return None
    return s - t


def ranking(records) -> list:
    """[(rank or None, record)]: by total descending; ties share the best rank (1, 2, 2, 4);
    files without a total come last, unranked, in summary order."""
    ordered = sorted(records, key=sort_key)
    with_total = [r for r in ordered if r["result"].get("total") is not None]
    without = [r for r in ordered if r["result"].get("total") is None]
    with_total.sort(key=lambda r: -dec(r["result"]["total"]))  # stable: ties keep summary order
    out, prev, rank = [], None, 0
    for i, r in enumerate(with_total, 1):
        t = dec(r["result"]["total"])
        if t != prev:
            rank, prev = i, t
        out.append((rank, r))
    out.extend((None, r) for r in without)
    return out


def unit_table(records) -> list:
    """Per 实施单位: (unit, projects, mean total of scored projects, Σ预算, Σ执行, rate of sums)."""
    groups: dict = {}
    for r in sorted(records, key=sort_key):
        groups.setdefault(r["result"].get("unit") or "（未填写）", []).append(r)
    rows = []
    for unit, recs in groups.items():
        totals = [dec(r["result"]["total"]) for r in recs if r["result"].get("total") is not None]
        mean = quantize(sum(totals, Decimal(0)) / len(totals), CENT) if totals else None
        b, e, rate = money_totals(recs)
        rows.append((unit, len(recs), mean, b, e, rate))
    return rows


def grade_table(records, profile) -> list:
    """[(grade, count)] in the profile's order, then 未评定 for files without a total."""
    names = [g[0] for g in profile.grades]
    counts = {n: 0 for n in names}
    none = 0
    for r in records:
        g = r["result"].get("grade")
        if g in counts:
            counts[g] += 1
        elif r["result"].get("total") is None:
            none += 1
    return [(n, counts[n]) for n in names] + [(NO_GRADE, none)]


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


def _year(v):
    s = "" if v is None else str(v).strip()
    return int(s) if s.isdigit() and len(s) == 4 else s


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
    """Totals: SUBTOTAL formulas (they follow the autofilter) with their values cached, computed in
    Decimal here so that a reader without a calculation engine sees the same figures."""
    col = SUMMARY_COLUMNS.index
    budget, executed, rate = money_totals(records)
    errors = sum(r["errors"] for r in records)
    hints = sum(r["hints"] for r in records)
    for c in range(len(SUMMARY_COLUMNS)):
        ws.write_blank(row, c, None, w.total_blank)
    ws.write_string(row, 0, TOTAL_LABEL, w.total_text)
    ws.write_string(row, col("项目名称"), f"{len(records)}个项目", w.total_text)
    first_excel, last_excel = 2, last + 1  # 1-based data rows

    def rng(name):
        L = col_letter(col(name))
        return f"{L}{first_excel}:{L}{max(last_excel, first_excel)}"

    bcell = cell_ref(row, col("全年预算数"))
    ecell = cell_ref(row, col("全年执行数"))
    ws.write_formula(row, col("全年预算数"), f"=SUBTOTAL(109,{rng('全年预算数')})", w.total_money, _cached(budget))
    ws.write_formula(row, col("全年执行数"), f"=SUBTOTAL(109,{rng('全年执行数')})", w.total_money, _cached(executed))
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
    for i, (unit, n, mean, b, e, rate) in enumerate(units, u_first):
        ws.write_string(i, 0, unit)
        ws.write_number(i, 1, n, w.int)
        w.put(ws, i, 2, mean, w.score)
        w.put(ws, i, 3, b, w.money)
        w.put(ws, i, 4, e, w.money)
        w.put(ws, i, 5, rate, w.rate)
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
    ws.insert_chart(0, 7, col_chart, {"x_scale": 1.29})

    pie = w.wb.add_chart({"type": "pie"})
    pie.add_series({
        "name": "等级分布",
        "categories": [name, g_first, 0, g_last, 0],
        "values": [name, g_first, 1, g_last, 1],
        "points": [{"fill": {"color": c}} for c in colours],
        "data_labels": {"percentage": True, "category": True},
    })  # fmt: skip
    pie.set_title({"name": "等级占比"})
    ws.insert_chart(0, 16, pie, {"x_scale": 1.29})

    if units:
        height = min(max(320, 80 + 24 * len(units)), 4000)
        for title, c, fmt_axis, col in (
            ("各实施单位平均总分", 2, {"min": 0, "max": float(profile.total)}, 7),
            ("各实施单位预算执行率", 5, {"min": 0, "num_format": "0%"}, 16),
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
        ("执行率", "全年执行数 ÷ 全年预算数；合计行为各项目执行数之和 ÷ 预算数之和（不是各项目执行率的平均数）。"),
        ("差异", f"自评总分 − 按规则计算的总分；大于{profile.tol_score}的以红色标出（自评高于按数据计算的分数）。"),
        ("排序", "汇总表按实施单位、项目名称、源文件排序；排名表按总分从高到低，同分同名次，未能计算总分的列在最后。"),
        ("总分为空", "存在无法计算总分的错误（见“问题清单”），已算出的部分得分照常列出。"),
        ("合计：全年预算数", budget),
        ("合计：全年执行数", executed),
        ("合计：执行率", rate),
    ] + list(notes)
    for i, (k, v) in enumerate(rows, 1):
        ws.write_string(i, 0, k)
        fmt = w.rate if k == "合计：执行率" else w.money if isinstance(v, Decimal) else w.int if isinstance(v, int) else None
        w.put(ws, i, 1, v, fmt)
    _page(ws, landscape=False)


def indicator_rows(rec: dict):
    """指标明细 rows of one scored record (long format, one row per indicator); numbers as the JSON
    numbers of ``as_dict`` (exact 2-decimal values; nothing is computed here)."""
    res = rec["result"]
    file, unit, project = rec["file"], res.get("unit"), res.get("project")
    for ind in res.get("indicators") or ():
        kind = ind.get("kind")
        yield (
            file, unit, project, ind.get("level1"), ind.get("level2"), ind.get("level3"),
            KIND_NAMES.get(kind, kind), ind.get("target"), ind.get("actual"), ind.get("weight"),
            ind.get("score"), ind.get("self_score"), rule_text(ind.get("rule")),
        )  # fmt: skip


def finding_rows(rec: dict):
    """问题清单 rows of one scored record: (file, unit, sheet, cell, severity, code, message)."""
    res = rec["result"]
    unit = res.get("unit") or ""
    for f in res.get("findings") or ():
        yield (rec["file"], unit, f["sheet"], f["cell"], f["severity"], f["code"], f["message"])
    if rec.get("scored_error"):
        yield (rec["file"], unit, "", "", ERROR, SCORED_WRITE_FAILED, rec["scored_error"])


def slim(rec: dict) -> dict:
    """The record without its indicator and finding lists: what 汇总/排名/图表 need (~1 KB)."""
    res = {k: v for k, v in rec["result"].items() if k not in ("indicators", "findings")}
    return {"file": rec["file"], "errors": rec["errors"], "hints": rec["hints"],
            "scored_error": rec.get("scored_error"), "result": res}  # fmt: skip


_NUMERIC = (9, 10, 11)  # weight, score, self score columns of INDICATOR_COLUMNS
MAX_ROW = 1_048_575  # last 0-based row of an Excel sheet; 指标明细 reaches it at ~50,000 files


class SummaryWriter:
    """Stream scored records into the summary workbook; only the slim 汇总 rows stay in memory.

    ``add(record)`` writes that file's 指标明细 and 问题清单 rows at once (a :class:`RowStream` keeps
    them in a temporary file), so 5,000 files x 20 indicators never sit in memory; ``close(unreadable,
    skipped)`` writes 汇总, 排名, 图表, 未能处理 and 说明, which need every file, from the slim rows.
    The workbook appears at ``out_path`` only after a successful close (atomic).

        with SummaryWriter(out, profile, started_at) as sw:
            for rec in records: sw.add(rec)
            sw.close(unreadable, skipped)
    """

    def __init__(self, out_path, profile, started_at, protect=()):
        self.out_path, self.profile, self.started_at = out_path, profile, started_at
        self.protect = list(protect)
        self.rows: list = []
        self._ctx = None
        self._closed = self._wb_closed = False

    def __enter__(self):
        self._ctx = atomic_path(self.out_path, protect=self.protect)
        tmp = self._tmp = str(self._ctx.__enter__())
        # the long sheets' rows go to RowStreams (spliced in at close); xlsxwriter holds only headers,
        # the totals row, the charts and the short sheets, so it works in memory
        wb = new_workbook(tmp)
        self.wb, self.w = wb, _Writer(wb)
        self.sheets = {name: wb.add_worksheet(name) for name in SHEETS}  # tab order
        self._ind_row = self._find_row = 0
        self.dropped = {INDICATOR_SHEET: 0, FINDINGS_SHEET: 0}  # rows beyond Excel's last row
        self.duplicates: list = []  # duplicate_groups of the batch, once closed
        self.mixed_years: Optional[str] = None  # the 说明 text when several years are summed, once closed
        ws = self.sheets[INDICATOR_SHEET]
        self.w.header(ws, 0, INDICATOR_COLUMNS, (30, 20, 24, 10, 14, 30, 8, 16, 16, 7, 7, 8, 14))
        ws.freeze_panes(1, 0)
        ws = self.sheets[FINDINGS_SHEET]
        self.w.header(ws, 0, FINDING_COLUMNS, (30, 20, 10, 8, 6, 28, 70))
        ws.freeze_panes(1, 0)
        err = xf_index(wb.add_format({"font_color": "#9C0006"}))
        self._ind = RowStream(INDICATOR_SHEET, len(INDICATOR_COLUMNS),
                              text_cols=(c for c in range(len(INDICATOR_COLUMNS)) if c not in _NUMERIC))
        self._find = RowStream(FINDINGS_SHEET, len(FINDING_COLUMNS))
        self._streams = [self._ind, self._find]
        self._ind_styles = tuple(xf_index(self.w.score) if c in _NUMERIC else 0 for c in range(len(INDICATOR_COLUMNS)))
        self._find_styles = (0,) * len(FINDING_COLUMNS)
        self._find_err_styles = tuple(err if c == 4 else 0 for c in range(len(FINDING_COLUMNS)))
        return self

    def add(self, rec: dict) -> None:
        """Write one scored record's 指标明细 and 问题清单 rows now; keep its slim 汇总 row.

        The hot loop of a large batch (~20 rows x 13 cells per file): the rows go to
        :class:`rowstream.RowStream` as XML, not through xlsxwriter cell by cell."""
        ind, styles = self._ind, self._ind_styles
        r = self._ind_row
        for row in indicator_rows(rec):
            if r >= MAX_ROW:
                self.dropped[INDICATOR_SHEET] += 1
                continue
            r += 1
            ind.write(r, row, styles)  # the stream writes any non-score value as text
        self._ind_row = r
        self._write_findings(finding_rows(rec))
        self.rows.append(slim(rec))

    def _write_findings(self, rows) -> None:
        """问题清单 rows ``(file, unit, sheet, cell, severity, code, message)``, up to Excel's last row."""
        find, r = self._find, self._find_row
        for row in rows:
            if r >= MAX_ROW:
                self.dropped[FINDINGS_SHEET] += 1
                continue
            r += 1
            find.write(r, [str(v) if v else None for v in row],
                       self._find_err_styles if row[4] == ERROR else self._find_styles)  # fmt: skip
        self._find_row = r

    def close(self, unreadable=(), skipped=()) -> str:
        w, sh, profile = self.w, self.sheets, self.profile
        records = sorted(self.rows, key=sort_key)
        unreadable, skipped = list(unreadable), list(skipped)
        groups = self.duplicates = self._flag_duplicates(records)
        for name, r, ncols in ((INDICATOR_SHEET, self._ind_row, len(INDICATOR_COLUMNS)),
                               (FINDINGS_SHEET, self._find_row, len(FINDING_COLUMNS))):  # fmt: skip
            sh[name].autofilter(0, 0, max(r, 1), ncols - 1)
            _page(sh[name])
        self._streams += [RowStream(SUMMARY_SHEET, len(SUMMARY_COLUMNS)), RowStream(RANK_SHEET, len(RANK_COLUMNS))]
        _write_summary_sheet(w, sh[SUMMARY_SHEET], records, profile, self._streams[-2])
        _write_rank_sheet(w, sh[RANK_SHEET], records, self._streams[-1])
        _write_chart_sheet(w, sh[CHART_SHEET], records, profile)
        _write_failed_sheet(w, sh[FAILED_SHEET], unreadable, skipped)
        notes = [
            (f"{name}未列出", f"{n}行超出Excel工作表的最大行数，未写入；完整数据请用 jixiao batch --json 导出。")
            for name, n in self.dropped.items()
            if n
        ]
        years = year_note(records)
        if years:
            notes.append(years)
            self.mixed_years = years[1] if years[0] == YEARS_MIXED else None
        if groups:
            notes.append(("疑似重复报送", f"{len(groups)}组共{sum(len(g) for g in groups)}个文件的实施单位、项目名称和年度相同，"
                                      f"合计把它们都计入了；{DUPLICATE_ADVICE}"))
        _write_about_sheet(w, sh[ABOUT_SHEET], records, unreadable, skipped, profile, self.started_at, notes)
        self.wb.close()
        self._wb_closed = True
        splice(self._tmp, self._streams)
        self._closed = True
        return str(self.out_path)

    def _flag_duplicates(self, records) -> list:
        """One 提示 row in 问题清单 per file of each :func:`duplicate_groups` group (after the rows
        streamed so far), counted in that file's 提示数."""
        groups = duplicate_groups(records)
        group_of = {f: g for g in groups for f in g}  # each group shared, not copied per file
        rows = []
        for rec in records:
            group = group_of.get(rec["file"])
            if group is not None:
                rec["hints"] += 1
                rows.append((rec["file"], rec["result"].get("unit"), "", "", HINT, DUPLICATE_PROJECT,
                             duplicate_message(group, rec["file"])))  # fmt: skip
        self._write_findings(rows)
        return groups

    def __exit__(self, et, ev, tb):
        try:
            if et is None and not self._closed:
                self.close()
        except BaseException:
            et, ev, tb = sys.exc_info()
            raise
        finally:
            if not self._wb_closed:
                try:
                    self.wb.close()  # the temporary workbook is dropped by atomic_path below
                except Exception:  # noqa: BLE001 - the original error matters, not this one
                    pass
            for stream in getattr(self, "_streams", ()):
                stream.close()
            self._ctx.__exit__(et, ev, tb)  # removes the temporary workbook unless all went well
        return False


def write_summary(records, unreadable, skipped, out_path, profile, started_at) -> str:
    """Write the summary workbook for a list of scored records (sorted here by 实施单位, 项目名称,
    源文件, also in 指标明细 and 问题清单) and return the path. ``unreadable``/``skipped``:
    [(file, Chinese reason)]."""
    records = sorted(records, key=sort_key)
    protect = [r["file"] for r in records] + [f for f, _ in unreadable]
    with SummaryWriter(out_path, profile, started_at, protect=protect) as sw:
        for rec in records:
            sw.add(rec)
        return sw.close(unreadable, skipped)
