"""Write the review workbook (审核意见) of ``jixiao review`` for the bureau: xlsxwriter, atomic.

Sheets: 审核结论 (one row per project: 单位, 项目, 金额, errors and hints per review level, 审核结论),
问题清单 (every finding, sheet!cell and what to write instead), 常见问题 (the most frequent problems across
the set, where the bureau's feedback letter starts) and 说明 (the rules applied).  Chinese headers,
frozen header rows, filters, A4 landscape, 万元 with two decimals.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from .output import atomic_path, new_workbook
from ..model import ERROR, HINT
from ..rules.profile import Profile
from ..rules.review import LEVELS, PASS, PASS_AFTER_CHANGES, RETURN, frequent_problems, totals
from ..rules.review_profile import review_rules

SUMMARY = "审核结论"
FINDINGS = "问题清单"
FREQUENT = "常见问题"
NOTES = "说明"
SUMMARY_HEADERS = (("序号", 6), ("单位", 26), ("项目", 30), ("本年度金额（万元）", 14)) + tuple(
    (f"{lv}{kind}", 8) for lv in LEVELS for kind in ("错误", "提示")) + (
    ("错误合计", 8), ("提示合计", 8), ("审核结论", 11), ("文件", 30), ("工作表", 18))
FINDING_HEADERS = (("序号", 6), ("单位", 24), ("项目", 26), ("工作表", 16), ("单元格", 8), ("审核层面", 9),
                   ("严重程度", 8), ("问题代码", 26), ("问题类别", 30), ("问题说明及修改意见", 70), ("文件", 28))
FREQUENT_HEADERS = (("排名", 6), ("问题代码", 28), ("审核层面", 9), ("问题类别", 40), ("涉及项目数", 11),
                    ("占项目比例", 11), ("问题数", 9))


def write_review(path, reviews: list, profile: Profile, protect: Iterable = ()) -> str:
    """Write the review workbook for ``reviews`` (rules.review.ProjectReview) to ``path`` atomically."""
    with atomic_path(path, protect=list(protect)) as tmp:
        wb = new_workbook(tmp)
        try:
            fm = _formats(wb)
            _summary(wb, fm, reviews)
            _findings(wb, fm, reviews)
            _frequent(wb, fm, reviews)
            _notes(wb, fm, reviews, profile)
        finally:
            wb.close()
    return str(Path(path))


def _formats(wb) -> dict:
    base = {"font_size": 10, "border": 1, "valign": "top"}
    return {
        "header": wb.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "align": "center",
                                 "valign": "vcenter"}),
        "text": wb.add_format({**base, "text_wrap": True}),
        "int": wb.add_format({**base, "num_format": "0"}),
        "money": wb.add_format({**base, "num_format": "#,##0.00"}),
        "pct": wb.add_format({**base, "num_format": "0.0%"}),
        PASS: wb.add_format({**base, "bg_color": "#E2EFDA"}),
        PASS_AFTER_CHANGES: wb.add_format({**base, "bg_color": "#FFF2CC"}),
        RETURN: wb.add_format({**base, "bg_color": "#F8CBAD", "bold": True}),
        "note": wb.add_format({"text_wrap": True, "valign": "top"}),
        "title": wb.add_format({"bold": True, "font_size": 14}),
    }


def _headers(ws, fm: dict, headers: tuple) -> None:
    for c, (h, w) in enumerate(headers):
        ws.write_string(0, c, h, fm["header"])
        ws.set_column(c, c, w)
    ws.set_row(0, 30)
    ws.freeze_panes(1, 0)


def _page(ws, last_row: int, ncols: int) -> None:
    ws.autofilter(0, 0, max(last_row, 0), ncols - 1)
    ws.set_paper(9)  # A4
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)


def _summary(wb, fm: dict, reviews: list) -> None:
    ws = wb.add_worksheet(SUMMARY)
    _headers(ws, fm, SUMMARY_HEADERS)
    r = 0
    for i, rv in enumerate(reviews, 1):
        r = i
        ws.write_number(r, 0, i, fm["int"])
        ws.write_string(r, 1, rv.unit, fm["text"])
        ws.write_string(r, 2, rv.project or "（未能审核）", fm["text"])
        if rv.amount is None:
            ws.write_blank(r, 3, None, fm["money"])
        else:
            ws.write_number(r, 3, float(rv.amount), fm["money"])
        c = 4
        for lv in LEVELS:
            for sev in (ERROR, HINT):
                ws.write_number(r, c, rv.count(lv, sev), fm["int"])
                c += 1
        ws.write_number(r, c, rv.errors, fm["int"])
        ws.write_number(r, c + 1, rv.hints, fm["int"])
        ws.write_string(r, c + 2, rv.conclusion, fm[rv.conclusion])
        ws.write_string(r, c + 3, rv.file, fm["text"])
        ws.write_string(r, c + 4, rv.sheet, fm["text"])
    _page(ws, r, len(SUMMARY_HEADERS))


def _findings(wb, fm: dict, reviews: list) -> None:
    from .. import findings as F

    ws = wb.add_worksheet(FINDINGS)
    _headers(ws, fm, FINDING_HEADERS)
    r = 0
    for rv in reviews:
        for f in rv.findings:
            r += 1
            row = (rv.unit, rv.project, f.sheet, f.cell, f.level, f.severity, f.code, F.info(f.code).description,
                   f.message, rv.file)
            ws.write_number(r, 0, r, fm["int"])
            for c, v in enumerate(row, 1):
                ws.write_string(r, c, v, fm["text"])
    _page(ws, r, len(FINDING_HEADERS))


def _frequent(wb, fm: dict, reviews: list) -> None:
    ws = wb.add_worksheet(FREQUENT)
    _headers(ws, fm, FREQUENT_HEADERS)
    n = max(sum(1 for rv in reviews if rv.sheet), 1)
    r = 0
    for r, (code, level, desc, n_find, n_proj) in enumerate(frequent_problems(reviews), 1):
        ws.write_number(r, 0, r, fm["int"])
        ws.write_string(r, 1, code, fm["text"])
        ws.write_string(r, 2, level, fm["text"])
        ws.write_string(r, 3, desc, fm["text"])
        ws.write_number(r, 4, n_proj, fm["int"])
        ws.write_number(r, 5, n_proj / n, fm["pct"])
        ws.write_number(r, 6, n_find, fm["int"])
    _page(ws, r, len(FREQUENT_HEADERS))


def _notes(wb, fm: dict, reviews: list, profile: Profile) -> None:
    rules = review_rules(profile)
    t = totals(reviews)
    ws = wb.add_worksheet(NOTES)
    ws.set_column(0, 0, 110)
    c = t["conclusions"]
    lines = [
        ("绩效目标申报表审核意见（jixiao review 自动审核）", fm["title"]),
        (f"审核项目 {t['projects']} 个：{PASS} {c[PASS]} 个，{PASS_AFTER_CHANGES} {c[PASS_AFTER_CHANGES]} 个，"
         f"{RETURN} {c[RETURN]} 个；错误 {t['errors']} 项，提示 {t['hints']} 项。"
         + (f"另有 {t['files_not_reviewed']} 个文件未能审核（见审核结论表）。" if t["files_not_reviewed"] else ""), fm["note"]),
        (f"审核结论规则：错误达到 {rules.return_min_errors} 项，或出现"
         f"{'、'.join(sorted(rules.return_codes)) or '（无）'}，为“{RETURN}”；没有错误且提示不超过 {rules.pass_max_hints} 项为"
         f"“{PASS}”；其余为“{PASS_AFTER_CHANGES}”。", fm["note"]),
        ("审核层面：完整性（必填项、目标和指标是否齐全）、相关性（年度目标与长期目标、指标是否对应）、适当性（指标值是否可衡量、"
         "方向和口径是否恰当）、可行性（金额、日期、成本上限是否与本年度安排相符）。", fm["note"]),
        (f"规则文件：{profile.describe()}；含糊用语、占位符、阈值和严重程度见规则文件的 [review] 部分，可按本地要求调整。",
         fm["note"]),
        ("“错误”须修改后重新报送；“提示”请核实，确有理由的可在指标解释中说明。", fm["note"]),
    ]
    for i, (text, f) in enumerate(lines):
        ws.write_string(i, 0, text, f)
    ws.set_paper(9)
    ws.set_landscape()
