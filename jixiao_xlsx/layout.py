"""The project's standard template layout, as data shared by its writer and its reader.

Sheet names, field labels, header names and row labels live here once, so that the blank template,
the filled samples, the reader and the scored workbook cannot drift apart.  Readers find headers by
name (with the profile's aliases), never by position; the positions below are only where the
template *writes* them.
"""

GUIDE_SHEET = "填表说明"
INFO_SHEET = "项目信息"
FUNDS_SHEET = "预算执行"
ALLOC_SHEET = "资金分配"
IND_SHEET = "绩效指标"

TEMPLATE_SHEETS = (GUIDE_SHEET, INFO_SHEET, FUNDS_SHEET, ALLOC_SHEET, IND_SHEET)

# Sheets added to a scored workbook (spec §9, issue #2).
RESULT_SHEET = "评分结果"
DETAIL_SHEET = "评分明细"
FINDINGS_SHEET = "问题清单"

# 项目信息: label in column A, value in column B (1-based rows start after the header row).
# (label, Project attribute, required)
INFO_FIELDS = (
    ("项目名称", "name", True),
    ("主管部门", "department", True),
    ("实施单位", "unit", True),
    ("年度", "year", True),
    ("项目负责人", "manager", False),
    ("年度总体目标（预期目标）", "goal_expected", False),
    ("年度总体目标（实际完成情况）", "goal_actual", False),
    ("自评总分", "self_total", False),
)
INFO_HEADERS = ("填报项目", "填写内容", "填写说明")

# 预算执行: title row 1, header row 2, then the total row and the source rows (万元).
FUNDS_HEADERS = ("资金来源", "年初预算数", "全年预算数", "全年执行数")
FUNDS_TOTAL_LABEL = "年度资金总额"
FUNDS_SOURCE_LABELS = ("当年财政拨款", "上年结转资金", "其他资金")

# 资金分配: title row 1, header row 2, one row per use of the money (万元).
ALLOC_HEADERS = ("用途", "拨付对象", "计划金额", "实际金额", "说明")

# 绩效指标: title row 1, header row 2, one row per 三级 indicator.
# Words of a row that totals an indicator table (compared after normalisation, numbering and a stated
# weight such as “总分（100分）” removed); both readers end or skip the table's total row by them.
TOTAL_ROW_WORDS = ("总分", "合计", "总计", "总得分", "得分合计", "分值合计", "合计分值")

IND_HEADERS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "指标方向",
    "年度指标值",
    "计量单位",
    "实际完成值",
    "完成档次",
    "分值",
    "自评得分",
    "偏差原因分析及改进措施",
)
# Indicator attribute for each header (Indicator dataclass field names).
IND_FIELDS = (
    "level1",
    "level2",
    "level3",
    "direction",
    "target",
    "unit",
    "actual",
    "band",
    "weight",
    "self_score",
    "note",
)

DIRECTIONS = ("正向", "反向", "等于", "定性")

TITLE_ROW = 1  # 1-based row of each table sheet's title
HEADER_ROW = 2  # 1-based row of each table sheet's header

# -- 自评报告 (issue #14, engineer "report"): the narrative of the self-evaluation report ------------
# Optional sheet of the template: label in column A, the clerk's text in column B (one row per section,
# from row 3 under a title row and a header row). Older template workbooks and official forms have no
# such sheet; their report carries every figure and a placeholder for each section.
REPORT_SHEET = "自评报告"
REPORT_HEADERS = ("报告栏目", "填写内容", "对应报告章节及填写说明")
# (label in the sheet, key in Project.narrative, where it goes in the report and what to write)
NARRATIVE_FIELDS = (
    ("背景", "background", "一、（一）项目背景：项目资金来源文件、金额、主要用途。"),
    ("立项依据", "basis", "一、（二）项目立项依据：依据的文件名称及文号。"),
    ("组织及管理情况", "management", "一、（五）1. 项目组织及管理情况：管理制度、审批程序、资金拨付。"),
    ("完成情况", "completion", "一、（五）2. 项目完成情况：全年做了什么、取得什么成果。"),
    ("评价目的", "purpose", "二、（一）评价目的。"),
    ("评价设计与实施", "design", "二、（二）评价设计与实施：评价方法（如询问查证、群众征求）及过程。"),
    ("主要绩效或成功经验", "experience", "四、项目主要绩效或成功经验。"),
    ("存在问题或不足", "problems", "五、存在问题或不足（系统列出的扣分项和问题之后，写单位自己的分析）。"),
    ("相关建议", "suggestions", "六、相关建议。"),
)
