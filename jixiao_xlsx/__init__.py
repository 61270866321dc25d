"""jixiao-xlsx: score project-expenditure performance self-evaluations (项目支出绩效自评) from Excel."""

__version__ = "0.1.0"
