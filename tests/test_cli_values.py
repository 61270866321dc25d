"""Issue #13 item 19: `score -o` naming the input is a usage error, the suggested name is never the
input's own, and the JSON `year` is a number or null."""
import hashlib
import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao_xlsx.cli import main

JIAHE = Path(__file__).resolve().parent.parent / "samples" / "jiahe-2022.xlsx"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def digest(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


@pytest.fixture
def book(tmp_path):
    p = tmp_path / "base.xlsx"
    shutil.copy(JIAHE, p)
    return p


def test_output_equal_to_input_is_a_usage_error(book, tmp_path, monkeypatch):
    before = digest(book)
    monkeypatch.chdir(tmp_path)
    for out in (book, "base.xlsx", "./base.xlsx", tmp_path / "sub" / ".." / "base.xlsx"):
        r = run("score", book, "-o", out)
        assert r.exit_code == 2, (out, r.output)
        assert "不能覆盖输入文件" in r.output and "base.scored.xlsx" in r.output
    assert digest(book) == before
    assert not (tmp_path / "base.scored.xlsx").exists()


@pytest.mark.skipif(not hasattr(os, "link"), reason="no hard links")
def test_output_that_is_the_input_under_another_name(book, tmp_path):
    other = tmp_path / "link.xlsx"
    try:
        os.link(book, other)
    except OSError:
        pytest.skip("hard links not supported here")
    before = digest(book)
    r = run("score", book, "-o", other)
    assert r.exit_code == 2 and "不能覆盖输入文件" in r.output
    assert digest(book) == before


@pytest.mark.parametrize("name", ["base.csv", "base.xls", "base"])
def test_wrong_suffix_never_suggests_the_input(book, tmp_path, name):
    r = run("score", book, "-o", tmp_path / name)
    assert r.exit_code == 2
    assert "如 base.scored.xlsx" in r.output and "如 base.xlsx" not in r.output


def test_wrong_suffix_suggests_the_xlsx_name_when_it_is_not_the_input(book, tmp_path):
    r = run("score", book, "-o", tmp_path / "结果.csv")
    assert r.exit_code == 2 and "如 结果.xlsx" in r.output


@pytest.mark.parametrize("typed,want", [(2022, 2022), ("2022年度", 2022), ("二〇二二年", None), ("去年", None)])
def test_json_year_is_a_number_or_null(book, tmp_path, typed, want):
    wb = openpyxl.load_workbook(book)
    ws = wb["项目信息"]
    r = next(r for r in range(1, 15) if ws.cell(r, 1).value == "年度")
    ws.cell(r, 2).value = typed
    wb.save(book)
    for cmd in ("check", "score"):
        args = [cmd, book, "--json"] + (["-o", tmp_path / "o.xlsx"] if cmd == "score" else [])
        res = run(*args)
        data = json.loads(res.output)
        assert data["year"] == want and (want is None or isinstance(data["year"], int)), data["year"]
