"""The finding catalogue (spec §9): every code with its severity and whether it blocks the total.

Codes are stable: the district bureau filters on them. Codes marked *project* are additions of this
project where the spec is silent (see docs/decisions.md).
"""
from __future__ import annotations

from typing import Optional

from .model import ERROR, HINT, Cell, Finding

# code: (severity, blocks)
CATALOGUE = {
    "REQUIRED_FIELD_MISSING": (ERROR, False),
    "BUDGET_MISSING": (ERROR, True),
    "BUDGET_ZERO": (ERROR, True),
    "EXECUTION_MISSING": (ERROR, True),
    "AMOUNT_NEGATIVE": (ERROR, True),
    "EXECUTION_OVER_BUDGET": (ERROR, False),
    "FUNDS_SOURCE_MISMATCH": (ERROR, False),
    "FUNDS_TOTAL_DERIVED": (HINT, False),
    "ALLOCATION_MISMATCH": (ERROR, False),
    "ALLOCATION_EMPTY": (HINT, False),
    "INDICATORS_EMPTY": (ERROR, True),
    "LEVEL1_UNKNOWN": (ERROR, True),
    "LEVEL2_UNKNOWN": (ERROR, False),
    "INDICATOR_NAME_MISSING": (ERROR, False),
    "WEIGHT_INVALID": (ERROR, True),
    "WEIGHT_ZERO": (ERROR, False),
    "LEVEL1_WEIGHT_MISMATCH": (ERROR, False),
    "WEIGHT_SUM_MISMATCH": (ERROR, False),
    "WEIGHT_TOTAL_MISMATCH": (ERROR, False),
    "WEIGHT_CAP_EXCEEDED": (ERROR, False),
    "TARGET_MISSING": (ERROR, True),  # not blocking on a 定性 row (scored from its band)
    "TARGET_UNPARSEABLE": (ERROR, True),
    "TARGET_NEGATIVE": (ERROR, True),
    "TARGET_ZERO_POSITIVE": (HINT, False),
    "DIRECTION_CONFLICT": (ERROR, True),
    "DIRECTION_ASSUMED": (HINT, False),
    "UNIT_MISMATCH": (ERROR, True),
    "UNIT_CONVERTED": (HINT, False),
    "PERCENT_SCALE_ASSUMED": (HINT, False),
    "ACTUAL_MISSING": (ERROR, True),
    "ACTUAL_UNPARSEABLE": (ERROR, True),
    "ACTUAL_NEGATIVE": (HINT, False),
    "ACTUAL_IS_BOUND": (HINT, False),
    "QUAL_BAND_MISSING": (ERROR, True),
    "QUAL_BAND_CONFLICT": (ERROR, True),
    "QUAL_SCORE_OUT_OF_BAND": (ERROR, False),
    "DEVIATION_REASON_MISSING": (ERROR, False),
    "OVER_ACHIEVEMENT_UNEXPLAINED": (HINT, False),  # severity from the profile
    "SELF_SCORE_DIFFERS": (HINT, False),
    "SELF_TOTAL_INCONSISTENT": (HINT, False),
    "SELF_TOTAL_DIFFERS": (HINT, False),
    # project additions
    "AMOUNT_INVALID": (ERROR, False),  # an amount cell holds text that is not an amount
    "SELF_SCORE_INVALID": (HINT, False),  # a self score that is not a number is ignored
    "SHEET_MISSING": (ERROR, True),  # a required sheet / block of the layout was not found
    "FORMULA_NOT_CALCULATED": (ERROR, False),  # a formula cell without a cached value
    "COLUMN_MISSING": (ERROR, True),  # a required column (e.g. 三级指标, 分值) is not in the header row
    "SHEET_TOO_LARGE": (HINT, False),  # cells beyond the reading limits were not read
}


def make(code: str, where: Optional[Cell], message: str, *, severity: Optional[str] = None,
         blocks: Optional[bool] = None, sheet: str = "", cell: str = "") -> Finding:
    """A Finding for ``code`` at ``where`` (a Cell) or at ``sheet``/``cell``."""
    sev, blk = CATALOGUE[code]
    if where is not None:
        sheet = sheet or where.sheet
        cell = cell or where.ref
    return Finding(severity or sev, code, sheet, cell, message, blk if blocks is None else blocks)
