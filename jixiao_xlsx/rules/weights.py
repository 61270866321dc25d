"""The weight rules (spec §7.1): 一级 splits, stated 一级/二级 weights, and the 二级 caps."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from ..model import Project
from .profile import Profile
from .report import Out
from .values import ZERO, fmt_plain, norm_label



def check_weights(project: Project, scores: list, profile: Profile, out: Out):
    """The weight rules of §7.1; sums are only checked where every weight in them is valid."""
    if not scores:
        return
    sheet = scores[0].indicator.level3.sheet or scores[0].indicator.weight.sheet
    stated = _stated_level1_weights(project, profile)
    if profile.level1_split == "fixed":
        _check_fixed_split(scores, stated, profile, out, sheet, project.hidden_rows)
    else:
        _check_free_split(scores, stated, profile, out, sheet, project.hidden_rows)
    _check_stated_level2(project, scores, profile, out)
    _check_caps(scores, profile, out)


def _weight_sum(rows: list) -> Optional[Decimal]:
    """Σ of the rows' weights, or None when a weight is invalid (its own finding says so)."""
    if any(s.weight is None for s in rows):
        return None
    return sum((s.weight for s in rows), ZERO)


def _stated_level1_weights(project: Project, profile: Profile) -> dict:
    """一级 name -> (weight written in the label, e.g. 产出指标(50分), its cell)."""
    stated = {}
    for c in project.level1_labels:
        name, sw = norm_label(c.value)
        l1 = profile.level1_by_name(name)
        if l1 is not None and sw is not None:
            stated.setdefault(l1.name, (sw, c))
    return stated


def _check_fixed_split(scores, stated, profile: Profile, out: Out, sheet: str, hidden: set):
    for l1 in profile.level1:
        rows = [s for s in scores if s.level1 == l1.name]
        total = _weight_sum(rows)
        if total is None:
            continue
        if l1.name in stated and stated[l1.name][0] != l1.weight:
            sw, c = stated[l1.name]
            out.add("LEVEL1_WEIGHT_MISMATCH", c, f"{l1.name}分值为{fmt_plain(sw)}，评分规则规定为{fmt_plain(l1.weight)}，"
                                                f"请改为{fmt_plain(l1.weight)}。")
        if not rows:
            out.add("WEIGHT_SUM_MISMATCH", None,
                    f"绩效指标表中没有{l1.name}的三级指标，请补充（{l1.name}下各三级指标分值合计应为{fmt_plain(l1.weight)}）。",
                    sheet=sheet)
        elif total != l1.weight:
            first = rows[0].indicator.level1
            out.add("WEIGHT_SUM_MISMATCH", first, _with_hidden(
                    f"{l1.name}下三级指标分值合计{fmt_plain(total)}，应为{fmt_plain(l1.weight)}，请调整各三级指标分值。", rows, hidden),
                    sheet=first.sheet or sheet)


def _with_hidden(message: str, rows, hidden: set) -> str:
    """A weight sum that includes hidden rows (``hidden``: worksheet rows) says which: the clerk adds up
    the rows she sees."""
    named = [f"第{s.indicator.row}行“{s.level3}”" + ("" if s.weight is None else f"，分值{s.weight.normalize():f}")
             for s in rows if s.indicator.row in hidden]
    if not named:
        return message
    return message.rstrip("。") + f"（合计含隐藏的{'、'.join(named)}；已取消的指标请删除该行）。"


def _check_free_split(scores, stated, profile: Profile, out: Out, sheet: str, hidden: set):
    for name, (sw, c) in stated.items():
        rows = [s for s in scores if s.level1 == name]
        total = _weight_sum(rows)
        if rows and total is not None and total != sw:
            out.add("WEIGHT_SUM_MISMATCH", c, _with_hidden(f"{name}下三级指标分值合计{fmt_plain(total)}，"
                                                          f"应为{fmt_plain(sw)}，请调整各三级指标分值。", rows, hidden))
    total = _weight_sum(scores)
    want = profile.total - profile.execution_weight
    if total is not None and total != want:
        out.add("WEIGHT_TOTAL_MISMATCH", None, _with_hidden(
            f"绩效指标分值合计{fmt_plain(total)}，应为{fmt_plain(want)}，请调整各三级指标分值。", scores, hidden), sheet=sheet)


def _check_stated_level2(project: Project, scores, profile: Profile, out: Out):
    """A weight written in a 二级 cell must equal the sum of the 三级 weights it spans."""
    seen = set()
    for c in project.level2_labels:
        name, sw = norm_label(c.value)
        canon = profile.level2_canonical(name)
        if sw is None or canon is None or (c.sheet, c.ref) in seen:
            continue
        seen.add((c.sheet, c.ref))
        rows = [s for s in scores if s.indicator.level2.ref == c.ref and s.indicator.level2.sheet == c.sheet]
        total = _weight_sum(rows)
        if rows and total is not None and total != sw:
            out.add("WEIGHT_SUM_MISMATCH", c, f"{canon}分值为{fmt_plain(sw)}，其下三级指标分值合计{fmt_plain(total)}；"
                                             f"请把{canon}分值改为{fmt_plain(total)}，或调整其下各三级指标分值。")


def _check_caps(scores, profile: Profile, out: Out):
    for canon, cap in profile.level2_caps.items():
        rows = [s for s in scores if s.level2 == canon]
        total = _weight_sum(rows)
        if rows and total is not None and total > cap:
            out.add("WEIGHT_CAP_EXCEEDED", rows[0].indicator.level2,
                    f"{canon}分值合计{fmt_plain(total)}，不得超过{fmt_plain(cap)}，请调减{canon}下的三级指标分值。")

