"""The mechanical review of one 绩效目标申报表 (issue #16): pure, from a read Declaration to findings.

Each finding is a catalogue code (scope "review") with a severity (the catalogue's, or the profile's
``[review.severity]``), a review level of the national rules on 绩效目标管理 (完整性、相关性、适当性、
可行性; the mapping is :data:`LEVEL_OF`, see docs/decisions.md), the cell and what to write instead.
Per-target checks live in :mod:`target_checks`, shared with the self-evaluation.
"""
from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from .. import findings as F
from ..model import ERROR, HINT, Cell, _num
from ..read.declaration import Declaration, level_text
from .profile import Profile
from .review_profile import ReviewRules, review_rules
from .target_checks import amount_in_yuan_hint, target_problems, vague_word
from .values import fmt, fmt_plain, norm, norm_text, parse_money, parse_plain_number, quote

LEVELS = ("完整性", "相关性", "适当性", "可行性")
LEVEL_OF = {
    "DECL_FIELD_MISSING": "完整性", "DECL_FIELD_RECOMMENDED": "完整性", "DECL_AMOUNT_INVALID": "完整性",
    "DECL_GOAL_MISSING": "完整性", "DECL_INDICATORS_EMPTY": "完整性", "DECL_LEVEL_UNKNOWN": "完整性",
    "DECL_LEVEL1_MISSING": "完整性", "DECL_LEVEL2_MISSING": "完整性", "DECL_SATISFACTION_MISSING": "完整性",
    "DECL_INDICATOR_NAME_MISSING": "完整性", "DECL_TARGET_MISSING": "完整性", "DECL_IS_SELF_EVALUATION": "完整性",
    "DECL_NOT_FOUND": "完整性",
    "DECL_GOAL_COPIED": "相关性", "DECL_GOAL_VAGUE": "相关性", "DECL_DUPLICATE_INDICATOR": "相关性",
    "DECL_TARGET_PLACEHOLDER": "适当性", "DECL_TARGET_VAGUE": "适当性", "DECL_TARGET_QUALITATIVE": "适当性",
    "DECL_TARGET_RANGE": "适当性", "DECL_TARGET_NO_UNIT": "适当性", "DECL_TARGET_NO_COMPARATOR": "适当性",
    "DECL_TARGET_NEGATIVE": "适当性", "DECL_DIRECTION_WRONG": "适当性", "DECL_PERCENT_OVER_100": "适当性",
    "DECL_TIMELINESS_NOT_TIME": "适当性",
    "DECL_AMOUNT_LOOKS_LIKE_YUAN": "可行性", "DECL_YEAR_AMOUNT_OVER_TOTAL": "可行性",
    "DECL_DATE_OUTSIDE_YEAR": "可行性", "DECL_TARGET_LOOKS_LIKE_YUAN": "可行性", "DECL_COST_OVER_AMOUNT": "可行性",
}
CODE_OF_KIND = {
    "missing": "DECL_TARGET_MISSING", "placeholder": "DECL_TARGET_PLACEHOLDER", "vague": "DECL_TARGET_VAGUE",
    "qualitative": "DECL_TARGET_QUALITATIVE", "range": "DECL_TARGET_RANGE", "no_unit": "DECL_TARGET_NO_UNIT",
    "no_comparator": "DECL_TARGET_NO_COMPARATOR", "negative": "DECL_TARGET_NEGATIVE",
    "direction": "DECL_DIRECTION_WRONG", "percent_over": "DECL_PERCENT_OVER_100",
    "not_time": "DECL_TIMELINESS_NOT_TIME", "date_outside_year": "DECL_DATE_OUTSIDE_YEAR",
    "looks_like_yuan": "DECL_TARGET_LOOKS_LIKE_YUAN", "cost_over_amount": "DECL_COST_OVER_AMOUNT",
}
FIELD_ZH = {
    "code": "项目编码", "name": "项目名称", "unit": "申请（实施）单位", "department": "主管部门", "period": "实施期限",
    "total_amount": "项目总金额", "year_amount": "本年度项目金额", "policy": "政策依据", "calc": "测算依据",
    "annual_goal": "年度目标", "long_goal": "长期目标",
}
FIELD_EXAMPLE = {
    "code": "预算系统中的项目编码", "period": "2024年1月至2024年12月", "total_amount": "项目各年度金额合计（万元）",
    "year_amount": "本年度安排的金额（万元）", "policy": "立项所依据的文件名称和文号", "calc": "各项支出的数量×单价",
    "long_goal": "项目实施期内的总体目标",
}
PASS, PASS_AFTER_CHANGES, RETURN = "通过", "修改后通过", "退回"
SATISFACTION, OUTPUT, COST = "满意度指标", "产出指标", "成本指标"
_DIGIT = re.compile(r"\d")
TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class ReviewFinding:
    severity: str
    code: str
    level: str
    sheet: str
    cell: str
    message: str

    def as_dict(self) -> dict:
        return {"severity": self.severity, "code": self.code, "level": self.level, "sheet": self.sheet,
                "cell": self.cell, "message": self.message}


@dataclass
class ProjectReview:
    """One declaration sheet's review: who, what, how much, the findings and the 审核结论."""

    file: str
    sheet: str
    project: str
    unit: str
    amount: Optional[Decimal]  # 本年度项目金额 in 万元, when readable
    findings: list = field(default_factory=list)
    conclusion: str = PASS

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def hints(self) -> int:
        return sum(f.severity == HINT for f in self.findings)

    def count(self, level: str, severity: str) -> int:
        return sum(f.level == level and f.severity == severity for f in self.findings)

    def as_dict(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "project": self.project, "unit": self.unit,
                "amount": _num(self.amount), "conclusion": self.conclusion,
                "errors": self.errors, "hints": self.hints, "findings": [f.as_dict() for f in self.findings]}


class _Out:
    def __init__(self, rules: ReviewRules):
        self.rules, self.items, self.seen = rules, [], set()

    def add(self, code: str, where: Optional[Cell], message: str, sheet: str = "", once: bool = False) -> None:
        sheet = (where.sheet if where is not None else "") or sheet
        ref = where.ref if where is not None else ""
        if once:  # a merged 一级/二级 cell is reported once, not on each row it spans
            if (code, sheet, ref) in self.seen:
                return
            self.seen.add((code, sheet, ref))
        self.items.append(ReviewFinding(severity=self.rules.severity_of(code), code=code, level=LEVEL_OF[code], sheet=sheet,
                                        cell=ref, message=message))


def review_declaration(d: Declaration, profile: Profile) -> ProjectReview:
    """Every check of issue #16 on one declaration, findings in sheet order of the checks."""
    rules = review_rules(profile)
    out = _Out(rules)
    _check_fields(d, rules, out)
    year_amount = _check_amounts(d, profile, rules, out)
    _check_goals(d, rules, out)
    _check_indicators(d, profile, rules, out, year_amount)
    name = d.cell("name")
    rv = ProjectReview(file=d.source, sheet=d.sheet, project=name.text.strip() or d.sheet,
                       unit=d.cell("unit").text.strip(), amount=year_amount, findings=out.items)
    rv.conclusion = conclusion(rv.findings, rules)
    return rv


def conclusion(findings: list, rules: ReviewRules) -> str:
    """审核结论 by the profile rule: 退回 / 通过 / 修改后通过."""
    errors = sum(f.severity == ERROR for f in findings)
    hints = sum(f.severity == HINT for f in findings)
    if errors >= rules.return_min_errors or any(f.code in rules.return_codes for f in findings):
        return RETURN
    if errors == 0 and hints <= rules.pass_max_hints:
        return PASS
    return PASS_AFTER_CHANGES


def refusal(path: str, code: str, message: str, profile: Profile) -> ProjectReview:
    """A file that could not be reviewed as a declaration, as a review row (conclusion 退回)."""
    rules = review_rules(profile)
    f = ReviewFinding(severity=rules.severity_of(code), code=code, level=LEVEL_OF[code], sheet="", cell="",
                      message=message)
    return ProjectReview(file=path, sheet="", project="", unit="", amount=None, findings=[f], conclusion=RETURN)


# -- label fields ------------------------------------------------------------------------------


def _where(d: Declaration, f: str) -> Cell:
    c = d.fields.get(f)
    return c if c is not None else Cell(value=None, sheet=d.sheet, ref="")


def _check_fields(d: Declaration, rules: ReviewRules, out: _Out) -> None:
    for names, code, how in ((rules.required, "DECL_FIELD_MISSING", "必须"), (rules.recommended, "DECL_FIELD_RECOMMENDED", "建议")):
        for f in names:
            c = _where(d, f)
            if not c.blank:
                continue
            ex = FIELD_EXAMPLE.get(f)
            tail = f"，如“{ex}”" if ex else ""
            if c.ref:
                out.add(code, c, f"“{FIELD_ZH[f]}”未填写，{how}填写{tail}。")
            else:
                out.add(code, None, f"申报表中没有“{FIELD_ZH[f]}”一栏，{how}增加并填写{tail}。", sheet=d.sheet)


def _amount(d: Declaration, f: str, profile: Profile, rules: ReviewRules, out: _Out) -> Optional[Decimal]:
    c = d.fields.get(f)
    if c is None or c.blank:
        return None
    if isinstance(c.value, str) and norm(c.value) in rules.not_applicable:
        return None
    in_yuan = d.amount_units.get(f) == "元"
    plain = parse_plain_number(c.value, ()) is not None  # a bare number takes the label's unit
    m = parse_money(c.value, profile)
    if m is None:
        out.add("DECL_AMOUNT_INVALID", c, f"“{FIELD_ZH[f]}”“{quote(c.text)}”不是金额，请只填数字（万元），如“50.00”。")
        return None
    if m.amount < 0:
        out.add("DECL_AMOUNT_INVALID", c, f"“{FIELD_ZH[f]}”为负数，请填写正数金额（万元）。")
        return None
    amount = m.amount / 10000 if (in_yuan and plain) else m.amount
    if not in_yuan and plain:
        said = amount_in_yuan_hint(amount, profile)
        if said:
            out.add("DECL_AMOUNT_LOOKS_LIKE_YUAN", c, f"“{FIELD_ZH[f]}”{said}")
    return amount


def _check_amounts(d: Declaration, profile: Profile, rules: ReviewRules, out: _Out) -> Optional[Decimal]:
    total = _amount(d, "total_amount", profile, rules, out)
    year = _amount(d, "year_amount", profile, rules, out)
    if total is not None and year is not None and year > total + TOLERANCE:
        out.add("DECL_YEAR_AMOUNT_OVER_TOTAL", d.fields["year_amount"],
                f"本年度项目金额{fmt(year)}万元大于项目总金额{fmt(total)}万元；项目总金额应为各年度金额之和，请核对。")
    return year


# -- goals -------------------------------------------------------------------------------------


def _check_goals(d: Declaration, rules: ReviewRules, out: _Out) -> None:
    g = _where(d, "annual_goal")
    if g.blank:
        where = g if g.ref else None
        out.add("DECL_GOAL_MISSING", where, "年度目标未填写：请写明本年度要完成的具体任务和数量、质量、时限，"
                                            "如“2024年12月31日前完成3个社区的改造，惠及居民不少于5000人”。", sheet=d.sheet)
        return
    t = norm_text(g.text)
    if len(t) < rules.goal_min_chars or not _DIGIT.search(t):
        why = []
        if len(t) < rules.goal_min_chars:
            why.append("过短")
        if not _DIGIT.search(t):
            w = vague_word(t, rules)
            why.append(f"只有“{w}”等笼统说法，" if w else "")
            why[-1] += "没有任何数量或时间"
        out.add("DECL_GOAL_VAGUE", g, f"年度目标“{quote(g.text)}”{'，'.join(why)}，不够具体；请写明本年度的任务量、质量要求和"
                                      "完成时限，并与绩效指标对应。")
    lg = d.fields.get("long_goal")
    if lg is not None and not lg.blank:
        a, b = t, norm_text(lg.text)
        ratio = 1.0 if a == b else difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
        if ratio >= rules.goal_copy_ratio:
            same = "相同" if a == b else f"几乎相同（相似度{ratio:.0%}）"
            out.add("DECL_GOAL_COPIED", g, f"年度目标与长期目标（{lg.ref}）{same}；年度目标应是长期目标中本年度要完成的部分，"
                                           "请写明本年度的具体任务量和完成时限。")


# -- indicator table ---------------------------------------------------------------------------


def _levels(ind, profile: Profile, rules: ReviewRules) -> tuple:
    """(canonical 一级 or None, canonical 二级 or None) of a row; 成本指标 as a 一级 when the profile says so."""
    t1, t2 = level_text(ind.level1), level_text(ind.level2)
    l1 = profile.level1_by_name(t1)
    l2 = profile.level2_canonical(t2) if t2 else None
    if l1 is None and rules.cost_level1 and profile.level2_canonical(t1) == COST:
        return COST, COST if (l2 is None or l2 == COST) else l2
    return (l1.name if l1 else None), l2


def _check_indicators(d: Declaration, profile: Profile, rules: ReviewRules, out: _Out,
                      year_amount: Optional[Decimal]) -> None:
    rows = [i for i in d.indicators if not (i.level3.blank and i.target.blank)]
    if not d.table_found or not rows:
        where = f"（{d.table_ref}）" if d.table_ref else ""
        out.add("DECL_INDICATORS_EMPTY", None,
                f"未找到绩效指标表{where}或表中没有指标：请按“一级指标｜二级指标｜三级指标｜指标值｜指标解释”填写产出、效益、"
                "满意度指标。" if not d.table_found else f"绩效指标表{where}中没有任何三级指标，请填写。", sheet=d.sheet)
        return
    present: dict = {}  # 一级 -> set of 二级
    names: dict = {}
    for ind in rows:
        l1, l2 = _levels(ind, profile, rules)
        na = any(isinstance(c.value, str) and norm(c.value) in rules.not_applicable for c in (ind.level3, ind.target))
        if l1 is None:
            out.add("DECL_LEVEL_UNKNOWN", ind.level1 if ind.level1.ref else ind.level3,
                    f"一级指标“{quote(ind.level1.text)}”无法识别；请填写产出指标、效益指标或满意度指标。" if not ind.level1.blank
                    else "一级指标为空；请填写产出指标、效益指标或满意度指标。", once=True)
        else:
            allowed = (COST,) if l1 == COST else next(x.level2 for x in profile.level1 if x.name == l1)
            if l2 is None or l2 not in allowed:
                said = f"“{quote(ind.level2.text)}”" if not ind.level2.blank else "为空"
                out.add("DECL_LEVEL_UNKNOWN", ind.level2 if ind.level2.ref else ind.level3,
                        f"二级指标{said}{'不属于' + l1 if l2 else '无法识别'}；{l1}下的二级指标为{'、'.join(allowed)}。",
                        once=True)
        present.setdefault(l1, set()).add(l2)
        if na:
            continue
        if ind.level3.blank:
            out.add("DECL_INDICATOR_NAME_MISSING", ind.level3, "该行已填写指标值，但三级指标名称为空；请填写指标名称。")
        else:
            k = norm_text(ind.level3.text)
            if k in names:
                out.add("DECL_DUPLICATE_INDICATOR", ind.level3,
                        f"三级指标“{quote(ind.level3.text)}”与{names[k]}重复；请合并，或写明各自衡量的内容。")
            else:
                names[k] = ind.level3.ref
        for p in target_problems(ind.target.value, profile, level2=l2, name=ind.level3.text,
                                 unit_column=ind.unit.text, year=d.year, year_amount=year_amount,
                                 percent_format=ind.target.percent_format):
            out.add(CODE_OF_KIND[p.kind], ind.target, p.message)
    _check_coverage(d, profile, rules, out, present, rows)


def _check_coverage(d: Declaration, profile: Profile, rules: ReviewRules, out: _Out, present: dict, rows: list) -> None:
    where = d.table_ref
    sheet = d.sheet
    for l1 in rules.level1_required:
        if l1 not in present:
            out.add("DECL_LEVEL1_MISSING", Cell(value=None, sheet=sheet, ref=where) if where else None,
                    f"绩效指标中没有{l1}；申报表应设置产出指标和效益指标。", sheet=sheet)
    have2 = set(present.get(OUTPUT, set())) | ({COST} if COST in present else set())
    if OUTPUT in present:
        for l2 in rules.level2_required:
            if l2 not in have2:
                out.add("DECL_LEVEL2_MISSING", Cell(value=None, sheet=sheet, ref=where) if where else None,
                        f"产出指标中没有{l2}；产出指标应覆盖{'、'.join(rules.level2_required)}，"
                        f"确不适用的请填一行“{l2}｜不适用”并说明理由。", sheet=sheet)
    if SATISFACTION not in present:
        texts = [d.cell("name").text, d.cell("annual_goal").text] + [i.level3.text for i in rows]
        word = next((w for w in rules.public_words for t in texts if w in norm(t)), None)
        if word:
            out.add("DECL_SATISFACTION_MISSING", Cell(value=None, sheet=sheet, ref=where) if where else None,
                    f"项目面向{word}等服务对象，但没有满意度指标；请增加如“服务对象满意度 ≥90%”。", sheet=sheet)


# -- across projects ---------------------------------------------------------------------------


def totals(reviews: list) -> dict:
    """Counts for ``--json`` and the workbook: projects, conclusions, errors and hints by level."""
    by_level = {lv: {"errors": 0, "hints": 0} for lv in LEVELS}
    for r in reviews:
        for f in r.findings:
            by_level[f.level]["errors" if f.severity == ERROR else "hints"] += 1
    concl = Counter(r.conclusion for r in reviews if r.sheet)
    return {
        "projects": sum(1 for r in reviews if r.sheet),
        "files_not_reviewed": sum(1 for r in reviews if not r.sheet),
        "errors": sum(r.errors for r in reviews),
        "hints": sum(r.hints for r in reviews),
        "conclusions": {k: concl.get(k, 0) for k in (PASS, PASS_AFTER_CHANGES, RETURN)},
        "by_level": by_level,
    }


def frequent_problems(reviews: list) -> list:
    """[(code, level, description, findings, projects)] most frequent first (projects, then findings, then code)."""
    n_find: Counter = Counter()
    n_proj: Counter = Counter()
    for r in reviews:
        codes = [f.code for f in r.findings]
        n_find.update(codes)
        n_proj.update(set(codes))
    order = sorted(n_find, key=lambda c: (-n_proj[c], -n_find[c], c))
    return [(c, LEVEL_OF[c], F.info(c).description, n_find[c], n_proj[c]) for c in order]
