"""Write the project's 绩效目标申报表 template (``jixiao template --declaration``), blank or filled.

One project per sheet, as budget systems export declarations: label/value pairs on top, then the
indicator table 一级指标｜二级指标｜三级指标｜指标值｜指标解释.  The reader
(:mod:`jixiao_xlsx.read.declaration`) finds everything by its labels, so this is only one layout it
reads.  Dropdowns come from the rules profile (一级/二级), the 填表说明 sheet states the profile's
review rules (vague words, required 二级), so the template and the review cannot disagree.
"""
from __future__ import annotations

import re
from typing import Optional

from .output import atomic_path, new_workbook
from ..rules.profile import Profile, load_profile
from ..rules.review import FIELD_ZH as _FIELD_ZH
from ..rules.review_profile import review_rules

TITLE = "项目支出绩效目标申报表"
TABLE_HEADERS = ("一级指标", "二级指标", "三级指标", "指标值", "指标解释")
WIDTHS = (20, 18, 30, 20, 44)
BLANK_ROWS = 24  # indicator rows of the blank template
VALIDATION_ROWS = 120
INPUT_FILL, HEADER_FILL, LABEL_FILL = "#FFF2CC", "#D9E1F2", "#F2F2F2"
# (label, field) pairs: two per row, the value of the first spans B:C
INFO_ROWS = (
    (("项目编码", "code"), ("项目名称", "name")),
    (("主管部门", "department"), ("申请单位", "unit")),
    (("实施期限", "period"), ("项目总金额（万元）", "total_amount")),
    (("本年度项目金额（万元）", "year_amount"), None),
)
TEXT_ROWS = (("政策依据", "policy"), ("测算依据", "calc"), ("长期目标", "long_goal"), ("年度目标", "annual_goal"))
SKELETON = (("产出指标", "数量指标"), ("产出指标", "质量指标"), ("产出指标", "时效指标"), ("产出指标", "成本指标"),
            ("效益指标", "社会效益指标"), ("效益指标", "经济效益指标"), ("满意度指标", "服务对象满意度指标"))


def write_declaration_template(path, projects: Optional[list] = None, profile: Optional[Profile] = None,
                               year: Optional[int] = None) -> str:
    """Write the template to ``path`` atomically: one blank project, or one sheet per dict of ``projects``.

    A project dict holds the fields (``name``, ``unit`` … as in :data:`INFO_ROWS`/:data:`TEXT_ROWS`),
    ``year`` and ``indicators`` (tuples 一级, 二级, 三级, 指标值, 指标解释); ``sheet`` names its sheet.
    """
    profile = profile or load_profile()
    projects = projects or [{"year": year}]
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp)
        try:
            fm = _formats(wb)
            used: set = set()
            for p in projects:
                _write_project(wb, fm, profile, p, _sheet_name(p, used))
            _write_notes(wb, fm, profile)
        finally:
            wb.close()
    return str(path)


def _sheet_name(p: dict, used: set) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", str(p.get("sheet") or p.get("name") or "申报表"))[:28] or "申报表"
    name, i = base, 2
    while name.lower() in used:
        name, i = f"{base[:26]}_{i}", i + 1
    used.add(name.lower())
    return name


def _formats(wb) -> dict:
    base = {"font_name": "宋体", "font_size": 11, "border": 1, "valign": "vcenter"}
    return {
        "title": wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
        "year": wb.add_format({"align": "center"}),
        "label": wb.add_format({**base, "bold": True, "bg_color": LABEL_FILL, "text_wrap": True}),
        "input": wb.add_format({**base, "bg_color": INPUT_FILL, "text_wrap": True, "num_format": "@"}),
        "money": wb.add_format({**base, "bg_color": INPUT_FILL, "num_format": "0.00"}),
        "header": wb.add_format({**base, "bold": True, "bg_color": HEADER_FILL, "align": "center", "text_wrap": True}),
        "note": wb.add_format({"text_wrap": True, "valign": "top"}),
    }


def _write_project(wb, fm: dict, profile: Profile, p: dict, sheet_name: str) -> None:
    ws = wb.add_worksheet(sheet_name)
    for i, w in enumerate(WIDTHS):
        ws.set_column(i, i, w)
    ws.merge_range(0, 0, 0, 4, TITLE, fm["title"])
    ws.set_row(0, 30)
    year = p.get("year")
    ws.merge_range(1, 0, 1, 4, f"（{year}年度）" if year else "（    年度）", fm["year"])
    r = 2
    for pair in INFO_ROWS:
        (l1, f1), second = pair
        ws.write(r, 0, l1, fm["label"])
        _value(ws, fm, r, 1, 2, p.get(f1), f1)
        if second:
            l2, f2 = second
            ws.write(r, 3, l2, fm["label"])
            _value(ws, fm, r, 4, 4, p.get(f2), f2)
        else:
            ws.merge_range(r, 3, r, 4, "", fm["label"])
        r += 1
    for label, f in TEXT_ROWS:
        ws.write(r, 0, label, fm["label"])
        _value(ws, fm, r, 1, 4, p.get(f), f)
        ws.set_row(r, 48)
        r += 1
    hdr = r
    for c, h in enumerate(TABLE_HEADERS):
        ws.write(hdr, c, h, fm["header"])
    rows = p.get("indicators")
    if rows is None:
        rows = [(a, b, None, None, None) for a, b in SKELETON] + [(None,) * 5] * (BLANK_ROWS - len(SKELETON))
    for i, row in enumerate(rows):
        for c in range(5):
            v = row[c] if c < len(row) else None
            _cell(ws, fm["input"], hdr + 1 + i, c, v)
    last = hdr + max(len(rows), 1) + VALIDATION_ROWS
    ws.data_validation(hdr + 1, 0, last, 0, {"validate": "list", "source": [l.name for l in profile.level1],
                                            "error_type": "warning", "error_message": "请从下拉列表中选择一级指标。"})
    level2 = [n for l in profile.level1 for n in l.level2]
    ws.data_validation(hdr + 1, 1, last, 1, {"validate": "list", "source": level2, "error_type": "warning",
                                            "error_message": "请从下拉列表中选择二级指标。"})
    money_check = {"validate": "decimal", "criteria": ">=", "value": 0,
                   "error_message": "金额请填写不小于0的数字（万元），如 50.00。"}
    ws.data_validation(4, 4, 4, 4, money_check)  # 项目总金额
    ws.data_validation(5, 1, 5, 1, money_check)  # 本年度项目金额
    ws.freeze_panes(2, 0)
    ws.repeat_rows(hdr, hdr)
    ws.set_paper(9)
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)


def _value(ws, fm: dict, r: int, c0: int, c1: int, v, f: str) -> None:
    fmt = fm["money"] if f in ("total_amount", "year_amount") and not isinstance(v, str) else fm["input"]
    if c1 > c0:
        ws.merge_range(r, c0, r, c1, "", fmt)
    _cell(ws, fmt, r, c0, v)


def _cell(ws, fmt, r: int, c: int, v) -> None:
    if v is None:
        ws.write_blank(r, c, None, fmt)
    elif isinstance(v, bool):
        ws.write_string(r, c, str(v), fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, v, fmt)
    else:
        ws.write_string(r, c, str(v), fmt)


def _write_notes(wb, fm: dict, profile: Profile) -> None:
    rules = review_rules(profile)
    ws = wb.add_worksheet("填表说明")
    ws.set_column(0, 0, 100)
    lines = [
        "填表说明（jixiao review 按下列规则审核本表）",
        "1. 每个项目一个工作表；可复制工作表填写多个项目。金额以万元为单位，保留两位小数。",
        "2. 必填：" + "、".join(_FIELD_ZH[f] for f in rules.required) + "；年度目标必须填写，并写明本年度的任务量和完成时限，"
        "不得照抄长期目标。",
        "3. 一级指标至少包括" + "、".join(rules.level1_required) + "；产出指标应覆盖" + "、".join(rules.level2_required)
        + "，确不适用的填一行并在三级指标或指标值中写“不适用”。面向群众或服务对象的项目应设满意度指标。",
        "4. 指标值写成“比较符号+数字+单位”，如“≥95%”“≤30天”“≥5000人次”“≤50万元”；时效指标写完成时限（如“12月31日前”）"
        "或时长；成本、故障率、发生率、投诉类指标用“≤”。",
        "5. 不要使用占位符（*、XX、待定）或含糊用语：" + "、".join(rules.vague_words[:12]) + "等。",
        "6. 百分比不超过100%；指标值中的日期应在预算年度内；成本上限不超过本年度项目金额。",
    ]
    for i, t in enumerate(lines):
        ws.write_string(i, 0, t, fm["note"])
    ws.set_paper(9)

