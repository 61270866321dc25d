"""Which files a batch reads, and the names of their scored workbooks.

Discovery walks the inputs in a stable order and says, for every file it leaves out, why (a lock
file, a hidden file, our own output); naming gives every input a scored-workbook name that no other
input in the batch gets, safe for Windows and for 255-byte file-name limits.
"""
from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import Iterable, Optional

from .write.output import MAX_NAME_BYTES as MAX_NAME_BYTES_OUT
from .write.output import safe_filename

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# What a street may send instead of a workbook: WPS's own format, binary/OpenDocument workbooks,
# templates, CSV exports, archives. A folder's files of these kinds are taken as inputs too, so the
# reader judges them by content (a renamed .xlsx is scored) and the summary says what each one is
# and what to send instead (未能处理, exit 1) — a street is never left out without a word. Other
# files (reports in Word/PDF, scans, images) are not workbooks a street meant to send: ignored.
OTHER_SHEET_SUFFIXES = (".et", ".ett", ".xlsb", ".ods", ".csv", ".xlt", ".xltx", ".xltm", ".numbers", ".zip", ".rar", ".7z")
SCORED_SUFFIX = ".scored.xlsx"

SKIP_LOCK = "Excel/WPS 打开文件时生成的临时锁定文件（~$ 开头），不是自评表，已跳过。"
SKIP_HIDDEN_FILE = "隐藏文件，已跳过。"
SKIP_HIDDEN_DIR = "隐藏文件夹，其中的文件已跳过。"
SKIP_SCORED = "jixiao 生成的评分工作簿（.scored.xlsx），不是自评表，已跳过。"
SKIP_OUTPUT = "本次汇总的输出文件，已跳过。"
SKIP_EXTRACTED_ZIP = "压缩包，其中的工作簿已解压在同一文件夹中（已分别读取），压缩包本身已跳过。"
SKIP_NUMBERS_DIR = "苹果Numbers表格（文件夹形式），本工具无法读取；请在Numbers中选“文件 > 导出为 > Excel”，提交导出的.xlsx文件。"


# ---------------------------------------------------------------------------------------------
# discovery


def _is_hidden(p: Path) -> bool:
    """Dot-names everywhere; the hidden attribute too on Windows."""
    if p.name.startswith("."):
        return True
    attrs = getattr(os.lstat(p), "st_file_attributes", 0) if sys.platform == "win32" else 0
    return bool(attrs & getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0))


def _skip_reason(p: Path) -> Optional[str]:
    name = p.name
    if name.startswith("~$"):
        return SKIP_LOCK
    if _is_hidden(p):
        return SKIP_HIDDEN_FILE
    if name.lower().endswith(SCORED_SUFFIX):
        return SKIP_SCORED
    return None


def _walk(folder: Path, files: list, skipped: list, exclude: set) -> None:
    """Recursive, sorted, not following links to folders (no cycles)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        skipped.append((str(folder), "无法打开此文件夹（没有权限或已被删除），已跳过。"))
        return
    for e in entries:
        p = Path(folder, e.name)
        if e.is_dir(follow_symlinks=False):
            if _is_hidden(p):
                skipped.append((str(p), SKIP_HIDDEN_DIR))
            elif e.name.lower().endswith(".numbers"):  # a Numbers document saved as a package folder
                skipped.append((str(p), SKIP_NUMBERS_DIR))
            else:
                _walk(p, files, skipped, exclude)
        elif e.name.lower().endswith(EXCEL_SUFFIXES + OTHER_SHEET_SUFFIXES) and e.is_file():
            if _key(p) in exclude:
                skipped.append((str(p), SKIP_OUTPUT))
                continue
            reason = _skip_reason(p)
            if reason is None and e.name.lower().endswith(".zip"):
                from .read.book import extracted_beside

                reason = SKIP_EXTRACTED_ZIP if extracted_beside(str(p)) else None
            if reason:
                skipped.append((str(p), reason))
            else:
                files.append(p)


def _key(p) -> str:
    return os.path.normcase(os.path.abspath(p))


def discover(inputs: Iterable, exclude: Iterable = ()) -> tuple[list, list]:
    """Files and folders (recursive) -> (workbook paths, [(path, Chinese reason)] skipped).

    A file named explicitly is taken whatever its extension (the user asked for it), except a lock
    file.  Order is deterministic: inputs in the order given, folders sorted by name; a file reached
    twice is kept once.  ``exclude`` (e.g. the summary being written) is never taken as an input.
    """
    exclude = {_key(p) for p in exclude}
    found, skipped = [], []
    for inp in inputs:
        p = Path(inp)
        if p.is_dir():
            _walk(p, found, skipped, exclude)
        elif p.name.startswith("~$"):
            skipped.append((str(p), SKIP_LOCK))
        elif _key(p) in exclude:
            skipped.append((str(p), SKIP_OUTPUT))
        else:
            found.append(p)
    seen, files = set(), []
    for p in found:
        k = _key(p)
        if k not in seen:
            seen.add(k)
            files.append(str(p))
    return files, skipped


# ---------------------------------------------------------------------------------------------
# scored-workbook names

# Names are capped in UTF-8 bytes, not characters: a long Chinese folder + file name is legal but its
# scored sibling would pass the 255-byte limit of ext4/NTFS (output.MAX_NAME_BYTES leaves room).
MAX_NAME_BYTES = MAX_NAME_BYTES_OUT - len(SCORED_SUFFIX.encode()) - 9


def _safe_part(s: str) -> str:
    return safe_filename(s, max_len=10_000, default="_")


def _cut_bytes(s: str, limit: int) -> str:
    while len(s.encode("utf-8")) > limit and s:
        s = s[:-1]
    return s.rstrip(" .")


def _short_hash(path: str) -> str:
    import hashlib  # here: only --scored-dir names need it (3 ms of start-up otherwise)

    return hashlib.sha1(os.path.abspath(path).encode("utf-8", "surrogatepass")).hexdigest()[:8]


def scored_names(files: list) -> dict:
    """Input path -> a file name for its scored workbook that no other input in the batch gets.

    ``<folders below the common root joined by _>__<stem>.scored.xlsx``, made safe for Windows;
    when two inputs would still meet (case-insensitively), or a name had to be shortened, the name
    gets ``~<8 hex of the full input path>``.
    """
    if not files:
        return {}
    parents = [os.path.dirname(os.path.abspath(f)) for f in files]
    try:
        root = os.path.commonpath(parents)
    except ValueError:  # different drives on Windows
        root = ""
    base = {}
    for f, parent in zip(files, parents):
        rel = os.path.relpath(parent, root) if root else parent
        parts = [_safe_part(x) for x in Path(rel).parts if x not in (".", "", os.sep) and x != Path(rel).anchor]
        stem = _safe_part(Path(f).stem)
        name = ("_".join(parts) + "__" + stem) if parts else stem
        base[f] = name
    counts = {}
    for name in base.values():
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    out = {}
    for f, name in base.items():
        if counts[name.lower()] > 1 or len(name.encode("utf-8")) > MAX_NAME_BYTES:
            name = _cut_bytes(name, MAX_NAME_BYTES) + "~" + _short_hash(f)
        out[f] = name + SCORED_SUFFIX
    return out
