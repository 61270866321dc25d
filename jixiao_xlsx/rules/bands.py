"""Band grading (spec §4.4, §6): deadline rows and qualitative rows, scored by 完成档次."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Optional

from ..model import Cell, Indicator
from .profile import Profile
from .report import Out
from .values import band_of, fmt, fmt_plain, norm_text, parse_date, parse_deadline, quote, round2

if TYPE_CHECKING:
    from .indicators import _Row


def _band_where(ind: Indicator) -> tuple[Cell, str]:
    """Where a missing 完成档次 is asked for, and how: the official form has no 完成档次 column, so
    there the clerk writes the band into 实际完成值 (which band_of reads)."""
    if ind.band.sheet:
        return ind.band, "请在完成档次中选择"
    return ind.actual, "本表没有“完成档次”列，请在实际完成值中写明"


def score_deadline(row: _Row, deadline, profile: Profile, out: Out, year: Optional[int]):
    """Pass/fail against the date, then graded inside the bands (§4.4)."""
    ind = row.ind
    row.rule = "deadline"
    met = None
    said = None  # the band a band phrase in 实际完成值 names (no date typed)
    if ind.actual.blank:
        if ind.band.blank:
            out.add("ACTUAL_MISSING", ind.actual, "实际完成值为空，请填写实际完成日期，如“2022年12月20日”，或在完成档次中选择。")
            return
    else:
        d = parse_date(ind.actual.value, year)
        if d is not None:
            met = d <= deadline
        else:
            said = band_of(ind.actual.value, profile)
            if said is None and not ind.target.blank and norm_text(ind.actual.value) == norm_text(ind.target.value):
                said = profile.band("met")  # the target restated as the result (§6.2): 按期完成 / 按期完成
            if said is not None:
                met = said.key == "met"
            else:  # a deadline phrase as the result: 年底前完成, 12月底前
                dl = parse_deadline(ind.actual.value, year, profile)
                if dl is not None and dl.date is not None:
                    met = dl.date <= deadline
    band_b = band_of(ind.band.value, profile) if not ind.band.blank else None
    if not ind.band.sheet and not ind.actual.blank and met is not None:
        band_b = said  # no 完成档次 column: a band phrase in 实际完成值 is the band
    if not ind.band.blank and band_b is None:
        out.add("QUAL_BAND_MISSING", ind.band,
                f"完成档次“{quote(ind.band.text)}”无法识别，请在“{'”“'.join(b.phrase for b in profile.bands)}”中选择其一。")
        return
    if met is None:  # free text: graded from 完成档次 alone
        if band_b is None:
            where, how = _band_where(ind)
            out.add("QUAL_BAND_MISSING", where,
                    f"时限指标的实际完成值“{quote(ind.actual.text)}”无法判断是否按时完成，{how}"
                    f"“{'”“'.join(b.phrase for b in profile.bands)}”之一。")
            return
        band = band_b
    elif met:
        if band_b is not None and band_b.key != "met":
            out.add("QUAL_BAND_CONFLICT", ind.band, _band_conflict(ind, band_b, said) or
                    f"完成档次为“{band_b.phrase}”，但实际完成日期未晚于{deadline:%Y年%m月%d日}（按时完成），请选择“{profile.band('met').phrase}”。")
            return
        band = profile.band("met")
    else:
        if band_b is None:
            where, how = _band_where(ind)
            out.add("QUAL_BAND_MISSING", where,
                    f"未在{deadline:%Y年%m月%d日}前完成，{how}“{profile.band('partly').phrase}”或“{profile.band('not_met').phrase}”。")
            return
        if band_b.key == "met":
            out.add("QUAL_BAND_CONFLICT", ind.band, _band_conflict(ind, band_b, said) or
                    f"完成档次为“{band_b.phrase}”，但实际完成日期晚于{deadline:%Y年%m月%d日}；"
                    f"请改选“{profile.band('partly').phrase}”或“{profile.band('not_met').phrase}”，或更正实际完成日期。")
            return
        band = band_b
    _apply_band(row, band, profile, out, prefix=f"时限{deadline:%Y-%m-%d}，{'按时' if met else ('未按时' if met is False else '按完成档次')}：")


def _band_conflict(ind: Indicator, band_b, said) -> Optional[str]:
    """The conflict message when 实际完成值 names a band (no date was typed), else None."""
    if said is None:
        return None
    return (f"完成档次为“{band_b.phrase}”，但实际完成值为“{quote(ind.actual.text)}”，两者不一致；"
            f"请把完成档次改为“{said.phrase}”，或更正实际完成值。")


def score_band(row: _Row, profile: Profile, out: Out, from_actual: bool):
    """定性 rows: band from 完成档次, else from the 实际完成值 phrase (§6.2)."""
    ind = row.ind
    row.rule = "qualitative"
    band_b = band_of(ind.band.value, profile) if not ind.band.blank else None
    band_a = None
    if from_actual and not ind.actual.blank:
        band_a = band_of(ind.actual.value, profile)
        if band_a is None and norm_text(ind.actual.value) == norm_text(ind.target.value) and not ind.target.blank:
            band_a = profile.band("met")
    if not ind.band.blank and band_b is None:
        out.add("QUAL_BAND_MISSING", ind.band, f"完成档次“{quote(ind.band.text)}”无法识别，请在“{_band_choices(profile)}”中选择其一。")
        return
    if band_b is not None and band_a is not None and band_a.key != band_b.key:
        out.add("QUAL_BAND_CONFLICT", ind.band,
                f"完成档次为“{band_b.phrase}”，但实际完成值“{quote(ind.actual.text)}”表示“{band_a.phrase}”；"
                f"请把完成档次改为“{band_a.phrase}”，或更正实际完成值。")
        return
    band = band_b or band_a
    if band is None:
        what = f"（“{quote(ind.actual.text)}”无法对应档次）" if not ind.actual.blank else ""
        where, how = _band_where(ind)
        out.add("QUAL_BAND_MISSING", where, f"定性指标未选择完成档次{what}，{how}“{_band_choices(profile)}”之一。")
        return
    _apply_band(row, band, profile, out, prefix="定性：")


def _band_choices(profile: Profile) -> str:
    return "”“".join(b.phrase for b in profile.bands)


def band_limits(w: Decimal, band) -> tuple[Decimal, Decimal]:
    return round2(w * band.min), round2(w * band.max)


def _apply_band(row: _Row, band, profile: Profile, out: Out, prefix: str):
    """Band rules of §6.1: a self score inside the band is the score; else the band default."""
    w = row.w
    lo, hi = band_limits(w, band)
    top = band.key == "met"
    row.band = band.phrase
    default = round2(w * band.default)
    s = row.self_score
    if s is not None:
        inside = lo <= s <= hi if top else lo <= s < hi
        if inside:
            row.score = s
            row.detail = f"{prefix}{band.phrase}，自评得分{fmt(s)}在档内（{fmt(lo)}至{fmt(hi)}），采用自评得分"
            return
        rng = f"{fmt(lo)}（含）至{fmt(hi)}（含）" if top else f"{fmt(lo)}（含）至{fmt(hi)}"
        out.add("QUAL_SCORE_OUT_OF_BAND", row.ind.self_score,
                f"“{band.phrase}”档得分应在{rng}之间，填写的是{fmt(s)}；已按{fmt(default)}计分，请改为档内分数。")
    row.score = default
    row.detail = f"{prefix}{band.phrase}，按该档默认{fmt_plain(band.default * 100)}%：{fmt_plain(w)} × {fmt_plain(band.default)} = {fmt(default)}"

