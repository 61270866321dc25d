"""The shortcuts that make a batch fast keep the answers they replace.

Cell is a tuple (cheap to build, ``blank`` worked out once) but must behave as the frozen dataclass
it replaced; what a text means under one rules profile never leaks into another.
"""
from __future__ import annotations

import copy
import datetime as dt
import pickle
from decimal import Decimal

import pytest

from jixiao_xlsx.rules import values as V
from jixiao_xlsx.model import EMPTY, Cell
from jixiao_xlsx.rules.profile import load_profile, parse_profile

P = load_profile()


def test_cell_fields_defaults_and_blank():
    c = Cell(" 95% ", "绩效指标", "G7", True)
    assert (c.value, c.sheet, c.ref, c.percent_format, c.blank) == (" 95% ", "绩效指标", "G7", True, False)
    assert Cell(value=1.5, ref="B3").sheet == "" and not Cell(0).blank and not Cell(False).blank
    assert Cell().blank and Cell(None, "S", "A1").blank and Cell("  \u3000\n").blank  # ideographic space too
    assert EMPTY == Cell() and EMPTY.where == "" and Cell(1, "S", "A1").where == "S!A1"
    assert Cell(dt.date(2022, 12, 31)).text == "2022-12-31" and Cell(3.0).text == "3"


def test_cell_is_immutable_hashable_and_compared_by_value():
    c = Cell(8, "绩效指标", "I3")
    with pytest.raises(AttributeError):
        c.value = 9
    assert c == Cell(8, "绩效指标", "I3") and c != Cell(8, "绩效指标", "I4") and c != Cell(8, "资金分配", "I3")
    assert len({c, Cell(8, "绩效指标", "I3"), Cell(8.0, "绩效指标", "I3")}) == 1  # 8 == 8.0, as before
    assert repr(c) == "Cell(value=8, sheet='绩效指标', ref='I3', percent_format=False)"


def test_cell_survives_pickle_and_copy():
    c = Cell("≥95%", "绩效指标", "E3", True)
    for twin in (pickle.loads(pickle.dumps(c)), copy.copy(c), copy.deepcopy(c)):
        assert twin == c and type(twin) is Cell and twin.blank is False and twin.percent_format is True


def test_parse_quantity_reads_under_its_own_profile():
    data = copy.deepcopy(P.raw)
    data.setdefault("aliases", {}).setdefault("units", {})["人"] = "人次"  # this profile reads 人 as 人次
    other = parse_profile(data)
    assert V.parse_quantity("5000人", P).unit == "人"
    assert V.parse_quantity("5000人", other).unit == "人次"
    assert V.parse_quantity("5000人", P).unit == "人"


def test_norm_label_strips_numbering_and_the_stated_weight():
    assert V.norm_label("产出指标(50分)") == ("产出指标", Decimal("50"))
    assert V.norm_label("一、产出指标（50）") == ("产出指标", Decimal("50"))
    assert V.norm_label("效益指标30分") == ("效益指标", Decimal("30"))
    assert V.norm_label("1.数量指标") == ("数量指标", None) and V.norm_label(None) == ("", None)


def test_quantize_keeps_precision_for_huge_amounts():
    big = Decimal("1" + "0" * 40) + Decimal("0.005")  # 41 digits before the point: beyond 28
    assert V.round2(big) == Decimal("1" + "0" * 40) + Decimal("0.01")
    assert V.round2(Decimal("2.675")) == Decimal("2.68") and V.round2(Decimal("-2.675")) == Decimal("-2.68")
