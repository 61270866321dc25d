"""Every finding code of the catalogue, triggered by a real workbook and cited at the right cell.

Each case starts from the 嘉禾街 sample data (spec §11; indicator i sits on 绩效指标 row 3 + i, the funds
total on 预算执行 row 3 with 年初/全年预算/全年执行 in B/C/D, 项目名称 on 项目信息!B3, 自评总分 on B10,
the first allocation on 资金分配 row 3 with 计划金额 C / 实际金额 D), changes one thing, writes the
workbook with the template writer, reads it back from disk and checks the finding.
"""
import copy
import re

import openpyxl
import pytest

from jixiao_xlsx.api import evaluate_file
from jixiao_xlsx.findings import CATALOGUE
from jixiao_xlsx.rules.profile import load_profile, parse_profile
from jixiao_xlsx.write.template import write_template
from samples.make_samples import JIAHE

P = load_profile()


def _profile(**changes):
    data = copy.deepcopy(P.raw)
    data.update(changes)
    return parse_profile(data)


def ind(d, i, **kv):
    d["indicators"][i].update(kv)


def funds(d, total=(100, 100, 100), source=(100, 100, 100)):
    d["funds"]["年度资金总额"] = total
    d["funds"]["当年财政拨款"] = source


def drop_sheet(name):
    def edit(path):
        wb = openpyxl.load_workbook(path)
        del wb[name]
        wb.save(path)
    return edit


def set_cell(sheet, ref, value):
    def edit(path):
        wb = openpyxl.load_workbook(path)
        wb[sheet][ref] = value
        wb.save(path)
    return edit


def all_self_scores(d):
    """Self scores equal to the weights (so each band/numeric row agrees) plus an execution line of 10."""
    for r in d["indicators"]:
        r["自评得分"] = r["分值"]
    d["indicators"].append({"一级指标": "预算执行率", "三级指标": "预算执行率", "分值": 10, "自评得分": 10})
    d["info"]["自评总分"] = 95  # Σ self = 10 + 100 − 10 = 100 ≠ 95; computed 100 ≠ 95


# code: (change to the data, post-write edit or None, profile or None, sheet, cell)
CASES = {
    "REQUIRED_FIELD_MISSING": (lambda d: d["info"].update({"项目名称": None}), None, None, "项目信息", "B3"),
    "BUDGET_MISSING": (lambda d: funds(d, (100, None, 100), (100, None, 100)), None, None, "预算执行", "C3"),
    "BUDGET_ZERO": (lambda d: funds(d, (0, 0, 0), (0, 0, 0)), None, None, "预算执行", "C3"),
    "EXECUTION_MISSING": (lambda d: funds(d, (100, 100, None), (100, 100, None)), None, None, "预算执行", "D3"),
    "AMOUNT_NEGATIVE": (lambda d: funds(d, (100, 100, -3), (100, 100, -3)), None, None, "预算执行", "D3"),
    "EXECUTION_OVER_BUDGET": (lambda d: funds(d, (100, 100, 105), (100, 100, 105)), None, None, "预算执行", "D3"),
    # 1,000,000 typed in a 万元 column (the 100万元 project in 元): one hint, at the first such cell
    "AMOUNT_LOOKS_LIKE_YUAN": (lambda d: funds(d, (1000000, 1000000, 1000000), (1000000, 1000000, 1000000)), None,
                               None, "预算执行", "B3"),
    "FUNDS_SOURCE_MISMATCH": (lambda d: funds(d, source=(90, 90, 90)), None, None, "预算执行", "B3"),
    "FUNDS_TOTAL_DERIVED": (lambda d: funds(d, (None, None, None)), None, None, "预算执行", "A3"),
    "ALLOCATION_MISMATCH": (lambda d: d["allocations"][1].update({"实际金额": 25}), None, None, "资金分配", "D3"),
    "ALLOCATION_EMPTY": (lambda d: d.update({"allocations": []}), None, None, "资金分配", ""),
    "INDICATORS_EMPTY": (lambda d: d.update({"indicators": []}), None, None, "绩效指标", ""),
    "LEVEL1_UNKNOWN": (lambda d: ind(d, 0, 一级指标="产出效果"), None, None, "绩效指标", "A3"),
    "LEVEL2_UNKNOWN": (lambda d: ind(d, 6, 二级指标="数量指标"), None, None, "绩效指标", "B9"),
    "INDICATOR_NAME_MISSING": (lambda d: ind(d, 0, 三级指标=None), None, None, "绩效指标", "C3"),
    "WEIGHT_INVALID": (lambda d: ind(d, 0, 分值="五"), None, None, "绩效指标", "I3"),
    "WEIGHT_ZERO": (lambda d: ind(d, 0, 分值=0), None, None, "绩效指标", "I3"),
    "LEVEL1_WEIGHT_MISMATCH": (lambda d: ind(d, 0, 一级指标="产出指标(45分)"), None, None, "绩效指标", "A3"),
    "WEIGHT_SUM_MISMATCH": (lambda d: ind(d, 0, 分值=7), None, None, "绩效指标", "A3"),
    "WEIGHT_TOTAL_MISMATCH": (lambda d: ind(d, 0, 分值=7), None, "free", "绩效指标", ""),
    "WEIGHT_CAP_EXCEEDED": (lambda d: None, None, "cap", "绩效指标", "B3"),
    "TARGET_MISSING": (lambda d: ind(d, 0, 年度指标值=None), None, None, "绩效指标", "E3"),
    "TARGET_UNPARSEABLE": (lambda d: ind(d, 0, 年度指标值="1部-2部"), None, None, "绩效指标", "E3"),
    "TARGET_NEGATIVE": (lambda d: ind(d, 0, 年度指标值="≥-1部"), None, None, "绩效指标", "E3"),
    "TARGET_ZERO_POSITIVE": (lambda d: ind(d, 0, 年度指标值="≥0部"), None, None, "绩效指标", "E3"),
    "DIRECTION_CONFLICT": (lambda d: ind(d, 0, 年度指标值="≤1部"), None, None, "绩效指标", "D3"),
    "DIRECTION_ASSUMED": (lambda d: ind(d, 0, 指标方向=None, 年度指标值="1部"), None, None, "绩效指标", "D3"),
    "UNIT_MISMATCH": (lambda d: ind(d, 0, 实际完成值="1本"), None, None, "绩效指标", "G3"),
    "UNIT_CONVERTED": (lambda d: funds(d, ("1,000,000元", 100, 100)), None, None, "预算执行", "B3"),
    "PERCENT_SCALE_ASSUMED": (lambda d: ind(d, 0, 年度指标值="≥95%", 实际完成值=0.96), None, None, "绩效指标", "G3"),
    "ACTUAL_MISSING": (lambda d: ind(d, 0, 实际完成值=None), None, None, "绩效指标", "G3"),
    "ACTUAL_UNPARSEABLE": (lambda d: ind(d, 0, 实际完成值="已完成"), None, None, "绩效指标", "G3"),
    "ACTUAL_NEGATIVE": (lambda d: ind(d, 0, 实际完成值="-1部", 偏差原因分析及改进措施="x"), None, None, "绩效指标", "G3"),
    "ACTUAL_IS_BOUND": (lambda d: None, None, None, "绩效指标", "G10"),
    "QUAL_BAND_MISSING": (lambda d: ind(d, 4, 完成档次=None, 实际完成值="基本完成"), None, None, "绩效指标", "H7"),
    "QUAL_BAND_CONFLICT": (lambda d: ind(d, 4, 实际完成值="未完成"), None, None, "绩效指标", "H7"),
    "QUAL_SCORE_OUT_OF_BAND": (lambda d: ind(d, 4, 自评得分=5), None, None, "绩效指标", "J7"),
    "DEVIATION_REASON_MISSING": (lambda d: ind(d, 0, 年度指标值="≥2部"), None, None, "绩效指标", "K3"),
    "OVER_ACHIEVEMENT_UNEXPLAINED": (lambda d: ind(d, 2, 实际完成值="60个"), None, None, "绩效指标", "G5"),
    "SELF_SCORE_DIFFERS": (lambda d: ind(d, 0, 年度指标值="≥2部", 自评得分=8, 偏差原因分析及改进措施="x"), None, None,
                           "绩效指标", "J3"),
    "SELF_TOTAL_INCONSISTENT": (all_self_scores, None, None, "项目信息", "B10"),
    "SELF_TOTAL_DIFFERS": (lambda d: d["info"].update({"自评总分": 95}), None, None, "项目信息", "B10"),
    "AMOUNT_INVALID": (lambda d: funds(d, ("一百", 100, 100)), None, None, "预算执行", "B3"),
    "SELF_SCORE_INVALID": (lambda d: ind(d, 0, 自评得分="十分"), None, None, "绩效指标", "J3"),
    "SHEET_MISSING": (lambda d: None, drop_sheet("绩效指标"), None, "绩效指标", ""),
    "FORMULA_NOT_CALCULATED": (lambda d: None, set_cell("资金分配", "C3", "=10*7"), None, "资金分配", "C3"),
    "COLUMN_MISSING": (lambda d: d.update({"indicator_headers": [h for h in _headers() if h != "分值"]}), None, None,
                       "绩效指标", None),
    "SHEET_TOO_LARGE": (lambda d: None, set_cell("填表说明", "A20005", "多余内容"), None, "填表说明", None),
    # values and rules (issue #13): an error value as the reader hands it on (its text), an unlisted 二级,
    # a bare 万 beside a number with no unit (≥1万 / 0.9: 0.9 or 0.9万?)
    "CELL_ERROR_VALUE": (lambda d: ind(d, 0, 实际完成值="#NAME?"), None, None, "绩效指标", "G3"),
    "LEVEL2_UNLISTED": (lambda d: ind(d, 9, 二级指标="党员群众满意度"), None, None, "绩效指标", "B12"),
    "UNIT_SCALE_AMBIGUOUS": (lambda d: ind(d, 0, 年度指标值="≥1万", 计量单位=None, 实际完成值=0.9), None, None,
                             "绩效指标", "G3"),

    # readers, issue #13
    "HIDDEN_ROW_SCORED": (lambda d: d["indicators"].append(dict(d["indicators"][0], 三级指标="已取消")),
                           lambda path: hide_row(path, "绩效指标", 13), None, "绩效指标", "A13"),
    "NOT_APPLICABLE_SKIPPED": (lambda d: d["indicators"].append(dict(d["indicators"][0], 年度指标值="不适用",
                                                                     实际完成值="不适用", 分值=None)),
                               None, None, "绩效指标", "A13"),
    "MULTIPLE_PROJECTS": (lambda d: None, lambda path: several_projects(path), None, "项目一", ""),

    # 自评报告 sheet (issue #14): one hint naming every blank section, at the first one's text cell
    "REPORT_TEXT_MISSING": (lambda d: d["narrative"].update({"背景": None, "相关建议": " "}), None, None, "自评报告", "B3"),
}


def hide_row(path, sheet, row):
    wb = openpyxl.load_workbook(path)
    wb[sheet].row_dimensions[row].hidden = True
    wb.save(path)


def several_projects(path):
    from tests.support.official_forms import build_multi

    build_multi(path, names=("项目一", "项目二"))


def _headers():
    from jixiao_xlsx.layout import IND_HEADERS

    return list(IND_HEADERS)


def test_every_catalogue_code_has_a_workbook_case():
    assert set(CASES) == {c for c, e in CATALOGUE.items() if e.scope == "file"}


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_from_workbook(code, tmp_path):
    change, edit, prof, sheet, cell = CASES[code]
    data = copy.deepcopy(JIAHE)
    change(data)
    if "indicator_headers" in data:  # rows keyed by the header names that remain
        keep = set(data["indicator_headers"])
        data["indicators"] = [{k: v for k, v in r.items() if k in keep} for r in data["indicators"]]
    path = tmp_path / f"{code}.xlsx"
    write_template(path, data)
    if edit:
        edit(path)
    profile = {None: P, "free": _profile(level1_split="free"),
               "cap": _profile(level2_caps={"数量指标": 30})}[prof]  # 数量 8 × 4 = 32 > 30
    result = evaluate_file(str(path), profile)
    found = [f for f in result.findings if f.code == code]
    assert found, [(f.code, f.sheet, f.cell) for f in result.findings]
    f = found[0]
    sev, blocks = CATALOGUE[code].severity, CATALOGUE[code].blocks
    assert f.severity == sev
    assert f.sheet == sheet
    if cell is not None:
        assert f.cell == cell
    assert _is_chinese(f.message)
    if sev == "错误":  # spec §9: the message says what is wrong and what to type, not only "please check"
        assert _TELLS_WHAT_TO_DO.search(f.message) and "请核对" not in f.message, f.message
    assert f.blocks == blocks
    if blocks:
        assert result.total is None and result.grade is None


_TELLS_WHAT_TO_DO = re.compile("请(?:填写|选择|改|更正|调整|调减|删除|补充|写成|在|把|用|按|打开|逐行)")


def _is_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
