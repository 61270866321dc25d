"""Regenerate the sample declarations (绩效目标申报表): ``python samples/declarations/make_declarations.py``.

Two workbooks, one project per sheet, clean projects next to projects with planted defects (the
expected finding of each defect, at its cell, is listed in :data:`PLANTED` and checked by
``tests/test_declaration_samples.py``):

- ``街道A-2024年绩效目标申报表.xlsx``: this project's template (``jixiao template --declaration``), four sheets;
- ``街道B-2024年绩效目标申报表（国家格式）.xlsx``: the national 绩效目标表 layout as budget systems export
  it: merged label cells, 中期目标｜年度目标 side by side, 一级/二级 merged down, extra columns, amounts in 元.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from jixiao_xlsx.write.declaration_template import write_declaration_template  # noqa: E402
from jixiao_xlsx.write.output import atomic_path, new_workbook  # noqa: E402

A_FILE = "街道A-2024年绩效目标申报表.xlsx"
B_FILE = "街道B-2024年绩效目标申报表（国家格式）.xlsx"
UNIT_A = "某区某某街道办事处"
DEPT = "某区财政局"
O, E, S = "产出指标", "效益指标", "满意度指标"

# (file, sheet, cell, code) of every planted defect; the clean sheets have no error at all
PLANTED = [
    # 街道A, template layout
    (A_FILE, "垃圾分类宣传", "B10", "DECL_GOAL_VAGUE"),
    (A_FILE, "垃圾分类宣传", "D12", "DECL_TARGET_NO_UNIT"),
    (A_FILE, "垃圾分类宣传", "D13", "DECL_TARGET_PLACEHOLDER"),
    (A_FILE, "垃圾分类宣传", "D14", "DECL_TARGET_VAGUE"),
    (A_FILE, "垃圾分类宣传", "D15", "DECL_TARGET_VAGUE"),
    (A_FILE, "垃圾分类宣传", "D16", "DECL_DIRECTION_WRONG"),
    (A_FILE, "垃圾分类宣传", "D17", "DECL_TARGET_MISSING"),
    (A_FILE, "垃圾分类宣传", "A11", "DECL_LEVEL2_MISSING"),
    (A_FILE, "垃圾分类宣传", "A11", "DECL_SATISFACTION_MISSING"),
    (A_FILE, "网格化管理", "B5", "DECL_FIELD_MISSING"),
    (A_FILE, "网格化管理", "D13", "DECL_TARGET_RANGE"),
    (A_FILE, "网格化管理", "D14", "DECL_TIMELINESS_NOT_TIME"),
    (A_FILE, "网格化管理", "D15", "DECL_COST_OVER_AMOUNT"),
    (A_FILE, "网格化管理", "D16", "DECL_TARGET_QUALITATIVE"),
    # 街道B, national layout
    (B_FILE, "老旧小区改造", "F6", "DECL_AMOUNT_LOOKS_LIKE_YUAN"),
    (B_FILE, "老旧小区改造", "F6", "DECL_YEAR_AMOUNT_OVER_TOTAL"),
    (B_FILE, "老旧小区改造", "F11", "DECL_GOAL_COPIED"),
    (B_FILE, "老旧小区改造", "D14", "DECL_DUPLICATE_INDICATOR"),
    (B_FILE, "老旧小区改造", "E15", "DECL_PERCENT_OVER_100"),
    (B_FILE, "老旧小区改造", "E16", "DECL_DATE_OUTSIDE_YEAR"),
    (B_FILE, "老旧小区改造", "E17", "DECL_DIRECTION_WRONG"),
    (B_FILE, "老旧小区改造", "E18", "DECL_TARGET_PLACEHOLDER"),
]
CLEAN = [(A_FILE, "长者饭堂"), (A_FILE, "社区图书室"), (B_FILE, "社区卫生服务")]


def street_a() -> list:
    clean1 = dict(
        sheet="长者饭堂", name="社区长者饭堂运营补贴", code="440111-2024-0012", unit=UNIT_A, department=DEPT,
        period="2024年1月至2024年12月", total_amount=120, year_amount=40, year=2024,
        policy="《广州市长者饭堂建设运营方案》（穗民规字〔2023〕5号）", calc="3个饭堂×运营补贴12万元+设备更新4万元=40万元",
        long_goal="2024—2026年在辖内建成并运营5个长者饭堂，覆盖全部社区",
        annual_goal="2024年12月31日前运营3个长者饭堂，全年为辖内老人提供助餐服务不少于30000人次",
        indicators=[
            (O, "数量指标", "运营长者饭堂数", "≥3个", "年内持续运营的饭堂个数"),
            (O, "数量指标", "助餐服务人次", "≥30000人次", "按刷卡记录统计"),
            (O, "质量指标", "食品安全检查合格率", "=100%", "市场监管部门抽检结果"),
            (O, "时效指标", "补贴发放时间", "2024年12月31日前", "按季度拨付"),
            (O, "成本指标", "运营补贴", "≤40万元", "不超过本年度项目金额"),
            (E, "社会效益指标", "覆盖社区比例", "≥60%", "有饭堂服务的社区/全部社区"),
            (S, "服务对象满意度指标", "就餐老人满意度", "≥90%", "问卷调查"),
        ])
    flawed1 = dict(
        sheet="垃圾分类宣传", name="垃圾分类宣传推广", code="440111-2024-0031", unit=UNIT_A, department=DEPT,
        period="2024年", total_amount=15, year_amount=15, year=2024, policy="《广州市生活垃圾管理条例》",
        calc="宣传活动50场×0.2万元+物料5万元", long_goal="居民垃圾分类习惯基本养成",
        annual_goal="进一步提升居民垃圾分类水平",  # B10: no number, vague
        indicators=[
            (O, "数量指标", "宣传活动场次", 50, "每月不少于4场"),  # D12: bare number
            (O, "数量指标", "发放宣传资料份数", "XX份", ""),  # D13: placeholder
            (O, "质量指标", "宣传效果", "明显提升", ""),  # D14: vague
            (O, "时效指标", "宣传完成时间", "及时", ""),  # D15: vague
            (E, "社会效益指标", "居民投诉率", "≥5%", ""),  # D16: ≥ on a complaint rate
            (E, "社会效益指标", "分类准确率", None, "抽查"),  # D17: blank
            # no 成本指标 (A11: DECL_LEVEL2_MISSING), no 满意度 though 居民 are served (DECL_SATISFACTION_MISSING)
        ])
    flawed2 = dict(
        sheet="网格化管理", name="社区网格化服务管理", code="440111-2024-0045", unit=UNIT_A, department=DEPT,
        period=None,  # B5: 实施期限 blank
        total_amount=50, year_amount=50, year=2024, policy="《某区网格化服务管理办法》", calc="网格员20名×2.5万元",
        long_goal="建成覆盖全街道的网格化服务管理体系",
        annual_goal="2024年完成20个网格划分，配备网格员20名，全年巡查不少于4800次",
        indicators=[
            (O, "数量指标", "网格员人数", "≥20人", ""),
            (O, "质量指标", "事件办结率", "90%-100%", ""),  # D13: range
            (O, "时效指标", "巡查次数", "≥4800次", ""),  # D14: 时效 value that is no time
            (O, "成本指标", "网格员补贴", "≤80万元", ""),  # D15: ceiling above the year's 50万元
            (E, "社会效益指标", "社区治理水平", "达到市级标准", ""),  # D16: text, scored as 定性
            (S, "服务对象满意度指标", "居民满意度", "≥85%", ""),
        ])
    clean2 = dict(
        sheet="社区图书室", name="社区图书室建设", code="440111-2024-0052", unit=UNIT_A, department=DEPT,
        period="2024年1月至2026年12月", total_amount=60, year_amount=20, year=2024,
        policy="《公共图书馆法》", calc="图书采购10万元+设备8万元+运营2万元",
        long_goal="三年内建成3个社区图书室并纳入区图书馆总分馆体系",
        annual_goal="2024年建成1个社区图书室，新增藏书不少于5000册，全年接待读者不少于8000人次",
        indicators=[
            (O, "数量指标", "新增藏书", "≥5000册", ""),
            (O, "质量指标", "图书编目合格率", "≥98%", ""),
            (O, "时效指标", "图书室开放时间", "2024年10月31日前", ""),
            (O, "成本指标", "建设成本", "≤18万元", "本年度金额20万元，不按三年总额60万元"),
            (E, "社会效益指标", "接待读者人次", "≥8000人次", ""),
            (E, "可持续影响指标", "纳入总分馆体系", "是", ""),
            (S, "服务对象满意度指标", "读者满意度", "≥90%", ""),
        ])
    return [clean1, flawed1, flawed2, clean2]


def _national_sheet(wb, fm, p: dict) -> None:
    ws = wb.add_worksheet(p["sheet"])
    for c, w in enumerate((12, 12, 14, 28, 18, 30, 16, 16)):
        ws.set_column(c, c, w)
    ws.merge_range("A1:H1", "项目支出绩效目标申报表", fm["title"])
    ws.merge_range("A2:H2", "（2024年度）", fm["c"])
    ws.write("A3", "项目名称", fm["l"]); ws.merge_range("B3:H3", p["name"], fm["v"])
    ws.write("A4", "主管部门及代码", fm["l"]); ws.merge_range("B4:D4", "某区卫生健康局 [203]", fm["v"])
    ws.write("E4", "实施单位", fm["l"]); ws.merge_range("F4:H4", p["unit"], fm["v"])
    ws.write("A5", "项目编码", fm["l"]); ws.merge_range("B5:D5", p["code"], fm["v"])
    ws.write("E5", "实施期限", fm["l"]); ws.merge_range("F5:H5", p["period"], fm["v"])
    unit = p.get("money_unit", "万元")
    ws.merge_range("A6:A7", "项目资金", fm["l"])
    ws.write("B6", f"中期资金总额（{unit}）", fm["l"]); ws.merge_range("C6:D6", p["total"], fm["n"])
    ws.write("E6", f"年度资金总额（{unit}）", fm["l"]); ws.merge_range("F6:H6", p["year_amount"], fm["n"])
    ws.write("B7", "其中：财政拨款", fm["l"]); ws.merge_range("C7:D7", p["total"], fm["n"])
    ws.write("E7", "其中：财政拨款", fm["l"]); ws.merge_range("F7:H7", p["year_amount"], fm["n"])
    ws.write("A8", "政策依据", fm["l"]); ws.merge_range("B8:H8", p["policy"], fm["v"])
    ws.write("A9", "测算依据", fm["l"]); ws.merge_range("B9:H9", p["calc"], fm["v"])
    ws.merge_range("A10:A11", "总体目标", fm["l"])
    ws.merge_range("B10:E10", "中期目标（2024年—2026年）", fm["l"]); ws.merge_range("F10:H10", "年度目标", fm["l"])
    ws.merge_range("B11:E11", p["long_goal"], fm["v"]); ws.merge_range("F11:H11", p["annual_goal"], fm["v"])
    ws.set_row(10, 60)
    for c, h in enumerate(("一级指标", "二级指标", "三级指标", "指标值", "指标解释", "备注", "评（扣）分标准"), 1):
        ws.write(11, c, h, fm["h"])
    rows = p["indicators"]
    ws.merge_range(11, 0, 11 + len(rows), 0, "绩效指标", fm["l"])
    r0 = 12
    for col in (1, 2):  # merge runs of equal 一级 / 二级 downwards, as exported forms do
        start = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or rows[i][col - 1] != rows[start][col - 1] or (col == 2 and rows[i][0] != rows[start][0]):
                if i - 1 > start:
                    ws.merge_range(r0 + start, col, r0 + i - 1, col, rows[start][col - 1], fm["v"])
                else:
                    ws.write(r0 + start, col, rows[start][col - 1], fm["v"])
                start = i
    for i, row in enumerate(rows):
        for c, v in enumerate(row[2:], 3):
            ws.write(r0 + i, c, v, fm["v"])
        ws.write(r0 + i, 6, "", fm["v"])
        ws.write(r0 + i, 7, "完成得满分，未完成按比例扣分", fm["v"])
    ws.write(r0 + len(rows) + 1, 0, "填表人：张三    联系电话：020-12345678")
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)


def street_b(path: Path) -> None:
    clean = dict(
        sheet="社区卫生服务", name="社区家庭医生签约服务", code="440111-2024-0101", unit="某街道社区卫生服务中心",
        period="2024年1月至2024年12月", money_unit="元", total=600000, year_amount=200000,
        policy="《关于推进家庭医生签约服务的指导意见》", calc="签约居民10000人×补助20元",
        long_goal="到2026年辖内常住居民家庭医生签约率达到45%",
        annual_goal="2024年新增签约居民不少于10000人，重点人群签约率不低于70%，履约服务12月31日前完成",
        indicators=[
            (O, "数量指标", "新增签约居民", "≥10000人", "按系统签约记录"),
            (O, "质量指标", "重点人群签约率", "≥70%", ""),
            (O, "时效指标", "年度履约完成时间", "12月31日前", ""),
            (O, "成本指标", "人均签约补助", "≤20元", ""),
            (O, "成本指标", "签约服务补助总额", "≤20万元", "本年度金额200000元即20万元"),
            (E, "社会效益指标", "慢病患者规范管理率", "≥60%", ""),
            (E, "经济效益指标", "不适用", "不适用", "本项目无直接经济效益"),
            (S, "服务对象满意度指标", "签约居民满意度", "≥90%", ""),
        ])
    flawed = dict(
        sheet="老旧小区改造", name="老旧小区微改造", code="440111-2024-0120", unit="某街道办事处",
        period="2024年1月至2026年12月", total=1200, year_amount=3500000,  # F6: typed in 元 in a 万元 field
        policy="《广州市老旧小区微改造实施方案》", calc="改造3个小区，每个约116.67万元",
        long_goal="完成辖内3个老旧小区的微改造，改善居民居住环境",
        annual_goal="完成辖内3个老旧小区的微改造，改善居民居住环境",  # F11: the long-term goal copied
        indicators=[
            (O, "数量指标", "改造小区数", "≥1个", ""),
            (O, "数量指标", "改造小区数", "≥1个", "与上一行重复"),  # D14: duplicate 三级
            (O, "质量指标", "改造工程验收合格率", "≥120%", ""),  # E15: over 100%
            (O, "时效指标", "完工时间", "2025年6月30日前", ""),  # E16: outside 2024
            (O, "成本指标", "改造成本", "≥300万元", ""),  # E17: ≥ on a cost
            (E, "社会效益指标", "惠及居民户数", "≥XX户", ""),  # E18: placeholder
            (S, "服务对象满意度指标", "居民满意度", "≥90%", ""),
        ])
    with atomic_path(path) as tmp:
        wb = new_workbook(tmp)
        try:
            base = {"border": 1, "valign": "vcenter", "text_wrap": True}
            fm = {"title": wb.add_format({"bold": True, "font_size": 16, "align": "center"}),
                  "c": wb.add_format({"align": "center"}), "l": wb.add_format({**base, "bold": True}),
                  "v": wb.add_format(base), "n": wb.add_format({**base, "num_format": "0.00"}),
                  "h": wb.add_format({**base, "bold": True, "align": "center"})}
            for p in (clean, flawed):
                _national_sheet(wb, fm, p)
        finally:
            wb.close()


def main(out_dir: Path = HERE) -> list:
    out_dir.mkdir(parents=True, exist_ok=True)
    write_declaration_template(out_dir / A_FILE, street_a(), year=2024)
    street_b(out_dir / B_FILE)
    return [out_dir / A_FILE, out_dir / B_FILE]


if __name__ == "__main__":
    for f in main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f)
