"""The findings one evaluation collects, and reading a clerk's own score: shared by every rules module."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from .. import findings as F
from ..model import Cell, Finding
from .values import parse_plain_number, quote, round2

KIND_ZH = {"positive": "正向", "reverse": "反向", "equal": "等于", "qualitative": "定性", "deadline": "时限"}


class Out:
    """The findings of one evaluation, in the order they were found."""

    def __init__(self):
        self.items: list[Finding] = []

    def add(self, code, where: Optional[Cell], message, **kw):
        self.items.append(F.make(code, where, message, **kw))

    def has(self, code, cell: Cell) -> bool:
        return any(f.code == code and f.sheet == cell.sheet and f.cell == cell.ref for f in self.items)

    def drop(self, code, cell: Cell):
        self.items = [f for f in self.items if not (f.code == code and f.sheet == cell.sheet and f.cell == cell.ref)]


def self_number(c: Cell, what: str, example: str, out: Out) -> Optional[Decimal]:
    """A clerk's own score or total, rounded to 2 decimals (§2.1 step 5); text is reported and ignored."""
    if c.blank:
        return None
    s = parse_plain_number(c.value)
    if s is None:
        out.add("SELF_SCORE_INVALID", c, f"{what}“{quote(c.text)}”不是数字，已忽略；请填写如{example}，或留空。")
        return None
    return round2(s)
