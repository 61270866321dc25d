"""Find the header row of a table by its header names (canonical or a profile alias), as the
template reader does (split from :mod:`.template`).

Per rules profile, a :class:`HeaderTables` keeps the normalised spellings of each header (built on
first use; a Profile is immutable and holds no cache). ``tests/test_reader_fast_path.py`` checks the
search against the plain one (every row mapped by :func:`map_header_row`).
"""
from __future__ import annotations

import weakref

from ..rules.profile import Profile
from ..rules import values
from .book import Sheet

HEADER_SCAN_ROWS = 15  # header rows are looked for within the first rows of a sheet

norm_header = values.label_key  # header text as compared, shared with the official-form reader


class HeaderTables:
    """What the header search keeps for one rules profile (see :func:`header_tables`)."""

    __slots__ = ("aliases", "all_names", "info_index")

    def __init__(self):
        self.aliases: dict = {}  # canonical -> every spelling, normalised, canonical first
        self.all_names: dict = {}  # tuple of canonicals -> frozenset of all their spellings
        self.info_index = None  # 项目信息 label -> Project attribute (read/template_info.py)


_TABLES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def header_tables(profile: Profile) -> HeaderTables:
    """The :class:`HeaderTables` of ``profile``: made on first use, kept while the profile lives."""
    t = _TABLES.get(profile)
    if t is None:
        t = _TABLES[profile] = HeaderTables()
    return t


def header_aliases(canonical: str, profile: Profile) -> tuple:
    """All accepted spellings of a header, normalised, canonical first (kept per profile)."""
    memo = header_tables(profile).aliases
    out = memo.get(canonical)
    if out is None:
        out = memo[canonical] = _header_aliases(canonical, profile)
    return out


def _header_aliases(canonical: str, profile: Profile) -> tuple:
    names = list(profile.header_names(canonical))
    out = []
    for n in names:
        k = norm_header(n)
        if k and k not in out:
            out.append(k)
    return tuple(out)


# -- header rows -------------------------------------------------------------------------------
def _header_texts(sheet: Sheet, r: int) -> dict:
    """normalised header text -> [0-based columns, ascending] of the text cells of row ``r``."""
    index: dict = {}
    row = sheet.rows[r] if 0 <= r < len(sheet.rows) else ()
    for c, v in enumerate(row):
        if isinstance(v, str) and v.strip():
            index.setdefault(norm_header(v), []).append(c)
    return index


def _all_names(canonicals, profile: Profile) -> frozenset:
    """Every spelling of any of ``canonicals`` (kept per profile): rows without one are skipped."""
    memo = header_tables(profile).all_names
    key = tuple(canonicals)
    out = memo.get(key)
    if out is None:
        out = memo[key] = frozenset(n for canon in key for n in header_aliases(canon, profile))
    return out


def map_header_row(sheet: Sheet, r: int, canonicals, profile: Profile) -> dict:
    """canonical -> 0-based column of the header cells of row ``r`` (canonical spellings win).

    First pass: each canonical spelling takes its leftmost free column; second pass: each header
    still missing takes the leftmost free column holding any of its aliases.
    """
    index = _header_texts(sheet, r)
    if not index or index.keys().isdisjoint(_all_names(canonicals, profile)):
        return {}
    return _map_index(index, canonicals, profile)


def _map_index(index: dict, canonicals, profile: Profile) -> dict:
    """:func:`map_header_row` on the row's :func:`_header_texts`."""
    found, used = {}, set()
    for canon in canonicals:
        if canon in found:
            continue
        names = header_aliases(canon, profile)
        for c in index.get(names[0], ()) if names else ():
            if c not in used:
                found[canon] = c
                used.add(c)
                break
    for canon in canonicals:
        if canon in found:
            continue
        best = None
        for name in header_aliases(canon, profile)[1:]:
            for c in index.get(name, ()):
                if c not in used:
                    if best is None or c < best:
                        best = c
                    break
        if best is not None:
            found[canon] = best
            used.add(best)
    return found


def find_header(sheet: Sheet, canonicals, profile: Profile, need=(), min_hits: int = 2):
    """(row, mapping) of the best header row in the first rows, or (None, {})."""
    best = (None, {})
    wanted = len(set(canonicals))
    names = _all_names(canonicals, profile)
    for r in range(min(HEADER_SCAN_ROWS, sheet.nrows)):
        index = _header_texts(sheet, r)
        if index.keys().isdisjoint(names):
            continue  # no spelling of any header in the row: map_header_row would map none
        m = _map_index(index, canonicals, profile)
        if len(m) < min_hits or any(n not in m for n in need):
            continue
        if len(m) > len(best[1]):
            best = (r, m)
            if len(m) == wanted:
                break  # every header found: no later row can do better (ties keep the first)
    return best[0], dict(best[1])
