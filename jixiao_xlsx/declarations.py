"""Front door of ``jixiao review`` (issue #16): open each file, find its declaration sheets, review them.

I/O lives here (opening files, refusing what is not a declaration); reading is
:mod:`jixiao_xlsx.read.declaration`, the checks :mod:`jixiao_xlsx.rules.review` (pure), the workbook
:mod:`jixiao_xlsx.write.review`.  A file that cannot be reviewed becomes one row with one finding, so
the bureau's workbook lists it instead of losing it.
"""
from __future__ import annotations

from typing import Callable, Optional

from .read.book import UnreadableFile, open_book
from .read.declaration import read_declarations
from .rules.profile import Profile
from .rules.review import ProjectReview, refusal, review_declaration

REVIEW_SHEETS = ("审核结论", "问题清单")  # write/review.py's first two sheets
SELF_EVALUATION = "这是绩效自评表，不是绩效目标申报表；自评表请用 jixiao check（核查）或 jixiao score（评分）处理。"
NOT_FOUND = ("未找到绩效目标申报表：工作簿中没有“项目支出绩效目标申报表”标题，也没有“年度目标”“长期目标”“本年度项目金额”"
             "等栏目和绩效指标表。空白申报表可用 jixiao template --declaration 申报表.xlsx 生成。")


def review_book(book, profile: Profile) -> list:
    """Reviews of every declaration sheet of an open Book; a refusal row when there is none."""
    if book.names[:2] == list(REVIEW_SHEETS):  # an earlier 审核意见 workbook left in the folder: not an input
        return []
    decls = read_declarations(book)
    if decls:
        return [review_declaration(d, profile) for d in decls]
    from .read import official, template

    if template.looks_like_template(book, profile) or official.looks_like_official(book, profile):
        return [refusal(book.path, "DECL_IS_SELF_EVALUATION", SELF_EVALUATION, profile)]
    return [refusal(book.path, "DECL_NOT_FOUND", NOT_FOUND, profile)]


def review_file(path: str, profile: Profile) -> list:
    """:func:`review_book` of the file at ``path``; an unreadable file is one refusal row with its reason."""
    try:
        book = open_book(path)
    except UnreadableFile as e:
        return [refusal(str(path), "DECL_NOT_FOUND", e.reason, profile)]
    return review_book(book, profile)


def review_files(paths: list, profile: Profile,
                 on_error: Optional[Callable[[str, BaseException], str]] = None) -> list:
    """Reviews of all ``paths`` in order.  An unexpected exception in one file becomes a refusal row
    with the message ``on_error`` gives (the others are still reviewed)."""
    out: list[ProjectReview] = []
    for p in paths:
        try:
            out.extend(review_file(str(p), profile))
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as e:  # noqa: BLE001 - one bad file must not stop the review of the set
            msg = on_error(str(p), e) if on_error else f"处理时发生内部错误（{type(e).__name__}）。"
            out.append(refusal(str(p), "DECL_NOT_FOUND", msg, profile))
    return out


def is_review_workbook(path) -> bool:
    """An earlier 审核意见 of ``jixiao review`` (replaced without asking); anything else is kept."""
    from .read.book import open_book

    try:
        return open_book(str(path)).names[:2] == list(REVIEW_SHEETS)
    except UnreadableFile:
        return False
