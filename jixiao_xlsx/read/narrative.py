"""Read the optional 自评报告 sheet of a template workbook: the clerk's text for each report section.

The sheet is found by name (``自评报告`` or a close alias); in it each section is a row whose label
(column A, or any of the first columns) names the section and whose text sits to its right.  A
workbook without the sheet (older templates, official forms) keeps ``Project.narrative == {}`` and
gets no finding; a workbook with it gets one hint listing the sections still blank, because the
report would show a placeholder there (see docs/decisions.md, "Self-evaluation report").
"""
from __future__ import annotations

from typing import Optional

from .. import findings as F
from .. import layout as L
from ..model import Project
from ..rules import values
from .book import Book, Sheet

SHEET_NAMES = (L.REPORT_SHEET, "自评报告内容", "绩效自评报告", "自评报告文字内容")
SCAN_ROWS = 40
SCAN_COLS = 4


def _key(text) -> str:
    """Label as compared: NFKC, no whitespace, no numbering or trailing colon."""
    s = values.norm(text).strip("*").rstrip(":：")
    while s and (s[0].isdigit() or s[0] in "一二三四五六七八九十、.．()（）"):
        s = s[1:]
    return s


_LABELS = {_key(label): k for label, k, _ in L.NARRATIVE_FIELDS}
_LABELS.update({_key(a): k for a, k in (("项目背景", "background"), ("项目立项依据", "basis"),
                                         ("项目组织及管理情况", "management"), ("项目完成情况", "completion"),
                                         ("项目主要绩效或成功经验", "experience"))})


def find_sheet(book: Book) -> Optional[Sheet]:
    wanted = {_key(n) for n in SHEET_NAMES}
    for s in book.sheets:
        if _key(s.name) in wanted:
            return s
    return None


def clean_text(v) -> str:
    """Cell text for a document: control characters (other than line breaks and tabs) removed."""
    if v is None:
        return ""
    if not isinstance(v, str):
        from ..model import Cell

        v = Cell(v).text
    v = v.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in v if ch in "\n\t" or (ord(ch) >= 32 and not 0x7F <= ord(ch) < 0xA0)).strip()


def read_narrative(book: Book, project: Project) -> None:
    """Fill ``project.narrative`` from the 自评报告 sheet when the book has one; hint on blank sections."""
    sheet = find_sheet(book)
    if sheet is None:
        return
    found: dict = {}
    where: dict = {}
    for r in range(min(sheet.nrows, SCAN_ROWS)):
        for c in range(min(sheet.ncols, SCAN_COLS)):
            v = sheet.value(r, c, spread=False)
            k = _LABELS.get(_key(v)) if isinstance(v, str) else None
            if k is None or k in found:
                continue
            vc = c + 1
            while sheet.anchor(r, vc) == sheet.anchor(r, c) and vc < c + 8:  # a merged label spans columns
                vc += 1
            found[k] = clean_text(sheet.value(r, vc))
            where[k] = sheet.cell(r, vc)
            break
    project.narrative = {k: found.get(k, "") for _label, k, _ in L.NARRATIVE_FIELDS}
    blank = [label for label, k, _ in L.NARRATIVE_FIELDS if not project.narrative[k]]
    if blank:
        first = next(k for label, k, _ in L.NARRATIVE_FIELDS if not project.narrative[k])
        cell = where.get(first)
        project.findings.append(F.make(
            "REPORT_TEXT_MISSING", cell,
            f"“{sheet.name}”工作表中{'、'.join(blank)}未填写，生成的自评报告中这些栏目将显示“【请填写：…】”；"
            f"请在该表“填写内容”列补充。",
            sheet=sheet.name))
