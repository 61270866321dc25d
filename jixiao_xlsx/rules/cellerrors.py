"""Excel error values (``#DIV/0!``, ``#REF!``, ``#NAME?`` …) in cells the rules read (issue #13 item 9).

A formula that fails leaves an error value where the clerk expected a number; typing ``=20个`` gives
``#NAME?``. The cell is scored as if it were empty (nothing can be read from it), but the finding names
the error the clerk sees and how to fix it, instead of saying the cell is empty: every finding the
scorer made at such a cell is replaced by one ``CELL_ERROR_VALUE`` that blocks exactly when one of
them did; a cell that drew no finding (a self score, a note) still gets a non-blocking one.

The readers hand the error on as the cell's text (``'#DIV/0!'``); an ``.ods`` saved by LibreOffice may
carry its own form ``Err:502``. Both are recognised here, on the value alone.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any, Optional

from .. import findings as F
from ..model import Cell, Finding, Project

# Excel's error values (and newer ones of Excel 365), with what usually causes each
_WHY = {
    "#DIV/0!": "公式中的除数为0或是空白单元格",
    "#REF!": "公式引用的单元格已被删除或移动",
    "#VALUE!": "公式中有文字参与计算",
    "#NAME?": "公式中有无法识别的名称；常见原因是直接输入了以“=”开头的文字，如“=20个”“=≥90%”",
    "#N/A": "查找公式没有找到数据",
    "#NUM!": "公式结果不是有效数字",
    "#NULL!": "公式中的区域引用不正确",
    "#SPILL!": "公式结果溢出到有内容的单元格",
    "#CALC!": "公式无法计算",
    "#GETTING_DATA": "数据尚未加载完成",
    "#FIELD!": "公式引用的字段不存在",
    "#BLOCKED!": "公式被阻止计算",
    "#CONNECT!": "外部数据连接失败",
    "#BUSY!": "公式仍在计算",
    "#UNKNOWN!": "公式结果无法识别",
    "#EXTERNAL!": "外部引用失败",
    "#PYTHON!": "公式无法计算",
}
_LO_ERROR = re.compile(r"Err:\d{3}")  # LibreOffice's own form of an error value
_FIX = "请更正公式，或删除公式后直接填写内容"
_FIX_EQ = "如要填写以“=”开头的文字，请在最前面加英文单引号（如'=20个），或去掉“=”直接填写（如20个）"

# field -> what the clerk calls it, for each record the rules read
_INDICATOR = {"level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "target": "年度指标值",
              "actual": "实际完成值", "weight": "分值", "direction": "指标方向", "unit": "计量单位",
              "band": "完成档次", "self_score": "自评得分", "note": "偏差原因分析及改进措施"}
_FUNDS = {"initial": "年初预算数", "adjusted": "全年预算数", "executed": "全年执行数"}
_ALLOCATION = {"planned": "计划金额", "actual": "实际金额"}
_PROJECT = {"name": "项目名称", "department": "主管部门", "unit": "实施单位", "year": "年度",
            "self_total": "自评总分", "execution_weight": "预算执行率分值", "execution_self_score": "预算执行率得分"}


def error_value(value: Any) -> Optional[str]:
    """The error value a cell shows (``#DIV/0!``, ``Err:502``), or None for any other value."""
    if value.__class__ is not str or not value or value[0] not in "#E ":
        return None
    t = value.strip()
    if t.upper() in _WHY:
        return t.upper()
    return t if _LO_ERROR.fullmatch(t) else None


def error_message(label: str, code: str) -> str:
    """What the clerk sees, why, and what to do (Chinese)."""
    why = _WHY.get(code, "公式无法计算")
    fix = f"{_FIX}；{_FIX_EQ}" if code == "#NAME?" else _FIX
    return f"{label}显示错误值“{code}”（{why}），无法读取，已按未填写处理；{fix}。"


class Errors:
    """The error cells of one project: (sheet, ref) -> (original cell, label, error value)."""

    def __init__(self):
        self.cells: dict = {}

    def clean(self, cell: Cell, label: str) -> Cell:
        code = error_value(cell[0])
        if code is None:
            return cell
        self.cells[(cell.sheet, cell.ref)] = (cell, label, code)
        return Cell(value=None, sheet=cell.sheet, ref=cell.ref, percent_format=cell.percent_format)


def _clean_record(rec, fields: dict, errors: Errors, prefix: str = ""):
    changes = {}
    for attr, label in fields.items():
        c = getattr(rec, attr)
        new = errors.clean(c, prefix + label)
        if new is not c:
            changes[attr] = new
    return dataclasses.replace(rec, **changes) if changes else rec


def _has_error(cells) -> bool:
    for c in cells:
        v = c[0]
        if v.__class__ is str and v and v[0] in "#E " and error_value(v):
            return True
    return False


def clean_project(project: Project) -> tuple[Project, Optional[Errors]]:
    """``project`` with every error cell the rules read made empty, and where they were; the same
    object and None when there is none (almost always: checked cheaply first)."""
    cells = [getattr(project, a) for a in _PROJECT]
    for ind in project.indicators:
        cells.extend(getattr(ind, a) for a in _INDICATOR)
    for line in project.funds:
        cells.extend(getattr(line, a) for a in _FUNDS)
    for al in project.allocations or ():
        cells.extend(getattr(al, a) for a in _ALLOCATION)
    if not _has_error(cells):
        return project, None
    errors = Errors()
    p = _clean_record(project, _PROJECT, errors)
    inds = [_clean_record(i, _INDICATOR, errors) for i in project.indicators]
    funds = [_clean_record(line, _FUNDS, errors, line.name) for line in project.funds]
    allocs = None if project.allocations is None else [_clean_record(a, _ALLOCATION, errors, "资金分配")
                                                       for a in project.allocations]
    return dataclasses.replace(p, indicators=inds, funds=funds, allocations=allocs), errors


def restore_scores(scores: list, original: Project, cleaned: Project) -> list:
    """Indicator scores pointing at the indicators as read (their texts show the error value)."""
    back = {id(c): o for c, o in zip(cleaned.indicators, original.indicators)}
    out = []
    for s in scores:
        o = back.get(id(s.indicator))
        if o is not None and o is not s.indicator:
            s = dataclasses.replace(s, indicator=o, target=o.target.text, actual=o.actual.text)
        out.append(s)
    return out


def report(findings: list, errors: Errors) -> list[Finding]:
    """``findings`` with those at an error cell replaced by one CELL_ERROR_VALUE per cell."""
    at: dict = {}
    for f in findings:
        key = (f.sheet, f.cell)
        if key in errors.cells:
            at.setdefault(key, []).append(f)
    out = []
    done = set()
    for f in findings:
        key = (f.sheet, f.cell)
        if key not in errors.cells:
            out.append(f)
        elif key not in done:
            done.add(key)
            out.append(_finding(errors.cells[key], any(x.blocks for x in at[key])))
    for key, entry in errors.cells.items():
        if key not in done:
            out.append(_finding(entry, False))
    return out


def _finding(entry, blocks: bool) -> Finding:
    cell, label, code = entry
    return F.make("CELL_ERROR_VALUE", cell, error_message(label, code), blocks=blocks)
