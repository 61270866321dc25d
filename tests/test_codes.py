"""One finding catalogue, visible: `jixiao codes`, docs/codes.md generated from it, and no code in the
package source that the catalogue does not know."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from click.testing import CliRunner

from jixiao_xlsx import CATALOGUE
from jixiao_xlsx.api import codes_markdown
from jixiao_xlsx.cli import main

PACKAGE = Path(__file__).resolve().parents[1] / "jixiao_xlsx"
CODE_LIKE = re.compile(r"[A-Z][A-Z0-9_]{4,}")
# Upper-case string literals of the package that are not finding codes, each with what it is.
NOT_CODES = {
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ": "column letters (read/book.py)",
    "CATALOGUE": "a public name of the package (__init__.py)",
    "FILE_ATTRIBUTE_HIDDEN": "a Windows stat constant looked up by name (inputs.py)",
    "SC_PAGE_SIZE": "an os.sysconf name (read/book.py)",
    "SOURCE_DATE_EPOCH": "an environment variable (batch.py)",
    "WORKBOOK": "an OLE stream name of .xls files (read/book.py)",
    "JIXIAO_DEBUG": "an environment variable (web/app.py)",
    "F2F2F2": "a fill colour of Word tables (write/brief.py, write/report_table.py)",
    "KIND_ZH": "a module name re-exported in __all__ (rules/scoring.py)",
    "RATE_PLACES": "a module name re-exported in __all__ (rules/scoring.py)",
    "WPS_ET": "a message constant re-exported in __all__ (read/book.py)",
    "NUMBERS": "a message constant re-exported in __all__ (read/book.py)",
    "LOCK_FILE": "a message constant re-exported in __all__ (read/book.py)",
}
# Modules allowed to build a Finding(...) directly instead of findings.make: none.
DIRECT_FINDINGS_ALLOWED: set = set()


def _literals():
    """{code-like string literal: {module}} over the package source."""
    found: dict = {}
    for p in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE_LIKE.fullmatch(node.value):
                found.setdefault(node.value, set()).add(p.relative_to(PACKAGE).as_posix())
    return found


def test_every_code_in_the_source_is_in_the_catalogue():
    found = _literals()
    unknown = {code: sorted(where) for code, where in found.items() if code not in CATALOGUE and code not in NOT_CODES}
    assert not unknown, f"codes missing from findings.CATALOGUE (or add them to NOT_CODES with a reason): {unknown}"
    assert set(CATALOGUE) <= set(found), "a catalogue entry no module emits"
    # the check sees a code written in a module: the catalogue's own codes are literals of findings.py
    assert "findings.py" in found["DUPLICATE_PROJECT"]


def test_findings_are_made_through_the_catalogue():
    direct = set()
    for p in PACKAGE.rglob("*.py"):
        rel = p.relative_to(PACKAGE).as_posix()
        if rel == "findings.py":
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Finding":
                direct.add(rel)
    assert direct <= DIRECT_FINDINGS_ALLOWED, f"use findings.make instead of Finding(...) in {sorted(direct)}"


def test_catalogue_entries_are_complete():
    for code, c in CATALOGUE.items():
        assert c.severity in ("错误", "提示"), code
        assert isinstance(c.blocks, bool) and c.scope in ("file", "batch", "refusal", "review"), code
        assert re.search(r"[\u4e00-\u9fff]", c.description) and "\n" not in c.description, code


def test_jixiao_codes_json_lists_the_catalogue():
    res = CliRunner().invoke(main, ["codes", "--json"])
    assert res.exit_code == 0
    rows = json.loads(res.output)
    assert [r["code"] for r in rows] == list(CATALOGUE)
    budget = next(r for r in rows if r["code"] == "BUDGET_ZERO")
    assert budget == {"code": "BUDGET_ZERO", "severity": "错误", "blocks": True,
                      "description": CATALOGUE["BUDGET_ZERO"].description, "scope": "file"}


def test_jixiao_codes_text_has_a_line_per_code():
    res = CliRunner().invoke(main, ["codes"])
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert lines[0].split()[:4] == ["代码", "严重程度", "是否阻断", "范围"]
    assert len(lines) == 1 + len(CATALOGUE)
    dup = next(line for line in lines if line.startswith("DUPLICATE_PROJECT "))
    assert dup.split()[1:4] == ["提示", "否", "批量汇总"]


def test_docs_table_is_the_catalogue(repo_root):
    """docs/codes.md is generated (`jixiao codes --markdown > docs/codes.md`); regenerate it after a change."""
    text = (repo_root / "docs" / "codes.md").read_text(encoding="utf-8")
    assert text == codes_markdown(), "docs/codes.md is stale: run  jixiao codes --markdown > docs/codes.md"
    res = CliRunner().invoke(main, ["codes", "--markdown"])
    assert res.output == text
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == len(CATALOGUE)
    assert "| `BUDGET_ZERO` | 错误 | 是 | 工作簿内 |" in text
