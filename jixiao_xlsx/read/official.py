"""Read the official national 项目支出绩效自评表 (财预〔2020〕10号 annex) as units fill it.

Local versions move blocks around, add columns, rename headers and merge cells freely, so nothing
here relies on a position: every block is found by its labels (normalised per spec §1.4), and every
value is copied as typed into a :class:`Cell` addressed at the top-left cell of its merged range.
Interpretation (numbers, units, bands, weights) is left to :mod:`jixiao_xlsx.scoring`.
"""
from __future__ import annotations

import re
from typing import Optional

from .. import findings as F
from .. import layout as L
from . import rows as skip
from . import sheets
from ..a1 import cell_ref
from .book import Book, Sheet
from ..model import EMPTY, BudgetLine, Cell, Indicator, Project
from ..rules.profile import Profile
from ..rules.values import amount_like, label_key, norm, norm_label

TITLE = "项目支出绩效自评表"
TOTAL_NAME = "年度资金总额"

# Info fields: Project attribute -> labels seen on forms (normalised, without the trailing colon).
INFO_FIELDS = ("name", "department", "unit", "year", "manager")  # read from the form's top block


def _info_labels(profile: Profile) -> dict:
    """Project attribute -> labels (the profile's [aliases.info]) for the fields the form's top block holds."""
    return {attr: profile.info_labels.get(attr, ()) for attr in INFO_FIELDS}


GOAL_LABELS = {"goal_expected": ("预期目标",), "goal_actual": ("实际完成情况", "实际完成")}
BLOCK_LABELS = ("年度总体目标", "项目资金", "绩效指标", "总体目标")
OTHER_LABELS = ("联系电话", "联系人", "填表人", "填报人", "审核人", "填报日期", "填表日期", "单位负责人",
                "财务负责人", "项目负责人")
TOTAL_ROW_LABELS = L.TOTAL_ROW_WORDS
FOOTER = re.compile(r"^(?:(?:注|说明|备注)\d*[:：]|填表人|填报人|联系人|联系电话|审核人|单位负责人|财务负责人|填报日期|填表日期)")
_YEAR_IN_TITLE = re.compile(r"(\d{4})年度")
_LEADING_QIZHONG = re.compile(r"^其中[:：]?")

SCAN_ROWS = 2000  # labels further down than this are not looked for (hostile sheets)
SCAN_COLS = 64


def key(value) -> str:
    """A text cell's label as compared (:func:`values.label_key`, as the template reader does); '' for other cells."""
    return label_key(value) if isinstance(value, str) else ""


class _Index:
    """Where each normalised label sits on a sheet (top-left cells of merges only)."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.at: dict = {}
        self.strings: list = []  # (r, c, normalised full text) for title searches
        for r, row in enumerate(sheet.rows[:SCAN_ROWS]):
            for c, v in enumerate(row[:SCAN_COLS]):
                if isinstance(v, str) and v.strip():
                    k = key(v)
                    self.at.setdefault(k, []).append((r, c))
                    self.strings.append((r, c, norm(v)))

    def find(self, names) -> list:
        """Positions of any of ``names`` (normalised), in row-major order."""
        out = []
        for n in names:
            out.extend(self.at.get(key(n), ()))
        return sorted(out)

    def has(self, names) -> bool:
        return any(key(n) in self.at for n in names)


def _header_keys(profile: Profile, canonical: str) -> set:
    return {key(n) for n in profile.header_names(canonical)}


def _target_headers(profile: Profile) -> set:
    return _header_keys(profile, "年度指标值")


def looks_like_official(book: Book, profile: Profile) -> bool:
    """True when a sheet carries the form's title or its indicator table header."""
    return _pick_sheet(book, profile) is not None or sheets.pick(book, profile)[1] is not None


def _pick_sheet(book: Book, profile: Profile) -> Optional[tuple]:
    """(sheet, index) of the first sheet with the indicator header, else the first with the title."""
    titled = None
    sheets = [s for s in book.sheets if not s.hidden] + [s for s in book.sheets if s.hidden]
    for s in sheets:
        idx = _Index(s)
        if any(k in idx.at for k in _header_keys(profile, "三级指标")) and any(k in idx.at for k in _target_headers(profile)):
            return s, idx
        if titled is None and any(TITLE in t for _, _, t in idx.strings):
            titled = (s, idx)
    return titled


# -- small grid helpers ------------------------------------------------------------------------


def _merge_of(sheet: Sheet, r: int, c: int) -> tuple:
    """(r0, c0, r1, c1) of the merged range holding (r, c), or the cell itself."""
    a = sheet.anchor(r, c)
    for m in sheet.merges:
        if (m[0], m[1]) == a and m[0] <= r <= m[2] and m[1] <= c <= m[3]:
            return m
    return (r, c, r, c)


def _own(sheet: Sheet, r: int, c: Optional[int]) -> Cell:
    """The cell at (r, c) without spreading a merge from another row (amounts, weights, scores)."""
    if c is None:
        return EMPTY
    ar, ac = sheet.anchor(r, c)
    if ar != r:
        return Cell(value=None, sheet=sheet.name, ref=cell_ref(r, c))
    return sheet.cell(ar, ac, spread=False)


def _spread(sheet: Sheet, r: int, c: Optional[int]) -> Cell:
    if c is None:
        return EMPTY
    return sheet.cell(r, c)


def _is_label(v, known: set) -> bool:
    return isinstance(v, str) and key(v) in known


def _value_right(sheet: Sheet, r: int, c: int, known: set, limit: int = SCAN_COLS) -> Optional[Cell]:
    """Next non-empty cell right of the merge holding (r, c); None if a label or nothing comes first.

    Returns a blank Cell addressed at the first cell after the label when the value is missing, so
    a finding can say where to type it.
    """
    m = _merge_of(sheet, r, c)
    first = None
    cc = m[3] + 1
    while cc < min(sheet.ncols, limit):
        ar, ac = sheet.anchor(r, cc)
        v = sheet.value(ar, ac, spread=False)
        if first is None:
            first = Cell(value=None, sheet=sheet.name, ref=cell_ref(ar, ac))
        if v is not None:
            if _is_label(v, known):
                return first if first.ref != cell_ref(ar, ac) else None
            return sheet.cell(ar, ac, spread=False)
        cc = _merge_of(sheet, r, cc)[3] + 1
    return first


def _value_below(sheet: Sheet, r: int, c: int, known: set) -> Optional[Cell]:
    """The non-label cell just below the merge holding (r, c), or None."""
    m = _merge_of(sheet, r, c)
    rr = m[2] + 1
    if rr >= sheet.nrows:
        return None
    ar, ac = sheet.anchor(rr, m[1])
    v = sheet.value(ar, ac, spread=False)
    if _is_label(v, known):
        return None
    return sheet.cell(ar, ac, spread=False)


def _known_labels(profile: Profile) -> set:
    """Every label the form uses, so a value search never takes a neighbouring label as a value."""
    known = set()
    for names in list(_info_labels(profile).values()) + list(GOAL_LABELS.values()):
        known.update(key(n) for n in names)
    known.update(key(n) for n in BLOCK_LABELS + OTHER_LABELS + TOTAL_ROW_LABELS)
    for canon in ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "自评得分", "一级指标", "二级指标",
                  "三级指标", "年度指标值", "实际完成值", "偏差原因分析及改进措施", "指标方向", "计量单位", "完成档次"):
        known.update(_header_keys(profile, canon))
    known.discard("")
    return known


# -- the reader -------------------------------------------------------------------------------


def read(book: Book, profile: Profile, sheet_name: Optional[str] = None) -> Project:
    """Turn an official-form workbook into a :class:`Project` (layout 'official'); never raises on content.

    The form is read from the sheet :func:`sheets.pick` chooses (``sheet_name`` when given); info, goals
    and funds come from the sheet holding the funds block when the form is split over two sheets."""
    project = Project(source=book.path, layout="official", allocations=None)
    ind_view, funds_view = sheets.pick(book, profile, sheet_name)
    if ind_view is None and funds_view is None:
        picked = _pick_sheet(book, profile) if sheet_name is None else None
        if picked is None:
            sheet = book.get(sheet_name) if sheet_name else (book.sheets[0] if book.sheets else None)
            idx = _Index(sheet) if sheet else None
        else:
            sheet, idx = picked
        ind_sheet, ind_idx = sheet, idx
    else:
        main = funds_view if funds_view is not None else ind_view  # info, goals and funds
        sheet, idx = main.sheet, main.idx
        ind_sheet, ind_idx = (ind_view.sheet, ind_view.idx) if ind_view is not None else (sheet, idx)
    if sheet is None:
        project.findings.append(F.make(
            "SHEET_MISSING", None, "工作簿中没有工作表，请提交填写好的项目支出绩效自评表。"))
        return project
    known = _known_labels(profile)
    _read_info(sheet, idx, project, known, profile)
    funds_hdr = _find_funds_header(idx, profile)
    ind_hdr = _find_indicator_header(ind_idx, profile)
    blocks = _block_rows(idx, funds_hdr, ind_hdr if ind_sheet is sheet else None, profile)
    ind_blocks = blocks if ind_sheet is sheet else _block_rows(ind_idx, None, ind_hdr, profile)
    _read_goals(sheet, idx, project, known)
    if funds_hdr is None:
        project.findings.append(F.make(
            "SHEET_MISSING", None,
            f"工作表“{sheet.name}”中未找到项目资金表：应有一行表头包含“年初预算数”“全年预算数”“全年执行数”"
            "（及“分值”“执行率”“得分”），其下为“年度资金总额”行和“其中：当年财政拨款”等资金来源行。",
            sheet=sheet.name))
    else:
        _read_funds(sheet, funds_hdr, blocks, project, profile)
    if ind_hdr is None:
        project.findings.append(F.make(
            "SHEET_MISSING", None,
            f"工作表“{sheet.name}”中未找到绩效指标表：应有一行表头包含“一级指标”“二级指标”“三级指标”"
            "“年度指标值”“实际完成值”“分值”“得分”“偏差原因分析及改进措施”，其下每行一个三级指标，最后为“总分”行。",
            sheet=sheet.name))
    else:
        _read_indicators(ind_sheet, ind_hdr, ind_blocks, project, profile)
    return project


def _read_info(sheet: Sheet, idx: _Index, project: Project, known: set, profile: Profile) -> None:
    for attr, names in _info_labels(profile).items():
        cell = None
        for r, c in idx.find(names):
            cell = _value_right(sheet, r, c, known)
            if cell is None or cell.blank:
                below = _value_below(sheet, r, c, known)
                if below is not None and not below.blank:
                    cell = below
            if cell is None:
                cell = Cell(value=None, sheet=sheet.name, ref=cell_ref(r, c))
            break
        if cell is None:
            cell = _inline_value(sheet, idx, names)
        if cell is not None:
            setattr(project, attr, cell)
        elif attr != "year":
            setattr(project, attr, Cell(value=None, sheet=sheet.name, ref=""))
    if project.year.blank:
        title_year = _year_from_title(sheet, idx)
        if title_year is not None:
            project.year = title_year
        elif not project.year.sheet:
            project.year = Cell(value=None, sheet=sheet.name, ref="")


def _inline_value(sheet: Sheet, idx: _Index, names) -> Optional[Cell]:
    """``项目名称：XXX`` typed into one cell: the text after the colon, addressed at that cell."""
    prefixes = tuple(key(n) + ":" for n in names)
    for r, c, t in idx.strings:
        t2 = t.replace("：", ":")
        for p in prefixes:
            if t2.startswith(p) and len(t2) > len(p):
                raw = sheet.raw(r, c)
                rest = re.split(r"[:：]", raw, maxsplit=1)[1].strip() if isinstance(raw, str) else t2[len(p):]
                return Cell(value=rest or None, sheet=sheet.name, ref=cell_ref(r, c))
    return None


def _year_from_title(sheet: Sheet, idx: _Index) -> Optional[Cell]:
    """``（2022年度）`` in the title (or a cell near it) gives the evaluation year."""
    for r, c, t in idx.strings:
        if r > 6:
            break
        m = _YEAR_IN_TITLE.search(t)
        if m and 1900 <= int(m.group(1)) <= 2200:
            return Cell(value=int(m.group(1)), sheet=sheet.name, ref=cell_ref(r, c))
    return None


def _read_goals(sheet: Sheet, idx: _Index, project: Project, known: set) -> None:
    for attr, names in GOAL_LABELS.items():
        pos = idx.find(names)
        if not pos:
            continue
        r, c = pos[0]
        cell = _value_below(sheet, r, c, known)
        if cell is None or cell.blank:
            right = _value_right(sheet, r, c, known)
            if right is not None and not right.blank:
                cell = right
            elif cell is None:
                cell = right
        setattr(project, attr, cell if cell is not None else Cell(value=None, sheet=sheet.name, ref=cell_ref(r, c)))


# -- funds block ------------------------------------------------------------------------------


def _find_header_row(idx: _Index, wanted: dict, required: tuple) -> Optional[tuple]:
    """(row, {field: col}) of the first row holding every ``required`` field's header."""
    rows: dict = {}
    for field, names in wanted.items():
        for n in names:
            for r, c in idx.at.get(n, ()):
                cols = rows.setdefault(r, {})
                cols[field] = min(cols.get(field, c), c)  # the leftmost column with that header
    for r in sorted(rows):
        cols = rows[r]
        if all(any(f in cols for f in alt) for alt in required):
            return r, cols
    return None


def _find_funds_header(idx: _Index, profile: Profile) -> Optional[tuple]:
    wanted = {
        "initial": {key("年初预算数"), key("年初预算")},
        "adjusted": _header_keys(profile, "全年预算数"),
        "executed": _header_keys(profile, "全年执行数"),
        "weight": _header_keys(profile, "分值"),
        "rate": {key("执行率")},
        "score": _header_keys(profile, "自评得分"),
    }
    return _find_header_row(idx, wanted, (("initial", "adjusted"), ("executed",)))


def _find_indicator_header(idx: _Index, profile: Profile) -> Optional[tuple]:
    wanted = {
        "level1": _header_keys(profile, "一级指标"),
        "level2": _header_keys(profile, "二级指标"),
        "level3": _header_keys(profile, "三级指标"),
        "target": _target_headers(profile),
        "actual": _header_keys(profile, "实际完成值"),
        "weight": _header_keys(profile, "分值"),
        "self_score": _header_keys(profile, "自评得分"),
        "note": _header_keys(profile, "偏差原因分析及改进措施"),
        "direction": _header_keys(profile, "指标方向"),
        "unit": _header_keys(profile, "计量单位"),
        "band": _header_keys(profile, "完成档次"),
    }
    return _find_header_row(idx, wanted, (("level3",), ("target",)))


def _block_rows(idx: _Index, funds_hdr, ind_hdr, profile: Profile) -> list:
    """Rows where a block starts: a table ends at the next one of these below it."""
    rows = set()
    names = [n for v in _info_labels(profile).values() for n in v] + [n for v in GOAL_LABELS.values() for n in v]
    names += ["年度总体目标", "项目资金"]
    for r, _c in idx.find(names):
        rows.add(r)
    for hdr in (funds_hdr, ind_hdr):
        if hdr is not None:
            rows.add(hdr[0])
    return sorted(rows)


def _next_block(blocks: list, r: int, default: int) -> int:
    for b in blocks:
        if b > r:
            return b
    return default


def _fund_names(profile: Profile) -> tuple:
    total = {key(n) for n in (TOTAL_NAME,) + tuple(profile.funds_total_row)}
    sources = {}
    for s in profile.funds_sources:
        for n in (s.name,) + tuple(s.aliases):
            sources[key(n)] = s.name
    return total, sources


def _read_funds(sheet: Sheet, hdr: tuple, blocks: list, project: Project, profile: Profile) -> None:
    r0, cols = hdr
    amount_cols = [cols[f] for f in ("initial", "adjusted", "executed") if f in cols]
    first_amount = min(amount_cols)
    end = min(_next_block(blocks, r0, sheet.nrows), r0 + 1 + 12, sheet.nrows)
    total_names, sources = _fund_names(profile)
    lines, line_rows = [], []
    for r in range(r0 + 1, end):
        label = None
        for c in range(first_amount):
            v = sheet.value(r, c, spread=False)
            if v is not None:
                label = (r, c, v)
        if label is not None and isinstance(label[2], str) and FOOTER.match(norm(label[2])):
            break
        amounts = [_own(sheet, r, cols.get(f)) for f in ("initial", "adjusted", "executed")]
        if label is None and all(a.blank for a in amounts):
            continue
        lab_cell = Cell(value=label[2], sheet=sheet.name, ref=cell_ref(label[0], label[1])) if label else Cell(
            value=None, sheet=sheet.name, ref=cell_ref(r, max(first_amount - 1, 0)))
        k = _LEADING_QIZHONG.sub("", key(label[2])) if label else ""
        if k in sources:
            name, is_total = sources[k], False
        elif skip.is_total_label(k, total_names):  # 年度资金总额, 项目资金总额, 资金合计 …
            if any(l.is_total for l in lines):
                continue  # a second total line is not a fund source
            name, is_total = TOTAL_NAME, True
        elif not any(amount_like(a.value) for a in amounts):
            continue  # a stray label without money (e.g. '—', a note)
        else:
            name, is_total = (k or "（未注明资金来源）"), False
        line = BudgetLine(name=name, label=lab_cell, initial=amounts[0], adjusted=amounts[1],
                          executed=amounts[2], is_total=is_total)
        if is_total and not any(l.is_total for l in lines):
            project.execution_weight = _own(sheet, r, cols.get("weight"))
            project.execution_self_score = _own(sheet, r, cols.get("score"))
        lines.append(line)
        line_rows.append(r)
    if not any(l.is_total for l in lines):
        skip.promote_total(lines, set(sources.values()))  # a total row under another wording: it sums the rows below
        if lines and lines[0].is_total:
            r = line_rows[0]
            project.execution_weight = _own(sheet, r, cols.get("weight"))
            project.execution_self_score = _own(sheet, r, cols.get("score"))
    # total row first (model contract), sources in form order
    project.funds = [l for l in lines if l.is_total][:1] + [l for l in lines if not l.is_total]


# -- indicator table --------------------------------------------------------------------------


def _first_text(sheet: Sheet, r: int) -> tuple:
    """(column, text) of the first non-empty value of row r as stored (merges count at their top-left)."""
    if r >= sheet.nrows:
        return None, None
    for c, v in enumerate(sheet.rows[r]):
        if v not in ("", None):
            return c, (v if isinstance(v, str) else None)
    return None, None


def _read_indicators(sheet: Sheet, hdr: tuple, blocks: list, project: Project, profile: Profile) -> None:
    r0, cols = hdr
    end = _next_block(blocks, r0, sheet.nrows)
    total_keys = {key(n) for n in TOTAL_ROW_LABELS}
    exec_keys = {key(n) for n in profile.execution_row_labels}
    c1, c2, c3 = cols.get("level1"), cols.get("level2"), cols.get("level3")
    value_cols = [cols.get(f) for f in ("target", "actual", "weight")]
    prev: Optional[Indicator] = None
    seen_l1, seen_l2 = {}, {}
    hidden_rows, hidden, na_rows = getattr(sheet, "hidden_rows", ()), [], []
    for r in range(r0 + 1, min(end, sheet.nrows)):
        if skip.continues_block(sheet, r, c3, value_cols):
            continue  # the lower rows of an indicator merged over several rows: one indicator
        first_col, first = _first_text(sheet, r)
        fk = norm_label(first)[0].rstrip(":") if first else ""
        if fk in total_keys:
            project.self_total = _own(sheet, r, cols.get("self_score"))
            break
        # a note under the table (说明：…, 填表人：…) starts left of the 三级 column; a 三级 name never does
        if first and first_col < (c3 if c3 is not None else 1) and FOOTER.match(norm(first)):
            break
        level3 = _spread(sheet, r, c3)
        anchors = {sheet.anchor(r, c) for c in [c1, c2, c3] + value_cols if c is not None}
        if len(anchors) == 1:  # one cell merged across the whole row: a note line, not an indicator
            if level3.blank:
                continue
            break
        if c3 is not None and sheet.anchor(r, c3)[1] != c3:
            level3 = Cell(value=None, sheet=sheet.name, ref=cell_ref(r, c3))  # 二级 merged over the 三级 column
        target, actual, weight = (_own(sheet, r, c) for c in value_cols)
        level1, level2 = _spread(sheet, r, c1), _spread(sheet, r, c2)
        l1k = norm_label(level1.value)[0] if isinstance(level1.value, str) else ""
        l3k = norm_label(level3.value)[0] if isinstance(level3.value, str) else ""
        # 预算执行率 as a table row (in the 一级 column, or alone in the row): its 得分 is the execution
        # self score; under a 一级/二级 such as 产出/数量 it is an indicator like any other (item 14)
        if l1k in exec_keys or (l3k in exec_keys and (level1.blank or level1.ref == level3.ref)
                                and (level2.blank or level2.ref == level3.ref)):
            if project.execution_self_score.blank:
                project.execution_self_score = _own(sheet, r, cols.get("self_score"))
            if project.execution_weight.blank:
                project.execution_weight = weight
            continue
        if level3.blank and target.blank and actual.blank and weight.blank:
            for cell, seen in ((level1, seen_l1), (level2, seen_l2)):
                if not cell.blank and norm_label(cell.value)[1] is not None:
                    seen.setdefault(norm(cell.value), cell)
            continue
        if skip.not_applicable((level3, target, actual, _own(sheet, r, cols.get("band"))), weight):
            na_rows.append((r + 1, skip.name_of(level3)))
            continue
        if r in hidden_rows:
            hidden.append((r + 1, skip.name_of(level3)))  # scored like any row, and said so in a hint
            project.hidden_rows.add(r + 1)
        # logical unmerge of forms whose merged cells were split: a blank 一级/二级 continues the one above
        if prev is not None and level1.blank and c1 is not None and sheet.anchor(r, c1) == (r, c1):
            level1 = prev.level1
        if (prev is not None and level2.blank and c2 is not None and sheet.anchor(r, c2) == (r, c2)
                and level1.ref == prev.level1.ref):
            level2 = prev.level2
        ind = Indicator(
            level1=level1, level2=level2, level3=level3, target=target, actual=actual, weight=weight,
            direction=_spread(sheet, r, cols.get("direction")), unit=_spread(sheet, r, cols.get("unit")),
            band=_own(sheet, r, cols.get("band")), self_score=_own(sheet, r, cols.get("self_score")),
            note=_spread(sheet, r, cols.get("note")), row=r + 1,
        )
        project.indicators.append(ind)
        prev = ind
        for cell, seen in ((level1, seen_l1), (level2, seen_l2)):
            if not cell.blank:
                seen.setdefault(norm(cell.value), cell)
    project.findings.extend(skip.skipped_findings(sheet.name, hidden, na_rows))
    project.level1_labels = list(seen_l1.values())
    project.level2_labels = list(seen_l2.values())
