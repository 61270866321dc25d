"""Read the 项目信息 sheet of the project's template layout (split from :mod:`.template`).

Label cells are looked for anywhere in the first rows; the value is in the 填写内容 column or right of
the label (merged label cells included).
"""
from __future__ import annotations

from .. import layout as L
from ..model import Cell, Project
from ..rules.profile import Profile
from .book import Sheet
from .headers import HEADER_SCAN_ROWS, _header_texts, header_tables, norm_header
from .template import INFO_SCAN_ROWS, norm


def _info_label_index(profile: Profile) -> dict:
    """normalised label -> Project attribute: the template's labels, then the profile's [aliases.info]."""
    tables = header_tables(profile)
    idx = tables.info_index
    if idx is None:
        idx = {norm(label): attr for label, attr, _req in L.INFO_FIELDS}
        for attr, labels in profile.info_labels.items():
            for a in labels:
                idx.setdefault(norm(a), attr)
        tables.info_index = idx
    return idx


def _read_info(sheet: Sheet, project: Project, profile: Profile) -> None:
    """Label cells anywhere in the first rows; the value is in the 填写内容 column or right of the label."""
    hr, hmap = None, {}
    for r in range(min(HEADER_SCAN_ROWS, sheet.nrows)):
        cols = _header_texts(sheet, r).get("填写内容")  # only text cells can say it
        if cols:
            hr, hmap = r, {"value": cols[0]}
            break
    index = _info_label_index(profile)
    seen = {}
    ncols = min(sheet.ncols, 8)
    for r in range(min(INFO_SCAN_ROWS, sheet.nrows)):
        if r == hr:
            continue
        row = sheet.rows[r]
        merged = sheet.row_has_merge(r)
        for c in range(min(len(row), ncols)):  # cells beyond the row are empty
            v = row[c]  # as sheet.value(r, c, spread=False): '' is an empty cell
            if not isinstance(v, str) or not v or (merged and sheet.anchor(r, c) != (r, c)):
                continue
            attr = index.get(norm(v)) or index.get(norm_header(v))
            if attr is None or attr in seen:
                continue
            vc = hmap.get("value")
            if vc is None or vc <= c:
                vc = _right_of(sheet, r, c)
            seen[attr] = sheet.cell(r, vc)
    blank = Cell(value=None, sheet=sheet.name, ref="")
    for _label, attr, _req in L.INFO_FIELDS:
        setattr(project, attr, seen.get(attr, blank))


def _right_of(sheet: Sheet, r: int, c: int) -> int:
    """Column just right of the (possibly merged) label cell at (r, c)."""
    end = c
    for r0, c0, r1, c1 in sheet.merges:
        if r0 <= r <= r1 and c0 <= c <= c1:
            end = c1
    return end + 1
