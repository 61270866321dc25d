"""The ``[review]`` section of a rules profile: word lists, thresholds, severities and the 审核结论 rule
of ``jixiao review`` (issue #16), read once per profile and kept on it.

A separate module so that the scorer's :mod:`profile` stays as it is: the review reads the raw TOML
table the profile already carries (``Profile.raw``), validates it, and fills defaults for a profile
written before the review existed.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .. import findings as F
from .profile import Profile, ProfileError
from .values import norm

FIELDS = ("code", "name", "unit", "department", "period", "total_amount", "year_amount", "policy", "calc",
          "long_goal")

_DEFAULTS: dict = {
    "required": ["name", "unit", "department", "period", "year_amount"],
    "recommended": ["code", "total_amount", "policy", "calc", "long_goal"],
    "goal_min_chars": 15,
    "goal_copy_ratio": 0.90,
    "level2_required": ["数量指标", "质量指标", "时效指标", "成本指标"],
    "level1_required": ["产出指标", "效益指标"],
    "cost_level1": False,
    "public_words": [],
    "placeholders": ["*", "X", "XX", "待定"],
    "vague_words": ["提升", "明显", "显著", "及时", "良好", "有效", "进一步"],
    "graded_scales": [],
    "reverse_words": ["成本", "故障率", "发生率", "投诉"],
    "reverse_except": [],
    "duration_units": ["天", "日", "工作日", "小时", "周", "个月", "月", "年"],
    "percent_max": 100,
    "wan_looks_like_yuan": 10000,
    "not_applicable": ["不适用"],
    "severity": {},
    "conclusion": {"return_min_errors": 5, "return_codes": [], "pass_max_hints": 2},
}


@dataclass(frozen=True)
class ReviewRules:
    required: tuple
    recommended: tuple
    goal_min_chars: int
    goal_copy_ratio: float
    level2_required: tuple
    level1_required: tuple
    cost_level1: bool
    public_words: tuple
    placeholders: frozenset  # normalised, upper case
    vague_words: tuple
    graded_scales: frozenset  # normalised
    reverse_words: tuple
    reverse_except: tuple
    duration_units: tuple  # longest first
    percent_max: Decimal
    wan_looks_like_yuan: Decimal
    not_applicable: frozenset  # normalised
    severity: dict  # code -> 错误/提示
    return_min_errors: int
    return_codes: frozenset
    pass_max_hints: int

    def severity_of(self, code: str) -> str:
        return self.severity.get(code) or F.info(code).severity


def _words(raw: dict, k: str) -> tuple:
    v = raw[k] if k in raw else _DEFAULTS[k]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise ProfileError(f"评分规则文件中 review.{k} 应为文字列表，如 [\"提升\", \"明显\"]。")
    return tuple(v)


def _number(raw: dict, k: str, lo: float = 0) -> Any:
    v = raw[k] if k in raw else _DEFAULTS[k]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v < lo:
        raise ProfileError(f"评分规则文件中 review.{k} 应为不小于{lo}的数字，实际为：{v!r}")
    return v


def parse_review(raw: dict) -> ReviewRules:
    """Validate a ``[review]`` table (plain dict from TOML); raise :class:`ProfileError` naming the key."""
    if not isinstance(raw, dict):
        raise ProfileError("评分规则文件中 review 应为一个表（[review]）。")
    for k in ("required", "recommended"):
        bad = [f for f in _words(raw, k) if f not in FIELDS]
        if bad:
            raise ProfileError(f"评分规则文件中 review.{k} 含无法识别的字段“{bad[0]}”；可用：{'、'.join(FIELDS)}。")
    sev = raw.get("severity", {})
    if not isinstance(sev, dict):
        raise ProfileError("评分规则文件中 review.severity 应为一个表。")
    for code, s in sev.items():
        if code not in F.CATALOGUE or F.info(code).scope != "review":
            raise ProfileError(f"评分规则文件中 review.severity 的代码“{code}”不是申报表审核的问题代码。")
        if s not in ("错误", "提示"):
            raise ProfileError(f"评分规则文件中 review.severity.{code} 应为 错误 或 提示，实际为：{s!r}")
    concl = dict(_DEFAULTS["conclusion"])
    got = raw.get("conclusion", {})
    if not isinstance(got, dict):
        raise ProfileError("评分规则文件中 review.conclusion 应为一个表。")
    concl.update(got)
    ratio = _number(raw, "goal_copy_ratio")
    if ratio > 1:
        raise ProfileError("评分规则文件中 review.goal_copy_ratio 应在0到1之间。")
    return ReviewRules(
        required=_words(raw, "required"),
        recommended=_words(raw, "recommended"),
        goal_min_chars=int(_number(raw, "goal_min_chars")),
        goal_copy_ratio=float(ratio),
        level2_required=_words(raw, "level2_required"),
        level1_required=_words(raw, "level1_required"),
        cost_level1=bool(raw.get("cost_level1", False)),
        public_words=_words(raw, "public_words"),
        placeholders=frozenset(norm(w).upper() for w in _words(raw, "placeholders")),
        vague_words=_words(raw, "vague_words"),
        graded_scales=frozenset(norm(w) for w in _words(raw, "graded_scales")),
        reverse_words=_words(raw, "reverse_words"),
        reverse_except=_words(raw, "reverse_except"),
        duration_units=tuple(sorted(_words(raw, "duration_units"), key=len, reverse=True)),
        percent_max=Decimal(str(_number(raw, "percent_max", 1))),
        wan_looks_like_yuan=Decimal(str(_number(raw, "wan_looks_like_yuan", 1))),
        not_applicable=frozenset(norm(w) for w in _words(raw, "not_applicable")),
        severity=dict(sev),
        return_min_errors=int(_number(concl, "return_min_errors", 1)),
        return_codes=frozenset(concl.get("return_codes", ())),
        pass_max_hints=int(_number(concl, "pass_max_hints")),
    )


_RULES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # profile -> its ReviewRules


def review_rules(profile: Profile) -> ReviewRules:
    """The profile's review rules (parsed once per profile; a Profile is immutable and holds no cache)."""
    got = _RULES.get(profile)
    if got is None:
        got = _RULES[profile] = parse_review((profile.raw or {}).get("review", {}))
    return got
