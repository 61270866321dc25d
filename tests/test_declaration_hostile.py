"""`jixiao review` over every bad workbook of tests/support/badbooks.py (issue #4's set) and over
declarations with hostile content: no traceback, exit 0/1, every file answered, inputs untouched."""
import hashlib
import json

from click.testing import CliRunner

from jixiao_xlsx.cli import main
from jixiao_xlsx.read.book import Sheet
from jixiao_xlsx.read.declaration import read_sheet
from jixiao_xlsx.rules.profile import load_profile
from jixiao_xlsx.rules.review import review_declaration
from tests.support import badbooks


def test_review_over_the_bad_workbooks(tmp_path):
    # the slow-to-build ones (junk rows, bombs, far cells) test the shared reader, already run by test_hostile
    slow = ("junk", "bomb", "far_cell", "percent_format", "write_protected")
    names = {c.name for c in badbooks.cases() if c.needs != "soffice" and not any(w in c.name for w in slow)}
    badbooks.build_all(tmp_path, names=names)
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir() if p.is_file()}
    res = CliRunner().invoke(main, ["review", str(tmp_path), "--json"], catch_exceptions=True)
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output + res.stderr and "内部错误" not in res.output + res.stderr
    assert res.exit_code == 1  # self-evaluations and broken files: none is a declaration
    out = json.loads(res.stdout)
    answered = {p["file"] for p in out["projects"]}
    assert len(answered) >= len(names) - 2  # (a lock file and a non-workbook name are skipped by discovery)
    assert {f["code"] for p in out["projects"] for f in p["findings"]} <= {"DECL_IS_SELF_EVALUATION", "DECL_NOT_FOUND"}
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir() if p.is_file()}
    assert before == after


def test_hostile_content_in_a_declaration():
    P = load_profile()
    long = "提升" * 50000
    g = [["项目支出绩效目标申报表"], ["项目名称", "=HYPERLINK(\"x\")"], ["本年度项目金额（万元）", "1e308"],
         ["年度目标", long], ["长期目标", long],
         ["一级指标", "二级指标", "三级指标", "指标值", "指标解释"],
         ["产出指标", "数量指标", "x", "≥1e400个", ""], ["产出指标", "成本指标", "y", "≤99999999999999999999万元", ""],
         ["产出指标", "时效指标", "z", "2024年2月30日前", ""], ["产出指标", "质量指标", "w", float("nan"), ""],
         [True, None, 3, "≥-0%", ""]]
    rv = review_declaration(read_sheet(Sheet("s", g)), P)
    assert rv.conclusion == "退回" and all(len(f.message) < 400 for f in rv.findings)
