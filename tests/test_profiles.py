"""Rules profiles as data: the bundled variants of spec §7.3 and the `extends` mechanism."""
from decimal import Decimal as D

import pytest

from jixiao_xlsx.api import evaluate_file
from jixiao_xlsx.rules.profile import ProfileError, bundled_profiles, load_profile
from jixiao_xlsx.rules.scoring import evaluate
from tests.support.memory import project, row

JIAHE = "samples/jiahe-2022.xlsx"


def test_bundled_profiles_load():
    assert {"national-2020", "hubei-style", "sichuan-style"} <= set(bundled_profiles())
    for name in bundled_profiles():
        assert load_profile(name).id == name


def test_hubei_style_jiahe(monkeypatch):
    # Hubei-style: execution 20 → 20 × 100/100 = 20.00; the ten indicators still earn 50 + 30 + 10 = 90,
    # so the total is 110.00 and the free split reports Σ 90 ≠ 100 − 20 = 80 (WEIGHT_TOTAL_MISMATCH).
    monkeypatch.chdir(__import__("pathlib").Path(__file__).resolve().parent.parent)
    res = evaluate_file(JIAHE, load_profile("hubei-style"))
    assert res.budget.score == D("20.00")
    assert "WEIGHT_TOTAL_MISMATCH" in {f.code for f in res.findings}
    assert res.total == D("110.00")


def test_hubei_style_partly_band_and_ratio():
    hubei = load_profile("hubei-style")
    # 部分达成, w = 7: band 50% ≤ s < 80% → 3.50 ≤ s < 5.60; self 5.00 is used, none gives the floor 3.50
    rows = [row(3, target="t", actual="x", direction="定性", band="部分达成", weight=7, self_score=5, note="n"),
            row(4, target="t", actual="x", direction="定性", band="部分达成", weight=7, note="n"),
            # reverse by ratio: 8 × 90 / 135 = 5.333 → 5.33
            row(5, level2="成本指标", target="≤90万元", actual="135万元", weight=8, direction="反向", note="n")]
    res = evaluate(project(rows), hubei)
    assert [s.score for s in res.indicators] == [D("5.00"), D("3.50"), D("5.33")]


def test_sichuan_style_jiahe_scores_100_with_its_fund_rows(monkeypatch):
    # free split: Σ 三级 = 90 = 100 − 10 → no weight finding; 当年财政拨款 is read as 财政资金
    monkeypatch.chdir(__import__("pathlib").Path(__file__).resolve().parent.parent)
    res = evaluate_file(JIAHE, load_profile("sichuan-style"))
    assert res.total == D("100.00") and res.grade == "优"
    assert [f.code for f in res.findings] == ["ACTUAL_IS_BOUND"]


def test_extends_a_file_and_overrides_one_value(tmp_path):
    (tmp_path / "cap.toml").write_text('extends = "national-2020"\nid = "cost-cap"\n[level2_caps]\n"成本指标" = 5\n',
                                       encoding="utf-8")
    (tmp_path / "strict.toml").write_text('extends = "cap.toml"\nid = "strict"\n[over_achievement]\nseverity = "错误"\n',
                                          encoding="utf-8")
    p = load_profile(str(tmp_path / "strict.toml"))
    assert p.id == "strict" and p.level2_caps == {"成本指标": D(5)} and p.over_severity == "错误"
    assert p.over_ratio == D("1.30") and p.execution_weight == D(10)  # everything else inherited


def test_extends_cycle_and_bad_toml_are_clear(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    with pytest.raises(ProfileError, match="循环"):
        load_profile(str(tmp_path / "a.toml"))
    (tmp_path / "bad.toml").write_text("id = \n", encoding="utf-8")
    with pytest.raises(ProfileError, match="第1行"):
        load_profile(str(tmp_path / "bad.toml"))


def test_grade_ranges_in_words_match_the_grade_boundaries():
    # national-2020: 优 ≥ 90, 良 80–<90, 中 60–<80, 差 < 60 (spec §8), one wording for 填表说明 and the report
    p = load_profile()
    assert p.grade_ranges() == ["优（90分及以上）", "良（80分及以上、低于90分）", "中（60分及以上、低于80分）", "差（低于60分）"]
