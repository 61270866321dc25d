"""The district brief (汇总分析.docx): the bureau's summary report over a batch of scored projects.

How many projects and streets (实施单位), total budget and execution, the grade distribution, the
lowest scores, the largest self-score inflation and the most frequent findings — each as a sentence
and a table, in the same official look as the project report (docx_style).  Built from plain batch
records (``batch.score_one`` dicts, slim or full) or :class:`~jixiao_xlsx.model.Result` objects, so
it needs no workbook read again; :func:`brief_entry` keeps only what the brief uses (~1 KB a file).
"""
from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Iterable, Optional

from ..findings import CATALOGUE
from ..rules.profile import Profile, load_profile
from . import docx_style as S
from .aggregates import district_totals
from .output import atomic_path
from .report import num, pct, wan

TOP_N = 10  # rows of the lowest-score, inflation and finding tables


def _dec(v) -> Optional[Decimal]:
    return None if v is None else Decimal(str(v))


def brief_entry(rec) -> dict:
    """What the brief keeps of one scored record: the slim result plus its finding codes."""
    if hasattr(rec, "as_dict"):  # a Result
        rec = {"file": rec.project.source, "result": rec.as_dict()}
    elif "result" not in rec:  # a Result.as_dict() / `score --json` object
        rec = {"file": rec.get("file", ""), "result": rec}
    res = rec["result"]
    slim = {k: v for k, v in res.items() if k not in ("indicators", "findings")}
    slim["finding_codes"] = res.get("finding_codes") or [(f["code"], f["severity"]) for f in res.get("findings", [])]
    return {"file": rec.get("file") or res.get("file", ""), "result": slim}


def aggregates(records: Iterable) -> dict:
    """The brief's figures, pure: counts, money, grades, lowest, inflation, findings."""
    rows = [r if isinstance(r, dict) and "finding_codes" in r.get("result", {}) else brief_entry(r) for r in records]
    res = [r["result"] for r in rows]
    scored = [x for x in res if x.get("total") is not None]
    # the summary's own district sums (issue #17): over the projects that have both amounts
    district = district_totals(rows)
    budget, executed, rate = district["budget"], district["executed"], district["rate"]
    grades = Counter(x["grade"] for x in scored)
    lowest = sorted(scored, key=lambda x: (_dec(x["total"]), x.get("unit") or "", x.get("project") or ""))[:TOP_N]
    inflation = []
    for x in scored:
        st = _dec(x.get("self_reported_total"))
        if st is not None and st - _dec(x["total"]) > Decimal("0.01"):
            inflation.append((st - _dec(x["total"]), x))
    inflation.sort(key=lambda t: (-t[0], t[1].get("unit") or ""))
    codes, files_with = Counter(), Counter()
    for x in res:
        seen = set()
        for code, _sev in x["finding_codes"]:
            codes[code] += 1
            seen.add(code)
        files_with.update(seen)
    mean = (sum((_dec(x["total"]) for x in scored), Decimal(0)) / len(scored)).quantize(Decimal("0.01")) \
        if scored else None
    return {
        "projects": len(res),
        "units": len({(x.get("unit") or "").strip() for x in res if (x.get("unit") or "").strip()}),
        "scored": len(scored),
        "without_total": len(res) - len(scored),
        "budget": budget, "executed": executed, "rate": rate, "mean": mean,
        "money_projects": district["money_projects"], "money_note": district["money_note"],
        "grades": grades,
        "lowest": lowest,
        "inflation": inflation[:TOP_N],
        "findings": [(c, n, files_with[c]) for c, n in sorted(codes.items(), key=lambda t: (-t[1], t[0]))][:TOP_N],
        "rows": res,
    }


def write_brief(records_or_results: Iterable, out, profile: Optional[Profile] = None, *, title: str = "",
                unreadable: int = 0, protect=()) -> str:
    """Write the district brief for the scored projects to ``out`` (.docx) atomically.

    ``unreadable``: files of the batch that could not be read (counted in the first chapter);
    ``protect``: input files the output must never replace.
    """
    profile = profile or load_profile()
    agg = aggregates(records_or_results)
    years = sorted({str(x.get("year")) for x in agg["rows"] if x.get("year")})
    title = title or (f"{'、'.join(years)}年度" if years else "") + "项目支出绩效自评汇总分析"
    doc = S.new_document(title)
    S.title(doc, title, split_at=len(title) - len("项目支出绩效自评汇总分析"))
    _overview(doc, agg, unreadable, profile)
    _grades(doc, agg, profile)
    _lowest(doc, agg)
    _inflation(doc, agg)
    _findings(doc, agg)
    _all(doc, agg)
    with atomic_path(out, protect=list(protect)) as tmp:
        S.save(doc, tmp)
    return str(out)


def _table(doc, header, rows, widths, left=(1, 2)):
    """A bordered table with a repeated header row; ``left``: columns of text, aligned left."""
    t = S.table(doc, 1 + max(len(rows), 1), len(header), widths)
    g = S.Grid(t)
    for c, h in enumerate(header):
        g.put(0, c, c, h, bold=True, shade="F2F2F2")
    S.repeat_header(t.rows[0])
    if not rows:
        g.put(1, 0, len(header) - 1, "（无）")
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row):
            g.put(r, c, c, "" if v is None else str(v), align="left" if c in left else "center")
    g.finish()
    S.paragraph(doc, "")


def _overview(doc, agg, unreadable, profile):
    S.heading(doc, "一、总体情况")
    s = (f"本次共汇总{agg['projects']}个项目的绩效自评表，涉及{agg['units']}个实施单位（街道）。"
         f"项目全年预算数合计{wan(agg['budget'])}，全年执行数合计{wan(agg['executed'])}，总体预算执行率{pct(agg['rate'])}"
         + (f"（{agg['money_note']}）。" if agg["money_note"] else "。"))
    if agg["scored"]:
        s += f"按评分规则{profile.describe()}计算，{agg['scored']}个项目得出总分，平均{num(agg['mean'])}分。"
    if agg["without_total"]:
        s += f"另有{agg['without_total']}个项目存在无法计算总分的错误，须退回修改。"
    if unreadable:
        s += f"{unreadable}个文件无法读取，未纳入汇总（见汇总工作簿“未能处理”工作表）。"
    S.paragraph(doc, s)


def _grades(doc, agg, profile):
    S.heading(doc, "二、评价等级分布")
    n = agg["scored"] or 1
    parts = [f"{g}{agg['grades'].get(g, 0)}个" for g, _lo in profile.grades]
    S.paragraph(doc, "得出总分的项目中，" + "、".join(parts) + "。")
    _table(doc, ("评价等级", "项目数", "占比"),
           [(g, agg["grades"].get(g, 0), pct(Decimal(agg["grades"].get(g, 0)) / n)) for g, _lo in profile.grades],
           (40, 40, 40), left=())


def _lowest(doc, agg):
    S.heading(doc, "三、得分较低的项目")
    low = agg["lowest"]
    if low:
        S.paragraph(doc, f"得分最低的{len(low)}个项目如下，最低为{low[0].get('unit') or ''}“{low[0].get('project') or ''}”"
                         f"{num(low[0]['total'])}分。")
    _table(doc, ("序号", "实施单位", "项目名称", "总分", "等级", "执行率"),
           [(i, x.get("unit"), x.get("project"), num(x["total"]), x.get("grade"), pct(x["budget"]["rate"]))
            for i, x in enumerate(low, 1)], (12, 40, 58, 16, 12, 18))


def _inflation(doc, agg):
    S.heading(doc, "四、自评分虚高情况")
    inf = agg["inflation"]
    if inf:
        S.paragraph(doc, f"{len(inf)}个项目的自评总分高于按规则计算的总分，差额最大的为{inf[0][1].get('unit') or ''}"
                         f"“{inf[0][1].get('project') or ''}”，自评{num(inf[0][1]['self_reported_total'])}分，"
                         f"按规则计算{num(inf[0][1]['total'])}分，高出{num(inf[0][0])}分。")
    else:
        S.paragraph(doc, "没有项目的自评总分高于按规则计算的总分。")
    _table(doc, ("序号", "实施单位", "项目名称", "自评总分", "计算总分", "差额"),
           [(i, x.get("unit"), x.get("project"), num(x["self_reported_total"]), num(x["total"]), num(d))
            for i, (d, x) in enumerate(inf, 1)], (12, 38, 50, 20, 20, 16))


def _findings(doc, agg):
    S.heading(doc, "五、常见问题")
    f = agg["findings"]
    if f:
        top = f[0]
        S.paragraph(doc, f"出现最多的问题是“{CATALOGUE[top[0]].description if top[0] in CATALOGUE else top[0]}”"
                         f"（{top[0]}），共{top[1]}处，涉及{top[2]}个项目。")
    else:
        S.paragraph(doc, "各项目均未发现填报问题。")
    _table(doc, ("问题代码", "问题说明", "出现次数", "涉及项目数"),
           [(c, CATALOGUE[c].description if c in CATALOGUE else "", n, k) for c, n, k in f], (50, 64, 20, 22),
           left=(0, 1))


def _all(doc, agg):
    S.landscape_section(doc)
    S.heading(doc, "附件：项目得分清单")
    rows = sorted(agg["rows"], key=lambda x: (x.get("unit") or "", x.get("project") or ""))
    _table(doc, ("序号", "实施单位", "项目名称", "全年预算数（万元）", "全年执行数（万元）", "执行率", "总分", "等级"),
           [(i, x.get("unit"), x.get("project"), num(x["budget"]["adjusted"]), num(x["budget"]["executed"]),
             pct(x["budget"]["rate"]), num(x.get("total")), x.get("grade") or "未能计算")
            for i, x in enumerate(rows, 1)], (12, 50, 75, 25, 25, 20, 18, 16))
