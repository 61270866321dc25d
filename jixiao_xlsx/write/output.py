"""Safe output: atomic writes, xlsxwriter defaults that never turn clerk text into formulas.

A half-written workbook must never be left where a user would open it, and an input must never be
overwritten: every writer goes through :func:`atomic_path`.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import errno
import os
import re
import tempfile
import unicodedata
from pathlib import Path

# Fixed document timestamp so that identical inputs give byte-comparable outputs on re-runs.
FIXED_CREATED = _dt.datetime(2020, 1, 1, 0, 0, 0)

# xlsxwriter options for every workbook we write: text stays text (no '=...' formulas, no
# URL or number guessing from strings), and nothing depends on the wall clock.
WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
    # parts are assembled in memory, not in temporary files: our workbooks are small (the summary's long
    # sheets are spliced in afterwards by rowstream), and a temp file per part cost ~8 ms per workbook
    "in_memory": True,
}


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


class OutputError(Exception):
    """An output cannot be written where asked; the message is Chinese."""


MAX_NAME_BYTES = 200  # ext4/NTFS allow 255; leave room for the temporary-file prefix

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{p}{d}" for p in ("COM", "LPT") for d in "0123456789¹²³"
}
_BAD_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


def safe_filename(name, max_len: int = 120, default: str = "未命名") -> str:
    """A single file-name component made from workbook text that can never leave its folder.

    Separators, ``..``, drive letters, characters Windows forbids, control characters, trailing
    dots/spaces and reserved device names (CON, NUL, COM1 ...) are replaced; the result is cut to
    ``max_len`` characters and 200 UTF-8 bytes (the extension, if any, is kept).  Never empty, never '.' or '..'.
    """
    s = unicodedata.normalize("NFC", readable(str(name if name is not None else "")))
    s = "".join(ch for ch in s if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn") or ch == " ")
    s = _BAD_CHARS.sub("_", s)
    s = re.sub(r"\s+", " ", s).strip(" .")
    s = re.sub(r"\.{2,}", ".", s)
    stem, dot, ext = s.rpartition(".")
    if not dot or not stem or len(ext) > 10 or " " in ext:
        stem, ext = s, ""
    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    limit = max(1, max_len - (len(ext) + 1 if ext else 0))
    stem = stem[:limit]
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES - len(ext) - 1:  # file systems count bytes
        stem = stem[:-1]
    stem = stem.rstrip(" .") or default
    out = f"{stem}.{ext}" if ext else stem
    return out if out not in (".", "..") else default


def safe_child(folder, name, max_len: int = 120) -> Path:
    """``folder / safe_filename(name)``; raises :class:`OutputError` if it would still escape."""
    folder = Path(folder)
    p = folder / safe_filename(name, max_len)
    if p.resolve().parent != folder.resolve():
        raise OutputError(f"输出文件名“{str(name)[:50]}”不安全，已拒绝写出。")
    return p


def same_file(a, b) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return Path(a).resolve() == Path(b).resolve()


@contextlib.contextmanager
def atomic_path(target, protect=()):
    """Yield a temporary path next to ``target``; rename it onto ``target`` only on success.

    ``protect`` lists input files that must never be replaced (the scored workbook of an input
    must not be the input itself).
    """
    target = Path(target)
    if len(target.name.encode("utf-8")) > 255:
        raise OutputError(why_not_written(target, OSError(errno.ENAMETOOLONG, "File name too long")))
    if protect and _exists(target):  # (one stat, however many inputs are protected)
        for p in protect:
            if same_file(target, p):
                raise OutputError(f"输出文件 {target} 与输入文件相同，不能覆盖输入文件，请换一个输出文件名。")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".~jixiao-", suffix=target.suffix[:16], dir=str(target.parent))
        os.close(fd)
    except OSError as e:
        raise OutputError(why_not_written(target, e)) from e
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):  # disk full, file open in Excel, name too long ...
            raise OutputError(why_not_written(target, e)) from e
        raise


def _exists(p: Path) -> bool:
    try:
        return p.exists()
    except OSError:  # e.g. a parent that is a file, or a name the file system rejects
        return False


def why_not_written(target: Path, e: OSError) -> str:
    """One Chinese sentence for an OSError while writing ``target``."""
    if e.errno == errno.ENAMETOOLONG:
        why = "文件名过长，请缩短输入文件名或用 -o 指定较短的输出文件名"
    elif e.errno in (errno.EACCES, errno.EPERM) or isinstance(e, PermissionError):
        why = "没有写入权限，或该文件正在Excel/WPS中打开，请关闭后重试"
    elif e.errno == errno.ENOSPC:
        why = "磁盘空间不足"
    elif e.errno == errno.EROFS:
        why = "目标位置只读，请换一个可写的文件夹"
    elif e.errno == errno.EISDIR:
        why = f"这是一个文件夹，请在它后面写上文件名，如 {target / '评分结果.xlsx'}"
    elif e.errno in (errno.ENOTDIR, errno.EEXIST):
        blocker = next((p for p in target.parents if p.is_file()), None)
        why = (f"路径中的“{blocker}”是一个文件而不是文件夹，请换一个文件夹，或把该文件改名" if blocker
               else "路径中有一段是已存在的文件而不是文件夹，请检查路径")
    else:
        why = f"{e.strerror or type(e).__name__}；请检查该文件夹是否可写、磁盘是否已满"
    return f"无法写出文件 {target}：{why}。"


def derived_name(stem: str, suffix: str, max_bytes: int = 200) -> str:
    """``stem + suffix`` as a safe file name whose stem is shortened to fit ``max_bytes`` UTF-8 bytes
    (a 83-character Chinese input name is legal, but its ``.scored.xlsx`` sibling would not be)."""
    stem = safe_filename(stem, max_len=10_000)
    budget = max_bytes - len(suffix.encode("utf-8"))
    while len(stem.encode("utf-8")) > budget and len(stem) > 1:
        stem = stem[:-1]
    return safe_filename(stem.rstrip(" .") + suffix, max_len=10_000)


def readable(text: str) -> str:
    """``text`` as it can be written into a workbook (UTF-8): unchanged, except for file names that
    are not UTF-8 on this system.

    On Linux a name in another encoding — typically GBK, from a zip made on Windows and unpacked on a
    server — reaches Python as lone surrogates, which no workbook can hold. Such a path component is
    read as GB18030 (what those bytes mean), or its undecodable bytes become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for part in re.split(r"([/\\])", text):  # folders may be UTF-8 while the file name is GBK
        try:
            part.encode("utf-8")
            out.append(part)
            continue
        except UnicodeEncodeError:
            pass
        try:
            raw = part.encode("utf-8", "surrogateescape")  # the name's own bytes
        except UnicodeEncodeError:  # a surrogate that did not come from a file name
            out.append(part.encode("utf-8", "replace").decode("utf-8"))
            continue
        try:
            out.append(raw.decode("gb18030"))
        except UnicodeDecodeError:
            out.append(raw.decode("utf-8", "replace"))
    return "".join(out)


def new_workbook(path, **options):
    """An xlsxwriter Workbook with the project's safe, reproducible defaults (plus ``options``)."""
    import xlsxwriter

    opts = {**WORKBOOK_OPTIONS, **options}
    if opts.get("constant_memory"):  # xlsxwriter ignores constant_memory in in_memory mode
        opts["in_memory"] = False
    wb = xlsxwriter.Workbook(str(path), opts)
    wb.set_properties({"created": FIXED_CREATED, "author": "jixiao-xlsx", "company": ""})
    return wb
