"""What kind of file it is, from its first bytes, its OLE2 directory or its zip member names.

A clerk submits PDFs, CSVs, web pages saved as .xls, WPS's own .et, Numbers files, zips of
workbooks, Word documents and password-protected workbooks; each gets a sentence naming what it
is and what to do. Nothing here inflates a member or hands the file to calamine.
"""
from __future__ import annotations

import os
import struct
import zipfile
from typing import Optional

from . import refusal as R
from .refusal import ASK_XLSX, NUMBERS, WPS_ET, UnreadableFile, encrypted, not_workbook

MAX_FILE_BYTES = 100 * 1024 * 1024  # a self-evaluation workbook is well under 1 MB
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")


def _decode_text(head: bytes) -> Optional[str]:
    """The head as text if it plausibly is text (UTF-8/UTF-16/GBK), else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16", errors="ignore")
        except Exception:
            return None
    if b"\x00" in head:
        return None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return head.decode(enc)
        except UnicodeDecodeError:
            # the head may end inside a multi-byte character
            try:
                return head[:-3].decode(enc)
            except UnicodeDecodeError:
                continue
    return None


def sniff_other(head: bytes) -> UnreadableFile:
    """Describe a file that is neither a zip nor an OLE2 container (what a clerk would call it)."""
    if head.startswith(b"%PDF"):
        return not_workbook("PDF文件")
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff") or head[:4] in (b"GIF8", b"BM\x00\x00"):
        return not_workbook("图片文件")
    if head.startswith(b"Rar!") or head.startswith(b"7z\xbc\xaf") or head.startswith(b"\x1f\x8b"):
        return UnreadableFile("这是一个压缩包，不是Excel工作簿；请解压后提交其中的.xlsx自评表。", R.ARCHIVE)
    if head.startswith(b"{\\rtf"):
        return not_workbook("Word文档（RTF格式）")
    text = _decode_text(head)
    if text is None:
        return UnreadableFile("无法识别的文件格式，不是Excel工作簿（可能已损坏）；" + ASK_XLSX, R.UNKNOWN_FORMAT)
    low = text.lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in low:
        return UnreadableFile("这是Excel 2003 XML格式的表格（扩展名虽为Excel），本工具无法读取；" + ASK_XLSX, R.XML2003)
    if low.startswith("<") and ("<html" in low or "<table" in low or "<!doctype html" in low):
        return UnreadableFile("这是一个网页（HTML）文件，只是扩展名像Excel（常见于从系统导出的表格）；" + ASK_XLSX, R.HTML)
    if low.startswith("<?xml") or low.startswith("<"):
        return not_workbook("XML文本文件")
    first = low.splitlines()[0] if low else ""
    if "," in first or "\t" in first or "，" in first:
        return UnreadableFile(
            "这是一个CSV/文本文件，不是Excel工作簿（没有工作表、格式和合并单元格）；"
            "请在区财政局下发的标准模板（.xlsx）中填写后提交。",
            R.CSV,
        )
    return not_workbook("文本文件")


# -- OLE2 (compound file): .xls, encrypted .xlsx, .doc ------------------------------------------------
def ole_stream_names(data: bytes) -> list:
    """Names of the storages/streams in an OLE2 compound file (minimal reader, never raises)."""
    names = []
    try:
        sector_shift = struct.unpack_from("<H", data, 0x1E)[0]
        if sector_shift not in (9, 12):
            raise ValueError("sector size")
        ssz = 1 << sector_shift
        n_fat = struct.unpack_from("<I", data, 0x2C)[0]
        first_dir = struct.unpack_from("<I", data, 0x30)[0]
        first_difat, n_difat = struct.unpack_from("<II", data, 0x44)
        difat = list(struct.unpack_from("<109I", data, 0x4C))
        sec = first_difat
        for _ in range(min(n_difat, 10000)):
            if sec >= 0xFFFFFFFA:
                break
            off = (sec + 1) * ssz
            vals = struct.unpack_from(f"<{ssz // 4}I", data, off)
            difat.extend(vals[:-1])
            sec = vals[-1]
        fat = []
        for s in difat[: min(n_fat, len(difat))]:
            if s >= 0xFFFFFFFA:
                continue
            fat.extend(struct.unpack_from(f"<{ssz // 4}I", data, (s + 1) * ssz))
        sec, seen = first_dir, set()
        while sec < 0xFFFFFFFA and sec not in seen and len(seen) < 100000:
            seen.add(sec)
            off = (sec + 1) * ssz
            for e in range(ssz // 128):
                ent = data[off + e * 128 : off + (e + 1) * 128]
                if len(ent) < 128:
                    break
                nlen = struct.unpack_from("<H", ent, 0x40)[0]
                typ = ent[0x42]
                if typ in (1, 2, 5) and 2 <= nlen <= 64:
                    names.append(ent[: nlen - 2].decode("utf-16-le", errors="replace"))
            sec = fat[sec] if sec < len(fat) else 0xFFFFFFFE
    except (struct.error, ValueError, IndexError):
        pass
    if not names:  # damaged directory: fall back on the raw names
        for n in ("EncryptedPackage", "EncryptionInfo", "Workbook", "Book", "WordDocument"):
            if n.encode("utf-16-le") in data:
                names.append(n)
    return names


def check_ole(data: bytes, path: str = "") -> None:
    """Refuse OLE2 files that are not an .xls workbook (encrypted .xlsx, Word .doc, ...; under an
    .et/.ett name, WPS's own format)."""
    names = set(ole_stream_names(data))
    if {"EncryptedPackage", "EncryptionInfo"} & names:
        raise encrypted()
    if "WordDocument" in names:
        raise not_workbook("Word文档（.doc）")
    if "PowerPoint Document" in names:
        raise not_workbook("PowerPoint演示文稿（.ppt）")
    if names and not ({"Workbook", "Book", "WORKBOOK", "BOOK"} & names):
        raise UnreadableFile(WPS_ET, R.WPS) if is_wps_name(path) else UnreadableFile(_OFFICE_NOT_EXCEL, R.OFFICE_OTHER)


_OFFICE_NOT_EXCEL = "这是一个Office文件，但不是Excel工作簿；" + ASK_XLSX

def is_wps_name(path: str) -> bool:
    return path.lower().endswith((".et", ".ett"))


# -- zip (.xlsx/.xlsm/.ods) ----------------------------------------------------------------------
def zip_kind(names_lower: set, zf: zipfile.ZipFile) -> str:
    """'xlsx', 'ods', or raise with what the zip actually is."""
    if "xl/workbook.xml" in names_lower:
        return "xlsx"
    if "xl/workbook.bin" in names_lower:
        raise UnreadableFile("这是二进制格式的Excel工作簿（.xlsb），本工具不支持；" + ASK_XLSX, R.XLSB)
    if "index/document.iwa" in names_lower or "index.zip" in names_lower:
        raise UnreadableFile(NUMBERS, R.NUMBERS_CODE)
    if "word/document.xml" in names_lower:
        raise not_workbook("Word文档（.docx）")
    if "ppt/presentation.xml" in names_lower:
        raise not_workbook("PowerPoint演示文稿（.pptx）")
    if "mimetype" in names_lower:
        try:
            mt = zf.read("mimetype")[:100]
        except Exception:
            mt = b""
        if b"opendocument.spreadsheet" in mt:
            return "ods"
        if b"opendocument.text" in mt:
            raise not_workbook("文字处理文档（.odt）")
    inner = inner_workbooks(zf)
    if inner:
        raise UnreadableFile(
            f"这是一个压缩包，里面有{len(inner)}个Excel文件（如“{os.path.basename(inner[0])[:40]}”）；请解压后逐个提交。",
            R.ARCHIVE,
        )
    raise UnreadableFile("这是一个压缩包（zip）或已损坏的工作簿，不是可读取的Excel文件；" + ASK_XLSX, R.ARCHIVE)


def inner_workbooks(zf: zipfile.ZipFile) -> list:
    """Names (as their maker meant them) of the Excel workbooks inside an archive."""
    return [shown_name(i) for i in zf.infolist()
            if i.filename.lower().endswith((".xlsx", ".xls", ".xlsm")) and not i.is_dir()]


def extracted_beside(path: str) -> bool:
    """Whether every workbook inside the zip ``path`` already lies, unzipped, in the zip's own folder
    (as extracted "here" or into a folder named after the zip): a batch then skips the archive
    instead of reporting it on every run. False for anything unreadable or without a workbook."""
    folder, stem = os.path.dirname(path), os.path.splitext(os.path.basename(path))[0]
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            return False
        with zipfile.ZipFile(path) as zf:
            inner = inner_workbooks(zf)
    except Exception:  # noqa: BLE001 - a damaged zip is the reader's to report
        return False
    if not inner:
        return False
    for name in inner:
        rel = name.replace("\\", "/").lstrip("/")
        if ".." in rel.split("/"):
            return False
        places = (os.path.join(folder, rel), os.path.join(folder, stem, rel), os.path.join(folder, os.path.basename(rel)))
        if not any(os.path.isfile(p) for p in places):
            return False
    return True


def shown_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its maker meant it: zips made on Chinese Windows store GBK names without
    the UTF-8 flag, which zipfile decodes as cp437 (mojibake in a message)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename
