"""Read 项目支出绩效目标申报表 (declarations) as budget systems export them: one project per sheet.

Every sheet of a workbook is looked at; a sheet is a declaration when it carries the title
``绩效目标申报表`` or the declaration's own labels (长期目标, 本年度项目金额, 测算依据 …) next to an
indicator table without an 实际完成值 column.  Nothing relies on a position: label/value pairs are
found by their labels (normalised as in spec §1.4, value to the right, or below a column header, or
after a colon in the same cell), the indicator table by its header row.  Both the national
绩效目标表 layout and this project's declaration template (``jixiao template --declaration``) read so.
Values are kept as typed in :class:`Cell`s; interpretation is left to :mod:`jixiao_xlsx.rules.review`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from ..model import Cell
from ..rules.values import label_key, norm, norm_label
from ..a1 import cell_ref
from .book import Book, Sheet

TITLE = "绩效目标申报表"
SCAN_ROWS = 400  # a declaration sheet has well under 100 rows
SCAN_COLS = 40

# field -> labels seen on exported declarations (compared after values.label_key)
FIELD_LABELS = {
    "code": ("项目编码", "项目代码", "项目编号", "项目ID"),
    "name": ("项目名称", "项目全称"),
    "unit": ("申请单位", "实施单位", "项目实施单位", "项目单位", "预算单位", "申报单位", "实施单位名称"),
    "department": ("主管部门", "主管部门及代码", "主管单位", "预算部门", "主管部门名称"),
    "period": ("实施期限", "项目期", "项目实施期限", "实施周期", "项目周期", "项目期限"),
    "total_amount": ("项目总金额", "项目总额", "中期资金总额", "项目总投资", "项目资金总额", "总金额"),
    "year_amount": ("本年度项目金额", "年度资金总额", "本年度金额", "年度金额", "本年预算金额", "年度预算金额",
                    "本年度资金", "本年度预算"),
    "policy": ("政策依据", "立项依据", "项目立项依据", "政策依据及说明"),
    "calc": ("测算依据", "资金测算依据", "测算依据及说明", "测算过程", "资金测算"),
    "annual_goal": ("年度目标", "年度绩效目标", "年度总体目标", "本年度目标"),
    "long_goal": ("长期目标", "中期目标", "长期绩效目标", "中期绩效目标", "总体目标(长期)"),
    "year": ("预算年度", "申报年度", "年度"),
}
AMOUNT_FIELDS = ("total_amount", "year_amount")
TABLE_HEADERS = {
    "level1": ("一级指标", "一级"),
    "level2": ("二级指标", "二级"),
    "level3": ("三级指标", "三级", "三级指标名称", "指标名称", "指标内容"),
    "target": ("指标值", "目标值", "年度指标值", "年度目标值", "绩效指标值", "预期指标值", "指标值(年度)"),
    "explanation": ("指标解释", "指标说明", "指标内涵", "指标值说明", "指标解释及说明"),
    "unit": ("计量单位", "度量单位"),
    "direction": ("指标方向", "指标性质"),
}
SELF_EVALUATION_HEADERS = ("实际完成值", "全年执行数", "自评得分", "完成值", "全年实际值", "偏差原因分析及改进措施")
# labels that only a declaration carries (a self-evaluation has 年度目标 and 单位 too)
OWN_LABELS = ("长期目标", "中期目标", "本年度项目金额", "项目总金额", "测算依据", "政策依据", "实施期限",
              "中期资金总额", "立项依据", "资金测算依据", "长期绩效目标", "中期绩效目标")
FOOTER = re.compile(r"^(?:(?:注|说明|备注|填表说明)\d*[:：]|填表人|填报人|联系人|联系电话|审核人|单位负责人|财务负责人|"
                    r"填报日期|填表日期)")
_YEAR_IN_TITLE = re.compile(r"(\d{4})年度")
_YEARS = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_YUAN_LABEL = re.compile(r"(?<!万)元[)）]|单位[:：]元|[(（]元")

_FIELD_OF: dict = {}
for _f, _names in FIELD_LABELS.items():
    for _n in _names:
        _FIELD_OF.setdefault(label_key(_n), _f)
_HEADER_OF: dict = {}
for _f, _names in TABLE_HEADERS.items():
    for _n in _names:
        _HEADER_OF.setdefault(label_key(_n), _f)
_OWN = frozenset(label_key(n) for n in OWN_LABELS)
_SELF_EVAL = frozenset(label_key(n) for n in SELF_EVALUATION_HEADERS)
_KNOWN = frozenset(_FIELD_OF) | frozenset(_HEADER_OF) | frozenset(label_key(n) for n in (
    "项目资金", "总体目标", "绩效指标", "项目属性", "资金来源", "其中:财政拨款", "其中：财政拨款", "财政拨款", "其他资金"))


@dataclass
class DeclIndicator:
    level1: Cell
    level2: Cell
    level3: Cell
    target: Cell
    unit: Cell
    explanation: Cell
    direction: Cell
    row: int  # 1-based sheet row (rows marked 不适用 are kept: the review decides by the profile's list)


@dataclass
class Declaration:
    """One project's declaration: label values and indicator rows, each Cell addressed on its sheet."""

    source: str
    sheet: str
    fields: dict = field(default_factory=dict)  # field -> Cell (blank Cell at the label's value cell when empty)
    amount_units: dict = field(default_factory=dict)  # 'total_amount'/'year_amount' -> '万元' or '元' (the label's)
    year: Optional[int] = None  # the budget year
    indicators: list = field(default_factory=list)
    table_found: bool = False
    table_ref: str = ""  # where the indicator table's header is (or where it should be)

    def cell(self, name: str) -> Cell:
        return self.fields.get(name) or Cell(value=None, sheet=self.sheet, ref="")


class _Labels:
    """Where the known labels and the title sit on one sheet (top-left cells of merges only)."""

    def __init__(self, sheet: Sheet):
        self.fields: dict = {}  # field -> [(r, c, raw text)]
        self.headers: dict = {}  # row -> {header field: [c]}
        self.inline: dict = {}  # field -> (r, c, value text) for "项目名称：XXX" in one cell
        self.own = 0
        self.self_eval = 0
        self.title_year: Optional[tuple] = None
        self.titled = False
        for r, row in enumerate(sheet.rows[:SCAN_ROWS]):
            for c, v in enumerate(row[:SCAN_COLS]):
                if not isinstance(v, str) or not v.strip():
                    continue
                k = label_key(v)
                if TITLE in k and r < 8:
                    self.titled = True
                if r < 8 and self.title_year is None:
                    m = _YEAR_IN_TITLE.search(norm(v))
                    if m and 1900 <= int(m.group(1)) <= 2200:
                        self.title_year = (int(m.group(1)), r, c)
                if k in _OWN:
                    self.own += 1
                if k in _SELF_EVAL:
                    self.self_eval += 1
                f = _FIELD_OF.get(k)
                if f is not None:
                    self.fields.setdefault(f, []).append((r, c, v))
                h = _HEADER_OF.get(k)
                if h is not None:
                    self.headers.setdefault(r, {}).setdefault(h, []).append(c)
                if f is None and h is None and (":" in v or "：" in v):
                    self._inline(r, c, v)

    def _inline(self, r: int, c: int, v: str) -> None:
        parts = re.split(r"[:：]", v.strip(), maxsplit=1)
        if len(parts) == 2 and parts[1].strip():
            f = _FIELD_OF.get(label_key(parts[0]))
            if f is not None and f not in self.inline:
                self.inline[f] = (r, c, parts[1].strip(), parts[0])

    def table_row(self) -> Optional[int]:
        for r in sorted(self.headers):
            h = self.headers[r]
            if "level3" in h and "target" in h:
                return r
        return None


def is_declaration_sheet(sheet: Sheet) -> bool:
    """A sheet titled 绩效目标申报表, or with declaration labels and an indicator table, and no
    self-evaluation column (实际完成值, 全年执行数, 自评得分)."""
    lab = _Labels(sheet)
    return _judge(lab)


def _judge(lab: _Labels) -> bool:
    if lab.self_eval:
        return False
    if lab.titled:
        return True
    return lab.own >= 2 or (lab.own >= 1 and lab.table_row() is not None)


def looks_like_declaration(book: Book) -> bool:
    """Pure: whether any sheet of ``book`` is a 绩效目标申报表 (for ``check``/``score`` to say which
    command a declaration needs)."""
    return any(is_declaration_sheet(s) for s in book.sheets)


def read_declarations(book: Book) -> list:
    """Every declaration sheet of ``book`` as a :class:`Declaration`, in workbook order (hidden sheets last)."""
    out = []
    sheets = [s for s in book.sheets if not s.hidden] + [s for s in book.sheets if s.hidden]
    for s in sheets:
        lab = _Labels(s)
        if _judge(lab):
            out.append(read_sheet(s, book.path, lab))
    return out


def read_sheet(sheet: Sheet, source: str = "", lab: Optional[_Labels] = None) -> Declaration:
    """One declaration sheet; never raises on content (a missing value is a blank Cell where it belongs)."""
    lab = lab or _Labels(sheet)
    d = Declaration(source=source, sheet=sheet.name)
    for f in FIELD_LABELS:
        cell, label = _field_value(sheet, lab, f)
        if cell is not None:
            d.fields[f] = cell
        if f in AMOUNT_FIELDS:
            d.amount_units[f] = "元" if label and _YUAN_LABEL.search(norm(label)) else "万元"
    d.year = _budget_year(d, lab)
    hdr = lab.table_row()
    if hdr is not None:
        d.table_found = True
        d.table_ref = cell_ref(hdr, min(c for cs in lab.headers[hdr].values() for c in cs))
        _read_table(sheet, hdr, lab.headers[hdr], d)
    return d


def _field_value(sheet: Sheet, lab: _Labels, f: str) -> tuple:
    """(Cell, label text) of field ``f``: first label with a filled value wins; else the first label's blank cell."""
    first = None
    for r, c, raw in lab.fields.get(f, ()):
        cell = _right(sheet, r, c)
        if cell is None or cell.blank:
            below = _below(sheet, r, c)
            if below is not None and not below.blank:
                cell = below
        if cell is None:
            cell = Cell(value=None, sheet=sheet.name, ref=cell_ref(r, c))
        if not cell.blank:
            return cell, raw
        if first is None:
            first = (cell, raw)
    if f in lab.inline:
        r, c, text, raw = lab.inline[f]
        return Cell(value=text, sheet=sheet.name, ref=cell_ref(r, c)), raw
    return first if first is not None else (None, None)


def _extent(sheet: Sheet, r: int, c: int) -> tuple:
    """The merged range whose top-left is (r, c), or the cell itself (merges indexed once per sheet)."""
    return sheet.merge_from(r, c)


def _is_label(v) -> bool:
    return isinstance(v, str) and label_key(v) in _KNOWN


def _right(sheet: Sheet, r: int, c: int) -> Optional[Cell]:
    """The next filled cell right of the label's merge (blank Cell at the first cell when a label or
    nothing comes first); None when the label is in the last column."""
    cc = _extent(sheet, r, c)[3] + 1
    first = None
    limit = min(sheet.ncols, SCAN_COLS)
    while cc < limit:
        ar, ac = sheet.anchor(r, cc)
        if first is None:
            first = Cell(value=None, sheet=sheet.name, ref=cell_ref(ar, ac))
        v = sheet.value(ar, ac, spread=False)
        if v is not None and not (isinstance(v, str) and not v.strip()):
            if _is_label(v):
                return first
            return sheet.cell(ar, ac, spread=False)
        cc = max(cc, _extent(sheet, ar, ac)[3]) + 1
    return first


def _below(sheet: Sheet, r: int, c: int) -> Optional[Cell]:
    """The cell under a column-header label (national form: 中期目标 | 年度目标, the texts below)."""
    m = _extent(sheet, r, c)
    rr = m[2] + 1
    if rr >= sheet.nrows:
        return None
    ar, ac = sheet.anchor(rr, c)
    v = sheet.value(ar, ac, spread=False)
    if _is_label(v):
        return None
    return sheet.cell(ar, ac, spread=False)


def _budget_year(d: Declaration, lab: _Labels) -> Optional[int]:
    """The title's ``（2024年度）``, else a 预算年度 cell, else the one year of a one-year 实施期限."""
    if lab.title_year:
        return lab.title_year[0]
    y = d.fields.get("year")
    if y is not None and not y.blank:
        m = _YEARS.search(y.text)
        if m and 1900 <= int(m.group(1)) <= 2200:
            return int(m.group(1))
    p = d.fields.get("period")
    if p is not None and not p.blank:
        years = {int(x) for x in _YEARS.findall(p.text) if 1900 <= int(x) <= 2200}
        if len(years) == 1:
            return years.pop()
    return None


def _pick(cols: list, near: int, left_first: bool) -> Optional[int]:
    left = [c for c in cols if c < near]
    right = [c for c in cols if c > near]
    if left_first:
        return max(left) if left else (min(right) if right else None)
    return min(right) if right else (max(left) if left else None)


def _read_table(sheet: Sheet, hdr: int, heads: dict, d: Declaration) -> None:
    targets = heads["target"]
    tc = targets[-1]
    if len(targets) > 1:  # 中期 and 年度 side by side: the 年度 one (its header or the cell above says so)
        for c in targets:
            above = sheet.value(hdr - 1, c) if hdr else None
            if "年度" in norm(sheet.raw(hdr, c)) or (isinstance(above, str) and "年度" in norm(above)):
                tc = c
                break
    cols = {"target": tc}
    for f in ("level1", "level2", "level3", "unit", "direction"):
        cols[f] = _pick(heads.get(f, []), tc, left_first=True)
    cols["explanation"] = _pick(heads.get("explanation", []), tc, left_first=False)
    name = sheet.name

    def at(r, f, spread=True):
        c = cols.get(f)
        if c is None:
            return Cell(value=None, sheet=name, ref="")
        return sheet.cell(r, c, spread=spread)

    prev = None
    blank_run = 0
    for r in range(hdr + 1, min(sheet.nrows, SCAN_ROWS)):
        first = next((v for v in sheet.rows[r] if v not in ("", None)), None)
        if isinstance(first, str) and FOOTER.match(norm(first)):
            break
        heads_here = {_HEADER_OF.get(label_key(v)) for v in sheet.rows[r] if isinstance(v, str)}
        if "level3" in heads_here and "target" in heads_here:
            break  # a second table (e.g. 中期指标) starts
        l1, l2, l3, tgt = at(r, "level1"), at(r, "level2"), at(r, "level3"), at(r, "target", spread=False)
        if l3.blank and tgt.blank:
            blank_run = blank_run + 1 if l1.blank and l2.blank else 0
            if blank_run > 20:
                break
            continue
        blank_run = 0
        c3 = cols.get("level3")
        if c3 is not None and sheet.anchor(r, c3)[1] != c3:  # 二级 merged over the 三级 column
            l3 = Cell(value=None, sheet=name, ref=cell_ref(r, c3))
        if prev is not None:  # split merges: a blank 一级/二级 continues the one above
            if l1.blank and cols.get("level1") is not None:
                l1 = prev.level1
            if l2.blank and cols.get("level2") is not None and l1 == prev.level1:
                l2 = prev.level2
        ind = DeclIndicator(l1, l2, l3, tgt, at(r, "unit"), at(r, "explanation"), at(r, "direction"), r + 1)
        d.indicators.append(ind)
        prev = ind


def level_text(c: Cell) -> str:
    """A 一级/二级 label as compared with the profile (numbering and stated weight removed)."""
    return norm_label(c.value)[0] if isinstance(c.value, str) else ""
