"""Why a file is not read: :class:`UnreadableFile`, its codes, and the Chinese sentences shared by
the modules of the read stage.

Every refusal carries a ``code`` from the finding catalogue (``findings.py``, scope "refusal"), so a
bureau can filter the JSON of a batch on it; the ``reason`` is a sentence a clerk can act on.
"""
from __future__ import annotations

# codes (each one is in findings.CATALOGUE with scope="refusal")
NOT_FOUND = "FILE_NOT_FOUND"
NO_ACCESS = "FILE_NO_ACCESS"
IS_FOLDER = "FILE_IS_FOLDER"
NOT_REGULAR = "FILE_NOT_REGULAR"
EMPTY = "FILE_EMPTY"
READ_ERROR = "FILE_READ_ERROR"
TOO_LARGE = "FILE_TOO_LARGE"
ARCHIVE = "FILE_IS_ARCHIVE"
NOT_WORKBOOK = "FILE_NOT_WORKBOOK"
CSV = "FILE_IS_CSV"
HTML = "FILE_IS_HTML"
XML2003 = "FILE_IS_XML2003"
XLSB = "FILE_IS_XLSB"
NUMBERS_CODE = "FILE_IS_NUMBERS"
WPS = "FILE_IS_WPS_ET"
OFFICE_OTHER = "FILE_IS_OFFICE_OTHER"
LOCK = "FILE_IS_LOCK"
UNKNOWN_FORMAT = "FILE_UNKNOWN_FORMAT"
ENCRYPTED = "FILE_ENCRYPTED"
DAMAGED = "FILE_DAMAGED"
UNZIPPED_TOO_LARGE = "FILE_UNZIPPED_TOO_LARGE"
ZIP_BOMB = "FILE_ZIP_BOMB"
DTD = "FILE_DTD"
CONTENT_TOO_LARGE = "FILE_CONTENT_TOO_LARGE"
REPEATS_TOO_FAR = "FILE_REPEATS_TOO_FAR"
TOO_MANY_MERGES = "FILE_TOO_MANY_MERGES"
ODD_CELL = "FILE_ODD_CELL_TAG"
READER_CRASHED = "FILE_READER_CRASHED"
READ_TIMEOUT = "FILE_READ_TIMEOUT"
NO_EVALUATION = "FILE_NO_EVALUATION"  # raised by api.read_project: no template sheets, no official form
IS_DECLARATION = "FILE_IS_DECLARATION"  # raised by read.sheets: a 绩效目标申报表 (or another form), not a self-evaluation


class UnreadableFile(Exception):
    """The file cannot be read as a workbook. ``reason`` is a Chinese sentence a clerk can act on;
    ``code`` says which kind of refusal it is (a catalogue code)."""

    def __init__(self, reason: str, code: str = DAMAGED):
        super().__init__(reason)
        self.reason = reason
        self.code = code

    def __reduce__(self):  # keeps the code across a process boundary (pickle)
        return (UnreadableFile, (self.reason, self.code))


# -- sentences ----------------------------------------------------------------------------------------
ASK_XLSX = "请用Excel或WPS打开后另存为.xlsx格式的自评表再提交。"
ENCRYPTED_TEXT = "工作簿设置了打开密码（已加密），无法读取；请在Excel/WPS中取消密码后重新提交。"
DAMAGED_TEXT = "文件已损坏或不完整（可能下载或复制时中断），无法读取；请用Excel或WPS重新保存后提交。"
WPS_ET = ("这是WPS表格自有格式（.et/.ett）的文件，本工具无法读取；请用WPS打开后点“另存为”，"
          "文件类型选“Excel 工作簿（*.xlsx）”，再提交另存后的文件。")
NUMBERS = "这是苹果Numbers表格，Excel和WPS都打不开；请在Numbers中选“文件 > 导出为 > Excel”，再提交导出的.xlsx文件。"
LOCK_FILE = ("这是Excel/WPS打开工作簿时自动生成的临时锁定文件（文件名以~$开头），不是自评表；"
             "请关闭Excel/WPS后提交不带~$的原文件。")
ODD_CELL_TAG = ("{where}中有格式异常的单元格标记（如同一个单元格写了两个位置），可能是异常文件；"
                "请用Excel或WPS打开并重新保存后提交。")
CONTENT_TOO_LARGE_TEXT = "文件内容过大，无法读取；请只保留自评表内容后重新保存提交。"


def encrypted() -> UnreadableFile:
    return UnreadableFile(ENCRYPTED_TEXT, ENCRYPTED)


def damaged() -> UnreadableFile:
    return UnreadableFile(DAMAGED_TEXT, DAMAGED)


def not_workbook(what: str) -> UnreadableFile:
    return UnreadableFile(f"这是一个{what}，不是Excel工作簿，请提交.xlsx格式的自评表。", NOT_WORKBOOK)
