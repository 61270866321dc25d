"""A1 references and worksheet part names: shared by the readers and the writers.

Neither side owns these; a writer importing them does not reach into a reader's internals.
The letters are computed here rather than by ``xlsxwriter.utility.xl_col_to_name`` (which gives the
same, tests/test_book.py checks it): importing xlsxwriter would cost the reader child process
(read/isolate.py), which writes nothing, most of its start-up. The table of the first 702 (A .. ZZ:
every column a form uses) saves building the letters once per cell.
"""
from __future__ import annotations

import re
from html import unescape as _unescape


def col_letter(c: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    s = ""
    c += 1
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def col_index(letters: str) -> int:
    """Excel letters -> 0-based column index (A -> 0, AA -> 26)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


COL_LETTERS = tuple(col_letter(c) for c in range(702))  # A .. ZZ


def cell_ref(r: int, c: int) -> str:
    """0-based (row, col) -> 'A1' style reference."""
    if 0 <= c < 702:
        return f"{COL_LETTERS[c]}{r + 1}"
    return f"{col_letter(c)}{r + 1}"


# a namespace prefix as calamine accepts one (any name, ASCII or not), optional
NS = rb"(?:[^\s<>/:=\x22\x27]+:)?"


def sheet_parts_of(wb: bytes, rels: bytes, names: dict) -> list:
    """[(sheet name, part name)] in workbook order, from the bytes of xl/workbook.xml and its
    relationships; ``names``: lower-cased part name -> real part name of the zip."""
    targets = {}
    for m in re.finditer(rb"<" + NS + rb"Relationship\b([^<>]*)>", rels):
        a = m.group(1)
        rid = re.search(rb"""\bId\s*=\s*(["'])(.*?)\1""", a)
        tgt = re.search(rb"""\bTarget\s*=\s*(["'])(.*?)\1""", a)
        if rid and tgt:
            t = _unescape(tgt.group(2).decode("utf-8", "replace"))
            t = t.lstrip("/") if t.startswith("/") else "xl/" + t
            parts = []
            for p in t.split("/"):  # resolve '..' in targets such as '../xl/worksheets/sheet1.xml'
                if p == "..":
                    if parts:
                        parts.pop()
                elif p and p != ".":
                    parts.append(p)
            targets[rid.group(2)] = "/".join(parts)
    out = []
    for m in re.finditer(rb"<" + NS + rb"sheet\b([^<>]*)>", wb):
        a = m.group(1)
        nm = re.search(rb"""\bname\s*=\s*(["'])(.*?)\1""", a, re.S)
        rid = re.search(NS + rb"""id\s*=\s*(["'])(.*?)\1""", a)
        if nm and rid and rid.group(2) in targets:
            part = names.get(targets[rid.group(2)].lower())
            if part:
                out.append((_unescape(nm.group(2).decode("utf-8", "replace")), part))
    return out
