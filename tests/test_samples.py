"""The committed samples, end to end: read_template -> scoring, each total worked out by hand.

Formulas (spec): execution = round2(10 × min(执行/全年预算, 1)) (§3); 正向/等于 B < A: round2(w × B / A),
B ≥ A: w (§5); 反向-linear A < B < 2A: round2(w × (2A − B) / A), B ≥ 2A: 0 (§5); 等于 with A = 0: B ≤ 0 → w
else 0 (§5); 定性: a self score inside its band is the score, no self score gives the band default
(达成 100%, 部分达成 60%, 未达成 0%) (§6); round2 is half-up to 2 decimals, per row.
"""
from __future__ import annotations

import sys
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from jixiao_xlsx.read import template as read_template
from jixiao_xlsx.read.book import open_book
from jixiao_xlsx.rules.profile import load_profile

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(SAMPLES))
import make_samples  # noqa: E402

from jixiao_xlsx.rules import scoring  # noqa: E402


@pytest.fixture(scope="module")
def profile():
    return load_profile()


def _result(name, profile):
    project = read_template.read(open_book(SAMPLES / name), profile)
    return scoring.evaluate(project, profile)


def _row(ref: str) -> int:
    return int("".join(ch for ch in ref if ch.isdigit()))


def test_jiahe_2022(profile):
    """Spec §11.
    Execution: 100.00 / 100.00 = 1 → rate 1.0000; round2(10 × 1) = 10.00.
    Rows (sheet rows 3..12):
      3  ≥1部, B 1部, w 8: 1 ≥ 1 → 8.00
      4  ≥3个, B 3个, w 8: 3 ≥ 3 → 8.00
      5  ≥40个, B 40个, w 8: 40 ≥ 40 → 8.00
      6  =3个 (等于), B 3个, w 8: 3 ≥ 3 → 8.00
      7  定性 达成, no self score, w 9 → 100% → 9.00
      8  定性 达成, w 9 → 9.00
      9  定性 达成, w 10 → 10.00
      10 ≥5000人, B 超过5000人 → bound 5000 ≥ 5000 → 10.00 (hint ACTUAL_IS_BOUND)
      11 定性 达成, w 10 → 10.00
      12 定性 达成, w 10 → 10.00
    output = 8 × 4 + 9 × 2 = 50.00; effect = 10 × 3 = 30.00; satisfaction = 10.00
    total = 10.00 + 50.00 + 30.00 + 10.00 = 100.00 ≥ 90 → 优; 自评总分 100 = total → no SELF_TOTAL_DIFFERS.
    """
    r = _result("jiahe-2022.xlsx", profile)
    assert r.total == D("100.00") and r.grade == "优"
    assert r.budget.rate == D("1.0000") and r.budget.score == D("10.00")
    assert r.subtotals == {"output": D("50.00"), "effect": D("30.00"), "satisfaction": D("10.00")}
    assert [s.score for s in r.indicators] == [D(x) for x in ("8", "8", "8", "8", "9", "9", "10", "10", "10", "10")]
    (f,) = r.findings
    assert (f.code, f.severity, f.sheet) == ("ACTUAL_IS_BOUND", "提示", "绩效指标")
    row = next(s.indicator for s in r.indicators if s.level3 == "红旗坊累计接待参观人数")
    assert _row(f.cell) == row.row == 10
    assert r.errors == 0


def test_under_executed_good(profile):
    """(a) 良. Execution: 103.5 / 120 = 0.8625 → rate 0.8625; 10 × 0.8625 = 8.625 → 8.63.
    Rows:
      3  ≥5000人次, B 3600, w 10: 10 × 3600 / 5000 = 7.20
      4  ≥3个, B 2, w 7: 7 × 2 / 3 = 4.6667 → 4.67
      5  ≥95%, B 96%, w 10: 96 ≥ 95 → 10.00 (96 < 1.3 × 95, no over-achievement)
      6  时限 2022年12月31日前, B 2022-11-30 (date cell) → met → 达成, no self score → 8.00
      7  反向 ≤15元, B 14.2元, w 15: 14.2 ≤ 15 → 15.00
      8  ≥800人, B 600, w 15: 15 × 600 / 800 = 11.25
      9  定性 达成 with self score 13.50, w 15: band 12.00..15.00 → 13.50
      10 ≥90%, B 85%, w 10: 10 × 85 / 90 = 9.4444 → 9.44
    output = 7.20 + 4.67 + 10.00 + 8.00 + 15.00 = 44.87; effect = 11.25 + 13.50 = 24.75; satisfaction = 9.44
    total = 8.63 + 44.87 + 24.75 + 9.44 = 87.69 → 良 (80 ≤ 87.69 < 90); 自评总分 87.69 agrees.
    Allocations 80 + 40 = 120 = 全年预算数, 70 + 33.5 = 103.5 = 全年执行数; notes filled → no findings.
    """
    r = _result("under-executed-2022.xlsx", profile)
    assert r.budget.rate == D("0.8625") and r.budget.score == D("8.63")
    assert [s.score for s in r.indicators] == [D(x) for x in ("7.20", "4.67", "10", "8", "15", "11.25", "13.50", "9.44")]
    assert r.subtotals == {"output": D("44.87"), "effect": D("24.75"), "satisfaction": D("9.44")}
    assert r.total == D("87.69") and r.grade == "良"
    assert [f.code for f in r.findings] == []


def test_reverse_and_partly_middle(profile):
    """(b) 中. Execution: 48 / 50 = 0.96 → 10 × 0.96 = 9.60.
    Rows:
      3  ≥40个, B 24, w 10: 10 × 24 / 40 = 6.00
      4  ≥20场, B 12, w 10: 10 × 12 / 20 = 6.00
      5  ≥90%, B 63%, w 10: 10 × 63 / 90 = 7.00
      6  反向 ≤90元, B 99元, w 8: 90 < 99 < 180 → 8 × (180 − 99) / 90 = 8 × 81 / 90 = 7.20
      7  定性 部分达成, no self score, w 12 → default 60% → 7.20
      8  ≥80%, B 68%, w 15: 15 × 68 / 80 = 12.75
      9  ≥5吨, B 7吨, w 8: 7 ≥ 5 → 8.00; 7 ≥ 1.30 × 5 = 6.5 and no note → hint OVER_ACHIEVEMENT_UNEXPLAINED
      10 定性 部分达成 with self score 5.00, w 7: band 4.20 ≤ s < 5.60 → 5.00
      11 ≥90%, B 75%, w 10: 10 × 75 / 90 = 8.3333 → 8.33
    output = 6.00 + 6.00 + 7.00 + 7.20 + 7.20 = 33.40; effect = 12.75 + 8.00 + 5.00 = 25.75; satisfaction 8.33
    total = 9.60 + 33.40 + 25.75 + 8.33 = 77.08 → 中 (60 ≤ 77.08 < 80).
    """
    r = _result("reverse-partly-2022.xlsx", profile)
    assert r.budget.rate == D("0.9600") and r.budget.score == D("9.60")
    by_name = {s.level3: s for s in r.indicators}
    assert by_name["每份宣传物料单价"].kind == "reverse" and by_name["每份宣传物料单价"].score == D("7.20")
    assert by_name["督导工作规范化程度"].score == D("7.20")
    assert by_name["长效督导机制"].score == D("5.00")
    assert [s.score for s in r.indicators] == [
        D(x) for x in ("6", "6", "7", "7.20", "7.20", "12.75", "8", "5", "8.33")]
    assert r.subtotals == {"output": D("33.40"), "effect": D("25.75"), "satisfaction": D("8.33")}
    assert r.total == D("77.08") and r.grade == "中"
    (f,) = r.findings
    assert (f.code, f.severity, _row(f.cell)) == ("OVER_ACHIEVEMENT_UNEXPLAINED", "提示", 9)


def test_poor(profile):
    """(c) 差. Execution: 90 / 200 = 0.45 → 10 × 0.45 = 4.50.
    Rows:
      3  ≥10个, B 4, w 15: 15 × 4 / 10 = 6.00
      4  等于 =100%, B 80%, w 10: 10 × 80 / 100 = 8.00
      5  定性 未达成, no self score, w 10 → default 0% → 0.00
      6  反向 ≤20万元, B 45万元, w 15: 45 ≥ 2 × 20 = 40 → 0.00
      7  ≥2000户, B 900, w 10: 10 × 900 / 2000 = 4.50
      8  等于 =0起, B 1起, w 10: A = 0, B > 0 → 0.00
      9  定性 部分达成 with self score 6.50, w 10: band 6.00 ≤ s < 8.00 → 6.50
      10 ≥90%, B 60%, w 10: 10 × 60 / 90 = 6.6667 → 6.67
    output = 6.00 + 8.00 + 0.00 + 0.00 = 14.00; effect = 4.50 + 0.00 + 6.50 = 11.00; satisfaction 6.67
    total = 4.50 + 14.00 + 11.00 + 6.67 = 36.17 → 差 (< 60); 自评总分 85 ≠ 36.17 → hint SELF_TOTAL_DIFFERS.
    """
    r = _result("poor-2022.xlsx", profile)
    assert r.budget.rate == D("0.4500") and r.budget.score == D("4.50")
    assert [s.score for s in r.indicators] == [D(x) for x in ("6", "8", "0", "0", "4.50", "0", "6.50", "6.67")]
    assert [s.rule for s in r.indicators][5] == "equal-zero-target"
    assert r.subtotals == {"output": D("14.00"), "effect": D("11.00"), "satisfaction": D("6.67")}
    assert r.total == D("36.17") and r.grade == "差"
    (f,) = r.findings
    assert (f.code, f.severity, f.sheet, f.cell) == ("SELF_TOTAL_DIFFERS", "提示", "项目信息", "B10")


def _values(path):
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


@pytest.mark.parametrize("name", sorted(make_samples.SAMPLES))
def test_committed_samples_match_script(tmp_path, name):
    make_samples.main(tmp_path)
    assert _values(SAMPLES / name) == _values(tmp_path / name)


def test_samples_folder_holds_only_what_the_scripts_write(tmp_path):
    """samples/ is what clerks download: the script's workbooks, the district set, the two scripts —
    no stray file (24 review variants once slipped in unnoticed)."""

    def kept(p: Path) -> bool:  # what git keeps (.gitignore: lock files, scored workbooks, caches)
        return not (p.name.startswith("~$") or p.name.endswith(".scored.xlsx") or "__pycache__" in p.parts)

    top = sorted(p.name for p in SAMPLES.iterdir() if kept(p))
    # declarations/ (issue #16) is checked the same way in tests/test_declaration_samples.py
    assert top == sorted([*make_samples.SAMPLES, "district", "declarations", "make_samples.py"])
    sys.path.insert(0, str(SAMPLES / "district"))
    try:
        import make_district
    finally:
        sys.path.remove(str(SAMPLES / "district"))
    out = tmp_path / "district"
    out.mkdir()
    make_district.build(out)
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and kept(p))
    bundled = sorted(p.relative_to(SAMPLES / "district").as_posix() for p in (SAMPLES / "district").rglob("*")
                     if p.is_file() and kept(p))
    assert bundled == sorted(written + ["make_district.py"])
