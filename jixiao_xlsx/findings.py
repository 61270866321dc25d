"""The finding catalogue (spec §9): every code the tool can emit, with severity, whether it blocks the
total, and one line saying what it means.

Codes are stable: the district bureau filters on them, and ``jixiao codes`` lists this table. Codes
marked *project* are additions of this project where the spec is silent (see docs/decisions.md).
Every :class:`~jixiao_xlsx.model.Finding` is made through :func:`make`, so none escapes the catalogue.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

from .model import ERROR, HINT, Cell, Finding


class Code(NamedTuple):
    """One catalogue entry."""

    severity: str  # 错误 / 提示 (the default; a profile may raise OVER_ACHIEVEMENT_UNEXPLAINED)
    blocks: bool  # True: the total cannot be computed while this finding stands
    description: str  # one line, Chinese, for `jixiao codes` and the docs
    scope: str = "file"  # "file": a finding inside a workbook; "batch": about a batch; "refusal": file not read;
    # "review": a finding of `jixiao review` about a 绩效目标申报表 (issue #16)


def _c(severity: str, blocks: bool, description: str, scope: str = "file") -> Code:
    return Code(severity, blocks, description, scope)


CATALOGUE: dict[str, Code] = {
    # spec §9
    "REQUIRED_FIELD_MISSING": _c(ERROR, False, "项目名称、主管部门、实施单位或年度未填写"),
    "BUDGET_MISSING": _c(ERROR, True, "全年预算数为空或不是数字，无法计算执行率"),
    "BUDGET_ZERO": _c(ERROR, True, "全年预算数为0，无法计算执行率"),
    "EXECUTION_MISSING": _c(ERROR, True, "全年执行数为空或不是数字"),
    "AMOUNT_NEGATIVE": _c(ERROR, True, "金额为负数"),
    "EXECUTION_OVER_BUDGET": _c(ERROR, False, "某行全年执行数大于全年预算数（执行率按100%计分）"),
    "FUNDS_SOURCE_MISMATCH": _c(ERROR, False, "各资金来源合计与年度资金总额不一致"),
    "FUNDS_TOTAL_DERIVED": _c(HINT, False, "年度资金总额未填，已按各资金来源合计计算"),
    "ALLOCATION_MISMATCH": _c(ERROR, False, "资金分配计划/实际金额合计与全年预算数/执行数不一致"),
    "ALLOCATION_EMPTY": _c(HINT, False, "资金分配表未填写"),
    "INDICATORS_EMPTY": _c(ERROR, True, "没有任何三级指标，无法评分"),
    "LEVEL1_UNKNOWN": _c(ERROR, True, "一级指标为空或无法识别"),
    "LEVEL2_UNKNOWN": _c(ERROR, False, "二级指标无法识别或不属于所在一级指标"),
    "INDICATOR_NAME_MISSING": _c(ERROR, False, "该行已填写指标值，但三级指标名称为空"),
    "WEIGHT_INVALID": _c(ERROR, True, "分值为空、不是数字、为负数或超过两位小数"),
    "WEIGHT_ZERO": _c(ERROR, False, "分值为0，该指标不计分"),
    "LEVEL1_WEIGHT_MISMATCH": _c(ERROR, False, "一级指标或预算执行率的分值与评分规则不一致"),
    "WEIGHT_SUM_MISMATCH": _c(ERROR, False, "三级指标分值合计与一级（或二级）指标分值不一致"),
    "WEIGHT_TOTAL_MISMATCH": _c(ERROR, False, "分值自由分配时，指标分值合计不等于总分减预算执行率分值"),
    "WEIGHT_CAP_EXCEEDED": _c(ERROR, False, "某二级指标下分值合计超过评分规则规定的上限"),
    "TARGET_MISSING": _c(ERROR, True, "年度指标值为空（定性指标按完成档次评分，不阻断）"),
    "TARGET_UNPARSEABLE": _c(ERROR, True, "年度指标值无法识别"),
    "TARGET_NEGATIVE": _c(ERROR, True, "年度指标值为负数"),
    "TARGET_ZERO_POSITIVE": _c(HINT, False, "正向指标的指标值为0，任何完成值均得满分"),
    "DIRECTION_CONFLICT": _c(ERROR, True, "指标方向与年度指标值中的比较符号相矛盾"),
    "DIRECTION_ASSUMED": _c(HINT, False, "未注明指标方向，已按正向（成本指标按反向）计分"),
    "UNIT_MISMATCH": _c(ERROR, True, "年度指标值与实际完成值（或计量单位）的单位不一致"),
    "UNIT_CONVERTED": _c(HINT, False, "金额或数量已按单位换算（元→万元、万人次→人次等）"),
    "PERCENT_SCALE_ASSUMED": _c(HINT, False, "百分比行上的小数已按百分比理解（0.96→96%）"),
    "ACTUAL_MISSING": _c(ERROR, True, "实际完成值为空（定性指标按完成档次评分，不阻断）"),
    "ACTUAL_UNPARSEABLE": _c(ERROR, True, "需要数值的实际完成值填了文字"),
    "ACTUAL_NEGATIVE": _c(HINT, False, "实际完成值为负数，已按0计分"),
    "ACTUAL_IS_BOUND": _c(HINT, False, "实际完成值带比较词（超过、≥），已按其数值计分"),
    "QUAL_BAND_MISSING": _c(ERROR, True, "定性或时限指标未选择完成档次"),
    "QUAL_BAND_CONFLICT": _c(ERROR, True, "完成档次与实际完成日期相矛盾"),
    "QUAL_SCORE_OUT_OF_BAND": _c(ERROR, False, "定性指标的自评得分不在所选档次的得分区间内"),
    "DEVIATION_REASON_MISSING": _c(ERROR, False, "得分低于分值，但未填写偏差原因分析及改进措施"),
    "OVER_ACHIEVEMENT_UNEXPLAINED": _c(HINT, False, "实际完成值远超指标值且未说明原因（严重程度可由评分规则调整）"),
    "SELF_SCORE_DIFFERS": _c(HINT, False, "自评得分与按规则计算的得分不一致"),
    "SELF_TOTAL_INCONSISTENT": _c(HINT, False, "自评总分与各项自评得分合计不一致"),
    "SELF_TOTAL_DIFFERS": _c(HINT, False, "自评总分与按规则计算的总分不一致"),
    # project additions (docs/decisions.md)
    "AMOUNT_INVALID": _c(ERROR, False, "金额单元格填了不是金额的文字"),
    "SELF_SCORE_INVALID": _c(HINT, False, "自评得分不是数字，已忽略"),
    "SHEET_MISSING": _c(ERROR, True, "缺少必需的工作表或表格区块"),
    "FORMULA_NOT_CALCULATED": _c(ERROR, False, "公式单元格没有计算结果（请用Excel/WPS打开并保存）"),
    "COLUMN_MISSING": _c(ERROR, True, "表头中缺少必需的列（如三级指标、分值）"),
    "SHEET_TOO_LARGE": _c(HINT, False, "工作表超出读取范围的部分未读取"),
    # values and rules (issue #13, engineer "values"; docs/decisions.md)
    "CELL_ERROR_VALUE": _c(ERROR, True, "单元格显示Excel错误值（#DIV/0!、#REF!、#NAME?等），按未填写处理（未填写不阻断的项也不阻断）"),
    "LEVEL2_UNLISTED": _c(HINT, False, "二级指标不在评分规则的目录中（如省级规范名称、自设满意度类别），已按所填名称计分"),
    "UNIT_SCALE_AMBIGUOUS": _c(ERROR, True, "一边带“万/亿”、另一边没有单位，按两种读法得分相差悬殊，无法确定"),

    # readers (issue #13: rows that are not indicators, files that are not one self-evaluation)
    "HIDDEN_ROW_SCORED": _c(HINT, False, "隐藏的指标行仍按指标计分（已取消的指标请删除该行）"),
    "NOT_APPLICABLE_SKIPPED": _c(HINT, False, "标注“不适用”且无分值的指标行不是指标，未计入评分"),
    "MULTIPLE_PROJECTS": _c(HINT, False, "一个工作簿含多个项目的自评表，本次只核查其中一个（--sheet 指定）"),
    "FILE_IS_DECLARATION": _c(ERROR, True, "文件是绩效目标申报表等其他表格，不是绩效自评表", "refusal"),

    # self-evaluation report (issue #14, engineer "report")
    "REPORT_TEXT_MISSING": _c(HINT, False, "自评报告工作表中有栏目未填写，生成的自评报告将显示占位文字"),
    # the declaration review's checks applied to a self-evaluation (issue #16)
    "AMOUNT_LOOKS_LIKE_YUAN": _c(HINT, False, "万元金额栏中的数值过大，疑似按元填写"),
    # batch level (project additions)
    "DUPLICATE_PROJECT": _c(HINT, False, "批量汇总中两个文件报送了同一项目（单位、项目名称、年度相同）", "batch"),
    "SCORED_WRITE_FAILED": _c(ERROR, False, "批量汇总时该文件的评分工作簿未能写出", "batch"),
    # declarations review, `jixiao review` (issue #16, area "review"): scope "review", levels in rules/review.py
    "DECL_FIELD_MISSING": _c(ERROR, False, "申报表必填项（项目名称、单位、主管部门、实施期限、金额等）未填写", "review"),
    "DECL_FIELD_RECOMMENDED": _c(HINT, False, "申报表建议填写的项（项目编码、政策依据、测算依据等）未填写", "review"),
    "DECL_AMOUNT_INVALID": _c(ERROR, False, "申报表金额不是数字", "review"),
    "DECL_AMOUNT_LOOKS_LIKE_YUAN": _c(HINT, False, "以万元为单位的金额数值过大，疑似按元填写", "review"),
    "DECL_YEAR_AMOUNT_OVER_TOTAL": _c(ERROR, False, "本年度项目金额大于项目总金额", "review"),
    "DECL_GOAL_MISSING": _c(ERROR, False, "年度目标未填写", "review"),
    "DECL_GOAL_VAGUE": _c(HINT, False, "年度目标过于笼统（过短或没有任何数量、时间）", "review"),
    "DECL_GOAL_COPIED": _c(ERROR, False, "年度目标与长期（中期）目标相同或几乎相同", "review"),
    "DECL_INDICATORS_EMPTY": _c(ERROR, False, "未找到绩效指标表或表中没有任何三级指标", "review"),
    "DECL_LEVEL_UNKNOWN": _c(ERROR, False, "一级或二级指标为空、无法识别或不属于所在一级指标", "review"),
    "DECL_LEVEL1_MISSING": _c(ERROR, False, "缺少产出指标或效益指标", "review"),
    "DECL_LEVEL2_MISSING": _c(ERROR, False, "产出指标未覆盖数量、质量、时效、成本指标", "review"),
    "DECL_SATISFACTION_MISSING": _c(HINT, False, "面向群众或服务对象的项目未设满意度指标", "review"),
    "DECL_INDICATOR_NAME_MISSING": _c(ERROR, False, "该行已填写指标值，但三级指标名称为空", "review"),
    "DECL_DUPLICATE_INDICATOR": _c(HINT, False, "同一项目中三级指标名称重复", "review"),
    "DECL_TARGET_MISSING": _c(ERROR, False, "指标值为空", "review"),
    "DECL_TARGET_PLACEHOLDER": _c(ERROR, False, "指标值为占位符（*、XX、待定等）", "review"),
    "DECL_TARGET_VAGUE": _c(ERROR, False, "指标值为含糊用语（提升、明显、及时、有效等），无法衡量", "review"),
    "DECL_TARGET_QUALITATIVE": _c(HINT, False, "指标值为文字描述，自评时只能按定性档次评分", "review"),
    "DECL_TARGET_RANGE": _c(HINT, False, "指标值为区间，自评时无法按数值评分", "review"),
    "DECL_TARGET_NO_UNIT": _c(ERROR, False, "指标值只有数字，没有计量单位", "review"),
    "DECL_TARGET_NO_COMPARATOR": _c(HINT, False, "指标值没有比较符号（≥、≤、=）", "review"),
    "DECL_TARGET_NEGATIVE": _c(ERROR, False, "指标值为负数", "review"),
    "DECL_DIRECTION_WRONG": _c(ERROR, False, "成本、故障率、发生率、投诉等反向指标使用了≥等正向比较符", "review"),
    "DECL_PERCENT_OVER_100": _c(ERROR, False, "百分比指标值超过100%", "review"),
    "DECL_TIMELINESS_NOT_TIME": _c(HINT, False, "时效指标的指标值不是完成时限、时长或比率", "review"),
    "DECL_DATE_OUTSIDE_YEAR": _c(ERROR, False, "指标值中的日期不在预算年度内", "review"),
    "DECL_TARGET_LOOKS_LIKE_YUAN": _c(HINT, False, "以万元为单位的指标值数值过大，疑似按元填写", "review"),
    "DECL_COST_OVER_AMOUNT": _c(ERROR, False, "成本指标的金额上限超过本年度项目金额", "review"),
    "DECL_IS_SELF_EVALUATION": _c(ERROR, False, "该文件是绩效自评表，不是绩效目标申报表（请用 jixiao check/score）", "review"),
    "DECL_NOT_FOUND": _c(ERROR, False, "文件中未找到绩效目标申报表", "review"),

    # refusals: why a file was not read at all (read stage, issue #12; the JSON of an unreadable file
    # carries its code beside the message)
    "FILE_NOT_FOUND": _c(ERROR, True, "文件不存在", "refusal"),
    "FILE_NO_ACCESS": _c(ERROR, True, "没有读取该文件的权限或无法访问", "refusal"),
    "FILE_IS_FOLDER": _c(ERROR, True, "给出的是文件夹，不是文件", "refusal"),
    "FILE_NOT_REGULAR": _c(ERROR, True, "不是普通文件（设备、管道等）", "refusal"),
    "FILE_EMPTY": _c(ERROR, True, "文件为空（0字节）", "refusal"),
    "FILE_READ_ERROR": _c(ERROR, True, "读取文件时出现系统错误", "refusal"),
    "FILE_TOO_LARGE": _c(ERROR, True, "文件超过本工具的大小上限（100MB）", "refusal"),
    "FILE_IS_ARCHIVE": _c(ERROR, True, "文件是压缩包（zip、rar、7z等），不是工作簿", "refusal"),
    "FILE_NOT_WORKBOOK": _c(ERROR, True, "文件不是Excel工作簿（PDF、图片、Word、文本等）", "refusal"),
    "FILE_IS_CSV": _c(ERROR, True, "文件是CSV/文本表格，没有工作表和格式", "refusal"),
    "FILE_IS_HTML": _c(ERROR, True, "文件是网页（HTML），只是扩展名像Excel", "refusal"),
    "FILE_IS_XML2003": _c(ERROR, True, "文件是Excel 2003 XML格式的表格", "refusal"),
    "FILE_IS_XLSB": _c(ERROR, True, "文件是二进制格式的Excel工作簿（.xlsb）", "refusal"),
    "FILE_IS_NUMBERS": _c(ERROR, True, "文件是苹果Numbers表格", "refusal"),
    "FILE_IS_WPS_ET": _c(ERROR, True, "文件是WPS表格自有格式（.et/.ett）", "refusal"),
    "FILE_IS_OFFICE_OTHER": _c(ERROR, True, "文件是Office文件，但不是Excel工作簿", "refusal"),
    "FILE_IS_LOCK": _c(ERROR, True, "文件是Excel/WPS的临时锁定文件（~$开头）", "refusal"),
    "FILE_UNKNOWN_FORMAT": _c(ERROR, True, "无法识别的文件格式（可能已损坏）", "refusal"),
    "FILE_ENCRYPTED": _c(ERROR, True, "工作簿设置了打开密码（已加密）", "refusal"),
    "FILE_DAMAGED": _c(ERROR, True, "文件已损坏或不完整（截断、内部数据错误）", "refusal"),
    "FILE_UNZIPPED_TOO_LARGE": _c(ERROR, True, "工作簿解压后超过本工具的上限（200MB）", "refusal"),
    "FILE_ZIP_BOMB": _c(ERROR, True, "工作簿内部文件压缩比异常（压缩炸弹）", "refusal"),
    "FILE_DTD": _c(ERROR, True, "工作簿内部XML含DTD/实体声明（可能是恶意构造）", "refusal"),
    "FILE_CONTENT_TOO_LARGE": _c(ERROR, True, "工作簿或工作表内容过大，无法读取", "refusal"),
    "FILE_REPEATS_TOO_FAR": _c(ERROR, True, "工作表中有重复到极远处的内容（.ods）", "refusal"),
    "FILE_TOO_MANY_MERGES": _c(ERROR, True, "工作表中合并单元格过多（超过10000处）", "refusal"),
    "FILE_ODD_CELL_TAG": _c(ERROR, True, "工作表中有格式异常的单元格标记", "refusal"),
    "FILE_READER_CRASHED": _c(ERROR, True, "读取进程在读取该文件时异常退出（文件多为损坏或异常构造）", "refusal"),
    "FILE_READ_TIMEOUT": _c(ERROR, True, "读取该文件超时（60秒）", "refusal"),
    "FILE_NO_EVALUATION": _c(ERROR, True, "工作簿中没有绩效自评内容（既无模板工作表，也无自评表格式）", "refusal"),
    "FILE_WORKER_DIED": _c(ERROR, True, "批量处理时处理该文件的进程意外退出", "refusal"),
    "FILE_INTERNAL_ERROR": _c(ERROR, True, "处理该文件时出现本工具的内部错误", "refusal"),
}


def info(code: str) -> Code:
    """The catalogue entry of ``code``; a KeyError names a code missing from the catalogue."""
    return CATALOGUE[code]


def make(code: str, where: Optional[Cell], message: str, *, severity: Optional[str] = None,
         blocks: Optional[bool] = None, sheet: str = "", cell: str = "") -> Finding:
    """A Finding for ``code`` at ``where`` (a Cell) or at ``sheet``/``cell``."""
    entry = CATALOGUE[code]
    if where is not None:
        sheet = sheet or where.sheet
        cell = cell or where.ref
    return Finding(severity=severity or entry.severity, code=code, sheet=sheet, cell=cell, message=message,
                   blocks=entry.blocks if blocks is None else blocks)
