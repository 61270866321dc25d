"""Write the project's standard self-evaluation template (blank, or filled for samples and tests).

The same function writes the blank workbook users download (``jixiao template``), the committed
``input_templates/jixiao-template.xlsx``, the samples and thousands of benchmark files, so the layout
comes only from :mod:`jixiao_xlsx.layout` and the rule numbers in 填表说明 only from the rules profile.
Formats are built once per workbook; nothing here computes a score.
"""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Optional

from .. import layout as L
from .output import atomic_path, new_workbook
from ..rules.profile import Profile, load_profile

IND_BLANK_ROWS = 30  # pre-formatted indicator rows in the blank template
ALLOC_BLANK_ROWS = 10  # pre-formatted allocation rows
VALIDATION_ROWS = 200  # dropdowns/number checks reach below the formatted rows for rows the clerk adds

INPUT_FILL = "#FFF2CC"  # light yellow: cells the clerk fills
HEADER_FILL = "#D9E1F2"
LABEL_FILL = "#F2F2F2"

# Column widths (characters); CJK characters count about double.
IND_WIDTHS = {
    "一级指标": 12,
    "二级指标": 16,
    "三级指标": 30,
    "指标方向": 10,
    "年度指标值": 18,
    "计量单位": 10,
    "实际完成值": 22,
    "完成档次": 30,
    "分值": 8,
    "自评得分": 10,
    "偏差原因分析及改进措施": 40,
}
ALLOC_WIDTHS = {"用途": 50, "拨付对象": 24, "计划金额": 14, "实际金额": 14, "说明": 40}
FUNDS_WIDTHS = (22, 16, 16, 16)

# Column kinds decide the cell format and the validation.
_MONEY = "money"
_SCORE = "score"
_TEXT = "text"  # stored as typed ('@'): '≥95%' stays exactly what the clerk wrote
_WRAP = "wrap"

IND_KINDS = {
    "年度指标值": _TEXT,
    "计量单位": _TEXT,
    "实际完成值": _TEXT,
    "分值": _SCORE,
    "自评得分": _SCORE,
    "三级指标": _WRAP,
    "偏差原因分析及改进措施": _WRAP,
    "完成档次": _WRAP,
}
ALLOC_KINDS = {"计划金额": _MONEY, "实际金额": _MONEY, "用途": _WRAP, "说明": _WRAP, "拨付对象": _WRAP}

_DEFAULT_PROFILE: Optional[Profile] = None


def _default_profile() -> Profile:
    """Load the bundled profile once per process (benchmarks write thousands of files)."""
    global _DEFAULT_PROFILE
    if _DEFAULT_PROFILE is None:
        _DEFAULT_PROFILE = load_profile()
    return _DEFAULT_PROFILE


def write_template(path, data: Optional[dict] = None, profile: Optional[Profile] = None) -> str:
    """Write the standard template to ``path`` atomically; fill it from ``data`` when given.

    ``data`` keys: ``info`` (INFO_FIELDS label -> value), ``funds`` (row label -> (年初, 全年预算, 全年执行)),
    ``allocations`` and ``indicators`` (lists of dicts keyed by header), ``narrative`` (自评报告
    label -> text; the sheet is written for the blank template and whenever this key is given, so
    workbooks made without it look like the templates issued before the sheet existed).  Test/benchmark extras:
    ``sheet_names`` (canonical sheet name -> name to write), ``indicator_headers``,
    ``allocation_headers``, ``funds_headers`` (header tuples to write instead of the layout's, for
    renamed/reordered/extra columns; row dicts are then keyed by these headers).
    """
    profile = profile or _default_profile()
    data = data or {}
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp)
        try:
            _Writer(wb, profile, data).write()
        finally:
            wb.close()
    return str(path)


def _num_text(d) -> str:
    """Decimal -> shortest plain text ('80', '0.6', '1.3')."""
    d = Decimal(d)
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def _pct(d) -> str:
    return _num_text(Decimal(d) * 100) + "%"


class _Writer:
    """One workbook being written: formats are created once here and shared by every sheet."""

    def __init__(self, wb, profile: Profile, data: dict):
        self.wb = wb
        self.p = profile
        self.data = data
        self.names = dict(data.get("sheet_names") or {})
        f = wb.add_format
        base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter", "border": 1}
        inp = dict(base, bg_color=INPUT_FILL, locked=False)
        self.f_title = f({"font_name": "黑体", "font_size": 16, "bold": True, "align": "center", "valign": "vcenter"})
        self.f_header = f(dict(base, bold=True, bg_color=HEADER_FILL, align="center", text_wrap=True))
        self.f_label = f(dict(base, bg_color=LABEL_FILL, text_wrap=True))
        self.f_label_bold = f(dict(base, bg_color=LABEL_FILL, bold=True))
        self.f_note = f(dict(base, text_wrap=True, font_color="#595959"))
        self.f_guide = f({"font_name": "宋体", "font_size": 11, "valign": "top", "text_wrap": True})
        self.f_guide_head = f({"font_name": "黑体", "font_size": 12, "bold": True, "valign": "vcenter"})
        self.f_in = {
            _TEXT: f(dict(inp, num_format="@", text_wrap=True)),
            _WRAP: f(dict(inp, text_wrap=True)),
            _MONEY: f(dict(inp, num_format="0.00")),
            _SCORE: f(dict(inp, num_format="0.00")),
            None: f(inp),
        }
        self.f_date = f(dict(inp, num_format="yyyy-mm-dd"))

    def sheet_name(self, canonical: str) -> str:
        return self.names.get(canonical, canonical)

    def write(self):
        self.guide()
        self.info()
        self.funds()
        self.allocations()
        self.indicators()
        if not self.data or "narrative" in self.data:  # blank template, or a filled one that carries it
            self.report()

    # -- helpers ---------------------------------------------------------------------------
    def _setup(self, ws, ncols: int, title: str, headers, widths):
        """Title row, header row, widths, frozen header and A4-landscape printing."""
        tr, hr = L.TITLE_ROW - 1, L.HEADER_ROW - 1
        ws.set_row(tr, 30)
        if ncols > 1:
            ws.merge_range(tr, 0, tr, ncols - 1, title, self.f_title)
        else:
            ws.write_string(tr, 0, title, self.f_title)
        ws.set_row(hr, 32)
        for c, h in enumerate(headers):
            ws.write_string(hr, c, h, self.f_header)
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        ws.freeze_panes(hr + 1, 0)
        self._print(ws, repeat=True)

    def _print(self, ws, repeat: bool):
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.center_horizontally()
        if repeat:
            ws.repeat_rows(0, L.HEADER_ROW - 1)

    def _put(self, ws, r: int, c: int, v, kind=None):
        """Write ``v`` as given: numbers as numbers, text as text, dates as dates, None as a blank."""
        fmt = self.f_in[kind]
        if v is None:
            ws.write_blank(r, c, None, fmt)
        elif isinstance(v, str):
            ws.write_string(r, c, v, fmt)
        elif isinstance(v, bool):
            ws.write_boolean(r, c, v, fmt)
        elif isinstance(v, (int, float, Decimal)):
            ws.write_number(r, c, float(v), fmt)
        elif isinstance(v, (_dt.date, _dt.datetime)):
            ws.write_datetime(r, c, v, self.f_date)
        else:
            ws.write_string(r, c, str(v), fmt)

    def _list_validation(self, ws, r0, r1, c, values, title, message):
        values = list(values)
        if not values or len(",".join(values)) > 255:  # Excel's limit for an inline list
            return
        ws.data_validation(
            r0,
            c,
            r1,
            c,
            {
                "validate": "list",
                "source": values,
                "input_title": title[:32],
                "input_message": message[:255],
                "error_title": "输入有误",
                "error_message": ("请从下拉列表中选择：" + "、".join(values))[:255],
            },
        )

    def _decimal_validation(self, ws, r0, r1, c0, c1, what: str):
        ws.data_validation(
            r0,
            c0,
            r1,
            c1,
            {
                "validate": "decimal",
                "criteria": ">=",
                "value": 0,
                "input_title": what[:32],
                "input_message": f"请填写{what}，只填数字（不要带单位或文字），不能为负数。"[:255],
                "error_title": "输入有误",
                "error_message": f"{what}应为不小于0的数字，例如 100 或 12.5，不要填写单位或文字。"[:255],
            },
        )

    # -- 填表说明 ----------------------------------------------------------------------------
    def guide_lines(self):
        """(heading?, text) lines of 填表说明; every rule number comes from the profile."""
        p = self.p
        met, partly, not_met = (p.band(k) for k in ("met", "partly", "not_met"))
        l1 = "、".join(f"{x.name}{_num_text(x.weight)}分" for x in p.level1)
        l2 = "；".join(f"{x.name}：" + "、".join(x.level2) for x in p.level1)
        grades = p.grade_ranges(_num_text)
        if p.reverse_formula == "linear":
            reverse = (
                "反向指标（越低越好，如成本）：实际完成值不高于指标值得满分；超出指标值的，"
                "得分＝分值×（2×指标值－实际完成值）÷指标值；达到指标值2倍及以上得0分。"
            )
        else:
            reverse = "反向指标（越低越好，如成本）：实际完成值不高于指标值得满分；超出的，得分＝分值×指标值÷实际完成值。"
        split = (
            f"各一级指标下三级指标分值之和必须等于该一级指标的分值（{l1}）。"
            if p.level1_split == "fixed"
            else f"全部三级指标分值之和必须等于{_num_text(p.total - p.execution_weight)}分。"
        )
        return [
            (True, "一、填写步骤"),
            (False, "1. 浅黄色单元格为需要填写的内容，其余单元格（标题、表头、灰色项目名）请勿修改，也不要改动工作表名称。"),
            (False, f"2. 在“{L.INFO_SHEET}”表填写项目名称、主管部门、实施单位、年度（必填）以及项目负责人、年度总体目标等。"),
            (
                False,
                f"3. 在“{L.FUNDS_SHEET}”表填写{L.FUNDS_TOTAL_LABEL}及各资金来源（"
                + "、".join(L.FUNDS_SOURCE_LABELS)
                + "）的年初预算数、全年预算数（年中调整后）、全年执行数，单位均为万元，只填数字。"
                "年中未调整预算的，全年预算数与年初预算数相同。各资金来源合计应等于年度资金总额。",
            ),
            (
                False,
                f"4. 在“{L.ALLOC_SHEET}”表按资金用途逐行填写用途、拨付对象、计划金额、实际金额（万元）；"
                "计划金额合计应等于全年预算数，实际金额合计应等于全年执行数。",
            ),
            (
                False,
                f"5. 在“{L.IND_SHEET}”表每行填写一个三级指标。一级指标、二级指标、指标方向、完成档次请从下拉列表选择。"
                "年度指标值和实际完成值按原样填写，可带符号和单位，例如“≥95%”“≤90万元”“5000人”；"
                "定性指标填写文字目标，并在“完成档次”中选择一档。",
            ),
            (False, "6. 得分低于分值的指标，必须在“偏差原因分析及改进措施”中说明原因；实际完成值明显超过指标值的，也请说明原因。"),
            (False, "7. “自评得分”“自评总分”为单位自己评出的分数，可不填；填写后系统会与按规则计算的得分核对。"),
            (True, "二、评分规则（" + p.describe() + "）"),
            (
                False,
                f"1. 满分{_num_text(p.total)}分：预算执行率{_num_text(p.execution_weight)}分，{l1}。{split}",
            ),
            (
                False,
                f"2. 预算执行率＝全年执行数÷全年预算数（不是年初预算数）；得分＝{_num_text(p.execution_weight)}×执行率，"
                f"执行率超过{_pct(p.rate_cap)}的按{_pct(p.rate_cap)}计分。",
            ),
            (False, f"3. 二级指标：{l2}。"),
            (
                False,
                "4. 正向指标（越高越好）：实际完成值达到或超过指标值得满分；未达到的，得分＝分值×实际完成值÷指标值。",
            ),
            (False, "5. " + reverse),
            (False, "6. 等于指标（如“=100%”）：达到指标值得满分；未达到的按比例计分。指标值为0的（如“=0起”安全事故），实际为0得满分，否则得0分。"),
            (
                False,
                f"7. 定性指标按完成档次计分：“{met.phrase}”得分值的{_pct(met.min)}～{_pct(met.max)}"
                f"（不填自评得分按{_pct(met.default)}）；“{partly.phrase}”得分值的{_pct(partly.min)}～{_pct(partly.max)}"
                f"（不含{_pct(partly.max)}，不填按{_pct(partly.default)}）；“{not_met.phrase}”得分值的"
                f"{_pct(not_met.min)}～{_pct(not_met.max)}（不含{_pct(not_met.max)}，不填按{_pct(not_met.default)}）。"
                "自评得分须在所选档次范围内。",
            ),
            (False, "8. 时效指标可填写完成期限，如“2022年12月31日前”，实际完成值填写完成日期；按期完成视为达成年度指标。"),
            (
                False,
                f"9. 实际完成值达到指标值{_pct(p.over_ratio)}及以上的，请在偏差原因中说明（指标值是否设定偏低），不扣分。",
            ),
            (False, "10. 每项得分保留两位小数（四舍五入），总分为各项得分之和。评价等级：" + "、".join(grades) + "。"),
            (True, "三、核查与评分"),
            (
                False,
                "填好后运行“jixiao check 文件名.xlsx”核查，系统会列出全部问题（错误/提示）及所在工作表和单元格；"
                "运行“jixiao score 文件名.xlsx”生成评分工作簿（原文件不会被修改）。",
            ),
        ]

    def guide(self):
        ws = self.wb.add_worksheet(self.sheet_name(L.GUIDE_SHEET))
        ws.set_column(0, 0, 110)
        ws.set_row(0, 30)
        ws.write_string(0, 0, "项目支出绩效自评表 填表说明", self.f_title)
        r = 2
        for head, text in self.guide_lines():
            if head:
                r += 1 if r > 2 else 0
                ws.write_string(r, 0, text, self.f_guide_head)
                ws.set_row(r, 22)
            else:
                ws.write_string(r, 0, text, self.f_guide)
                ws.set_row(r, 16 * (1 + len(text) // 52))
            r += 1
        self._print(ws, repeat=False)

    # -- 项目信息 ----------------------------------------------------------------------------
    INFO_NOTES = {
        "项目名称": "必填。项目全称，如“2022年度镇街党建工作经费”。",
        "主管部门": "必填。项目主管部门全称。",
        "实施单位": "必填。项目实施单位全称。",
        "年度": "必填。评价年度，四位数字，如 2022。",
        "项目负责人": "选填。",
        "年度总体目标（预期目标）": "选填。年初设定的总体绩效目标。",
        "年度总体目标（实际完成情况）": "选填。年度总体目标的实际完成情况。",
        "自评总分": "选填。单位自评的总分（数字），系统会与计算结果核对。",
    }

    def info(self):
        ws = self.wb.add_worksheet(self.sheet_name(L.INFO_SHEET))
        self._setup(ws, 3, "项目基本信息", L.INFO_HEADERS, (28, 60, 44))
        values = dict((self.data.get("info") or {}))
        known = {lab for lab, _, _ in L.INFO_FIELDS}
        unknown = set(values) - known
        if unknown:
            raise KeyError(f"unknown info fields: {sorted(unknown)}")
        r0 = L.HEADER_ROW
        for i, (label, _attr, required) in enumerate(L.INFO_FIELDS):
            r = r0 + i
            ws.write_string(r, 0, label, self.f_label_bold if required else self.f_label)
            kind = _SCORE if label == "自评总分" else (None if label == "年度" else _WRAP)
            self._put(ws, r, 1, values.get(label), kind)
            ws.write_string(r, 2, self.INFO_NOTES.get(label, ""), self.f_note)
            if label.startswith("年度总体目标"):
                ws.set_row(r, 48)
            else:
                ws.set_row(r, 20)
            if label == "年度":
                ws.data_validation(
                    r,
                    1,
                    r,
                    1,
                    {
                        "validate": "integer",
                        "criteria": "between",
                        "minimum": 2000,
                        "maximum": 2100,
                        "input_title": "年度",
                        "input_message": "请填写四位数年度，如 2022。",
                        "error_title": "输入有误",
                        "error_message": "年度应为2000至2100之间的四位整数，如 2022。",
                    },
                )
            elif label == "自评总分":
                self._decimal_validation(ws, r, r, 1, 1, "自评总分")

    # -- 预算执行 ----------------------------------------------------------------------------
    def funds(self):
        ws = self.wb.add_worksheet(self.sheet_name(L.FUNDS_SHEET))
        headers = tuple(self.data.get("funds_headers") or L.FUNDS_HEADERS)
        self._setup(ws, len(headers), "预算执行情况（单位：万元）", headers, FUNDS_WIDTHS + (16,) * (len(headers) - 4))
        given = dict(self.data.get("funds") or {})
        labels = [L.FUNDS_TOTAL_LABEL, *L.FUNDS_SOURCE_LABELS]
        labels += [k for k in given if k not in labels]
        r = L.HEADER_ROW
        for i, label in enumerate(labels):
            ws.write_string(r + i, 0, label, self.f_label_bold if i == 0 else self.f_label)
            vals = tuple(given.get(label) or ())
            for c in range(1, len(headers)):
                self._put(ws, r + i, c, vals[c - 1] if c - 1 < len(vals) else None, _MONEY)
            ws.set_row(r + i, 20)
        self._decimal_validation(ws, r, r + len(labels) - 1, 1, len(headers) - 1, "金额（万元）")

    # -- 资金分配 ----------------------------------------------------------------------------
    def allocations(self):
        ws = self.wb.add_worksheet(self.sheet_name(L.ALLOC_SHEET))
        headers = tuple(self.data.get("allocation_headers") or L.ALLOC_HEADERS)
        widths = [ALLOC_WIDTHS.get(h, 16) for h in headers]
        self._setup(ws, len(headers), "资金分配情况（单位：万元）", headers, widths)
        rows = list(self.data.get("allocations") or [])
        self._table(ws, headers, rows, ALLOC_BLANK_ROWS, ALLOC_KINDS)
        n = max(VALIDATION_ROWS, len(rows))
        r0, r1 = L.HEADER_ROW, L.HEADER_ROW + n - 1
        for c, h in enumerate(headers):
            if ALLOC_KINDS.get(h) == _MONEY:
                self._decimal_validation(ws, r0, r1, c, c, h + "（万元）")

    # -- 绩效指标 ----------------------------------------------------------------------------
    def indicators(self):
        ws = self.wb.add_worksheet(self.sheet_name(L.IND_SHEET))
        headers = tuple(self.data.get("indicator_headers") or L.IND_HEADERS)
        widths = [IND_WIDTHS.get(h, 14) for h in headers]
        self._setup(ws, len(headers), "项目绩效指标完成情况", headers, widths)
        rows = list(self.data.get("indicators") or [])
        self._table(ws, headers, rows, IND_BLANK_ROWS, IND_KINDS)
        n = max(VALIDATION_ROWS, len(rows))
        r0, r1 = L.HEADER_ROW, L.HEADER_ROW + n - 1
        p = self.p
        col = {h: c for c, h in enumerate(headers)}
        lists = {
            "一级指标": ([x.name for x in p.level1], "请选择一级指标。"),
            "二级指标": (
                [n2 for x in p.level1 for n2 in x.level2],
                "请选择二级指标：" + "；".join(f"{x.name}下为" + "、".join(x.level2) for x in p.level1),
            ),
            "指标方向": (
                list(L.DIRECTIONS),
                "正向：越高越好；反向：越低越好（如成本）；等于：须达到指标值；定性：文字描述的指标，须选择完成档次。",
            ),
            "完成档次": ([b.phrase for b in p.bands], "定性指标必须选择完成档次；定量指标可不填。"),
        }
        for h, (values, msg) in lists.items():
            if h in col:
                self._list_validation(ws, r0, r1, col[h], values, h, msg)
        for h in ("分值", "自评得分"):
            if h in col:
                self._decimal_validation(ws, r0, r1, col[h], col[h], h)

    def _table(self, ws, headers, rows, blank_rows, kinds):
        """Rows of dicts keyed by header; missing keys are blanks; at least ``blank_rows`` rows."""
        hset = set(headers)
        kind_of = [kinds.get(h) for h in headers]
        r0 = L.HEADER_ROW
        for i, row in enumerate(rows):
            extra = set(row) - hset
            if extra:
                raise KeyError(f"unknown columns: {sorted(extra)}")
            for c, h in enumerate(headers):
                self._put(ws, r0 + i, c, row.get(h), kind_of[c])
        for i in range(len(rows), blank_rows):
            for c in range(len(headers)):
                ws.write_blank(r0 + i, c, None, self.f_in[kind_of[c]])

    # -- 自评报告 (issue #14) --------------------------------------------------------------------
    def report(self):
        """One labelled yellow cell per narrative section of the self-evaluation report, A4 portrait."""
        ws = self.wb.add_worksheet(self.sheet_name(L.REPORT_SHEET))
        tr, hr = L.TITLE_ROW - 1, L.HEADER_ROW - 1
        ws.set_row(tr, 30)
        ws.merge_range(tr, 0, tr, 2, "绩效自评报告文字内容（生成自评报告时使用）", self.f_title)
        ws.set_row(hr, 32)
        for c, h in enumerate(L.REPORT_HEADERS):
            ws.write_string(hr, c, h, self.f_header)
        ws.set_column(0, 0, 18)
        ws.set_column(1, 1, 80)
        ws.set_column(2, 2, 30)
        given = dict(self.data.get("narrative") or {})
        known = {label for label, _k, _n in L.NARRATIVE_FIELDS}
        if set(given) - known:
            raise KeyError(f"unknown narrative sections: {sorted(set(given) - known)}")
        for i, (label, _key, note) in enumerate(L.NARRATIVE_FIELDS):
            r = L.HEADER_ROW + i
            ws.write_string(r, 0, label, self.f_label_bold)
            self._put(ws, r, 1, given.get(label), _WRAP)
            ws.write_string(r, 2, note, self.f_note)
            ws.set_row(r, 120)
        ws.freeze_panes(hr + 1, 0)
        ws.set_portrait()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.repeat_rows(0, L.HEADER_ROW - 1)
