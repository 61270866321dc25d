"""Builders for official national 项目支出绩效自评表 variants (财预〔2020〕10号 annex), written in code.

Each builder writes one workbook the way units fill the form in Excel: a single sheet, merged title,
merged 一级/二级 cells spanning their rows, the funds block, the 年度总体目标 block and the indicator
table.  The variants differ the way local forms differ (spec §10.2).  Expected scores are worked out
by hand in ``tests/test_official.py``; the layouts here only say what is typed where.

Every builder returns the path it wrote.  ``FORM_ROWS`` of each variant documents (1-based) where the
indicator rows are, so tests can check addresses.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from tests.support import lo

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_V1 = "项目支出绩效自评表（2022年度）"


class Form:
    """A tiny helper over openpyxl: put values (optionally merged) by 1-based row/col."""

    def __init__(self, title="项目支出绩效自评表"):
        self.wb = Workbook()
        self.ws = self.wb.active
        self.ws.title = title
        self.max_col = 1

    def put(self, r, c, value, to=None, bold=False, num_format=None):
        """Write ``value`` at (r, c); ``to=(r1, c1)`` merges (r, c)..(r1, c1) like real forms."""
        cell = self.ws.cell(row=r, column=c, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # typed text such as '=100%', not a formula (as Excel stores it)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        if bold:
            cell.font = Font(bold=True)
        if num_format:
            cell.number_format = num_format
        r1, c1 = to if to else (r, c)
        for rr in range(r, r1 + 1):
            for cc in range(c, c1 + 1):
                self.ws.cell(row=rr, column=cc).border = BOX
        if to and (r1, c1) != (r, c):
            self.ws.merge_cells(start_row=r, start_column=c, end_row=r1, end_column=c1)
        self.max_col = max(self.max_col, c1)
        return cell

    def row(self, r, c0, values):
        """Write ``values`` left to right from column ``c0`` (None leaves a cell empty but boxed)."""
        for i, v in enumerate(values):
            if v is None:
                self.ws.cell(row=r, column=c0 + i).border = BOX
                self.max_col = max(self.max_col, c0 + i)
            else:
                self.put(r, c0 + i, v)

    def save(self, path):
        """Column widths and the A4 landscape, one-page-wide print setup units give the form."""
        wide = {(m.min_row, m.min_col) for m in self.ws.merged_cells.ranges if m.max_col > m.min_col}
        for c in range(1, self.max_col + 1):
            texts = [str(self.ws.cell(row=r, column=c).value or "") for r in range(2, self.ws.max_row + 1)
                     if (r, c) not in wide]
            longest = max((len(t) for t in texts), default=0)
            self.ws.column_dimensions[get_column_letter(c)].width = min(max(10, longest * 2 + 2), 24)
        self.ws.page_setup.paperSize = self.ws.PAPERSIZE_A4
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.wb.save(str(path))
        return Path(path)


# --------------------------------------------------------------------------------------------
# v1: the plain national layout of spec §10.1.
# Columns: A 绩效指标 (merged over the table) | B 一级 | C 二级 | D 三级 | E 年度指标值 | F 实际完成值 |
#          G 分值 | H 得分 | I 偏差原因分析及改进措施
# --------------------------------------------------------------------------------------------

V1_INDICATORS = [
    # (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因)
    ("产出指标", "数量指标", "开展培训场次", "≥20场", "16场", 10, 8, "部分场次受天气影响取消"),
    ("产出指标", "数量指标", "覆盖社区数", "≥12个", "12个", 10, 10, None),
    ("产出指标", "质量指标", "培训合格率", "≥95%", "96%", 15, 15, None),
    ("产出指标", "时效指标", "培训完成时间", "2022年12月31日前", "按时完成", 15, 15, None),
    ("效益指标", "经济效益指标", None, None, None, None, None, None),  # empty line: ignored
    ("效益指标", "社会效益指标", "居民消防知识知晓率", "≥80%", "75%", 15, 14.06, "宣传覆盖面不足，下年加强入户宣传"),
    ("效益指标", "可持续影响指标", "建立长效培训机制", "建立长效机制", "达成年度指标", 15, 15, None),
    ("满意度指标", "服务对象满意度指标", "参训居民满意度", "≥90%", "92%", 10, 10, None),
]
V1_FIRST_ROW = 12  # 1-based row of the first indicator


def build_v1(path, title=TITLE_V1, indicators=V1_INDICATORS):
    f = Form()
    f.put(1, 1, title, to=(1, 9), bold=True)
    f.put(2, 1, "项目名称")
    f.put(2, 2, "社区消防安全培训项目", to=(2, 9))
    f.put(3, 1, "主管部门")
    f.put(3, 2, "广州市白云区应急管理局", to=(3, 4))
    f.put(3, 5, "实施单位")
    f.put(3, 6, "广州市白云区嘉禾街道办事处", to=(3, 9))
    # funds block rows 4..8
    f.put(4, 1, "项目资金\n（万元）", to=(8, 1))
    f.put(4, 2, None)
    f.row(4, 3, ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    f.put(5, 2, "年度资金总额")
    f.row(5, 3, [100, 100, 100, 10, "100.00%", 10])
    f.put(6, 2, "其中：当年财政拨款")
    f.row(6, 3, [100, 100, 100, "—", "—", "—"])
    f.put(7, 2, "上年结转资金")
    f.row(7, 3, [None, None, None, "—", "—", "—"])
    f.put(8, 2, "其他资金")
    f.row(8, 3, [None, None, None, "—", "—", "—"])
    # 年度总体目标 rows 9..10
    f.put(9, 1, "年度总体目标", to=(10, 1))
    f.put(9, 2, "预期目标", to=(9, 5))
    f.put(9, 6, "实际完成情况", to=(9, 9))
    f.put(10, 2, "全年开展社区消防培训20场，覆盖12个社区。", to=(10, 5))
    f.put(10, 6, "全年开展培训16场，覆盖12个社区，居民知晓率75%。", to=(10, 9))
    # indicator table
    hdr = 11
    last = hdr + len(indicators)
    f.put(hdr, 1, "绩效指标", to=(last, 1))
    f.row(hdr, 2, ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])
    _indicator_rows(f, hdr + 1, 2, indicators, merge_levels=True)
    # 总分 row
    tot = last + 1
    f.put(tot, 1, "总分", to=(tot, 6))
    weights = sum(i[5] or 0 for i in indicators) + 10
    self_total = round(sum(i[6] or 0 for i in indicators) + 10, 2)
    f.put(tot, 7, weights)
    f.put(tot, 8, self_total)
    f.put(tot, 9, None)
    return f.save(path)


def _indicator_rows(f, r0, c0, indicators, merge_levels, order=("l1", "l2", "l3", "t", "a", "w", "s", "n")):
    """Write indicator tuples from row r0; merge equal consecutive 一级/二级 cells (column c0, c0+1)."""
    for i, ind in enumerate(indicators):
        l1, l2, l3, t, a, w, s, n = ind[:8]
        vals = {"l1": l1, "l2": l2, "l3": l3, "t": t, "a": a, "w": w, "s": s, "n": n}
        vals.update(ind[8] if len(ind) > 8 else {})
        for j, key in enumerate(order):
            if key in ("l1", "l2") and merge_levels:
                continue
            f.put(r0 + i, c0 + j, vals[key]) if vals[key] is not None else f.row(r0 + i, c0 + j, [None])
    if merge_levels:
        for k, key in enumerate(("l1", "l2")):
            col = c0 + order.index(key)
            start = 0
            for i in range(1, len(indicators) + 1):
                same = i < len(indicators) and _group(indicators, i, k) == _group(indicators, start, k)
                if not same:
                    f.put(r0 + start, col, indicators[start][k], to=(r0 + i - 1, col))
                    start = i


def _group(indicators, i, k):
    """The merge key of row i at level k: 二级 cells never merge across different 一级."""
    return tuple(indicators[i][: k + 1])


# --------------------------------------------------------------------------------------------
# v2: extra columns 指标方向 + 计量单位, values with operators/units inside the cells, no 绩效指标
# column; budget headers use the aliases 调整后预算数 / 预算执行数.
# Columns: A 一级 | B 二级 | C 三级 | D 指标方向 | E 年度指标值 | F 计量单位 | G 实际完成值 | H 分值 |
#          I 得分 | J 偏差原因分析及改进措施
# --------------------------------------------------------------------------------------------

V2_INDICATORS = [
    # (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因, {方向, 单位})
    ("产出指标", "数量指标", "新建便民服务站点", "≥50个", "45个", 20, 20, "5个站点选址调整", {"d": "正向", "u": "个"}),
    ("产出指标", "质量指标", "站点验收合格率", "=100%", "98%", 15, 15, "1个站点整改中", {"d": "等于", "u": "%"}),
    ("产出指标", "成本指标", "站点建设总成本", "≤90万元", "99万元", 15, 15, "材料价格上涨", {"d": "反向", "u": "万元"}),
    ("效益指标", "社会效益指标", "服务居民人次", "≥5000人次", "6600人次", 30, 30, "新增站点带动服务量", {"d": "正向", "u": "人次"}),
    ("满意度指标", "服务对象满意度指标", "居民满意度", "达成预期指标", "达成预期指标", 10, 10, None, {"d": "定性", "u": None}),
]


def build_v2(path):
    f = Form("自评表")
    f.put(1, 1, "项目支出绩效自评表", to=(1, 10), bold=True)
    f.put(2, 1, "（2022年度）", to=(2, 10))
    f.put(3, 1, "项目名称")
    f.put(3, 2, "便民服务站点建设", to=(3, 10))
    f.put(4, 1, "主管部门")
    f.put(4, 2, "白云区政务服务数据管理局", to=(4, 5))
    f.put(4, 6, "实施单位")
    f.put(4, 7, "白云区石门街道办事处", to=(4, 10))
    f.put(5, 1, "项目资金（万元）", to=(7, 1))
    f.put(5, 2, None)
    f.row(5, 3, ["年初预算数", "调整后预算数", "预算执行数", "分值", "执行率", "得分"])
    f.put(6, 2, "年度资金总额")
    f.row(6, 3, [200, 200, 172.49, 10, 0.8625, 10])
    f.ws.cell(row=6, column=7).number_format = "0.00%"
    f.put(7, 2, "其中：财政拨款")
    f.row(7, 3, [200, 200, 172.49, None, None, None])
    f.put(8, 1, "年度总体目标")
    f.put(8, 2, "预期目标")
    f.put(8, 3, "新建便民服务站点50个，服务居民5000人次以上。", to=(8, 10))
    f.put(9, 1, None)
    f.put(9, 2, "实际完成情况")
    f.put(9, 3, "建成站点45个，服务居民6600人次。", to=(9, 10))
    f.ws.merge_cells("A8:A9")
    hdr = 10
    f.row(hdr, 1, ["一级指标", "二级指标", "三级指标", "指标方向", "年度指标值", "计量单位", "实际完成值",
                   "分值", "得分", "偏差原因分析及改进措施"])
    order = ("l1", "l2", "l3", "d", "t", "u", "a", "w", "s", "n")
    _indicator_rows(f, hdr + 1, 1, V2_INDICATORS, merge_levels=True, order=order)
    tot = hdr + len(V2_INDICATORS) + 1
    f.put(tot, 1, "总分", to=(tot, 7))
    f.put(tot, 8, 100)
    f.put(tot, 9, 100)
    f.put(tot, 10, None)
    return f.save(path)


# --------------------------------------------------------------------------------------------
# v3: 一级 cells with weights in brackets, another row order (项目名称 row holds 主管部门/实施单位 too,
# the indicator table comes before the funds block, 效益 before 产出), header aliases (指标值 / 完成值 /
# 权重 / 自评得分 / 偏差原因分析), no 总分 row, a footer line at the bottom.
# Columns: A 一级 | B 二级 | C 三级 | D 指标值 | E 完成值 | F 权重 | G 自评得分 | H 偏差原因分析
# --------------------------------------------------------------------------------------------

V3_INDICATORS = [
    ("效益指标(30分)", "社会效益指标", "受益群众人数", "≥12000人", "11400人", 15, 15, "部分路段延期开放"),
    ("效益指标(30分)", "可持续影响指标", "设施持续使用年限", "≥5年", "5年", 15, 15, None),
    ("产出指标(50分)", "数量指标", "改造道路长度", "≥3公里", "3.2公里", 20, 20, None),
    ("产出指标(50分)", "质量指标", "工程验收合格率", "≥100%", "100%", 10, 10, None),
    ("产出指标(50分)", "时效指标", "按期完工率", "≥100%", "90%", 10, 9, "雨季停工"),
    ("产出指标(50分)", "成本指标", "单公里改造成本", "≤150万元", "165万元", 10, 9, "管线迁改费用增加"),
    ("满意度指标(10分)", "服务对象满意度指标", "沿线居民满意度", "≥85%", "90%", 10, 10, None),
]


def build_v3(path):
    f = Form("Sheet1")
    f.put(1, 1, "2022年度项目支出绩效自评表", to=(1, 8), bold=True)
    f.put(2, 1, "项目名称：")
    f.put(2, 2, "村道提升改造工程", to=(2, 3))
    f.put(2, 4, "主管部门：")
    f.put(2, 5, "白云区交通运输局")
    f.put(2, 6, "实施单位：")
    f.put(2, 7, "白云区太和镇人民政府", to=(2, 8))
    f.put(3, 1, "年度总体目标", to=(3, 8))
    f.put(4, 1, "预期目标", to=(4, 4))
    f.put(4, 5, "实际完成情况", to=(4, 8))
    f.put(5, 1, "完成村道改造3公里。", to=(5, 4))
    f.put(5, 5, "完成村道改造3.2公里。", to=(5, 8))
    hdr = 6
    f.row(hdr, 1, ["一级指标", "二级指标", "三级指标", "指标值", "完成值", "权重", "自评得分", "偏差原因分析"])
    _indicator_rows(f, hdr + 1, 1, V3_INDICATORS, merge_levels=True)
    fr = hdr + len(V3_INDICATORS) + 2  # one blank row, then the funds block
    f.put(fr, 1, "项目资金（万元）", to=(fr, 2))
    f.row(fr, 3, ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    f.put(fr + 1, 1, "年度资金总额", to=(fr + 1, 2))
    f.row(fr + 1, 3, [300, 320, 310, 10, "96.88%", 9.69])
    f.put(fr + 2, 1, "其中：本年财政拨款", to=(fr + 2, 2))
    f.row(fr + 2, 3, [300, 320, 310])
    f.put(fr + 3, 1, "填表人：李四", to=(fr + 3, 4))
    f.put(fr + 3, 5, "联系电话：020-12345678", to=(fr + 3, 8))
    return f.save(path)


# --------------------------------------------------------------------------------------------
# v4a: the funds block without fund-source rows (only 年度资金总额), an adjusted budget.
# v4b: a 0/0/0 total row above a filled 财政拨款 row (spec §3 step 2, a real filled form).
# Layout otherwise as v1.
# --------------------------------------------------------------------------------------------

V4A_INDICATORS = [
    ("产出指标", "数量指标", "发放政策宣传册", "≥10000份", "8000份", 25, 25, "印刷延误"),
    ("产出指标", "质量指标", "宣传资料准确率", "≥98%", "95%", 15, 15, "个别资料需更正"),
    ("产出指标", "时效指标", "按时发放宣传资料", "按时发放", "部分完成", 10, 7, "部分社区延后发放"),
    ("效益指标", "社会效益指标", "政策知晓率", "≥90%", "72%", 30, 24, "宣传方式单一"),
    ("满意度指标", "服务对象满意度指标", "居民满意度", "≥90%", "85%", 10, 9.44, "加强回访"),
]

V4B_INDICATORS = [
    ("产出指标", "数量指标", "维修路灯数量", "≥200盏", "200盏", 50, 50, None),
    ("效益指标", "社会效益指标", "夜间出行安全事故", "=0起", "0起", 30, 30, None),
    ("满意度指标", "服务对象满意度指标", "居民满意度", "≥90%", "95%", 10, 10, None),
]


def build_v4a(path):
    f = Form()
    f.put(1, 1, "项目支出绩效自评表（2022年度）", to=(1, 9), bold=True)
    f.put(2, 1, "项目名称")
    f.put(2, 2, "惠民政策宣传", to=(2, 9))
    f.put(3, 1, "主管部门")
    f.put(3, 2, "白云区民政局", to=(3, 4))
    f.put(3, 5, "实施单位")
    f.put(3, 6, "白云区同和街道办事处", to=(3, 9))
    f.put(4, 1, "项目资金（万元）", to=(5, 1))
    f.put(4, 2, None)
    f.row(4, 3, ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    f.put(5, 2, "年度资金总额")
    f.row(5, 3, [100, 120, 103.5, 10, "86.25%", 8.63])
    f.put(6, 1, "年度总体目标", to=(7, 1))
    f.put(6, 2, "预期目标", to=(6, 5))
    f.put(6, 6, "实际完成情况", to=(6, 9))
    f.put(7, 2, "发放宣传册10000份，政策知晓率达90%。", to=(7, 5))
    f.put(7, 6, "发放宣传册8000份，政策知晓率72%。", to=(7, 9))
    hdr = 8
    last = hdr + len(V4A_INDICATORS)
    f.put(hdr, 1, "绩效指标", to=(last, 1))
    f.row(hdr, 2, ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])
    _indicator_rows(f, hdr + 1, 2, V4A_INDICATORS, merge_levels=True)
    f.put(last + 1, 1, "总分", to=(last + 1, 6))
    f.put(last + 1, 7, 100)
    f.put(last + 1, 8, 89.07)
    return f.save(path)


def build_v4b(path):
    f = Form()
    f.put(1, 1, "项目支出绩效自评表（2022年度）", to=(1, 9), bold=True)
    f.put(2, 1, "项目名称")
    f.put(2, 2, "路灯维修养护", to=(2, 9))
    f.put(3, 1, "主管部门")
    f.put(3, 2, "白云区城市管理和综合执法局", to=(3, 4))
    f.put(3, 5, "实施单位")
    f.put(3, 6, "白云区均禾街道办事处", to=(3, 9))
    f.put(4, 1, "项目资金（万元）", to=(8, 1))
    f.put(4, 2, None)
    f.row(4, 3, ["年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    f.put(5, 2, "年度资金总额")
    f.row(5, 3, [0, 0, 0, 10, "0.00%", 10])
    f.put(6, 2, "其中：当年财政拨款")
    f.row(6, 3, [50, 50, 50])
    f.put(7, 2, "上年结转资金")
    f.row(7, 3, [None, None, None])
    f.put(8, 2, "其他资金")
    f.row(8, 3, [None, None, None])
    f.put(9, 1, "年度总体目标", to=(10, 1))
    f.put(9, 2, "预期目标", to=(9, 5))
    f.put(9, 6, "实际完成情况", to=(9, 9))
    f.put(10, 2, "维修路灯200盏。", to=(10, 5))
    f.put(10, 6, "维修路灯200盏。", to=(10, 9))
    hdr = 11
    last = hdr + len(V4B_INDICATORS)
    f.put(hdr, 1, "绩效指标", to=(last, 1))
    f.row(hdr, 2, ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"])
    _indicator_rows(f, hdr + 1, 2, V4B_INDICATORS, merge_levels=True)
    f.put(last + 1, 1, "总分", to=(last + 1, 6))
    f.put(last + 1, 7, 100)
    f.put(last + 1, 8, 100)
    return f.save(path)


# --------------------------------------------------------------------------------------------
# v5: v1 saved as .xls (old format) by LibreOffice.
# --------------------------------------------------------------------------------------------

def soffice():
    return lo.soffice()


def convert(src, fmt, outdir, timeout=lo.TIMEOUT) -> Path:
    """Convert ``src`` with LibreOffice headless into ``outdir`` (see ``tests/lo.py``)."""
    return lo.convert(src, fmt, outdir, timeout=timeout)


def build_v5(path):
    """v1 written as .xlsx, then converted to .xls by LibreOffice; returns the .xls path."""
    path = Path(path)
    tmp = Path(tempfile.mkdtemp(prefix="jixiao-v5-"))
    try:
        src = build_v1(tmp / (path.stem + ".xlsx"))
        out = convert(src, "xls", tmp)
        shutil.move(str(out), str(path))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


BUILDERS = {
    "v1": build_v1,
    "v2": build_v2,
    "v3": build_v3,
    "v4a": build_v4a,
    "v4b": build_v4b,
}


# --------------------------------------------------------------------------------------------
# Workbooks of several sheets (issue #13): a unit's projects one per sheet, a budget-system export
# bundling other tables, the form split over two sheets, a 绩效目标申报表.
# --------------------------------------------------------------------------------------------


def copy_sheet(src_ws, dst_ws, row_offset=0, rows=None):
    """Values and merged ranges of ``src_ws`` into ``dst_ws`` (rows ``rows`` = (first, last), 1-based)."""
    first, last = rows or (1, src_ws.max_row)
    for r in range(first, last + 1):
        for c in range(1, src_ws.max_column + 1):
            v = src_ws.cell(r, c).value
            if v is not None:
                cell = dst_ws.cell(r - first + 1 + row_offset, c, v)
                if isinstance(v, str) and v.startswith("="):
                    cell.data_type = "s"
    for m in src_ws.merged_cells.ranges:
        if first <= m.min_row and m.max_row <= last:
            dst_ws.merge_cells(start_row=m.min_row - first + 1 + row_offset, start_column=m.min_col,
                               end_row=m.max_row - first + 1 + row_offset, end_column=m.max_col)


def build_sheets(path, sheets):
    """One workbook from ``sheets``: [(sheet name, builder(path) writing a one-sheet workbook, edit(ws) or None)]."""
    import openpyxl

    out = openpyxl.Workbook()
    out.remove(out.active)
    tmp = Path(tempfile.mkdtemp(prefix="jixiao-sheets-"))
    try:
        for i, (name, builder, edit) in enumerate(sheets):
            src = builder(tmp / f"{i}.xlsx")
            ws = out.create_sheet(name)
            copy_sheet(openpyxl.load_workbook(src).active, ws)
            if edit:
                edit(ws)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out.save(str(path))
    return Path(path)


def build_multi(path, names=("消防培训", "社区服务"), indicators=(None, None)):
    """A unit's projects one per sheet (v1 layout each; project name = sheet name)."""
    def builder(name, inds):
        def b(p):
            return build_v1(p, indicators=inds or V1_INDICATORS)
        return b

    def rename(name):
        def e(ws):
            ws["B2"] = name
        return e

    return build_sheets(path, [(n, builder(n, inds), rename(n)) for n, inds in zip(names, indicators)])


def build_declaration(path, title="项目支出绩效目标申报表（2023年度）"):
    """A 绩效目标申报表: info, funds asked for, goals and an indicator table with 指标值 only."""
    f = Form("绩效目标申报表")
    f.put(1, 1, title, to=(1, 6), bold=True)
    f.put(2, 1, "项目名称")
    f.put(2, 2, "社区消防安全培训项目", to=(2, 6))
    f.put(3, 1, "主管部门")
    f.put(3, 2, "广州市白云区应急管理局", to=(3, 3))
    f.put(3, 4, "实施单位")
    f.put(3, 5, "广州市白云区嘉禾街道办事处", to=(3, 6))
    f.put(4, 1, "项目资金\n（万元）", to=(6, 1))
    f.row(4, 2, ["资金来源", "年度资金总额"])
    f.row(5, 2, ["当年财政拨款", 100])
    f.row(6, 2, ["其他资金", None])
    f.put(7, 1, "年度绩效目标")
    f.put(7, 2, "全年开展社区消防培训20场。", to=(7, 6))
    f.row(8, 1, ["一级指标", "二级指标", "三级指标", "指标值", "分值", "备注"])
    f.row(9, 1, ["产出指标", "数量指标", "开展培训场次", "≥20场", 50, None])
    f.row(10, 1, ["效益指标", "社会效益指标", "居民消防知识知晓率", "≥80%", 30, None])
    f.row(11, 1, ["满意度指标", "服务对象满意度指标", "参训居民满意度", "≥90%", 10, None])
    return f.save(path)


def build_split(path, funds_sheet="自评表", table_sheet="绩效指标"):
    """The v1 form split over two sheets, as some districts issue it: title, info, funds and goals on
    ``funds_sheet``; the indicator table (from its header row down) on ``table_sheet``."""
    import openpyxl

    tmp = Path(tempfile.mkdtemp(prefix="jixiao-split-"))
    try:
        src = openpyxl.load_workbook(build_v1(tmp / "v1.xlsx")).active
        out = openpyxl.Workbook()
        out.active.title = funds_sheet
        copy_sheet(src, out.active, rows=(1, V1_FIRST_ROW - 2))
        copy_sheet(src, out.create_sheet(table_sheet), rows=(V1_FIRST_ROW - 1, src.max_row))
        out.save(str(path))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Path(path)
