"""The 绩效自评报告 (.docx) of one scored project, in the structure of the seed report (spec §11).

Six chapters — 一、评价项目概述 … 六、相关建议 — and an appendix with the scored 自评表. Every figure
(budget, adjustment, execution, rate, the split by 资金分配 row, weights, indicators, scores, total,
grade) is taken from the :class:`~jixiao_xlsx.model.Result`, never recomputed here; every sentence of
narrative comes from the workbook's 自评报告 sheet (``Project.narrative``) or the 年度总体目标, and a
section with no text gets a highlighted 【请填写：…】 placeholder, never invented prose.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from .. import layout as L
from ..model import ERROR, Result
from ..rules.profile import Profile, load_profile
from ..rules.values import parse_money
from . import docx_style as S
from .output import atomic_path

CHAPTERS = ("一、评价项目概述", "二、绩效评价概述", "三、评价结论与绩效分析", "四、项目主要绩效或成功经验",
            "五、存在问题或不足", "六、相关建议")
APPENDIX = "附件：项目支出绩效自评表（评分结果）"
_NUMERALS = "一二三四五六七八九十"


class ReportBlocked(Exception):
    """The result has a blocking error: no total, so no report (the same rule as ``score``)."""


def num(d) -> str:
    """A figure as the seed writes it: 2 decimals at most, no trailing zeros (100, 103.5, 87.69)."""
    if d is None:
        return "—"
    d = Decimal(str(d)).quantize(Decimal("0.01"))
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


def pct(rate) -> str:
    """A 4-decimal fraction as a percentage: 1 → 100%, 0.8625 → 86.25%."""
    return "—" if rate is None else num(Decimal(str(rate)) * 100) + "%"


def wan(d) -> str:
    return f"{num(d)}万元"


def _name(result: Result) -> str:
    return S.clean(result.project.name.text).strip() or "（未填写项目名称）"


def write_report(result: Result, out, profile: Optional[Profile] = None) -> str:
    """Write the self-evaluation report of ``result`` to ``out`` (.docx) atomically; never onto the input.

    Raises :class:`ReportBlocked` when a blocking error left the total undefined.
    """
    if result.blocked or result.total is None:
        raise ReportBlocked("自评表存在无法计算总分的错误，未生成自评报告；请先按 jixiao check 的提示修改。")
    profile = profile or load_profile()
    doc = build_report(result, profile)
    with atomic_path(out, protect=[result.project.source]) as tmp:
        S.save(doc, tmp)
    return str(out)


def build_report(result: Result, profile: Profile):
    """The report as a python-docx Document (what :func:`write_report` saves)."""
    p = result.project
    title = f"“{_name(result)}”项目支出绩效自评报告"
    doc = S.new_document(title)
    S.title(doc, title, S.clean(p.unit.text).strip(), split_at=len(title) - len("项目支出绩效自评报告"))
    w = _Writer(doc, result, profile)
    w.overview()
    w.evaluation()
    w.conclusion()
    w.chapter_text(3, "experience", "项目主要绩效或成功经验")
    w.problems()
    w.chapter_text(5, "suggestions", "相关建议")
    from .report_table import appendix

    appendix(doc, result, profile)
    return doc


class _Writer:
    def __init__(self, doc, result: Result, profile: Profile):
        self.doc, self.r, self.p = doc, result, profile
        self.nar = result.project.narrative or {}
        self.official = result.project.layout != "template"

    def _where(self, key: str) -> str:
        label = next(lab for lab, k, _ in L.NARRATIVE_FIELDS if k == key)
        if self.official:
            return f"{label}（自评表中没有自评报告工作表，请在此直接填写）"
        return f"{label}（在自评表“{L.REPORT_SHEET}”工作表“{label}”栏填写）"

    def narrative(self, key: str, lead: str = "") -> None:
        S.text_block(self.doc, self.nar.get(key, ""), lead=lead, missing=self._where(key))

    # -- 一、评价项目概述 -------------------------------------------------------------------------
    def overview(self):
        d, p = self.doc, self.r.project
        S.heading(d, CHAPTERS[0])
        S.heading(d, "（一）项目背景", 2)
        self.narrative("background")
        S.heading(d, "（二）项目立项依据", 2)
        self.narrative("basis")
        S.heading(d, "（三）项目绩效目标", 2)
        S.text_block(d, p.goal_expected.text, missing=f"年度总体目标（在自评表“{L.INFO_SHEET}”工作表“年度总体目标（预期目标）”栏填写）"
                     if not self.official else "年度总体目标（自评表“年度总体目标—预期目标”未填写）")
        S.heading(d, "（四）项目资金来源及使用情况", 2)
        S.paragraph(d, self.funds_sentence())
        alloc = self.allocation_sentence()
        if alloc:
            S.paragraph(d, alloc)
        S.heading(d, "（五）项目实施情况", 2)
        self.narrative("management", lead="1.项目组织及管理情况。")
        self.narrative("completion", lead="2.项目完成情况。")

    def funds_sentence(self) -> str:
        b = self.r.budget
        if b.adjusted is None or b.initial is None or b.adjusted == b.initial:
            adj = "年中无调整预算" if b.initial is not None else "年初预算数未填写"
            full = ""
        else:
            diff = b.adjusted - b.initial
            adj = f"年中{'调增' if diff > 0 else '调减'}预算{wan(abs(diff))}"
            full = f"，调整后全年预算数为{wan(b.adjusted)}"
        initial = wan(b.initial) if b.initial is not None else "—"
        s = (f"该项目年初预算数为{initial}，{adj}{full}，全年执行数为{wan(b.executed)}，"
             f"项目预算执行率为{pct(b.rate)}。")
        sources = self.sources()
        if sources:
            if len(sources) == 1:
                s += f"资金来源均为{sources[0][0]}。"
            else:
                s += "资金来源为" + "、".join(f"{n}{wan(a)}" for n, a in sources) + "（全年预算数）。"
        return s

    def sources(self) -> list:
        """(name, 全年预算数) of the fund-source rows that hold money."""
        out = []
        for line in self.r.project.funds:
            if line.is_total:
                continue
            m = parse_money(line.adjusted.value, self.p) if not line.adjusted.blank else None
            if m is not None and m.amount:
                out.append((line.name or line.label.text, m.amount))
        return out

    def allocation_sentence(self) -> str:
        allocs = self.r.project.allocations or []
        parts = []
        for a in allocs:
            what = S.clean(a.purpose.text).strip()
            if not what:
                continue
            planned = parse_money(a.planned.value, self.p) if not a.planned.blank else None
            actual = parse_money(a.actual.value, self.p) if not a.actual.blank else None
            if actual is not None and (planned is None or planned.amount == actual.amount):
                parts.append(f"{what}{wan(actual.amount)}")
            elif actual is not None:
                parts.append(f"{what}计划{wan(planned.amount)}、实际{wan(actual.amount)}")
            elif planned is not None:
                parts.append(f"{what}计划{wan(planned.amount)}")
        if not parts:
            return ""
        return "其中主要用于" + "；".join(parts) + "。"

    # -- 二、绩效评价概述 -------------------------------------------------------------------------
    def evaluation(self):
        d = self.doc
        S.heading(d, CHAPTERS[1])
        S.heading(d, "（一）评价目的", 2)
        self.narrative("purpose")
        S.heading(d, "（二）评价设计与实施", 2)
        self.narrative("design")
        S.heading(d, "（三）绩效评价指标体系和评分标准方法", 2)
        for text in self.system_sentences():
            S.paragraph(d, text)

    def level1_groups(self) -> list:
        """[(一级 name, profile key or None, [IndicatorScore])] in profile order, unknown 一级 last."""
        groups, seen = [], set()
        for l1 in self.p.level1:
            rows = [s for s in self.r.indicators if s.level1 == l1.name]
            groups.append((l1.name, l1.key, rows))
            seen.add(l1.name)
        extra = []
        for s in self.r.indicators:
            if s.level1 not in seen and s.level1 not in extra:
                extra.append(s.level1)
        for name in extra:
            groups.append((name, None, [s for s in self.r.indicators if s.level1 == name]))
        return groups

    def weights(self) -> list:
        """[(name, weight)]: 预算执行率 first, then each 一级 with the sum of its 三级 weights."""
        out = [("预算执行率", self.r.budget.weight)]
        for name, _key, rows in self.level1_groups():
            out.append((name, sum((s.weight for s in rows if s.weight is not None), Decimal(0))))
        return out

    def system_sentences(self) -> list:
        groups = [g for g in self.level1_groups() if g[2]]
        l1 = "、".join(g[0] for g in groups)
        l2 = "，".join("、".join(dict.fromkeys(s.level2 for s in rows)) for _n, _k, rows in groups)
        l3 = "、".join(s.level3 for s in self.r.indicators if s.level3)
        ws = self.weights()
        total_w = sum((w for _n, w in ws), Decimal(0)) or Decimal(1)
        shares = "，".join(f"{n}占比{num(w * 100 / total_w)}%" for n, w in ws)
        grades = self.p.grade_ranges(num)
        return [
            f"项目绩效评价指标体系一级指标由{l1}构成，二级指标由{l2}构成，三级指标由{l3}等{len(self.r.indicators)}项构成。"
            f"绩效指标各项分值占比分别是{shares}（合计{num(sum((w for _n, w in ws), Decimal(0)))}分）。",
            f"评分按评分规则{self.p.describe()}计算：预算执行率得分＝分值×全年执行数÷全年预算数（执行率超过100%的按100%计）；"
            "定量指标按实际完成值与年度指标值的比例计分，定性指标按完成档次计分；各项得分保留两位小数，总分为各项得分之和。"
            "评价等级分为" + "、".join(grades) + "。",
        ]

    # -- 三、评价结论与绩效分析 ---------------------------------------------------------------------
    def conclusion(self):
        d, r, b = self.doc, self.r, self.r.budget
        S.heading(d, CHAPTERS[2])
        S.heading(d, "（一）总体结论", 2)
        parts = [f"预算执行率{num(b.score)}分"]
        for name, key, rows in self.level1_groups():
            if rows:
                sub = r.subtotals.get(key) if key else sum((s.score for s in rows if s.score is not None), Decimal(0))
                parts.append(f"{name}{num(sub)}分")
        S.paragraph(d, f"按照项目支出绩效评价指标对项目进行综合评价，得分为{num(r.total)}分，评价等级为“{r.grade}”。"
                       f"其中{'，'.join(parts)}。")
        if r.self_total is not None and abs(r.self_total - r.total) > Decimal("0.01"):
            S.paragraph(d, f"单位自评总分为{num(r.self_total)}分，按评分规则计算为{num(r.total)}分，"
                           f"相差{num(abs(r.self_total - r.total))}分，以按规则计算的得分为准。")
        goal = S.clean(r.project.goal_actual.text).strip()
        if goal:
            S.paragraph(d, goal, lead="年度总体目标完成情况：")
        S.heading(d, "（二）项目绩效分析", 2)
        S.paragraph(d, self.execution_analysis(), lead="1.项目资金落实方面。")
        n = 2
        for name, key, rows in self.level1_groups():
            if not rows:
                continue
            lead = f"{n}.{name.replace('指标', '目标')}方面。"
            self.level1_analysis(name, key, rows, lead)
            n += 1

    def execution_analysis(self) -> str:
        b = self.r.budget
        sources = self.sources()
        src = f"均为{sources[0][0]}，" if len(sources) == 1 else ""
        s = (f"项目年度预算总额{wan(b.adjusted)}，全年落实资金总额{wan(b.executed)}，{src}项目资金执行率{pct(b.rate)}，"
             f"得分{num(b.score)}分（分值{num(b.weight)}分）。")
        if b.score is not None and b.score < b.weight:
            s += f"因执行率未达100%，扣{num(b.weight - b.score)}分。"
        return s

    def level1_analysis(self, name, key, rows, lead) -> None:
        met = [s for s in rows if s.score is not None and s.weight is not None and s.score >= s.weight]
        lost = [s for s in rows if s not in met]
        w = sum((s.weight for s in rows if s.weight is not None), Decimal(0))
        sub = self.r.subtotals.get(key) if key else sum((s.score for s in rows if s.score is not None), Decimal(0))
        text = f"{name}分值{num(w)}分，得分{num(sub)}分。"
        if met:
            text += "、".join(f"{s.level3}（年度指标值{s.target}，实际完成值{s.actual}）" for s in met)
            text += f"等{len(met)}项指标均已完成，得满分。" if len(met) > 1 else "该项指标已完成，得满分。"
        if not lost:
            S.paragraph(self.doc, text, lead=lead)
            return
        text += f"{len(lost)}项指标未得满分："
        S.paragraph(self.doc, text, lead=lead)
        for i, s in enumerate(lost, 1):
            note = S.clean(s.indicator.note.text).strip()
            S.paragraph(self.doc, f"（{i}）{s.level3}：年度指标值{s.target}，实际完成值{s.actual}，分值{num(s.weight)}分，"
                                  f"得分{num(s.score)}分。偏差原因：{note or '未填写。'}")

    # -- 四 / 六: the clerk's text -----------------------------------------------------------------
    def chapter_text(self, i: int, key: str, _what: str) -> None:
        S.heading(self.doc, CHAPTERS[i])
        self.narrative(key)

    # -- 五、存在问题或不足 --------------------------------------------------------------------------
    def problems(self):
        d = self.doc
        S.heading(d, CHAPTERS[4])
        items = self.problem_items()
        if items:
            S.paragraph(d, f"经按评分规则核查，本项目共有{len(items)}项扣分或问题：")
            for i, text in enumerate(items, 1):
                S.paragraph(d, f"{i}.{text}")
        else:
            S.paragraph(d, "经按评分规则核查，本项目没有扣分项，也未发现填报问题。")
        S.paragraph(d, "单位自查发现的问题：", indent=True).runs[0].font.bold = True
        self.narrative("problems")

    def problem_items(self) -> list:
        """Every deduction, then every remaining finding, as one sentence each."""
        r, b = self.r, self.r.budget
        out = []
        if b.score is not None and b.score < b.weight:
            out.append(f"预算执行率{pct(b.rate)}，全年执行数{wan(b.executed)}低于全年预算数{wan(b.adjusted)}，"
                       f"扣{num(b.weight - b.score)}分。")
        for s in r.indicators:
            if s.score is not None and s.weight is not None and s.score < s.weight:
                out.append(f"{s.level1}—{s.level2}“{s.level3}”年度指标值{s.target}，实际完成值{s.actual}，"
                           f"扣{num(s.weight - s.score)}分（分值{num(s.weight)}分，得分{num(s.score)}分）。")
        for f in r.findings:
            if f.code == "REPORT_TEXT_MISSING":  # about this report itself: the placeholders show it
                continue
            where = f"（{f.sheet}!{f.cell}）" if f.sheet and f.cell else (f"（{f.sheet}）" if f.sheet else "")
            kind = "填报错误" if f.severity == ERROR else "提示"
            out.append(f"{kind}{where}：{S.clean(f.message)}")
        return out
