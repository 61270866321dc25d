"""Domain objects: what a self-evaluation workbook says, and what the rules make of it.

Readers (one per layout) turn a workbook into a :class:`Project` made of :class:`Cell` values
exactly as typed; :mod:`jixiao_xlsx.scoring` turns a Project into a :class:`Result`.  Every value
keeps its sheet and cell address so that each finding and each score can be traced to its source.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter as _itemgetter
from typing import Any, Optional

ERROR = "错误"
HINT = "提示"



class Cell(tuple):
    """One input value as read, with where it came from.

    ``value`` is what the reader got: ``str``, ``float``, ``int``, ``bool``, ``datetime.date``,
    ``datetime.datetime`` or ``None`` for an empty cell (readers turn ``''`` into ``None``).
    ``sheet``/``ref`` name the cell as the user sees it (top-left cell of a merged range);
    both are ``''`` when the layout has no such cell (e.g. a column the form does not carry).

    Immutable and compared by value like a frozen dataclass, but a tuple: a batch builds a few
    hundred per file and asks ``blank`` of each several times, so both are made cheap.
    """

    __slots__ = ()

    def __new__(cls, value: Any = None, sheet: str = "", ref: str = "", percent_format: bool = False):
        blank = value is None or (isinstance(value, str) and not value.strip())
        return tuple.__new__(cls, (value, sheet, ref, percent_format, blank))

    def __getnewargs__(self):  # pickle and copy rebuild a Cell from its four fields
        return tuple(self)[:4]

    def __repr__(self) -> str:
        return f"Cell(value={self.value!r}, sheet={self.sheet!r}, ref={self.ref!r}, percent_format={self.percent_format!r})"

    value = property(_itemgetter(0))
    sheet = property(_itemgetter(1))
    ref = property(_itemgetter(2))
    percent_format = property(_itemgetter(3))  # the cell had a percent number format (Excel stores 95% as 0.95)
    blank = property(_itemgetter(4), doc="Empty, or text of spaces only.")

    @property
    def text(self) -> str:
        """The value as a display string ('' when blank); floats without a spurious '.0'."""
        v = self[0]
        if v.__class__ is str:  # most cells: the text as typed
            return v
        if v is None:
            return ""
        if isinstance(v, bool):
            return "是" if v else "否"
        if isinstance(v, float):
            if v != v or v in (float("inf"), float("-inf")):
                return str(v)
            d = Decimal(repr(v))
            return format(d.normalize(), "f") if d == d.to_integral_value() else repr(v)
        if isinstance(v, _dt.time):
            return v.isoformat()
        if hasattr(v, "isoformat"):
            return v.isoformat()[:10] if not getattr(v, "hour", 0) else v.isoformat(sep=" ")
        return str(v)

    @property
    def shown(self) -> str:
        """The text as the clerk saw it: a number with a percent format (Excel stores 92% as 0.92) as
        '92%', anything else as :attr:`text` (issue #13 item 18: --json and 指标明细 said '0.92')."""
        v = self[0]
        if self[3] and isinstance(v, (int, float)) and not isinstance(v, bool) and v - v == 0:
            return format((Decimal(repr(v)) * 100).normalize(), "f") + "%"
        return self.text

    @property
    def where(self) -> str:
        """``绩效指标!G7`` style address, or the sheet name alone."""
        if self.sheet and self.ref:
            return f"{self.sheet}!{self.ref}"
        return self.sheet


EMPTY = Cell()


@dataclass(frozen=True)
class Finding:
    """One problem found in a workbook: what, where, and what to type instead (Chinese)."""

    severity: str  # ERROR or HINT
    code: str  # stable code from the spec's §9 catalogue
    sheet: str
    cell: str
    message: str
    blocks: bool = False  # the total cannot be computed while this stands

    def as_dict(self) -> dict:
        return {
            "severity": self.severity,
            "code": self.code,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message,
        }


@dataclass
class BudgetLine:
    """One row of the funds block: the total row (年度资金总额) or a fund-source row."""

    name: str  # canonical: 年度资金总额, or the profile's source-row name (当年财政拨款 ...)
    label: Cell
    initial: Cell = EMPTY  # 年初预算数
    adjusted: Cell = EMPTY  # 全年预算数
    executed: Cell = EMPTY  # 全年执行数
    is_total: bool = False

    @classmethod
    def of_row(cls, name: str, label: Cell, amounts, is_total: bool = False) -> "BudgetLine":
        """A line from its label and the row's three amount cells (年初预算数, 全年预算数, 全年执行数)."""
        initial, adjusted, executed = amounts
        return cls(name=name, label=label, initial=initial, adjusted=adjusted, executed=executed, is_total=is_total)


@dataclass
class Allocation:
    """One use of the money (资金分配 sheet; template only)."""

    purpose: Cell  # 用途
    recipient: Cell = EMPTY  # 拨付对象
    planned: Cell = EMPTY  # 计划金额
    actual: Cell = EMPTY  # 实际金额
    note: Cell = EMPTY  # 说明


@dataclass
class Indicator:
    """One 三级 indicator row as typed. Merged 一级/二级 cells are already spread over their rows."""

    level1: Cell
    level2: Cell
    level3: Cell
    target: Cell  # 年度指标值
    actual: Cell  # 实际完成值
    weight: Cell  # 分值
    direction: Cell = EMPTY  # 指标方向 / 指标性质
    unit: Cell = EMPTY  # 计量单位
    band: Cell = EMPTY  # 完成档次
    self_score: Cell = EMPTY  # 自评得分 / the form's 得分
    note: Cell = EMPTY  # 偏差原因分析及改进措施
    row: int = 0  # 1-based worksheet row, for ordering and write-back


@dataclass
class Project:
    """Everything one workbook says about one project, as typed (no interpretation yet)."""

    source: str  # file path as given
    layout: str  # 'template' or 'official'
    name: Cell = EMPTY  # 项目名称
    department: Cell = EMPTY  # 主管部门
    unit: Cell = EMPTY  # 实施单位
    year: Cell = EMPTY  # 年度
    manager: Cell = EMPTY  # 项目负责人
    goal_expected: Cell = EMPTY  # 年度总体目标 — 预期目标
    goal_actual: Cell = EMPTY  # 年度总体目标 — 实际完成情况
    self_total: Cell = EMPTY  # 自评总分 / the form's 总分 得分
    funds: list[BudgetLine] = field(default_factory=list)  # total row first if present
    execution_weight: Cell = EMPTY  # the form's 分值 on the funds total row (stated weight)
    execution_self_score: Cell = EMPTY  # the form's 得分 on the funds total row
    allocations: Optional[list[Allocation]] = None  # None: the layout has no allocation block
    indicators: list[Indicator] = field(default_factory=list)
    level1_labels: list[Cell] = field(default_factory=list)  # 一级 cells as typed (may carry "(50分)")
    level2_labels: list[Cell] = field(default_factory=list)  # 二级 cells as typed (may carry a weight)
    findings: list[Finding] = field(default_factory=list)  # problems the reader found
    # 自评报告 sheet (layout.NARRATIVE_FIELDS key -> text as typed, '' when blank); {} when the workbook
    # has no such sheet (official forms, older templates)
    narrative: dict = field(default_factory=dict)
    # what the readers saw beside the cells, for the messages: worksheet rows (1-based) hidden in the sheet
    # (scored; weight sums name them) and {(sheet, header)} absent from a found header row (one finding)
    hidden_rows: set = field(default_factory=set, compare=False)
    missing_columns: set = field(default_factory=set, compare=False)


@dataclass
class IndicatorScore:
    """What the rules made of one indicator row."""

    indicator: Indicator
    level1: str  # canonical or as typed when unknown
    level2: str
    level3: str
    kind: Optional[str]  # positive / reverse / equal / qualitative / deadline, None if unreadable
    rule: Optional[str]  # rule id of spec §5, None if not scored
    target: str  # display text of the target as typed
    actual: str
    weight: Optional[Decimal]
    score: Optional[Decimal]
    self_score: Optional[Decimal]
    detail: str = ""  # the arithmetic in Chinese for 评分明细
    band: Optional[str] = None  # the canonical band for qualitative/deadline rows

    def explain(self) -> str:
        """The arithmetic behind the score (评分明细)."""
        return self.detail

    def as_dict(self) -> dict:
        return {
            "level1": self.level1,
            "level2": self.level2,
            "level3": self.level3,
            "kind": self.kind,
            "target": _seen(self.indicator.target, self.target),  # a percent-formatted 0.92 as '92%'
            "actual": _seen(self.indicator.actual, self.actual),
            "weight": _num(self.weight),
            "score": _num(self.score),
            "self_score": _num(self.self_score),
            "rule": self.rule,
        }


@dataclass
class BudgetScore:
    initial: Optional[Decimal]
    adjusted: Optional[Decimal]
    executed: Optional[Decimal]
    rate: Optional[Decimal]  # fraction rounded half-up to 4 decimals
    score: Optional[Decimal]
    weight: Decimal
    detail: str = ""
    self_score: Optional[Decimal] = None  # the execution self score the form gives, rounded (§3 step 6)


@dataclass
class Result:
    """The scored project: numbers, grade and every finding, ready for any writer."""

    project: Project
    profile_id: str
    budget: BudgetScore
    indicators: list[IndicatorScore]
    subtotals: dict  # 'output' / 'effect' / 'satisfaction' -> Decimal or None
    total: Optional[Decimal]
    grade: Optional[str]
    self_total: Optional[Decimal]
    findings: list[Finding]

    @property
    def blocked(self) -> bool:
        return any(f.blocks for f in self.findings)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def hints(self) -> int:
        return sum(1 for f in self.findings if f.severity == HINT)

    def as_dict(self) -> dict:
        p = self.project
        return {
            "file": p.source,
            "unit": p.unit.text,
            "department": p.department.text,
            "project": p.name.text,
            "year": _year(p.year),
            "budget": {
                "initial": _num(self.budget.initial),
                "adjusted": _num(self.budget.adjusted),
                "executed": _num(self.budget.executed),
                "rate": _num(self.budget.rate),
            },
            "scores": {
                "execution": _num(self.budget.score),
                "output": _num(self.subtotals.get("output")),
                "effect": _num(self.subtotals.get("effect")),
                "satisfaction": _num(self.subtotals.get("satisfaction")),
            },
            "total": _num(self.total),
            "grade": self.grade,
            "self_reported_total": _num(self.self_total),
            "indicators": [i.as_dict() for i in self.indicators],
            "findings": [f.as_dict() for f in self.findings],
        }


def _year(cell: Cell):
    """The evaluation year as a number when it reads as one (``2022年度`` → 2022), else None: the JSON
    ``year`` is a number or null, never text (a year that does not read is REQUIRED_FIELD_MISSING)."""
    from .rules.values import parse_year

    return parse_year(cell.value)


def _seen(cell: Cell, text: str) -> str:
    """``text`` (the scorer's display text of ``cell``), or the cell's percent form where it has one."""
    return cell.shown if cell.percent_format else text


def _num(d: Optional[Decimal]):
    """Decimal -> JSON number (int when whole, else float of the exact decimal), None stays None."""
    if d is None:
        return None
    if d == d.to_integral_value():
        return int(d)
    f = float(d)
    if f - f != 0:  # beyond a float (an amount typed with hundreds of digits): the whole number, exact
        return int(d.to_integral_value(ROUND_HALF_UP))
    return f
