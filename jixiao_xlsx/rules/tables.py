"""What the rules work out once per rules profile: lookup tables derived from a :class:`Profile`.

A :class:`~jixiao_xlsx.rules.profile.Profile` is immutable and holds no cache. :func:`tables` gives
the one :class:`ProfileTables` of a profile: built on first use (``load_profile`` asks for it, so a
loaded profile has its tables from the start) and kept exactly as long as the profile lives (a weak
mapping keyed by the profile's identity; a profile made with ``dataclasses.replace`` is another
profile, with tables of its own).
"""
from __future__ import annotations

import weakref


class ProfileTables:
    """The lookup tables of one profile, built once (immutable once built)."""

    __slots__ = ("level1", "level2", "comparators", "comparator_suffixes", "prefix_by_first",
                 "suffix_by_last", "year_end", "bands")

    def __init__(self, profile):
        from .values import norm, norm_text  # values asks for these tables: imported when built

        self.level1: dict = {}  # every name of a 一级 (canonical, then aliases) -> Level1, first kept
        for l1 in profile.level1:
            for n in (l1.name,) + tuple(l1.aliases):
                self.level1.setdefault(n, l1)
        self.level2: dict = {}  # every name of a 二级 -> its canonical name, first kept
        for canon, aliases in profile.level2_aliases.items():
            for n in (canon,) + tuple(aliases):
                self.level2.setdefault(n, canon)
        for l1 in profile.level1:
            for n in l1.level2:
                self.level2.setdefault(n, n)
        # (normalised written form, op), longest form first
        self.comparators = _longest_first((norm(f), op) for op, forms in profile.comparators.items() for f in forms)
        self.comparator_suffixes = _longest_first(
            (norm(f), op) for op, forms in profile.comparator_suffixes.items() for f in forms
        )
        # the same, grouped by first (last) character: a form can only match text starting (ending) with it
        self.prefix_by_first = _by_edge(self.comparators, 0)
        self.suffix_by_last = _by_edge(self.comparator_suffixes, -1)
        self.year_end = frozenset(norm(p) for p in profile.deadline_year_end)
        self.bands: dict = {}  # norm_text of a band's phrase or alias -> Band, first kept
        for b in profile.bands:
            for a in (b.phrase,) + tuple(b.aliases):
                self.bands.setdefault(norm_text(a), b)


def _longest_first(pairs) -> list:
    return sorted(pairs, key=lambda p: -len(p[0]))


def _by_edge(table: list, index: int) -> dict:
    out: dict = {}
    for form, op in table:
        if form:
            out.setdefault(form[index], []).append((form, op))
    return out


_TABLES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def tables(profile) -> ProfileTables:
    """The :class:`ProfileTables` of ``profile`` (built on first use, then the same object)."""
    t = _TABLES.get(profile)
    if t is None:
        t = _TABLES[profile] = ProfileTables(profile)
    return t
