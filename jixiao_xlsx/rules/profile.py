"""Rules profiles: every weight, band, threshold and alias the scorer uses, loaded from TOML.

The default profile ``national-2020`` ships in ``jixiao_xlsx/profiles``; ``--rules FILE`` picks
another.  A profile is validated on load so that a typo stops the command with the key named,
instead of producing scores out of 100 that nobody notices.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Optional

from .tables import tables

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PROFILE_DIR = Path(__file__).parent / "profiles"
DEFAULT_PROFILE = "national-2020"

BAND_KEYS = ("met", "partly", "not_met")


class ProfileError(Exception):
    """The rules profile is invalid; the message (Chinese) names the key."""


@dataclass(frozen=True)
class Level1:
    name: str
    key: str
    weight: Decimal
    aliases: tuple
    level2: tuple


@dataclass(frozen=True)
class Band:
    key: str  # met / partly / not_met
    phrase: str
    min: Decimal
    max: Decimal
    default: Decimal
    aliases: tuple


@dataclass(frozen=True)
class FundSource:
    name: str
    aliases: tuple


@dataclass(frozen=True, eq=False)
class Profile:
    """A rules profile as loaded: immutable, compared by identity (it holds dicts, and what is derived
    from it, :mod:`jixiao_xlsx.rules.tables`, is kept per profile object)."""

    id: str
    basis: str
    total: Decimal
    level1_split: str
    execution_weight: Decimal
    rate_cap: Decimal
    execution_row_labels: tuple  # 一级 labels of an execution line inside the indicator table
    funds_total_row: tuple
    funds_sources: tuple  # FundSource
    level1: tuple  # Level1
    level2_aliases: dict  # canonical -> tuple of aliases
    level2_caps: dict  # canonical -> Decimal
    grades: tuple  # (name, min Decimal) descending
    bands: tuple  # Band, in order met, partly, not_met
    reverse_formula: str
    reverse_by_default: tuple  # 二级 whose rows without direction or comparator are 反向 (§4.2)
    blank_placeholders: tuple  # what clerks type for "none" in an amount cell (—, /, 无)
    strict_as_inclusive: bool
    fraction_max: Decimal
    over_ratio: Decimal
    over_severity: str
    tol_score: Decimal
    tol_money: Decimal
    comparators: dict  # op -> tuple of written forms
    comparator_suffixes: dict  # op -> tuple
    units: dict  # alias -> canonical
    money_units: dict  # unit -> Decimal multiplier into 万元
    deadline_year_end: tuple
    headers: dict  # canonical -> tuple of aliases
    info_labels: dict  # Project attribute (name, department, …) -> labels seen on forms
    source: str = ""
    raw: dict = field(default_factory=dict, repr=False)

    # -- lookups -----------------------------------------------------------------------
    # The two name lookups run for every label of every file: each is one dict of the profile's
    # tables (rules/tables.py), the names in the order they are searched, the first match kept.
    def level1_by_name(self, name: str) -> Optional[Level1]:
        return tables(self).level1.get(name)

    def level2_canonical(self, name: str) -> Optional[str]:
        return tables(self).level2.get(name)

    def band(self, key: str) -> Band:
        for b in self.bands:
            if b.key == key:
                return b
        raise KeyError(key)

    def grade(self, total: Decimal) -> str:
        for name, lo in self.grades:
            if total >= lo:
                return name
        return self.grades[-1][0]

    def grade_ranges(self, num=str) -> list:
        """Each grade with its range in words, as 填表说明 and the report state them:
        ``['优（90分及以上）', '良（80分及以上、低于90分）', …, '差（低于60分）']``; ``num`` formats a bound."""
        out, prev = [], None
        for name, lo in self.grades:
            if prev is None:
                out.append(f"{name}（{num(lo)}分及以上）")
            elif lo == 0:
                out.append(f"{name}（低于{num(prev)}分）")
            else:
                out.append(f"{name}（{num(lo)}分及以上、低于{num(prev)}分）")
            prev = lo
        return out

    def header_names(self, canonical: str) -> tuple:
        return (canonical,) + tuple(self.headers.get(canonical, ()))

    def describe(self) -> str:
        return f"{self.id}（{self.basis}）"


def _dec(v, key: str) -> Decimal:
    if isinstance(v, bool) or not isinstance(v, (int, float, Decimal, str)):
        raise ProfileError(f"评分规则文件中 {key} 应为数字，实际为：{v!r}")
    try:
        d = Decimal(str(v))
    except Exception:
        raise ProfileError(f"评分规则文件中 {key} 应为数字，实际为：{v!r}")
    if not d.is_finite():
        raise ProfileError(f"评分规则文件中 {key} 应为有限数字，实际为：{v!r}")
    return d


def _get(d: dict, path: str):
    cur = d
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            raise ProfileError(f"评分规则文件缺少 {path}。")
        cur = cur[part]
    return cur


def parse_profile(data: dict, source: str = "") -> Profile:
    """Build and validate a :class:`Profile` from parsed TOML (plain dicts)."""
    al = data.get("aliases", {})
    level1 = []
    for i, l1 in enumerate(_get(data, "level1")):
        k = f"level1[{i}]"
        level1.append(
            Level1(
                name=_get(l1, "name"),
                key=_get(l1, "key"),
                weight=_dec(_get(l1, "weight"), f"{k}.weight"),
                aliases=tuple(l1.get("aliases", ())),
                level2=tuple(l1.get("level2", ())),
            )
        )
    bands = []
    for key in BAND_KEYS:
        b = _get(data, f"qualitative.{key}")
        bands.append(
            Band(
                key=key,
                phrase=_get(b, "phrase"),
                min=_dec(_get(b, "min"), f"qualitative.{key}.min"),
                max=_dec(_get(b, "max"), f"qualitative.{key}.max"),
                default=_dec(_get(b, "default"), f"qualitative.{key}.default"),
                aliases=tuple(b.get("aliases", ())),
            )
        )
    grades = tuple(
        (_get(g, "name"), _dec(_get(g, "min"), f"grades[{i}].min")) for i, g in enumerate(_get(data, "grades"))
    )
    p = Profile(
        id=str(_get(data, "id")),
        basis=str(data.get("basis", "")),
        total=_dec(_get(data, "total"), "total"),
        level1_split=str(_get(data, "level1_split")),
        execution_weight=_dec(_get(data, "execution.weight"), "execution.weight"),
        rate_cap=_dec(data.get("execution", {}).get("rate_cap", 1), "execution.rate_cap"),
        execution_row_labels=tuple(data.get("execution", {}).get("row_labels", ("预算执行率", "预算执行"))),
        funds_total_row=tuple(_get(data, "funds.total_row")),
        funds_sources=tuple(
            FundSource(name=_get(s, "name"), aliases=tuple(s.get("aliases", ()))) for s in _get(data, "funds.sources")
        ),
        level1=tuple(level1),
        level2_aliases={k: tuple(v) for k, v in data.get("level2_aliases", {}).items()},
        level2_caps={k: _dec(v, f"level2_caps.{k}") for k, v in data.get("level2_caps", {}).items()},
        grades=grades,
        bands=tuple(bands),
        reverse_formula=str(_get(data, "scoring.reverse_formula")),
        reverse_by_default=tuple(data.get("scoring", {}).get("reverse_by_default", ("成本指标",))),
        blank_placeholders=tuple(al.get("blank_placeholders", ())),
        strict_as_inclusive=bool(data.get("scoring", {}).get("strict_as_inclusive", True)),
        fraction_max=_dec(_get(data, "percent.fraction_max"), "percent.fraction_max"),
        over_ratio=_dec(_get(data, "over_achievement.ratio"), "over_achievement.ratio"),
        over_severity=str(_get(data, "over_achievement.severity")),
        tol_score=_dec(_get(data, "tolerance.score"), "tolerance.score"),
        tol_money=_dec(_get(data, "tolerance.money"), "tolerance.money"),
        comparators={k: tuple(v) for k, v in al.get("comparators", {}).items()},
        comparator_suffixes={k: tuple(v) for k, v in al.get("comparator_suffixes", {}).items()},
        units=dict(al.get("units", {})),
        money_units={k: _dec(v, f"aliases.money_units.{k}") for k, v in al.get("money_units", {}).items()},
        deadline_year_end=tuple(al.get("deadline", {}).get("year_end", ())),
        headers={k: tuple(v) for k, v in al.get("headers", {}).items()},
        info_labels={k: tuple(v) for k, v in al.get("info", {}).items()},
        source=source,
        raw=data,
    )
    validate(p)
    tables(p)  # built once, when the profile is loaded
    return p


def validate(p: Profile) -> None:
    """Check the invariants of spec §7.2; raise :class:`ProfileError` naming the key."""
    if p.level1_split not in ("fixed", "free"):
        raise ProfileError(f"评分规则文件中 level1_split 应为 fixed 或 free，实际为：{p.level1_split}")
    if p.reverse_formula not in ("linear", "ratio"):
        raise ProfileError(f"评分规则文件中 scoring.reverse_formula 应为 linear 或 ratio，实际为：{p.reverse_formula}")
    if not p.strict_as_inclusive:
        raise ProfileError("评分规则文件中 scoring.strict_as_inclusive = false 暂不支持（“>”“<”与“≥”“≤”同样计分），请改为 true。")
    if p.over_severity not in ("错误", "提示"):
        raise ProfileError(f"评分规则文件中 over_achievement.severity 应为 错误 或 提示，实际为：{p.over_severity}")
    if p.execution_weight < 0 or p.total <= 0:
        raise ProfileError("评分规则文件中 total 应大于0，execution.weight 不能为负数。")
    if not p.level1:
        raise ProfileError("评分规则文件缺少 level1。")
    if p.level1_split == "fixed":
        s = p.execution_weight + sum(l.weight for l in p.level1)
        if s != p.total:
            raise ProfileError(
                f"评分规则文件中 execution.weight 与各 level1.weight 之和为 {s}，应等于 total {p.total}。"
            )
    if p.execution_weight > p.total:
        raise ProfileError("评分规则文件中 execution.weight 大于 total。")
    mins = [g[1] for g in p.grades]
    if not mins or any(a <= b for a, b in zip(mins, mins[1:])) or mins[-1] != 0:
        raise ProfileError("评分规则文件中 grades 的 min 应严格递减，且最后一档为0。")
    # bands contiguous over 0..1: not_met [0, partly.min), partly [partly.min, met.min), met [met.min, 1]
    met, partly, not_met = (p.band(k) for k in BAND_KEYS)
    if not (not_met.min == 0 and not_met.max == partly.min and partly.max == met.min and met.max == 1):
        raise ProfileError("评分规则文件中 qualitative 三档应连续覆盖0至1（not_met.min=0，各档上限等于上一档下限，met.max=1）。")
    for b in (met, partly, not_met):
        top_ok = b.default <= b.max if b.key == "met" else b.default < b.max
        if not (b.min <= b.default and top_ok):
            raise ProfileError(f"评分规则文件中 qualitative.{b.key}.default 应在该档范围内。")
    if p.fraction_max <= 0:
        raise ProfileError("评分规则文件中 percent.fraction_max 应大于0。")
    for op in p.comparators:
        if op not in (">=", ">", "<=", "<", "="):
            raise ProfileError(f"评分规则文件中 aliases.comparators 的键“{op}”无法识别。")


def _find(path: str) -> Path:
    f = Path(path)
    if f.exists():
        return f
    bundled = PROFILE_DIR / f"{path}.toml"
    if bundled.exists():
        return bundled
    raise ProfileError(f"找不到评分规则文件：{path}（可用的内置规则：{'、'.join(bundled_profiles())}）")


def bundled_profiles() -> list:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


def _merge(base: dict, over: dict) -> dict:
    """``over`` on top of ``base``: tables merge key by key, any other value (arrays too) replaces."""
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _load_raw(path: str, seen: tuple = ()) -> tuple[dict, Path]:
    """Parsed TOML of a profile, with ``extends = "other"`` resolved (a variant states only its differences)."""
    f = _find(path)
    if f.resolve() in seen:
        raise ProfileError(f"评分规则文件 {f.name} 的 extends 形成循环。")
    try:
        with open(f, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise ProfileError(f"评分规则文件 {f.name} 格式错误（{_toml_where(e)}），请检查该行的写法。")
    except OSError as e:
        raise ProfileError(f"无法读取评分规则文件 {f}：{e.strerror}")
    base = data.pop("extends", None)
    if base is not None:
        if not isinstance(base, str):
            raise ProfileError(f"评分规则文件 {f.name} 中 extends 应为另一规则文件的名称或路径。")
        if base.endswith(".toml") and not Path(base).is_absolute():
            base = str(f.parent / base)  # a file named relative to the profile that extends it
        parent, _ = _load_raw(base, seen + (f.resolve(),))
        data = _merge(parent, data)
    return data, f


def _toml_where(e: Exception) -> str:
    """Where tomllib stopped, in Chinese ("(at line 1, column 6)" in its English message)."""
    m = re.search(r"line (\d+), column (\d+)", str(e))
    return f"第{m.group(1)}行第{m.group(2)}列附近" if m else "无法解析"


def load_profile(path: Optional[str] = None) -> Profile:
    """Load the profile at ``path``, a bundled profile name, or the default profile."""
    data, f = _load_raw(path or DEFAULT_PROFILE)
    return parse_profile(data, str(f))
