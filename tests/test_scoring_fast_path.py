"""The scorer's shortcuts give the answers of the code they replace.

Readings of a row's text (labels, direction, target, actual, weight) are each one function; the
profile's name lookups are tables (rules/tables.py); quantize, to_decimal and norm have fast paths.
Each is checked here against the plain computation (written out again below where the old code is
gone), and the readings are checked to be per profile.
"""
from __future__ import annotations

import copy
import math
import random
import re
import unicodedata
from decimal import ROUND_HALF_UP, Context, Decimal

import pytest

from jixiao_xlsx.rules import indicators as S
from jixiao_xlsx.rules import values as V
from jixiao_xlsx.model import Cell, Indicator
from jixiao_xlsx.rules.profile import bundled_profiles, load_profile, parse_profile

P = load_profile()
PROFILES = [load_profile(n) for n in bundled_profiles()]

TARGETS = ["≥95%", "≥ 95 %", "＞90%", "不少于5000人次", "5000人以上", "=3个", "1,000万元", "≤90万元", "按计划完成",
           "90%-110%", "3~5个", "3个/5个", "0.96", "", "  ", "≥1.2万", "不低于90%以上", "100", "x" * 300,
           "2022年12月31日前", "12月底前", "12月20日前", "年底前完成", "按时完成", "13月底前", "2022年2月30日前",
           "≥3289栋次", "≤177.93万元", "≥90%。", "－5", "正向", "正向指标", "≥", "定性", "等于指标", "反  向"]  # fmt: skip
LABELS = ["产出指标", "产出指标(50分)", "一、产出指标（50）", "效益指标30分", "满意度指标", "1.数量指标", "数量指标",
          "质量指标", "成本指标", "经济效益指标", "社会效益指标", "服务对象满意度指标", "预算执行率", "不知道", "",
          "z" * 300]  # fmt: skip


def _cells(*texts):
    return [Cell(t, "绩效指标", "E3") for t in texts]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_target_reading_is_the_three_parsers_in_order(profile):
    for year in (2022, None):
        for pct in (False, True):
            for t in TARGETS:
                dl = V.parse_deadline(t, year, profile)
                want = (dl, False, None) if dl else (
                    (None, True, None) if V.looks_like_range(t) else (None, False, V.parse_quantity(t, profile, pct)))
                assert S._read_target(t, year, pct, profile) == want, t


def test_actual_reading_is_a_quantity_that_is_not_a_range():
    for pct in (False, True):
        for t in TARGETS:
            q = V.parse_quantity(t, P, pct)
            want = None if q is None or V.looks_like_range(t) else q
            assert S._read_actual_quantity(t, pct, P) == want, t


def test_level_readings():
    for a in LABELS:
        for b in LABELS:
            l1, _ = V.norm_label(a)
            l2, _ = V.norm_label(b)
            want = (l1, P.level1_by_name(l1), l2, P.level2_canonical(l2) if l2 else None)
            assert S._read_levels(a, b, P) == want


def _level1_by_name(p, name):  # the linear search the table replaced
    for l1 in p.level1:
        if name == l1.name or name in l1.aliases:
            return l1
    return None


def _level2_canonical(p, name):
    for canon, aliases in p.level2_aliases.items():
        if name == canon or name in aliases:
            return canon
    for l1 in p.level1:
        if name in l1.level2:
            return name
    return None


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_profile_name_tables_match_the_linear_search(profile):
    names = {""} | {x for l1 in profile.level1 for x in (l1.name, *l1.aliases, *l1.level2)}
    names |= {x for c, a in profile.level2_aliases.items() for x in (c, *a)} | set(LABELS)
    for n in sorted(names):
        assert profile.level1_by_name(n) is _level1_by_name(profile, n), n
        assert profile.level2_canonical(n) == _level2_canonical(profile, n), n


def _weight_reference(c, profile, out):  # _weight as it was written before _weight_reading
    if c.blank:
        out.add("WEIGHT_INVALID", c, "分值为空，请填写该指标的分值，如5或2.5。")
        return None
    w = V.parse_plain_number(c.value)
    if w is None:
        out.add("WEIGHT_INVALID", c, f"分值“{V.quote(c.text)}”不是有效数字，请填写如5或2.5。")
        return None
    if w < 0:
        out.add("WEIGHT_INVALID", c, f"分值{V.quote(c.text)}为负数，请填写大于0的数字，如5或2.5。")
        return None
    if w != V.quantize(w, V.CENT):
        out.add("WEIGHT_INVALID", c, f"分值“{V.quote(c.text)}”超过两位小数，请填写如5或2.5。")
        return None
    if w > profile.total:
        out.add("WEIGHT_INVALID", c, f"分值{V.fmt_plain(w)}大于满分{V.fmt_plain(profile.total)}，请填写该指标的实际分值。")
        return None
    if w == 0:
        out.add("WEIGHT_ZERO", c, "分值为0，该指标不计分；不适用的指标请删除该行。")
    return w


def test_weight_reading_gives_the_weight_and_findings_of_the_full_checks():
    weights = [5.0, 10.0, 2.5, 2.55, 2.555, 0.0, -0.0, -5.0, 100.0, 100.01, 1e300, float("nan"), float("inf"),
               5, 0, True, "5", "5分", "五", None, " ", 0.1 + 0.2]  # fmt: skip
    for v in weights:
        c = Cell(v, "绩效指标", "F3")
        ind = Indicator(*_cells("产出指标", "数量指标", "x", "≥1个", "1个"), weight=c)
        got_out, want_out = S.Out(), S.Out()
        got, want = S._weight(ind, P, got_out), _weight_reference(c, P, want_out)
        assert (str(got), got_out.items) == (str(want), want_out.items), v


def test_readings_are_per_profile():
    data = copy.deepcopy(P.raw)
    data.setdefault("aliases", {}).setdefault("units", {})["人"] = "人次"
    other = parse_profile(data)
    for p, unit in ((P, "人"), (other, "人次"), (P, "人")):
        assert S._read_actual_quantity("5000人", False, p).unit == unit


def _quantize_reference(x, exp):
    prec = max(28, x.adjusted() + 10) if x.is_finite() and x != 0 else 28
    return x.quantize(exp, rounding=ROUND_HALF_UP, context=Context(prec=prec))


def test_quantize_fast_path_matches_the_precision_rule():
    rnd = random.Random(5)
    xs = [Decimal(s) for s in ("0", "-0", "0E+50", "0E-50", "2.675", "-2.675", "0.005", "Infinity", "-Infinity",
                               "1" + "0" * 17 + ".005", "1" + "0" * 18 + ".005", "1" + "0" * 19 + ".005", "1E+40")]
    xs += [Decimal(rnd.randint(-10**12, 10**12)).scaleb(rnd.randint(-30, 25)) for _ in range(3000)]

    def outcome(f, *args):  # the result, or the error raised (±Infinity cannot be quantized)
        try:
            return str(f(*args))
        except ArithmeticError as e:
            return type(e)

    for x in xs:
        for exp in (V.CENT, Decimal("0.0001"), Decimal(1)):
            assert outcome(V.quantize, x, exp) == outcome(_quantize_reference, x, exp), (x, exp)
    assert V.quantize(Decimal("NaN"), V.CENT).is_nan()


def test_to_decimal_fast_paths():
    for v in (0.1, 2.5, -0.0, 0.0, 1e300, 5e-324, float("nan"), float("inf"), float("-inf")):
        d = V.to_decimal(v)
        want = Decimal(repr(v)) if math.isfinite(v) else None
        assert str(d) == str(want), v
    assert [V.to_decimal(v) for v in ("5", "", True, None, 3)] == [None, None, None, None, Decimal(3)]


def test_norm_removes_whitespace_and_invisible_characters_in_one_pass():
    ws = re.compile(r"\s+")
    invisible = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
    rnd = random.Random(9)
    alphabet = "ab≥５%\u3000 \t\n\u00ad\u200b\u200d\u202a\u2060\ufeff\u00a0\u2028個人次"
    for _ in range(3000):
        t = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        assert V.norm(t) == ws.sub("", invisible.sub("", unicodedata.normalize("NFKC", t))), repr(t)


def test_quantity_and_money_are_immutable_values():
    q = V.parse_quantity("≥95%", P)
    assert q == V.Quantity(">=", Decimal(95), "%", False) and hash(q) == hash(V.Quantity(">=", Decimal(95), "%"))
    assert repr(q) == "Quantity(op='>=', number=Decimal('95'), unit='%', percent_format=False)"
    m = V.parse_money("1,000元", P)
    assert (m.amount, m.converted_from) == (Decimal("0.1"), "元") and V.parse_money(5.0, P) == V.Money(Decimal("5.0"))
    with pytest.raises(AttributeError):
        q.unit = "个"
    with pytest.raises(AttributeError):
        m.amount = Decimal(1)
