"""Cheap checks on hostile input, in front of and inside the reader process.

In front (the calling process): what the file system says, the first bytes, and the zip's central
directory as ``zipfile`` reads it — declared sizes and compression ratios (zip bombs), encrypted
members, what kind of zip it is. Nothing is inflated there. Inside the reader process
(:mod:`.parse`), on each XML part as it is inflated: a DTD or entity declaration is refused, a
shared-strings count that promises more strings than the part holds is dropped, and an .ods whose
repeated cells reach absurdly far is refused. Whatever still makes calamine abort only ends the
reader process (:mod:`.isolate`).
"""
from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from typing import Optional

from . import refusal as R
from .refusal import UnreadableFile, damaged, encrypted
from .sniff import MAX_FILE_BYTES, OLE_MAGIC, ZIP_MAGICS, zip_kind

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # sum of declared uncompressed sizes of all parts
MAX_RATIO = 1000  # compression ratio of one large part; real XML compresses 5-50x
RATIO_MIN_BYTES = 10 * 1024 * 1024  # ... only parts larger than this are judged by ratio
ROW_LIMIT = 10_000  # rows read per sheet (a self-evaluation form has well under 200)
COL_LIMIT = 100  # columns read per sheet (the widest known form has about 15)
MERGES_MAX = 10_000  # merged ranges per sheet; a self-evaluation form has a few dozen
HEAD_BYTES = 8192  # what sniffing a file that is not a zip or OLE container looks at

# parts never parsed as XML (images, printer settings, VBA); every other part is inflated and checked
BINARY_PARTS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".emf", ".wmf", ".tif", ".tiff", ".bin", ".wdp", ".jfif")
ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error)


def too_large(path: str, size: int, head: bytes) -> UnreadableFile:
    mb = size // (1024 * 1024)
    if head.startswith(ZIP_MAGICS) and path.lower().endswith(".zip"):  # an archive, not a workbook
        return UnreadableFile(f"这是一个压缩包（约{mb}MB），不是Excel工作簿；请解压后提交其中的.xlsx自评表。", R.ARCHIVE)
    return UnreadableFile(
        f"文件过大（{mb}MB），超出本工具的处理上限（{MAX_FILE_BYTES // (1024 * 1024)}MB）；"
        "自评表一般不足1MB，请删除图片和无关工作表后重新保存提交。",
        R.TOO_LARGE,
    )


def read_bytes(path: str) -> bytes:
    """The file's bytes (up to the cap) when it is a zip or OLE container; otherwise only its first
    bytes, which is all sniffing reads (a 90 MB CSV or .rar is not read whole to say what it is)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UnreadableFile("文件不存在，请检查路径。", R.NOT_FOUND)
    except OSError as e:
        raise UnreadableFile(f"无法访问该文件（{e.strerror or type(e).__name__}），请检查路径和权限。", R.NO_ACCESS)
    if stat.S_ISDIR(st.st_mode):
        raise UnreadableFile("这是一个文件夹，不是Excel工作簿；批量处理请使用 jixiao batch。", R.IS_FOLDER)
    if not stat.S_ISREG(st.st_mode):  # a device, pipe or socket: never read from it
        raise UnreadableFile("这不是一个普通文件，不是Excel工作簿，请提交.xlsx格式的自评表。", R.NOT_REGULAR)
    if st.st_size == 0:
        raise UnreadableFile("文件为空（0字节），可能上传或复制时出错；请重新保存后提交。", R.EMPTY)
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
            if not head.startswith(OLE_MAGIC) and not head.startswith(ZIP_MAGICS):
                return head  # not a workbook container (CSV, PDF, rar …): the head is all that is sniffed
            if st.st_size > MAX_FILE_BYTES:
                raise too_large(path, st.st_size, head)
            # the rest as stat saw it (never read(negative), which reads to the end, past any cap);
            # the size just seen, not the cap: read(n) reserves n bytes first (100 MB for every file)
            data = head + fh.read(max(st.st_size + 1 - len(head), 0))
            if len(data) > st.st_size:  # the file grew since: the rest, up to the cap
                data += fh.read(MAX_FILE_BYTES + 1 - len(data))
            return data
    except PermissionError:
        raise UnreadableFile("没有读取该文件的权限；请关闭正在使用它的程序或检查文件权限后重试。", R.NO_ACCESS)
    except OSError as e:
        raise UnreadableFile(f"读取文件时出错（{e.strerror or type(e).__name__}），请重新保存后提交。", R.READ_ERROR)


def check_zip(data: bytes) -> str:
    """'xlsx' or 'ods' for a zip whose central directory passes the checks; else raise.

    Only the directory is read: declared sizes (total and per part ratio), encryption flags, names."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise damaged()
    try:
        kind = zip_kind({i.filename.lower() for i in infos}, zf)
    except UnreadableFile:
        raise
    except Exception:  # noqa: BLE001 - reading the mimetype member of a damaged zip
        raise damaged()
    total = sum(max(i.file_size, 0) for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise UnreadableFile(
            f"文件解压后过大（约{total // (1024 * 1024)}MB），超出本工具的处理上限"
            f"（{MAX_UNZIPPED_BYTES // (1024 * 1024)}MB），可能是异常文件；请只保留自评表内容后重新保存提交。",
            R.UNZIPPED_TOO_LARGE,
        )
    for i in infos:
        if i.file_size > RATIO_MIN_BYTES and i.file_size / max(i.compress_size, 1) > MAX_RATIO:
            raise UnreadableFile(
                f"文件内部“{i.filename[:60]}”解压后过大（压缩比超过{MAX_RATIO}倍），可能是异常文件（压缩炸弹）；"
                "请只保留自评表内容后重新保存提交。",
                R.ZIP_BOMB,
            )
        if i.flag_bits & 0x1:
            raise encrypted()
    return kind


# -- checks on inflated parts (run in the reader process) ----------------------------------------------
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)


def xml_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, clean: frozenset | set = frozenset()) -> bytes:
    """A part calamine may parse as XML, inflated (zipfile bounds it by the declared size, checked by
    :func:`check_zip`) and checked: a DTD or entity declaration is refused. May raise the
    :data:`ZIP_ERRORS` of a damaged member. ``clean``: parts (their bytes) already found clean."""
    xml = zf.read(info)
    if xml not in clean and _DTD.search(xml):
        raise UnreadableFile(
            f"工作簿内部文件“{info.filename[:60]}”含有DTD/实体声明（可能是恶意构造的文件），已拒绝读取；"
            "请用Excel或WPS重新保存后提交。",
            R.DTD,
        )
    return xml


_SST_TAG = re.compile(rb"<" + rb"(?:[^\s<>/:=\x22\x27]+:)?" + rb"sst\b[^>]*>")
_SST_COUNT = re.compile(rb"""\s(?:uniqueCount|count)\s*=\s*["']\s*([0-9]+)\s*["']""")


def sane_string_count(sst: bytes) -> Optional[bytes]:
    """The shared-strings part without its declared counts when they promise more strings than the
    part could hold (calamine reserves memory for the count before reading a string), else None."""
    tag = _SST_TAG.search(sst)
    if tag is None:
        return None
    counts = [m.group(1) for m in _SST_COUNT.finditer(tag.group(0))]
    if not any(len(c) > 9 or int(c) > len(sst) for c in counts):
        return None
    return sst[: tag.start()] + _SST_COUNT.sub(b"", tag.group(0)) + sst[tag.end() :]


_ODS_CELL = re.compile(rb"<table:table-cell\b([^>]*)>")
_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*)>(.*?)</table:table-row>", re.S)
_REPEAT = re.compile(rb"""number-(?:columns|rows)-repeated\s*=\s*["']([0-9]+)["']""")


def check_ods(content: bytes) -> None:
    """Refuse an .ods whose repeated value cells would make calamine build a gigantic grid."""
    too_big = UnreadableFile(
        f"工作表中有重复到极远处的内容（超出前{ROW_LIMIT}行、前{COL_LIMIT}列），可能是异常文件；"
        "请删除表格以外的多余内容后另存为.xlsx提交。",
        R.REPEATS_TOO_FAR,
    )
    for m in _ODS_CELL.finditer(content):
        rep = _REPEAT.search(m.group(1))
        if rep and int(rep.group(1)) > COL_LIMIT and b"value-type" in m.group(1):
            raise too_big
    for m in _ODS_ROW.finditer(content):
        rep = _REPEAT.search(m.group(1))
        if rep and int(rep.group(1)) > ROW_LIMIT and b"value-type" in m.group(2):
            raise too_big
