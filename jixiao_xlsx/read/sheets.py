"""Which sheets of a workbook hold the self-evaluation (issue #13, items 10, 15, 16, 17).

Budget-system exports bundle several tables (项目基本信息, 立项依据, 支出计划, 绩效目标申报表, 执行监控,
自评表 …); some districts split the national form over two sheets; a unit's projects come one per sheet;
and a 绩效目标申报表 is sometimes sent in place of the self-evaluation. The sheet is chosen by what it
says (its name and title rows) and what it holds (the funds block, the indicator table with a 实际完成值
column), never by position.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..rules.profile import Profile
from ..rules.values import norm
from .book import Book, Sheet, UnreadableFile
from .refusal import IS_DECLARATION

TITLE_ROWS = 2  # a sheet's title (and year line) is in its first rows; row 3 may say 申报单位
SELF_WORDS = ("自评",)
# a sheet titled or named so is never the self-evaluation (unless it also says 自评)
OTHER_WORDS = ("申报表", "目标表", "监控", "立项依据", "支出计划")
DECLARATION_WORDS = ("申报表", "目标表", "目标申报")


class NotSelfEvaluation(UnreadableFile):
    """The file is another form (a 绩效目标申报表): refused with one line saying what to submit."""

    def __init__(self, reason: str, code: str = IS_DECLARATION):
        super().__init__(reason, code)


@dataclass
class SheetView:
    """What one sheet is, for choosing among a workbook's sheets."""

    sheet: Sheet
    idx: object  # official._Index
    position: int
    title: str  # normalised text of the first rows
    indicators: Optional[tuple]  # official indicator header (row, cols) or None
    funds: Optional[tuple]  # official funds header (row, cols) or None

    @property
    def words(self) -> str:
        return norm(self.sheet.name) + "|" + self.title

    @property
    def self_evaluation(self) -> bool:
        return any(w in self.words for w in SELF_WORDS)

    @property
    def other_form(self) -> bool:
        """Named or titled as another table (申报表, 监控 …) and not as a self-evaluation."""
        return not self.self_evaluation and any(w in self.words for w in OTHER_WORDS)

    @property
    def has_actual(self) -> bool:
        return self.indicators is not None and "actual" in self.indicators[1]

    @property
    def whole_form(self) -> bool:
        """The funds block and the indicator table (with 实际完成值) on this one sheet."""
        return self.indicators is not None and self.funds is not None and not self.other_form


def other_form_sheet(sheet: Sheet) -> bool:
    """Named or titled (first rows) as another table than the self-evaluation: 申报表, 监控 …"""
    words = norm(sheet.name) + "|" + "|".join(
        norm(v) for row in sheet.rows[:TITLE_ROWS] for v in row[:32] if isinstance(v, str) and v)
    return not any(w in words for w in SELF_WORDS) and any(w in words for w in OTHER_WORDS)


def views(book: Book, profile: Profile) -> list:
    """A :class:`SheetView` per sheet, visible sheets first (memoised on the book)."""
    memo = book.__dict__.setdefault("_sheet_views", {})
    hit = memo.get(id(profile))
    if hit is not None and hit[0] is profile:
        return hit[1]
    from . import official as o

    out = []
    order = [s for s in book.sheets if not s.hidden] + [s for s in book.sheets if s.hidden]
    for i, s in enumerate(order):
        idx = o._Index(s)
        title = "|".join(t for r, _c, t in idx.strings if r < TITLE_ROWS)
        out.append(SheetView(s, idx, i, title, o._find_indicator_header(idx, profile), o._find_funds_header(idx, profile)))
    memo[id(profile)] = (profile, out)
    return out


def project_sheets(book: Book, profile: Profile) -> list:
    """The sheets that each hold a whole self-evaluation form (one project each), in workbook order."""
    return [v.sheet for v in sorted(views(book, profile), key=lambda v: book.sheets.index(v.sheet))
            if v.whole_form and v.has_actual]


def pick(book: Book, profile: Profile, name: Optional[str] = None) -> tuple:
    """(indicator view, funds view) of the self-evaluation: the sheet named ``name`` if given, else the
    best sheet with the indicator table (a whole form titled 自评 first; never a 申报表 or 监控 sheet while
    another will do), and the sheet with the funds block (the same one, or another when the form is split).
    Either may be None."""
    vs = views(book, profile)
    if name is not None:
        vs = [v for v in vs if v.sheet.name == name]
    with_table = [v for v in vs if v.indicators is not None]
    ind = min(with_table, key=lambda v: (v.other_form, not v.has_actual, not v.funds, not v.self_evaluation,
                                         v.position), default=None)
    if ind is not None and ind.funds is not None:
        return ind, ind
    funds = min((v for v in views(book, profile) if v.funds is not None and v.indicators is None),
                key=lambda v: (v.other_form, not v.self_evaluation, v.position), default=None)
    if ind is None:
        return None, funds
    return ind, funds


def split_form(book: Book, profile: Profile) -> bool:
    """The national form split over two sheets: one titled 自评表 with the funds block and no indicator
    table, another with the indicator table (the template's sheets have no 自评表 title)."""
    vs = views(book, profile)
    return any(v.funds is not None and v.indicators is None and v.self_evaluation for v in vs) and any(
        v.indicators is not None and not v.other_form for v in vs)


def declaration(book: Book, profile: Profile) -> Optional[str]:
    """The title of the 绩效目标申报表 the workbook is, when no sheet has a 实际完成值 column and a
    sheet is named or titled as a declaration; else None."""
    vs = views(book, profile)
    if any(v.has_actual for v in vs):
        return None
    for v in vs:
        if not v.self_evaluation and any(w in v.words for w in DECLARATION_WORDS):
            return _shown_title(v)
    return None


def _shown_title(v: SheetView, words=DECLARATION_WORDS) -> str:
    for r, c, _t in v.idx.strings:
        if r < TITLE_ROWS:
            raw = v.sheet.raw(r, c)
            if isinstance(raw, str) and any(w in norm(raw) for w in words):
                return raw.strip()
    return v.sheet.name


def refuse_declaration(title: str) -> NotSelfEvaluation:
    return NotSelfEvaluation(
        f"此文件是“{title}”（绩效目标申报表），不是项目支出绩效自评表，未评分。"
        "请提交年度结束后填写的绩效自评表（区财政局下发的自评模板，含“实际完成值”“得分”）；"
        "申报表请用 jixiao review 审核。"
    )


def refuse_other(view: SheetView) -> NotSelfEvaluation:
    """Refusal for a workbook whose only indicator tables are other forms (执行监控表, 申报表 …)."""
    return NotSelfEvaluation(
        f"此文件的指标表在“{view.sheet.name}”工作表（{_shown_title(view, OTHER_WORDS)}），"
        "不是项目支出绩效自评表，未评分。请提交年度结束后填写的绩效自评表（含“实际完成值”“得分”）；"
        "申报表请用 jixiao review 审核。"
    )
