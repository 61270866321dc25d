"""Uploads from the browser onto disk, safely: size limits, zip members, names that never become paths.

A browser's file name (or a zip member's name) is only ever a *label*: the bytes are written to
``<private temp folder>/<n><ext>`` where ``n`` is a counter and ``ext`` one of a fixed list, so
``../../etc/passwd`` or ``C:\\Windows\\x.xlsx`` cannot reach the file system.  Zip members are
read with a byte cap (a declared size can lie), so a zip bomb stops at the limit with a Chinese
message instead of filling the disk.
"""
from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Optional

from ..read.sniff import shown_name  # GBK member names of zips made on Chinese Windows
from ..batch import EXCEL_SUFFIXES, OTHER_SHEET_SUFFIXES, SCORED_SUFFIX, SKIP_HIDDEN_FILE, SKIP_LOCK, SKIP_SCORED

MB = 1024 * 1024
_CHUNK = 256 * 1024


@dataclass(frozen=True)
class Limits:
    """What one upload may hold. The defaults fit a district (hundreds of workbooks of < 1 MB each)."""

    request_bytes: int = 300 * MB  # one POST, all files together (Flask MAX_CONTENT_LENGTH)
    file_bytes: int = 30 * MB  # one workbook, uploaded or inside a zip
    zip_members: int = 5000  # members of one zip (folders included)
    zip_total_bytes: int = 1024 * MB  # all workbooks of one upload once unzipped
    files: int = 5000  # workbooks of one batch

    def mb(self, n: int) -> str:
        return f"{n / MB:.0f}MB" if n >= MB else f"{max(n // 1024, 1)}KB"


class UploadError(Exception):
    """The upload as a whole is refused; the message is Chinese and says what to do instead."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


# -- names -------------------------------------------------------------------------------------

_SAFE_EXT = re.compile(r"^\.[a-z0-9]{1,8}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def label_of(name: Optional[str], default: str = "未命名.xlsx") -> str:
    """A display label for a browser/zip file name: printable, one line, at most 200 characters.
    Only ever shown as text (page, summary's 源文件 column), never used as a path."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = _CONTROL.sub("", text).replace("\\", "/").strip().strip("/")
    while text.startswith("./"):
        text = text[2:]
    if len(text) > 200:
        text = text[:100] + "…" + text[-99:]
    return text or default


def suffix_of(label: str) -> str:
    """The file's extension from a fixed pattern (lowercase letters and digits), else ``.xlsx``;
    the reader judges the content anyway, the extension only helps its messages (``.et``, ``.csv``)."""
    ext = Path(label.rsplit("/", 1)[-1]).suffix.lower()
    return ext if _SAFE_EXT.match(ext) else ".xlsx"


def unique_labels(labels: Iterable[str]) -> list:
    """Labels made distinct (``a.xlsx``, ``a.xlsx（2）``): the summary groups rows by 源文件."""
    seen: dict = {}
    out = []
    for lab in labels:
        n = seen.get(lab, 0) + 1
        seen[lab] = n
        out.append(lab if n == 1 else f"{lab}（{n}）")
    return out


def skip_reason(label: str) -> Optional[str]:
    """Why a member of a bureau's folder is not a self-evaluation (the rules of ``jixiao batch``)."""
    parts = [p for p in label.split("/") if p]
    if not parts or parts[0] == "__MACOSX":
        return SKIP_HIDDEN_FILE
    name = parts[-1]
    if name.startswith("~$"):
        return SKIP_LOCK
    if any(p.startswith(".") and p not in (".", "..") for p in parts):
        return SKIP_HIDDEN_FILE
    if name.lower().endswith(SCORED_SUFFIX):
        return SKIP_SCORED
    return None


def is_sheet_name(label: str) -> bool:
    """Kinds ``jixiao batch`` takes from a folder (workbooks, and what a street may send instead)."""
    return label.lower().endswith(EXCEL_SUFFIXES + OTHER_SHEET_SUFFIXES)


# -- writing -------------------------------------------------------------------------------------


class Folder:
    """A private temporary folder (``tempfile.mkdtemp``: mode 0700) that hands out generated names."""

    def __init__(self, path: str):
        self.path = Path(path)
        self.n = 0

    def new_path(self, label: str) -> Path:
        self.n += 1
        return self.path / f"{self.n:05d}{suffix_of(label)}"

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _copy_capped(src: BinaryIO, dst_path: Path, cap: int, too_big: str) -> int:
    """Copy at most ``cap`` bytes; past it remove the copy and raise :class:`UploadError`."""
    n = 0
    with open(dst_path, "wb") as out:
        while True:
            chunk = src.read(_CHUNK)
            if not chunk:
                return n
            n += len(chunk)
            if n > cap:
                out.close()
                dst_path.unlink(missing_ok=True)
                raise UploadError(too_big, 413)
            out.write(chunk)


def save_upload(stream: BinaryIO, label: str, folder: Folder, limits: Limits) -> Path:
    """One uploaded file -> a generated name in ``folder``."""
    path = folder.new_path(label)
    _copy_capped(stream, path, limits.file_bytes, file_too_big(label, limits))
    return path


def file_too_big(label: str, limits: Limits) -> str:
    return (f"文件“{label}”超过 {limits.mb(limits.file_bytes)} 的上限，未处理；自评表一般不足1MB，"
            "请删除图片和无关工作表后重新保存再上传。")


@dataclass
class Extracted:
    files: list  # [(path, label)] workbooks to score, in member order
    skipped: list  # [(label, Chinese reason)]


def extract_zip(zip_path: Path, zip_label: str, folder: Folder, limits: Limits, budget: list) -> Extracted:
    """The workbooks of an uploaded zip, each read into a generated name; member names are labels only.

    ``budget`` is a one-element list of bytes still allowed for this upload (shared by every zip of
    it). Nested folders are flattened into the label (``嘉禾街/自评表.xlsx``); nested zips are passed
    to the reader like any other file (it says what to do with them)."""
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadError(f"“{zip_label}”不是有效的.zip压缩包（可能已损坏或是其他格式，如.rar/.7z），"
                          "请用“发送到 > 压缩(zipped)文件夹”重新压缩后上传，或直接选择多个.xlsx文件。", 422)
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.zip_members:
            raise UploadError(f"压缩包“{zip_label}”中的文件过多（{len(infos)}个，上限{limits.zip_members}个），"
                              "请分成几个压缩包分别上传。", 413)
        out = Extracted([], [])
        for info in infos:
            if info.is_dir():
                continue
            label = label_of(shown_name(info))
            shown = label  # the bureau's folder structure as zipped; the zip's own name adds nothing
            if not is_sheet_name(label):
                continue  # Word reports, scans, images: not workbooks a street meant to send (as jixiao batch)
            reason = skip_reason(label)
            if reason:
                out.skipped.append((shown, reason))
                continue
            if info.file_size > limits.file_bytes:
                raise UploadError(file_too_big(shown, limits), 413)
            if info.file_size > budget[0]:
                raise UploadError(_zip_too_big(zip_label, limits), 413)
            path = folder.new_path(label)
            try:
                with zf.open(info) as src:
                    n = _copy_capped(src, path, min(limits.file_bytes, budget[0]), _zip_too_big(zip_label, limits))
            except UploadError as e:  # the declared size lied: a zip bomb or a damaged zip
                raise UploadError(e.message if info.file_size <= limits.file_bytes else file_too_big(shown, limits), 413)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
                path.unlink(missing_ok=True)  # encrypted, damaged, unknown compression: one bad member
                out.skipped.append((shown, "压缩包中的这个文件已损坏、加了密码或压缩方式不受支持，未能解压；请直接上传该文件。"))
                continue
            budget[0] -= n
            out.files.append((path, shown))
            if len(out.files) > limits.files:
                raise UploadError(_too_many(limits), 413)
        return out


def _zip_too_big(zip_label: str, limits: Limits) -> str:
    return (f"压缩包“{zip_label}”解压后超过 {limits.mb(limits.zip_total_bytes)} 的上限（或其中某个文件超过 "
            f"{limits.mb(limits.file_bytes)}），未处理；请分成几个压缩包上传，或检查其中是否有过大的文件。")


def _too_many(limits: Limits) -> str:
    return f"一次最多处理 {limits.files} 个工作簿，请分批上传。"


def gather(uploads: list, folder: Folder, limits: Limits) -> Extracted:
    """Uploaded files (``[(stream, browser name)]``) -> workbooks to score; zips are opened.
    A zip only counts as one when its name ends in .zip (a renamed workbook is a workbook). A file
    chosen by hand is taken whatever its name (as ``jixiao batch`` takes a file named on its command
    line); one whose name holds a folder (a folder chosen or dropped) follows the rules of a folder."""
    budget = [limits.zip_total_bytes]
    out = Extracted([], [])
    labels = unique_labels(label_of(name) for _, name in uploads)
    for (stream, _), label in zip(uploads, labels):
        in_folder = "/" in label  # from a folder the clerk chose or dropped: the rules of a folder
        if in_folder and not is_sheet_name(label):
            continue
        reason = skip_reason(label if in_folder else label.rsplit("/", 1)[-1])
        if reason:
            out.skipped.append((label, reason))
            continue
        path = save_upload(stream, label, folder, limits)
        if label.lower().endswith(".zip"):
            inner = extract_zip(path, label, folder, limits, budget)
            path.unlink(missing_ok=True)
            out.files += inner.files
            out.skipped += inner.skipped
        else:
            budget[0] -= path.stat().st_size
            if budget[0] < 0:
                raise UploadError(f"上传的文件合计超过 {limits.mb(limits.zip_total_bytes)} 的上限，请分批上传。", 413)
            out.files.append((path, label))
        if len(out.files) > limits.files:
            raise UploadError(_too_many(limits), 413)
    labels = unique_labels(lab for _, lab in out.files)
    out.files = [(p, lab) for (p, _), lab in zip(out.files, labels)]
    return out
