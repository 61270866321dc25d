"""The summary writer's fast paths give what the general code gives: plain text straight into the XML,
number cells and JSON numbers, text columns converted by the stream, floats shown without
the Decimal round trip."""
from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao_xlsx import model
from jixiao_xlsx.write import summary
from jixiao_xlsx.write.rowstream import STR_MAX, RowStream, _inline, _inline_escaped, number

TEXTS = [
    "", "普通文字", " 前空格", "后空格 ", "\t制表符", "换行\n", "回车\r", "a_b", "_x0041_", "A & B", "<t>", "x>y",
    "\x00", "\x08", "\x0b", "\x1f", "\x7f", "\ufffe", "\uffff", "\ud800孤立代理", "emoji 👍 𠀀", "=SUM(A1)",
    "x" * (STR_MAX // 2), "x" * (STR_MAX // 2 + 1), "x" * (STR_MAX + 5), "👍" * (STR_MAX // 2 + 3),
]  # fmt: skip


@pytest.mark.parametrize("text", TEXTS)
def test_plain_text_fast_path_writes_what_the_escaping_path_writes(text):
    assert _inline(text) == _inline_escaped(text)


NUMBERS = [
    0, 0.0, -0.0, 1, 1.0, -1, 2.5, 0.71, 99.99, 1e-7, 1e16, 123456789.123, 2**53, 2**53 + 1, -(2**60), 10**400,
    float("inf"), float("-inf"), float("nan"), True, False, Decimal("1.50"), Decimal("1.5"), Decimal("-0"),
]  # fmt: skip


def test_number_cells_write_the_digits_of_each_value():
    got = dict(zip(map(repr, NUMBERS), map(number, NUMBERS)))
    assert got["-0.0"] == "><v>-0</v></c>" and got["0"] == "><v>0</v></c>" and got["2.5"] == "><v>2.5</v></c>"
    assert got["Decimal('1.50')"] == "><v>1.50</v></c>" and number(1.5) == "><v>1.5</v></c>"
    assert got["inf"] == ' t="e"><f>1/0</f><v>#DIV/0!</v></c>' and got["nan"] == ' t="e"><f>#NUM!</f><v>#NUM!</v></c>'
    assert got["9007199254740993"] == "><v>9007199254740992</v></c>"  # as Excel keeps it: a double


DECIMALS = ["0", "-0", "-0.00", "5", "5.00", "0.71", "0.710", "-3.25", "1E+2", "1e400", "12345678901234567890.5",
            "0.30000000000000004", "1E-30"]  # fmt: skip


def test_json_numbers_are_those_of_the_decimal():
    for text in DECIMALS:
        d = Decimal(text)
        got = model._num(d)
        if d == d.to_integral_value():
            assert type(got) is int and got == d, text
        else:
            assert type(got) is float and got == float(d), text
    assert model._num(None) is None


@pytest.mark.parametrize("v", [None, "", "8", 8, 0, -0.0, 0.71, 2**53, 2**53 + 1, 10**400, 1e300, float("nan"),
                               float("inf"), True, False, Decimal("8.5"), [1]])  # fmt: skip
def test_shown_is_the_float_of_the_decimal(v):
    d = summary.dec(v)
    want = None if d is None else float(d)
    got = summary._shown(v)
    assert (type(got), repr(got)) == (type(want), repr(want))


class Text(str):
    pass


def test_text_columns_converted_by_the_stream_as_the_writer_did_before():
    # the 指标明细 rows used to be converted before writing: str() of anything but None in a text
    # column, and of a str (subclass) in a score column
    numeric = (1,)
    rows = [
        ("a", 1.5, None), (7, 8, 9.5), (True, False, Text("x")), (Text(""), Text("y"), ""), (2.5, None, Decimal("1.5")),
        (None, "text in a score column", 0), ("", 0.0, [1, 2]),
    ]  # fmt: skip

    def xml(stream):
        stream.flush()
        stream.fh.seek(0)
        return stream.fh.read()

    old, new = RowStream("s", 3), RowStream("s", 3, text_cols=(0, 2))
    for r, row in enumerate(rows, 1):
        old.write(r, [v if (c in numeric and not isinstance(v, str)) or v is None else str(v)
                      for c, v in enumerate(row)], (0, 3, 0))  # fmt: skip
        new.write(r, row, (0, 3, 0))
    assert xml(new) == xml(old)
    old.close()
    new.close()
