"""The commands a clerk types: exit codes, messages, default output names, never touching the input."""
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao_xlsx.cli import main
from jixiao_xlsx.write.template import write_template

ROOT = Path(__file__).resolve().parent.parent
JIAHE = ROOT / "samples" / "jiahe-2022.xlsx"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def digest(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


@pytest.fixture
def jiahe(tmp_path):
    p = tmp_path / "嘉禾街.xlsx"
    shutil.copy(JIAHE, p)
    return p


def test_check_clean_file_exits_0_and_names_the_cell(jiahe):
    r = run("check", jiahe)
    assert r.exit_code == 0
    assert "[提示] 绩效指标!G10 ACTUAL_IS_BOUND" in r.output


def test_check_json(jiahe):
    r = run("check", jiahe, "--json")
    d = json.loads(r.output)
    # spec §11: 10 + 50 + 30 + 10 = 100 → 优, rate 100/100 = 1
    assert d["total"] == 100 and d["grade"] == "优" and d["budget"]["rate"] == 1
    assert [f["code"] for f in d["findings"]] == ["ACTUAL_IS_BOUND"]


def test_score_writes_default_name_and_keeps_input(jiahe):
    before = digest(jiahe)
    r = run("score", jiahe)
    out = jiahe.with_name("嘉禾街.scored.xlsx")
    assert r.exit_code == 0 and out.exists() and "总分 100.00，等级 优" in r.output
    assert digest(jiahe) == before
    assert not [p for p in jiahe.parent.iterdir() if p.name.startswith(".~jixiao")]  # no temp file left


def test_score_refuses_to_overwrite_input(jiahe):
    before = digest(jiahe)
    r = run("score", jiahe, "-o", jiahe)
    assert r.exit_code == 2 and "不能覆盖输入文件" in r.output  # a usage error (issue #13 item 19)
    assert digest(jiahe) == before


def test_score_json_to_stdout(jiahe, tmp_path):
    r = run("score", jiahe, "-o", tmp_path / "o.xlsx", "--json")
    d = json.loads(r.output)
    assert set(d) >= {"file", "unit", "department", "project", "year", "budget", "scores", "total", "grade",
                      "self_reported_total", "indicators", "findings"}
    assert d["scores"] == {"execution": 10, "output": 50, "effect": 30, "satisfaction": 10}
    assert (tmp_path / "o.xlsx").exists()


def blocked_workbook(path):
    """全年预算数 blank → BUDGET_MISSING blocks the total (spec §3)."""
    write_template(path, {
        "info": {"项目名称": "测试", "主管部门": "某局", "实施单位": "某街道", "年度": 2022},
        "funds": {"年度资金总额": (100, None, 100)},
        "allocations": [{"用途": "a", "拨付对象": "b", "计划金额": 100, "实际金额": 100}],
        "indicators": [{"一级指标": "产出指标", "二级指标": "数量指标", "三级指标": "x", "指标方向": "正向",
                        "年度指标值": "≥1个", "实际完成值": "1个", "分值": 50}],
    })


def test_blocking_error_exits_1_and_writes_nothing(tmp_path):
    src = tmp_path / "bad.xlsx"
    blocked_workbook(src)
    r = run("score", src)
    assert r.exit_code == 1
    assert "预算执行!C3 BUDGET_MISSING" in r.output and "未生成评分工作簿" in r.output
    assert not (tmp_path / "bad.scored.xlsx").exists()
    r = run("check", src)
    assert r.exit_code == 1


def test_unreadable_file_is_one_line_exit_1(tmp_path):
    p = tmp_path / "报告.xlsx"
    p.write_bytes(b"%PDF-1.4 not a workbook")
    r = run("check", p)
    assert r.exit_code == 1 and "Traceback" not in r.output and "PDF" in r.output


def test_usage_errors_exit_2_in_chinese(tmp_path, jiahe):
    for args in (("check",), ("score", jiahe, "--nonsense"), ("check", tmp_path), ("batch", tmp_path / "nothere", "-o",
                                                                                     tmp_path / "s.xlsx")):
        r = run(*args)
        assert r.exit_code == 2, args
        assert "用法错误" in r.output and "Error" not in r.output and "Usage" not in r.output, r.output
    bad = tmp_path / "rules.toml"
    bad.write_text('id = "x"\n', encoding="utf-8")
    r = run("check", jiahe, "--rules", bad)
    assert r.exit_code == 2 and "评分规则" in r.output
    r = run("check", jiahe, "--rules", tmp_path / "missing.toml")
    assert r.exit_code == 2


def test_usage_errors_say_what_to_type(tmp_path, jiahe):
    # no English from click, no doubled full stop, and the way out: the commands, the option meant, a value
    r = run("chek", jiahe)
    names = "、".join(sorted(main.list_commands(None)))  # batch、check、codes、score、template, and any added
    assert r.exit_code == 2 and f"可用的命令有 {names}。" in r.output and "No such" not in r.output
    assert {"batch", "check", "codes", "score", "template"} <= set(main.list_commands(None))
    r = run("score", jiahe, "--jsn")
    assert r.exit_code == 2 and "是否想输入 --json" in r.output
    for jobs in ("0", "abc"):
        r = run("batch", jiahe, "-o", tmp_path / "s.xlsx", "-j", jobs)
        assert r.exit_code == 2 and "请填写不小于1的整数，如 -j 2" in r.output and "range" not in r.output
    assert "。。" not in r.output and ".。" not in r.output


def test_rules_option_changes_scores(tmp_path, jiahe):
    # Hubei-style execution weight 20: 20 + 50 + 30 + 10 ≠ 100 under a fixed split → invalid profile, exit 2
    from jixiao_xlsx.rules.profile import PROFILE_DIR

    text = (PROFILE_DIR / "national-2020.toml").read_text(encoding="utf-8")
    p = tmp_path / "p.toml"
    p.write_text(text.replace("weight = 10        #", "weight = 20        #"), encoding="utf-8")
    r = run("check", jiahe, "--rules", p)
    assert r.exit_code == 2 and "execution.weight" in r.output


def test_template_command(tmp_path):
    out = tmp_path / "t.xlsx"
    r = run("template", out)
    assert r.exit_code == 0 and out.exists()


def test_template_never_overwrites_a_filled_workbook(jiahe):
    before = digest(jiahe)
    r = run("template", jiahe)
    assert r.exit_code == 2 and "已存在" in r.output and digest(jiahe) == before
    assert run("template", jiahe.with_suffix(".csv")).exit_code == 2
    assert run("template", jiahe, "--force").exit_code == 0 and digest(jiahe) != before


def test_many_findings_are_capped_in_text_output(tmp_path):
    from jixiao_xlsx import cli

    rows = [{"一级指标": "产出效果", "二级指标": "数量指标", "三级指标": f"x{i}", "年度指标值": "≥1个", "实际完成值": "1个",
             "分值": 1} for i in range(cli.MAX_PRINTED_FINDINGS + 5)]
    p = tmp_path / "many.xlsx"
    write_template(p, {"info": {"项目名称": "a", "主管部门": "b", "实施单位": "c", "年度": 2022},
                       "funds": {"年度资金总额": (1, 1, 1)}, "indicators": rows})
    r = run("check", p)
    assert r.exit_code == 1 and "未显示" in r.output
    assert r.output.count("LEVEL1_UNKNOWN") <= cli.MAX_PRINTED_FINDINGS


def test_python_dash_m_works_like_jixiao(jiahe):
    r = subprocess.run([sys.executable, "-m", "jixiao_xlsx", "check", str(jiahe)], capture_output=True, text=True,
                       cwd=ROOT)
    assert r.returncode == 0 and "ACTUAL_IS_BOUND" in r.stdout


def test_lock_file_named_as_such(tmp_path):
    lock = tmp_path / "~$嘉禾街.xlsx"
    lock.write_bytes(b"\x0bLi Si" + b"\x00" * 150)  # what Excel/WPS leave: the owner's name, padded
    r = run("check", lock)
    assert r.exit_code == 1 and "临时锁定文件" in r.output


@pytest.mark.parametrize("cmd,what", [("score", "评分工作簿"), ("batch", "汇总表")])
@pytest.mark.parametrize("name,hint", [("结果.xls", "结果.xlsx"), ("结果.csv", "结果.xlsx"), ("结果", "结果.xlsx")])
def test_output_must_be_xlsx(jiahe, tmp_path, cmd, what, name, hint):
    """An .xls or .csv name would hold an .xlsx that Excel/WPS warns about or refuses: say what to type."""
    out = tmp_path / name
    args = [cmd, jiahe, "-o", out]
    r = run(*args)
    assert r.exit_code == 2 and not out.exists()
    assert f"{what}文件名应以 .xlsx 结尾，如 {hint}" in r.output
    assert run(cmd, jiahe, "-o", tmp_path / "结果.XLSX").exit_code == 0  # the case does not matter
