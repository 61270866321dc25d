"""Regenerate samples/district/: one folder per street of a 白云区-style district, as the bureau gets them.

    python samples/district/make_district.py            # writes next to this script
    jixiao batch samples/district -o 白云区2022年项目支出绩效自评汇总.xlsx

Varied on purpose: clean workbooks, a self total that claims more than the numbers support, spending
over budget, a blocking error (an actual left blank), low execution, two streets sending the same
file name, a text file renamed .xlsx, an empty file, an Excel lock file and a macOS ``._`` file.
Amounts in 万元.  The projects are illustrative, modelled on the 嘉禾街 2022 example (spec §11).
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from jixiao_xlsx.write.template import write_template  # noqa: E402

YEAR = 2022
SAME_NAME = "2022年项目支出绩效自评表.xlsx"  # two streets send a file with this name


def ind(l1, l2, l3, direction, target, actual, w, self_score=None, band="", note="", unit=""):
    return {
        "一级指标": l1, "二级指标": l2, "三级指标": l3, "指标方向": direction, "年度指标值": target,
        "计量单位": unit, "实际完成值": actual, "完成档次": band, "分值": w, "自评得分": self_score,
        "偏差原因分析及改进措施": note,
    }  # fmt: skip


MET, PARTLY, NOT_MET = "达成年度指标", "部分达成年度指标并具有一定效果", "未达成年度指标且效果较差"
OUT, EFF, SAT = "产出指标", "效益指标", "满意度指标"


def office(street: str) -> str:
    return f"广州市白云区{street[:-1]}街道办事处"


def project(street, name, funds, indicators, allocations=None, self_total=None, department=None):
    """Data for template.write_template. ``funds`` = (年初, 全年预算, 全年执行) of 当年财政拨款 (万元)."""
    allocations = allocations or [
        {"用途": name.replace(f"{YEAR}年", ""), "拨付对象": office(street), "计划金额": funds[1], "实际金额": funds[2], "说明": ""}
    ]
    return {
        "info": {
            "项目名称": name,
            "主管部门": department or office(street),
            "实施单位": office(street),
            "年度": YEAR,
            "项目负责人": "",
            "自评总分": self_total,
        },
        "funds": {"年度资金总额": funds, "当年财政拨款": funds, "上年结转资金": (0, 0, 0), "其他资金": (0, 0, 0)},
        "allocations": allocations,
        "indicators": indicators,
    }


def jiahe():
    """The reference example (spec §11): everything met, 100 / 优."""
    q = "数量指标"
    inds = [
        ind(OUT, q, "出版红色故事连环画《嘉禾记忆》", "正向", "≥1部", "1部", 8, 8),
        ind(OUT, q, "建立城中村“大党委”", "正向", "≥3个", "3个", 8, 8),
        ind(OUT, q, "建立经济社“大支部”", "正向", "≥40个", "40个", 8, 8),
        ind(OUT, q, "拨付经费开展城中村治理基层组织工作的联社", "等于", "=3个", "3个", 8, 8),
        ind(OUT, "质量指标", "提升红旗坊党史学习教育软件服务", "定性", "完成软件服务提升", "已提升软件服务", 9, band=MET),
        ind(OUT, "质量指标", "完成党建品牌创建工作阶段性任务程度", "定性", "达到阶段性任务质量要求", "达到相关质量指标要求", 9, band=MET),
        ind(EFF, "社会效益指标", "红旗坊纳入全市党史学习教育新闻采访线路", "定性", "纳入采访线路", "列入全市11条党史线路之一", 10, band=MET),
        ind(EFF, "社会效益指标", "红旗坊累计接待参观人数", "正向", "≥5000人", "超过5000人", 10),
        ind(EFF, "可持续影响指标", "党建宣传效果对党员能够持续影响度", "定性", "形成可持续使用的宣传教育资源",
            "《嘉禾记忆》作为青少年爱国主义教育教材推荐至各中小学校", 10, band=MET),
        ind(SAT, "服务对象满意度指标", "党员群众满意度", "定性", "党员群众满意", "经询问查证、群众征求，党员群众满意", 10, band=MET),
    ]
    alloc = [
        {"用途": "红旗坊党建品牌、出版红色故事连环画等党建宣传、提升红旗坊党史学习教育软件服务", "拨付对象": "嘉禾街道办事处",
         "计划金额": 70, "实际金额": 70, "说明": ""},
        {"用途": "拨付辖内三个联社开展党建引领城中村治理基层组织工作", "拨付对象": "辖内三个联社", "计划金额": 30, "实际金额": 30, "说明": ""},
    ]  # fmt: skip
    return project("嘉禾街", "2022年镇街党建工作经费", (100, 100, 100), inds, alloc, self_total=100)


def jingxi():
    """Elderly care: under-spent, two targets missed (with notes), a self total a little high (良)."""
    inds = [
        ind(OUT, "数量指标", "长者饭堂助餐服务人次", "正向", "≥36000人次", "27000人次", 15, 13,
            note="疫情期间堂食暂停两个月，改为送餐上门，下一年度增加送餐点。"),
        ind(OUT, "数量指标", "居家养老上门服务户数", "正向", "≥120户", "96户", 10, 9, note="部分长者入院或迁出。"),
        ind(OUT, "质量指标", "助餐食品安全事故", "反向", "≤0起", "0起", 10, 10),
        ind(OUT, "时效指标", "服务经费按季度拨付", "定性", "按季度及时拨付", "按季度拨付", 10, band=MET),
        ind(OUT, "成本指标", "每人次助餐补贴", "反向", "≤8元", "8元", 5, 5),
        ind(EFF, "社会效益指标", "辖内老年人助餐服务覆盖率", "正向", "≥90%", "72%", 15, 12,
            note="部分社区长者饭堂选址未落实，2023年新增两个助餐点。"),
        ind(EFF, "可持续影响指标", "长效运营机制建立情况", "定性", "建立长效机制", "已与两家社会组织签订三年协议", 15, band=MET),
        ind(SAT, "服务对象满意度指标", "服务对象满意度", "正向", "≥90%", "82%", 10, 10, note="送餐时效有待提高。"),
    ]
    return project("京溪街", "2022年长者饭堂及居家养老服务经费", (180, 180, 142.6), inds, self_total=92)


def tonghe():
    """Waste sorting: spent over budget (error, not blocking) and a self total above the computed one."""
    inds = [
        ind(OUT, "数量指标", "新增垃圾分类投放点", "正向", "≥40个", "40个", 20, 20),
        ind(OUT, "质量指标", "生活垃圾分类准确率", "正向", "≥85%", "78%", 15, 15,
            note="部分城中村出租屋租户流动性大，已加强桶边督导。"),
        ind(OUT, "时效指标", "投放点建设完成时间", "定性", "2022年10月底前", "2022年12月完成", 15, 15, band=PARTLY,
            note="材料供应延迟。"),
        ind(EFF, "生态效益指标", "其他垃圾减量率", "正向", "≥5%", "4.2%", 15, 15, note="减量效果需时间显现。"),
        ind(EFF, "社会效益指标", "垃圾分类宣传覆盖户数", "正向", "≥20000户", "21500户", 15, 15),
        ind(SAT, "服务对象满意度指标", "居民满意度", "正向", "≥85%", "88%", 10, 10),
    ]
    return project("同和街", "2022年生活垃圾分类工作经费", (150, 150, 156.8), inds, self_total=100)


def yongping():
    """Rental housing: an actual left blank (blocks the total); the file name is also 同和街's."""
    inds = [
        ind(OUT, "数量指标", "出租屋巡查栋次", "正向", "≥12000栋次", "12800栋次", 20, 20),
        ind(OUT, "数量指标", "来穗人员登记人数", "正向", "≥30000人", "", 15, 15),
        ind(OUT, "质量指标", "出租屋信息准确率", "正向", "≥95%", "96%", 15, 15),
        ind(EFF, "社会效益指标", "出租屋治安案件同比下降", "正向", "≥5%", "6.5%", 30, 30),
        ind(SAT, "服务对象满意度指标", "租户及业主满意度", "正向", "≥85%", "90%", 10, 10),
    ]
    return project("永平街", "2022年出租屋及来穗人员服务管理经费", (95, 95, 90.25), inds, self_total=95.5)


def songzhou():
    """River cleaning: reverse indicators, a middling result (中)."""
    inds = [
        ind(OUT, "数量指标", "河涌保洁长度", "正向", "≥12公里", "12公里", 15, 15),
        ind(OUT, "质量指标", "河涌水质达标率", "正向", "≥90%", "72%", 15, 12,
            note="上游来水水质较差，已提请区水务局协调。"),
        ind(OUT, "成本指标", "保洁作业成本", "反向", "≤60万元", "66万元", 10, 10,
            note="汛期增加作业频次。"),
        ind(OUT, "时效指标", "突发污染处置响应时间", "反向", "≤2小时", "3小时", 10, 10, note="夜间响应较慢。"),
        ind(EFF, "生态效益指标", "黑臭水体反弹次数", "反向", "≤0次", "1次", 15, 10, note="暴雨后短时反弹，已整改。"),
        ind(EFF, "社会效益指标", "沿河群众投诉量下降率", "正向", "≥10%", "6%", 15, 12, note="宣传不足。"),
        ind(SAT, "服务对象满意度指标", "沿河居民满意度", "正向", "≥85%", "70%", 10, 8, note="整治周期长。"),
    ]
    return project("松洲街", "2022年河涌日常保洁及水环境治理经费", (120, 120, 98.4), inds, self_total=77)


def jingtai():
    """Public safety: low execution and targets missed (差)."""
    inds = [
        ind(OUT, "数量指标", "视频监控新增点位", "正向", "≥200个", "80个", 20, 10, note="招标延迟至11月，余下点位转入下年度。"),
        ind(OUT, "质量指标", "监控设备在线率", "正向", "≥98%", "85%", 15, 12, note="旧设备老化。"),
        ind(OUT, "时效指标", "项目完工时间", "定性", "2022年9月30日前", "未完工", 15, band=NOT_MET, note="同上。"),
        ind(EFF, "社会效益指标", "辖区刑事警情同比下降", "正向", "≥10%", "3%", 30, 15, note="设备未全部投入使用。"),
        ind(SAT, "服务对象满意度指标", "群众安全感满意度", "正向", "≥90%", "86%", 10, 9, note="加强宣传。"),
    ]
    return project("景泰街", "2022年平安建设视频监控补点经费", (300, 300, 138), inds, self_total=60)


def sanyuanli():
    """Heritage: qualitative bands, one 部分达成; self total equal to the computed one."""
    inds = [
        ind(OUT, "数量指标", "修缮历史建筑", "正向", "≥3处", "3处", 15, 15),
        ind(OUT, "数量指标", "举办三元里抗英斗争纪念活动", "正向", "≥4场", "4场", 10, 10),
        ind(OUT, "质量指标", "修缮工程验收合格率", "等于", "=100%", "100%", 15, 15),
        ind(OUT, "时效指标", "修缮工程完工时间", "定性", "2022年12月31日前", "2022年12月20日完工", 10, band=MET),
        ind(EFF, "社会效益指标", "历史文化宣传影响力", "定性", "形成区域文化品牌", "获市级媒体报道两次", 15, 12, band=PARTLY,
            note="品牌建设需持续投入。"),
        ind(EFF, "可持续影响指标", "文物建筑日常管护机制", "定性", "建立管护机制", "已建立", 15, band=MET),
        ind(SAT, "服务对象满意度指标", "参观群众满意度", "正向", "≥90%", "0.94", 10, 10),
    ]
    return project("三元里街", "2022年历史文化街区保护利用经费", (80, 85, 84.6), inds)


def xinshi():
    """Community health: good, sent as 新市街/卫生/SAME_NAME (nested folder)."""
    inds = [
        ind(OUT, "数量指标", "老年人免费体检人数", "正向", "≥5000人", "5230人", 20, 20),
        ind(OUT, "数量指标", "家庭医生签约户数", "正向", "≥3000户", "3120户", 10, 10),
        ind(OUT, "质量指标", "体检报告反馈率", "正向", "≥95%", "98%", 10, 10),
        ind(OUT, "时效指标", "体检工作完成时间", "定性", "2022年11月30日前", "2022年11月25日完成", 10, band=MET),
        ind(EFF, "社会效益指标", "慢性病早发现人数", "正向", "≥300人", "412人", 30, 30),
        ind(SAT, "服务对象满意度指标", "体检对象满意度", "正向", "≥90%", "96%", 10, 10),
    ]
    return project("新市街", "2022年社区卫生公共服务补助经费", (60, 60, 58.8), inds, self_total=98.8)


def shijing():
    """Industrial park upgrade: fine numbers written loosely (percent as 0.93, units in 元)."""
    inds = [
        ind(OUT, "数量指标", "完成改造村级工业园面积", "正向", "≥15万平方米", "15.6万平方米", 20, 20),
        ind(OUT, "质量指标", "改造项目验收合格率", "正向", "≥95%", "0.97", 15, 15),
        ind(OUT, "成本指标", "园区规划设计费", "反向", "≤45万元", "430000元", 15, 15),
        ind(EFF, "经济效益指标", "园区税收同比增长", "正向", "≥8%", "9.5%", 15, 15),
        ind(EFF, "生态效益指标", "淘汰高污染企业", "正向", "≥10家", "12家", 15, 15),
        ind(SAT, "服务对象满意度指标", "入园企业满意度", "正向", "≥85%", "91%", 10, 10),
    ]
    return project("石井街", "2022年村级工业园整治提升经费", (500, 520, 516.3), inds, self_total=100)


def junhe():
    """Fire safety grid management: clean, everything met."""
    inds = [
        ind(OUT, "数量指标", "开展消防安全检查", "正向", "≥2400家次", "2600家次", 20, 20),
        ind(OUT, "质量指标", "隐患整改率", "正向", "≥95%", "95%", 15, 15),
        ind(OUT, "时效指标", "隐患整改时限", "定性", "发现后15日内整改", "均在15日内整改", 15, band=MET),
        ind(EFF, "社会效益指标", "较大以上火灾事故", "反向", "≤0起", "0起", 30, 30),
        ind(SAT, "服务对象满意度指标", "商户满意度", "正向", "≥85%", "89%", 10, 10),
    ]
    return project("均禾街", "2022年消防安全网格化管理经费", (45, 45, 45), inds, self_total=100)


def build(root: Path = HERE) -> list:
    """Write every sample under ``root``; return the paths written."""
    files = {
        "嘉禾街/嘉禾街-2022年镇街党建工作经费自评表.xlsx": jiahe(),
        "京溪街/京溪街-长者饭堂及居家养老服务经费.xlsx": jingxi(),
        f"同和街/{SAME_NAME}": tonghe(),
        f"永平街/{SAME_NAME}": yongping(),
        "松洲街/松洲街-河涌保洁经费自评.xlsx": songzhou(),
        "景泰街/景泰街-平安建设视频监控补点.xlsx": jingtai(),
        "三元里街/三元里街-历史文化街区保护.xlsx": sanyuanli(),
        f"新市街/卫生/{SAME_NAME}": xinshi(),
        "石井街/石井街-村级工业园整治提升.xlsx": shijing(),
        "均禾街/均禾街-消防安全网格化管理.xlsx": junhe(),
    }
    written = []
    for rel, data in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        write_template(p, data)
        written.append(p)
    # What also arrives in a district's inbox:
    broken = root / "石井街/石井街-自评表（请查收）.xlsx"  # a text file renamed .xlsx
    broken.write_text("石井街 2022年村级工业园整治提升经费 自评表 见附件\n", encoding="utf-8")
    empty = root / "新市街/新市街-自评表.xlsx"  # an empty file (upload failed)
    empty.write_bytes(b"")
    lock = root / "嘉禾街/~$嘉禾街-2022年镇街党建工作经费自评表.xlsx"  # Excel/WPS lock file
    lock.write_bytes(b"\x0cjiahe-caizheng" + b"\x20" * 40 + b"\x00" * 111)
    apple = root / "京溪街/._京溪街-长者饭堂及居家养老服务经费.xlsx"  # macOS resource fork
    apple.write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\x00" * 64)
    written += [broken, empty, lock, apple]
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for p in build(out):
        print(p.relative_to(out))
