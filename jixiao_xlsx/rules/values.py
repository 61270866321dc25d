"""Pure parsing of what clerks type: labels, numbers, units, comparators, deadlines, bands.

Nothing here reads a file or makes a finding; each function takes a plain value (and the rules
profile for its alias tables) and returns plain data, so the rules of spec §1.4, §2 and §4 can be
tested one by one.
"""
from __future__ import annotations

import calendar
import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any, NamedTuple, Optional

from .tables import tables

CENT = Decimal("0.01")
ZERO = Decimal(0)

# whitespace, and zero-width and other format characters (U+200B, U+FEFF …) that arrive with text
# pasted from web pages
_UNSEEN = re.compile("[\\s\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]+")
# Leading numbering: 一、 1. 1、 (一) （一） (1) 1） — §1.4
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|\d+[、.．](?!\d)|[(（][一二三四五六七八九十\d]+[)）])")
# Trailing stated weight: (50分) (50) 50分 — §1.4
_STATED_WEIGHT = re.compile(r"(?:[(（](\d+(?:\.\d+)?)分?[)）]|(\d+(?:\.\d+)?)分)$")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
_RANGE = re.compile(r"\d\s*%?\s*[-~～—至到]\s*\d")


def norm(value: Any) -> str:
    """NFKC (full-width to half-width) and all whitespace and line breaks removed."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    return _UNSEEN.sub("", unicodedata.normalize("NFKC", value))


SHORT_TEXT_MAX = 200


def short_text(value: Any) -> bool:
    """A ``str`` of at most SHORT_TEXT_MAX characters (labels, targets, typed values; not notes)."""
    return value.__class__ is str and len(value) <= SHORT_TEXT_MAX


_TRAILING_NOTE = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$")


def label_key(value: Any) -> str:
    """A header or label as both readers compare it: :func:`norm`, no ``*`` marker, no trailing colon,
    no trailing bracketed note (``全年预算数（万元）`` → ``全年预算数``); never emptied by the stripping."""
    t = norm(value).strip("*").rstrip(":")
    while True:
        s = _TRAILING_NOTE.sub("", t).rstrip(":")
        if s == t or not s:
            return t
        t = s



def norm_text(value: Any) -> str:
    """``norm`` plus a trailing full stop dropped: the form used to match phrases (§6.2)."""
    t = norm(value)
    while t and t[-1] in "。.;；":
        t = t[:-1]
    return t


def norm_label(value: Any) -> tuple[str, Optional[Decimal]]:
    """A level label without numbering and without its trailing weight, plus that stated weight."""
    t = _NUMBERING.sub("", norm(value))
    m = _STATED_WEIGHT.search(t)
    if m and m.start() > 0:
        return t[: m.start()], Decimal(m.group(1) or m.group(2))
    return t, None



def round2(x: Decimal) -> Decimal:
    """Half-up to 2 decimals (§2.1), whatever the magnitude."""
    return quantize(x, CENT)


def quantize(x: Decimal, exp: Decimal) -> Decimal:
    if x.adjusted() <= 18:  # the precision below is 28 (also for 0, NaN and ±Infinity, adjusted() 0)
        return x.quantize(exp, context=_HALF_UP_28)
    prec = max(28, x.adjusted() + 10) if x.is_finite() and x != 0 else 28
    ctx = _CONTEXTS.get(prec)
    if ctx is None:
        ctx = Context(prec=prec)
        if len(_CONTEXTS) < 64:
            _CONTEXTS[prec] = ctx
    return x.quantize(exp, rounding=ROUND_HALF_UP, context=ctx)


_CONTEXTS: dict = {}  # by precision: almost always 28; a Context is not cheap to build
_HALF_UP_28 = Context(prec=28, rounding=ROUND_HALF_UP)


def to_decimal(value: Any) -> Optional[Decimal]:
    """A finite Decimal from a number cell, else None (bools, NaN and infinities are not numbers)."""
    if value.__class__ is float:  # most number cells; repr() never fails and Decimal reads it
        d = Decimal(repr(value))
        return d if d.is_finite() else None
    if value.__class__ is str:  # most other cells
        return None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except (InvalidOperation, ValueError):
            return None
        return d if d.is_finite() else None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    return None


def fmt(d: Optional[Decimal], places: int = 2) -> str:
    """Display a Decimal with fixed decimals (``8.40``); '' for None."""
    if d is None:
        return ""
    if d.is_finite() and d != 0 and d.adjusted() >= 15:
        return f"{d:.6E}"
    return format(quantize(d, Decimal(1).scaleb(-places)), f".{places}f")


def fmt_plain(d: Decimal) -> str:
    """Display a Decimal without trailing zeros (``5000``, ``2.5``)."""
    if d.is_finite() and d != 0 and abs(d.adjusted()) >= 15:
        return f"{d:.6E}"  # an absurd value (1e300) stays one short word in a message
    whole = d.to_integral_value()
    if d == whole:
        return format(whole, "f")
    return format(d.normalize(), "f")


def quote(value: Any, limit: int = 30) -> str:
    """A clerk's value as quoted in a message, shortened so a 100,000-character cell stays readable."""
    t = value if isinstance(value, str) else ("" if value is None else str(value))
    t = t.strip()
    return t if len(t) <= limit else t[:limit] + "…"


# -- quantities ------------------------------------------------------------------------------


class Quantity(NamedTuple):
    """A typed value: optional comparator, the number, and the unit text as written (canonicalised).

    Immutable and compared by value as the frozen dataclass it replaced, but a tuple: one is built for
    every target and actual a batch has not seen before, and a tuple is several times cheaper to build."""

    op: Optional[str]  # '>=', '>', '<=', '<', '=' or None
    number: Decimal
    unit: str  # '' when none; '%' for per cent
    percent_format: bool = False  # came from a cell with a percent number format


OP_KIND = {">=": "positive", ">": "positive", "<=": "reverse", "<": "reverse", "=": "equal"}


def canonical_unit(unit: str, profile) -> str:
    return profile.units.get(unit, unit)


def split_comparator(text: str, profile) -> tuple[Optional[str], str]:
    """Remove a comparator prefix (or suffix word) from normalised text; return (op, rest)."""
    if not text:
        return None, text
    for form, op in tables(profile).prefix_by_first.get(text[0], ()):
        if text.startswith(form):
            return op, text[len(form):]
    return _split_suffix_only(text, profile)


def parse_quantity(value: Any, profile, percent_format: bool = False) -> Optional[Quantity]:
    """Read ``≥5000人次``, ``=100%``, ``5000人以上``, ``1,000`` or a number cell; None if not a quantity.
    (A short text goes to the text reader first, a long one is tried as a number first: the order the
    results were checked with when these readings were memoised; kept so no result changes.)"""
    if short_text(value):
        return _parse_text_quantity(value, profile, percent_format)
    d = to_decimal(value)
    if d is not None:
        return Quantity(op=None, number=d, unit="", percent_format=percent_format)
    if not isinstance(value, str):
        return None
    return _parse_text_quantity(value, profile, percent_format)


def _parse_text_quantity(value: str, profile, percent_format: bool) -> Optional[Quantity]:
    t = norm_text(value)
    if not t:
        return None
    op, rest = split_comparator(t, profile)
    if op is not None:
        # the same sentence may carry a suffix word too ("不少于5000人以上"): drop a redundant one
        op2, rest2 = split_comparator(rest, profile)
        if op2 is not None and OP_KIND[op2] == OP_KIND[op] and rest2 != rest and _NUMBER.match(rest2 or "x"):
            rest = rest2
    if "," in rest:
        rest = _THOUSANDS.sub("", rest)
    m = _NUMBER.match(rest)
    if not m:
        return None
    unit = rest[m.end():]
    if "(" in unit or "[" in unit or "【" in unit:  # ≥90%（含）, 96%（抽样调查）: a note, not a unit
        unit = _BRACKETED.sub("", unit)
    if op is None:  # suffix comparator after the unit: "5000人以上"
        op, unit2 = _split_suffix_only(unit, profile)
        unit = unit2
    if any(map(str.isdigit, unit)):
        return None  # "90%-110%", "3个/5个": not a single quantity
    try:
        number = Decimal(m.group(0))
    except InvalidOperation:
        return None
    return Quantity(op=op, number=number, unit=canonical_unit(unit, profile), percent_format=percent_format)


def _split_suffix_only(unit: str, profile) -> tuple[Optional[str], str]:
    if not unit:
        return None, unit
    for form, op in tables(profile).suffix_by_last.get(unit[-1], ()):  # longest first
        if unit.endswith(form):
            return op, unit[: -len(form)]
    return None, unit


def looks_like_range(value: Any) -> bool:
    """``90%-110%``, ``3~5个``: a range target, out of scope (§1.1) and reported unparseable (a
    bracketed note such as ``（1-12月）`` is not a range)."""
    return isinstance(value, str) and bool(_RANGE.search(_BRACKETED.sub("", norm(value))))


# a bracketed note after a value (after NFKC: full-width brackets are half-width)
_BRACKETED = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]")


def unit_scale(unit: str) -> tuple[Decimal, str]:
    """Split a scale prefix: ``万元`` -> (10000, '元'), ``1.2万人次`` unit ``万人次`` -> (10000, '人次')."""
    if unit.startswith("亿"):
        return _YI, unit[1:]
    if unit.startswith("万"):
        return _WAN, unit[1:]
    return _ONE, unit


_ONE, _WAN, _YI = Decimal(1), Decimal(10000), Decimal(100000000)


# -- money -----------------------------------------------------------------------------------


class Money(NamedTuple):  # a tuple, as Quantity: one is built for every amount cell
    amount: Decimal  # in 万元
    converted_from: Optional[str] = None  # '元' / '亿元' when a unit was converted (§2.2)


def amount_like(value: Any) -> bool:
    """Whether a cell looks like it holds an amount (a number, or short text with a digit such as
    ``50万元``): a fund row under an unknown name is kept by the readers when it does, so that its
    amount is checked (and reported if unreadable) instead of dropped."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and len(value) <= 30 and any(ch.isdigit() for ch in value)


def parse_money(value: Any, profile) -> Optional[Money]:
    """An amount in 万元 from a number cell or text like ``100万元``, ``1,000,000元``, ``７０``."""
    d = to_decimal(value)
    if d is not None:
        return Money(d)
    if not isinstance(value, str):
        return None
    t = _THOUSANDS.sub("", norm_text(value))
    m = _NUMBER.fullmatch(t) or re.fullmatch(r"([+-]?\d+(?:\.\d+)?)(\D+)", t)
    if not m:
        return None
    if m.re is _NUMBER:
        return Money(Decimal(t))
    number, unit = Decimal(m.group(1)), m.group(2)
    mult = profile.money_units.get(unit)
    if mult is None:
        return None
    amount = number * mult
    return Money(amount, None if mult == 1 else unit)


def parse_plain_number(value: Any, suffixes: tuple = ("分",)) -> Optional[Decimal]:
    """A weight or score: a number cell, or text like ``５``, ``2.5``, ``5分``; None otherwise."""
    d = to_decimal(value)
    if d is not None:
        return d
    if not isinstance(value, str):
        return None
    t = norm_text(value)
    for s in suffixes:
        if t.endswith(s):
            t = t[: -len(s)]
    if _NUMBER.fullmatch(t):
        return Decimal(t)
    return None


def parse_year(value: Any) -> Optional[int]:
    """``2022``, ``2022年``, ``2022年度``, a date cell -> 2022."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.year
    d = to_decimal(value)
    if d is not None:
        return int(d) if d == d.to_integral_value() and 1900 <= d <= 2200 else None
    m = re.fullmatch(r"(\d{4})(?:年度?)?", norm_text(value))
    if m and 1900 <= int(m.group(1)) <= 2200:
        return int(m.group(1))
    return None


# -- deadlines (§4.4) ------------------------------------------------------------------------

_DATE_FULL = re.compile(r"(\d{4})[年\-/.](\d{1,2})[月\-/.](\d{1,2})日?")
_DATE_MD = re.compile(r"(\d{1,2})月(\d{1,2})日")
_MONTH_END = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:底|末)")
_YEAR_MONTH = re.compile(r"(\d{4})[年\-/.](\d{1,2})月?")
_DONE = ("按期完成", "按时完成", "如期完成", "及时完成", "提前完成", "已完成", "完成", "完工", "竣工")  # longest first
_BEFORE = ("之前完成", "前完成", "之前", "以前", "前")


def _strip_before(t: str) -> Optional[str]:
    if t.endswith(_BEFORE):  # (one test for the text that has none)
        for s in _BEFORE:
            if t.endswith(s):
                return t[: -len(s)]
    return None


def _safe_date(y: int, m: int, d: int) -> Optional[_dt.date]:
    try:
        return _dt.date(y, m, d)
    except ValueError:
        return None


@dataclass(frozen=True)
class Deadline:
    date: Optional[_dt.date]  # None when the year is needed but unknown


def parse_deadline(value: Any, year: Optional[int], profile) -> Optional[Deadline]:
    """A deadline target (``2022年12月31日前``, ``12月底前``, ``按时完成``) or None if not a deadline."""
    if isinstance(value, _dt.datetime):
        return Deadline(date=value.date())
    if isinstance(value, _dt.date):
        return Deadline(date=value)
    if not isinstance(value, str):
        return None
    t = norm_text(value)
    if not t:
        return None
    year_end = tables(profile).year_end
    if t in year_end or (t.endswith("完成") and t[:-2] in year_end):
        return Deadline(date=_dt.date(year, 12, 31)) if year else Deadline(date=None)
    body = _strip_before(t)
    if body is None:
        return None
    m = _DATE_FULL.fullmatch(body)
    if m:
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return Deadline(date=d) if d else None
    m = _DATE_MD.fullmatch(body)
    if m:
        if not year:
            return Deadline(date=None)
        d = _safe_date(year, int(m.group(1)), int(m.group(2)))
        return Deadline(date=d) if d else None
    m = _MONTH_END.fullmatch(body)
    if m:
        y = int(m.group(1)) if m.group(1) else year
        month = int(m.group(2))
        if not 1 <= month <= 12:
            return None
        if not y:
            return Deadline(date=None)
        return Deadline(date=_month_end(y, month))
    if body in year_end:
        return Deadline(date=_dt.date(year, 12, 31)) if year else Deadline(date=None)
    return None


def parse_date(value: Any, year: Optional[int]) -> Optional[_dt.date]:
    """An actual completion date: a date cell or ``2022年12月20日``/``2022-12-20`` (``前`` allowed)."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        return None
    t = norm_text(value)
    for suffix in _DONE:
        if t.endswith(suffix):
            t = t[: -len(suffix)]
            break
    t = _strip_before(t) or t
    if t.startswith("于"):
        t = t[1:]
    m = _DATE_FULL.fullmatch(t)
    if m:
        return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DATE_MD.fullmatch(t)
    if m and year:
        return _safe_date(year, int(m.group(1)), int(m.group(2)))
    m = _YEAR_MONTH.fullmatch(t) or _MONTH_END.fullmatch(t)
    if m:  # "2022年12月完成": done within that month, so its last day is the date vouched for
        y = int(m.group(1)) if m.group(1) else year
        month = int(m.group(2))
        if y and 1 <= month <= 12:
            return _month_end(y, month)
    return None


def _month_end(year: int, month: int) -> _dt.date:
    return _dt.date(year, month, calendar.monthrange(year, month)[1])


# -- bands (§6.2) ----------------------------------------------------------------------------


def band_of(value: Any, profile):
    """The profile band a whole phrase names (``达成``, ``部分完成``, ``否`` …), or None."""
    t = norm_text(value)
    if not t:
        return None
    return tables(profile).bands.get(t)
