"""Which rows of a table are not data rows, shared by the template and official-form readers.

Clerks merge a long indicator name over two rows, hide a cancelled indicator instead of deleting it,
mark an indicator kind that does not apply with 不适用, and add total rows under any label wording and
in any column. Each helper answers one such question from the grid (values and merged ranges), so both
readers treat the same layout the same way (issue #13, items 1, 2, 4, 5, 12).
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from .. import findings as F
from ..model import Cell, Finding
from ..rules import values

# -- merged blocks (item 1) ---------------------------------------------------------------------


def continues_block(sheet, r: int, name_col: Optional[int], value_cols: Iterable) -> bool:
    """Row ``r`` is the lower part of an indicator merged over several rows: its 三级 cell lies inside
    a merged range that starts above, and each value cell (指标值, 完成值, 分值) is empty or also part
    of a range starting above. Such a row is not a second indicator: the block is one, cited at its
    top-left cell."""
    if name_col is None or not sheet.row_has_merge(r):
        return False
    if sheet.anchor(r, name_col)[0] >= r:
        return False
    for c in value_cols:
        if c is None:
            continue
        ar, _ac = sheet.anchor(r, c)
        if ar == r and sheet.value(r, c, spread=False) is not None:
            return False
    return True


# -- rows marked 不适用 (item 12) ----------------------------------------------------------------

NOT_APPLICABLE = frozenset(values.norm(w) for w in (
    "不适用", "不涉及", "本项目不适用", "本项目不涉及", "不适用本项目", "无此项", "无此指标", "无该项", "N/A", "NA",
))


def not_applicable(cells: Iterable[Cell], weight: Cell) -> bool:
    """A row that says 不适用 (or 不涉及, N/A …) in a name or value cell and carries no weight (blank,
    0 or the same word): an indicator kind that does not apply to the project, not an indicator."""
    if not any(isinstance(c.value, str) and values.norm(c.value).upper() in NOT_APPLICABLE for c in cells):
        return False
    w = weight.value
    if weight.blank or (isinstance(w, str) and values.norm(w).upper() in NOT_APPLICABLE):
        return True
    return isinstance(w, (int, float)) and not isinstance(w, bool) and w == 0


def skipped_rows_hint(code: str, sheet_name: str, rows: list, what: str) -> Optional[Finding]:
    """One hint about some rows of a table (``rows``: [(1-based row, name)])."""
    if not rows:
        return None
    shown = "、".join(f"第{r}行" + (f"“{n}”" if n else "") for r, n in rows[:10])
    if len(rows) > 10:
        shown += f"等{len(rows)}行"
    first = rows[0][0]
    return F.make(code, None, f"{shown}{what}", sheet=sheet_name, cell=f"A{first}")


def name_of(cell: Cell) -> str:
    v = cell.value
    if v is None:
        return ""
    s = str(v).strip()
    return s if len(s) <= 30 else s[:30] + "…"


# -- funds total rows (item 2) -------------------------------------------------------------------

# A funds row is the total when its label (normalised, '其中' and numbering removed) is one of the
# profile's total labels or reads as one: 项目资金总额, 资金总额, 资金合计, 项目资金合计, 合计, 总计 …
_TOTAL_LABEL = re.compile(r"^(?:本?年度|全年|项目|专项|财政)?(?:资金|预算|经费|金额)?(?:总额|合计|总计|总数)(?:数|金额)?$")


def is_total_label(key: str, known: Iterable[str] = ()) -> bool:
    """``key`` (a normalised row label) names a funds total row."""
    return bool(key) and (key in known or _TOTAL_LABEL.match(key) is not None)


def _num(cell: Cell):
    """The cell's amount as a float (numbers and plain numeric text), else None."""
    v = cell.value
    if isinstance(v, bool) or v is None:
        return None
    d = values.to_decimal(v)
    return None if d is None else float(d)


def sums_rows_below(first, rest: list) -> bool:
    """The amounts of ``first`` (a BudgetLine) equal, column by column, the sums of ``rest`` (at least
    one line, every compared amount a number): ``first`` is a total row under another label."""
    if not rest:
        return False
    compared = 0
    for attr in ("initial", "adjusted", "executed"):
        top = _num(getattr(first, attr))
        if top is None:
            continue
        parts = [_num(getattr(line, attr)) for line in rest]
        parts = [p for p in parts if p is not None]
        if not parts:
            return False
        if abs(top - sum(parts)) > 0.005:
            return False
        compared += 1
    return compared > 0


def promote_total(lines: list, sources: Iterable[str] = ()) -> list:
    """``lines`` (BudgetLines in sheet order, none marked total) with the first one turned into the
    total row when its label is not a known fund source (``sources``: canonical names) and its amounts
    are the sum of the lines below it (a total row under a label not recognised by its wording)."""
    if (len(lines) >= 2 and not any(l.is_total for l in lines) and lines[0].name not in set(sources)
            and sums_rows_below(lines[0], lines[1:])):
        first = lines[0]
        first.is_total = True
        first.name = "年度资金总额"
        return lines
    return lines


# -- allocation total rows (item 5) -------------------------------------------------------------


def sums_rows_above(amounts: list, above: list) -> bool:
    """A 资金分配 row without a 用途 whose planned and actual amounts equal the sums of the rows above
    (two rows at least): a total line under no label or a label in another column."""
    if len(above) < 2:
        return False
    compared = 0
    for i, top_cell in enumerate(amounts):
        top = _num(top_cell)
        if top is None:
            continue
        parts = [_num(row[i]) for row in above]
        parts = [p for p in parts if p is not None]
        if not parts or abs(top - sum(parts)) > 0.005:
            return False
        compared += 1
    return compared > 0


HIDDEN_WHAT = ("是隐藏行，仍按指标计分（分值计入合计）；如该指标已取消，请删除该行，不要只隐藏；"
               "如仍有效，请取消隐藏后核对。")
NA_WHAT = "标注为“不适用”且无分值，不是本项目的指标，未计入评分。"


def skipped_findings(sheet_name: str, hidden: list, na_rows: list) -> list:
    """The hints about indicator rows: hidden rows (scored), rows marked 不适用 (left out)."""
    out = []
    for code, found, what in (("HIDDEN_ROW_SCORED", hidden, HIDDEN_WHAT), ("NOT_APPLICABLE_SKIPPED", na_rows, NA_WHAT)):
        f = skipped_rows_hint(code, sheet_name, found, what)
        if f is not None:
            out.append(f)
    return out
