"""The library's front door: read -> check -> score -> write, one direction, no click.

``evaluate_file`` is what ``jixiao check``, ``jixiao score`` and ``jixiao batch`` all call, so
one workbook gets the same numbers and findings whichever command the user runs.
"""
from __future__ import annotations

from typing import Optional

from .read.book import Book, UnreadableFile, open_book
from .model import Project, Result
from .rules.profile import Profile, load_profile
from .rules.scoring import evaluate


def read_project(book: Book, profile: Profile, sheet: Optional[str] = None) -> Project:
    """Recognise the layout of ``book`` (project template or official national form) and read it.

    ``sheet``: the project sheet to read in a workbook holding several (see :func:`project_sheets`);
    without it such a workbook is read from its first project sheet, with a hint naming the others.
    Raises :class:`UnreadableFile` (:class:`~jixiao_xlsx.read.sheets.NotSelfEvaluation` for a
    绩效目标申报表) when the workbook holds no self-evaluation.
    """
    from .read import official as read_official
    from .read import sheets as read_sheets
    from .read import template as read_template

    if sheet is not None:
        many = project_sheets(book, profile)
        if sheet not in many:
            where = f"本工作簿中的项目工作表有：{'、'.join(many)}" if many else "本工作簿只含一个项目，不用 --sheet 即可"
            raise UnreadableFile(f"工作簿中没有名为“{sheet}”的项目自评表工作表；{where}。")
        project = read_official.read(book, profile, sheet)
    elif read_template.looks_like_template(book, profile):
        project = read_template.read(book, profile)
        if _info_sheet_missing(project) and read_sheets.split_form(book, profile):
            project = read_official.read(book, profile)  # the national form split over two sheets
    elif read_official.looks_like_official(book, profile):
        ind, _funds = read_sheets.pick(book, profile)
        if ind is not None and ind.other_form:  # only a 申报表 / 监控表 … : never scored as a self-evaluation
            _refuse_declaration(book, profile)
            raise read_sheets.refuse_other(ind)
        project = read_official.read(book, profile)
        many = read_sheets.project_sheets(book, profile)
        if len(many) > 1:
            project.findings.insert(0, _several_projects(many))
    else:
        _refuse_declaration(book, profile)
        raise UnreadableFile(
            "未找到绩效自评内容：工作簿中既没有“绩效指标”等模板工作表，也没有“项目支出绩效自评表”格式的表格。"
            "请在区财政局下发的标准模板中填写后提交（空白模板可用 jixiao template 生成）。",
            "FILE_NO_EVALUATION",
        )
    if all(i.actual.blank for i in project.indicators):
        _refuse_declaration(book, profile)  # no 实际完成值 anywhere: perhaps the declaration form
    # what the file itself told us (trimmed sheets, formulas without values) comes first
    project.findings[:0] = getattr(book, "findings", [])
    return project


def project_sheets(book: Book, profile: Profile) -> list:
    """Names of the sheets that each hold a whole self-evaluation (one project each): more than one
    when a budget system exported a unit's projects into one workbook."""
    from .read import sheets as read_sheets

    return [s.name for s in read_sheets.project_sheets(book, profile)]


def _info_sheet_missing(project: Project) -> bool:
    from . import layout as L

    return any(f.code == "SHEET_MISSING" and f.sheet == L.INFO_SHEET for f in project.findings)


def _refuse_declaration(book: Book, profile: Profile) -> None:
    from .read import sheets as read_sheets

    title = read_sheets.declaration(book, profile)
    if title is not None:
        raise read_sheets.refuse_declaration(title)


def _several_projects(sheets: list):
    from . import findings as F

    names = "、".join(f"“{s.name}”" for s in sheets[:8]) + (f"等{len(sheets)}个" if len(sheets) > 8 else "")
    return F.make(
        "MULTIPLE_PROJECTS", None,
        f"本工作簿含{len(sheets)}个项目的自评表（工作表{names}），本次只核查第一个“{sheets[0].name}”；"
        f"其他项目请加 --sheet 工作表名 逐个核查，或用 jixiao batch 一次汇总全部项目。",
        sheet=sheets[0].name)


# A column missing from the header leaves every row's cell of that column blank and unaddressed: the
# scorer would add one finding per row for it. The COLUMN_MISSING finding is the one problem to report.
_PER_ROW_CODES = {
    "实际完成值": ("ACTUAL_MISSING",),
    "年度指标值": ("TARGET_MISSING",),
    "分值": ("WEIGHT_INVALID",),
    "三级指标": ("INDICATOR_NAME_MISSING",),
    "一级指标": ("LEVEL1_UNKNOWN",),
    "二级指标": ("LEVEL2_UNKNOWN",),
}


def _one_finding_per_problem(result: Result) -> Result:
    codes = {(sheet, code) for sheet, header in result.project.missing_columns
             for code in _PER_ROW_CODES.get(header, ())}
    if codes:
        result.findings = [f for f in result.findings if not (f.cell == "" and (f.sheet, f.code) in codes)]
    return result


def evaluate_file(path: str, profile: Optional[Profile] = None, sheet: Optional[str] = None) -> Result:
    """Read and score one workbook. Raises :class:`UnreadableFile` when it is not a usable workbook."""
    return open_and_evaluate(path, profile, sheet)[1]


def open_and_evaluate(path: str, profile: Optional[Profile] = None,
                      sheet: Optional[str] = None) -> tuple[Book, Result]:
    """Like :func:`evaluate_file`, also returning the Book so a writer need not read the file again."""
    profile = profile or load_profile()
    book = open_book(path)
    return book, evaluate_book(book, profile, sheet)


def evaluate_book(book: Book, profile: Optional[Profile] = None, sheet: Optional[str] = None) -> Result:
    """Score a workbook already read (``sheet``: one project sheet of a workbook that holds several)."""
    profile = profile or load_profile()
    return _one_finding_per_problem(evaluate(read_project(book, profile, sheet), profile))


def write_scored_file(result: Result, out, profile: Optional[Profile] = None, book: Optional[Book] = None):
    """Write the scored workbook for ``result`` to ``out`` atomically; never onto the input."""
    from .write.output import atomic_path
    from .write.scored import write_scored

    profile = profile or load_profile()
    if book is None:
        book = open_book(result.project.source)
    with atomic_path(out, protect=[result.project.source]) as tmp:
        write_scored(result, book, tmp, profile)
    return out


# -- the finding catalogue, for `jixiao codes` and docs/codes.md ---------------------------------

SCOPE_NAMES = {"file": "工作簿内", "batch": "批量汇总", "refusal": "文件未读取", "review": "申报表审核"}


def finding_codes() -> list[dict]:
    """Every code the tool can emit, in catalogue order: ``{"code", "severity", "blocks",
    "description", "scope"}`` (severity 错误/提示; scope file/batch/refusal)."""
    from .findings import CATALOGUE

    return [
        {"code": code, "severity": c.severity, "blocks": c.blocks, "description": c.description, "scope": c.scope}
        for code, c in CATALOGUE.items()
    ]


def codes_markdown() -> str:
    """The catalogue as the Markdown table of docs/codes.md (a test checks that file against it)."""
    lines = [
        "# 问题代码一览（finding codes）",
        "",
        "由 `jixiao codes --markdown` 生成，请勿手工修改；`tests/test_codes.py` 检查本表与代码中的目录一致。",
        "",
        "| 代码 | 严重程度 | 是否阻断 | 范围 | 说明 |",
        "|---|---|---|---|---|",
    ]
    for c in finding_codes():
        desc = c["description"].replace("|", "\\|")
        lines.append(f"| `{c['code']}` | {c['severity']} | {'是' if c['blocks'] else '否'} | "
                     f"{SCOPE_NAMES.get(c['scope'], c['scope'])} | {desc} |")
    return "\n".join(lines) + "\n"
