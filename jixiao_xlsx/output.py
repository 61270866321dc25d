"""Safe output: atomic writes, xlsxwriter defaults that never turn clerk text into formulas.

A half-written workbook must never be left where a user would open it, and an input must never be
overwritten: every writer goes through :func:`atomic_path`.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import os
import tempfile
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
}


class OutputError(Exception):
    """An output cannot be written where asked; the message is Chinese."""


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
    for p in protect:
        if target.exists() and same_file(target, p):
            raise OutputError(f"输出文件 {target} 与输入文件相同，不能覆盖输入文件，请换一个输出文件名。")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~jixiao-", suffix=target.suffix, dir=str(target.parent))
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def new_workbook(path):
    """An xlsxwriter Workbook with the project's safe, reproducible defaults."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    wb.set_properties({"created": FIXED_CREATED, "author": "jixiao-xlsx", "company": ""})
    return wb
