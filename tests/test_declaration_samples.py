"""`jixiao review` end to end: the committed sample declarations, the CLI (text, --json, exit codes),
the review workbook, the declaration template (issue #16)."""
import json
import shutil
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao_xlsx.cli import main
from jixiao_xlsx.declarations import review_file
from jixiao_xlsx.read.book import open_book
from jixiao_xlsx.read.declaration import looks_like_declaration, read_declarations
from jixiao_xlsx.rules.profile import load_profile

ROOT = Path(__file__).resolve().parents[1]
DECL = ROOT / "samples" / "declarations"
sys.path.insert(0, str(DECL))
import make_declarations as MD  # noqa: E402

sys.path.remove(str(DECL))
P = load_profile()


@pytest.fixture(scope="module")
def run_json():
    r = CliRunner().invoke(main, ["review", str(DECL), "--json"])
    return r.exit_code, json.loads(r.output)


def _values(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_committed_declarations_match_script(tmp_path):
    written = MD.main(tmp_path)
    assert sorted(p.name for p in DECL.iterdir() if p.suffix == ".xlsx") == sorted(p.name for p in written)
    for p in written:
        assert _values(DECL / p.name) == _values(p)
    assert sorted(p.name for p in DECL.iterdir() if "__pycache__" not in p.name) == sorted(
        [p.name for p in written] + ["make_declarations.py"])


def test_review_names_every_planted_defect_at_its_cell(run_json):
    code, out = run_json
    assert code == 1
    found = {(Path(p["file"]).name, f["sheet"], f["cell"], f["code"]) for p in out["projects"] for f in p["findings"]}
    for planted in MD.PLANTED:
        assert planted in found, planted


def test_review_finds_nothing_else_on_the_flawed_sheets(run_json):
    _, out = run_json
    planted = {(f, s, c, k) for f, s, c, k in MD.PLANTED}
    extra = []
    for p in out["projects"]:
        for f in p["findings"]:
            key = (Path(p["file"]).name, f["sheet"], f["cell"], f["code"])
            if key not in planted and f["code"] != "DECL_TARGET_NO_COMPARATOR":
                extra.append(key)
    # D12's bare 50 also lacks a comparator, E15 "≥120%" is fine otherwise: only these hints ride along
    assert extra == []


def test_clean_projects_pass(run_json):
    _, out = run_json
    by = {(Path(p["file"]).name, p["sheet"]): p for p in out["projects"]}
    for f, s in MD.CLEAN:
        assert by[(f, s)]["findings"] == [] and by[(f, s)]["conclusion"] == "通过"
    assert len(out["projects"]) == 6


def test_json_shape_and_totals(run_json):
    _, out = run_json
    p = next(p for p in out["projects"] if p["sheet"] == "社区卫生服务")
    assert p["project"] == "社区家庭医生签约服务" and p["unit"] == "某街道社区卫生服务中心"
    assert p["amount"] == 20  # 200000 元 under a （元） label = 20 万元
    f = out["projects"][1]["findings"][0]
    assert set(f) == {"severity", "code", "level", "sheet", "cell", "message"}
    t = out["totals"]
    assert t["projects"] == 6 and t["conclusions"] == {"通过": 3, "修改后通过": 1, "退回": 2}
    assert t["errors"] == sum(p["errors"] for p in out["projects"])


def test_text_output_and_workbook(tmp_path):
    out = tmp_path / "审核意见.xlsx"
    r = CliRunner().invoke(main, ["review", str(DECL), "-o", str(out)])
    assert r.exit_code == 1
    assert "垃圾分类宣传!D13 DECL_TARGET_PLACEHOLDER（适当性）" in r.output
    assert "共审核 6 个项目：通过 3 个，修改后通过 1 个，退回 2 个" in r.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["审核结论", "问题清单", "常见问题", "说明"]
    ws = wb["审核结论"]
    head = [c.value for c in ws[1]]
    assert head[:4] == ["序号", "单位", "项目", "本年度金额（万元）"] and "完整性错误" in head and head[-3] == "审核结论"
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(rows) == 6 and ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert ws.cell(2, 4).number_format == "#,##0.00"
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    findings = list(wb["问题清单"].iter_rows(min_row=2, values_only=True))
    assert len(findings) == 23  # 15 errors + 8 hints, as printed
    top = list(wb["常见问题"].iter_rows(min_row=2, values_only=True))
    # ≥ on a reverse indicator and placeholders are in 2 of the 6 projects (2 findings each); ties by code
    assert [r[1] for r in top[:2]] == ["DECL_DIRECTION_WRONG", "DECL_TARGET_PLACEHOLDER"]
    assert top[0][4:] == (2, pytest.approx(2 / 6), 2)
    assert sum(r[6] for r in top) == 23


def test_clean_file_exits_0(tmp_path):
    MD.main(tmp_path)
    src = tmp_path / MD.A_FILE
    book = open_book(str(src))
    assert looks_like_declaration(book)
    from jixiao_xlsx.write.declaration_template import write_declaration_template
    clean = [p for p in MD.street_a() if p["sheet"] in ("长者饭堂", "社区图书室")]
    write_declaration_template(tmp_path / "clean.xlsx", clean, year=2024)
    r = CliRunner().invoke(main, ["review", str(tmp_path / "clean.xlsx")])
    assert r.exit_code == 0, r.output


def test_self_evaluation_gets_one_line():
    r = CliRunner().invoke(main, ["review", str(ROOT / "samples" / "jiahe-2022.xlsx")])
    assert r.exit_code == 1
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "jixiao check" in lines[0] and "自评表" in lines[0]
    (rv,) = review_file(str(ROOT / "samples" / "jiahe-2022.xlsx"), P)
    assert rv.findings[0].code == "DECL_IS_SELF_EVALUATION" and not looks_like_declaration(
        open_book(str(ROOT / "samples" / "jiahe-2022.xlsx")))


def test_not_a_declaration_and_unreadable(tmp_path):
    bad = tmp_path / "note.xlsx"
    bad.write_text("not a workbook")
    (rv,) = review_file(str(bad), P)
    assert rv.findings[0].code == "DECL_NOT_FOUND" and rv.conclusion == "退回"


def test_usage_errors(tmp_path):
    r = CliRunner().invoke(main, ["review", str(tmp_path / "missing")])
    assert r.exit_code == 2
    r = CliRunner().invoke(main, ["review", str(DECL), "-o", str(tmp_path / "x.csv")])
    assert r.exit_code == 2
    r = CliRunner().invoke(main, ["review"])
    assert r.exit_code == 2


def test_output_never_overwrites_an_input(tmp_path):
    d = tmp_path / "in"
    shutil.copytree(DECL, d)
    target = d / MD.A_FILE
    before = target.read_bytes()
    r = CliRunner().invoke(main, ["review", str(target), "-o", str(target)])
    assert r.exit_code == 2 and "与输入文件相同" in r.stderr and target.read_bytes() == before
    # an input found in a folder is protected too (the review of the folder is written elsewhere)
    r = CliRunner().invoke(main, ["review", str(d), "-o", str(d / "审核意见.xlsx")])
    assert r.exit_code == 1 and target.read_bytes() == before and (d / "审核意见.xlsx").exists()
    # an earlier 审核意见 is replaced; a clerk's workbook at the output path is not
    r = CliRunner().invoke(main, ["review", str(target), "-o", str(d / "审核意见.xlsx")])
    assert r.exit_code == 1
    other = d / MD.B_FILE
    r = CliRunner().invoke(main, ["review", str(target), "-o", str(other)])
    assert r.exit_code == 2 and "不是 jixiao 生成的审核意见" in r.stderr
    # run again: the earlier 审核意见 in the folder is not taken for a declaration
    r = CliRunner().invoke(main, ["review", str(d), "--json"])
    assert len(json.loads(r.stdout)["projects"]) == 6


def test_declaration_template_reads_back(tmp_path):
    out = tmp_path / "申报表.xlsx"
    r = CliRunner().invoke(main, ["template", "--declaration", str(out)])
    assert r.exit_code == 0 and out.exists()
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    assert wb.sheetnames == ["申报表", "填表说明"]
    assert ws.freeze_panes == "A3" and ws.page_setup.paperSize == 9
    assert len(ws.data_validations.dataValidation) >= 3  # 一级, 二级, amounts
    (d,) = read_declarations(open_book(str(out)))
    assert d.table_found and d.indicators == [] and set(d.fields) >= {"name", "annual_goal", "year_amount"}
    r = CliRunner().invoke(main, ["template", "--declaration", str(out)])
    assert r.exit_code == 2  # exists: not overwritten without --force


def test_no_self_evaluation_sample_looks_like_a_declaration():
    """`check`/`score` may call looks_like_declaration: it must never claim a self-evaluation."""
    from jixiao_xlsx.read.book import UnreadableFile

    seen = 0
    for f in sorted((ROOT / "samples").rglob("*.xls*")) + sorted((ROOT / "input_templates").glob("*.xlsx")):
        try:
            book = open_book(str(f))
        except UnreadableFile:
            continue
        assert looks_like_declaration(book) == (f.parent == DECL), f
        seen += 1
    assert seen >= 10


def test_bad_review_section_is_a_usage_error(tmp_path):
    rules = tmp_path / "my.toml"
    rules.write_text('extends = "national-2020"\n[review]\nvague_words = "提升"\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["review", str(DECL), "--rules", str(rules)])
    assert r.exit_code == 2 and "review.vague_words" in r.stderr
    # a bureau's own word list is used: without 明显/提升 as vague words D14 becomes a 定性 hint
    rules.write_text('extends = "national-2020"\n[review]\nvague_words = ["及时"]\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["review", str(DECL / MD.A_FILE), "--rules", str(rules), "--json"])
    codes = {(f["cell"], f["code"]) for p in json.loads(r.stdout)["projects"] for f in p["findings"]
             if p["sheet"] == "垃圾分类宣传"}
    assert ("D14", "DECL_TARGET_QUALITATIVE") in codes and ("D15", "DECL_TARGET_VAGUE") in codes
