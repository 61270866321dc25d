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


def read_project(book: Book, profile: Profile) -> Project:
    """Recognise the layout of ``book`` (project template or official national form) and read it."""
    from .read import official as read_official
    from .read import template as read_template

    if read_template.looks_like_template(book, profile):
        project = read_template.read(book, profile)
    elif read_official.looks_like_official(book, profile):
        project = read_official.read(book, profile)
    else:
        raise UnreadableFile(
            "未找到绩效自评内容：工作簿中既没有“绩效指标”等模板工作表，也没有“项目支出绩效自评表”格式的表格。"
            "请在区财政局下发的标准模板中填写后提交（空白模板可用 jixiao template 生成）。"
        )
    # what the file itself told us (trimmed sheets, formulas without values) comes first
    project.findings[:0] = getattr(book, "findings", [])
    return project


def evaluate_file(path: str, profile: Optional[Profile] = None) -> Result:
    """Read and score one workbook. Raises :class:`UnreadableFile` when it is not a usable workbook."""
    return open_and_evaluate(path, profile)[1]


def open_and_evaluate(path: str, profile: Optional[Profile] = None) -> tuple[Book, Result]:
    """Like :func:`evaluate_file`, also returning the Book so a writer need not read the file again."""
    profile = profile or load_profile()
    book = open_book(path)
    project = read_project(book, profile)
    return book, evaluate(project, profile)


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

SCOPE_NAMES = {"file": "工作簿内", "batch": "批量汇总", "refusal": "文件未读取"}


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
