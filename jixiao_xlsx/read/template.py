"""Read a workbook in the project's template layout into a :class:`~jixiao_xlsx.model.Project`.

Clerks rename sheets, insert or reorder columns, add unit suffixes to headers and leave notes below
tables, so nothing here relies on positions: sheets are found by name (exact, alias, then content)
and columns by header name (canonical or a profile alias).  Values are copied as typed, each with
its sheet and cell address; interpreting them is the scorer's job.  Structural problems (a missing
sheet or column) become findings, never exceptions.
"""
from __future__ import annotations

import re
from typing import Optional

from .. import findings as F
from .. import layout as L
from . import rows
from ..a1 import cell_ref
from .book import Book, Sheet
from .headers import find_header, norm_header
from .sheets import other_form_sheet
from ..model import Allocation, BudgetLine, Cell, Finding, Indicator, Project
from ..rules.profile import Profile
from ..rules import values

INFO_SCAN_ROWS = 40

# Sheet-name aliases (normalised form), beyond the canonical name.
SHEET_ALIASES = {
    L.IND_SHEET: ("绩效指标表", "指标", "指标表", "绩效指标情况", "绩效指标完成情况", "绩效目标", "绩效目标表", "绩效指标完成情况表"),
    L.FUNDS_SHEET: ("预算执行表", "预算执行情况", "预算执行情况表", "资金执行", "项目资金", "资金情况", "预算", "资金来源"),
    L.INFO_SHEET: ("项目信息表", "基本信息", "项目基本信息", "项目概况", "信息"),
    L.ALLOC_SHEET: ("资金分配表", "资金分配情况", "资金用途", "资金使用", "资金使用情况", "分配"),
    L.GUIDE_SHEET: ("说明", "填报说明", "使用说明"),
}

TOTAL_WORDS = set(L.TOTAL_ROW_WORDS) | {"小计"}  # a template table may also carry subtotal rows

_LEADING_NUM = re.compile(r"^(?:[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十\d]+[、.．:：])(?=\D)")
_TRAILING_WEIGHT = re.compile(r"[(（]?\d+(?:\.\d+)?分?[)）]?$")


def norm(text) -> str:
    """:func:`values.norm` (NFKC, no whitespace or invisible characters), no '*' markers or trailing colon."""
    s = values.norm(text).strip("*")
    return s.rstrip(":：")


def row_label(text) -> str:
    """Row label as compared: :func:`norm` without '其中：' and leading numbering ('一、', '1.')."""
    s = norm(text)
    for prefix in ("其中:", "其中"):
        if s.startswith(prefix) and len(s) > len(prefix):
            s = s[len(prefix):]
    s = _LEADING_NUM.sub("", s)
    return s


def _sheet_names_norm(canonical: str) -> tuple:
    return (norm(canonical),) + tuple(norm(a) for a in SHEET_ALIASES.get(canonical, ()))


def _data_start(sheet: Sheet, hr: int, cols) -> int:
    """First data row: below the header row and below any header cell merged downwards."""
    start = hr + 1
    for r0, c0, r1, c1 in sheet.merges:
        if r0 <= hr <= r1 and any(c0 <= c <= c1 for c in cols):
            start = max(start, r1 + 1)
    return start


# -- sheets ------------------------------------------------------------------------------------
IND_KEYS = ("三级指标", "年度指标值", "实际完成值", "分值")
FUNDS_KEYS = ("年初预算数", "全年预算数", "全年执行数")
ALLOC_KEYS = ("用途", "计划金额", "实际金额")


def _is_official_sheet(sheet: Sheet, profile: Profile) -> bool:
    """A sheet holding both the funds block and the indicator table is the national form, not ours."""
    # the header search first: only the sheet holding an indicator table (one per file) then pays for
    # the label scan
    if find_header(sheet, IND_KEYS, profile, need=("三级指标",))[0] is None:
        return False
    texts = {v for row in sheet.rows[:40] for v in row[:6] if v.__class__ is str and v}  # each text once
    return any(map(_official_text(profile), texts))


def _official_text(profile: Profile):
    """text -> whether it marks the national form: its funds total row or “…自评表”."""
    labels = frozenset(row_label(x) for x in profile.funds_total_row)
    return lambda v: row_label(v) in labels or "自评表" in norm(v)


def _content_role(sheet: Sheet, profile: Profile) -> Optional[str]:
    """Which template sheet a renamed sheet is, judged from its header row or labels (never a sheet
    named or titled as another table, such as a 申报表 or 执行监控 sheet of a budget-system export)."""
    if _is_official_sheet(sheet, profile) or other_form_sheet(sheet):
        return None
    if find_header(sheet, IND_KEYS, profile, need=("三级指标",))[0] is not None:
        return L.IND_SHEET
    if find_header(sheet, FUNDS_KEYS, profile, need=("全年预算数",))[0] is not None:
        return L.FUNDS_SHEET
    if find_header(sheet, ALLOC_KEYS, profile, need=("用途",))[0] is not None:
        return L.ALLOC_SHEET
    labels = {norm(lab) for lab, _, _ in L.INFO_FIELDS}
    hits = 0
    for r in range(min(sheet.nrows, INFO_SCAN_ROWS)):
        for c in range(min(sheet.ncols, 4)):
            v = sheet.value(r, c, spread=False)
            if isinstance(v, str) and norm(v) in labels:
                hits += 1
    return L.INFO_SHEET if hits >= 2 else None


def find_sheets(book: Book, profile: Profile) -> dict:
    """canonical sheet name -> Sheet, by exact name, then alias, then content."""
    found, used = {}, set()
    for canon in L.TEMPLATE_SHEETS:
        s = book.get(canon)
        if s is not None:
            found[canon] = s
            used.add(id(s))
    for canon in L.TEMPLATE_SHEETS:
        if canon in found:
            continue
        names = _sheet_names_norm(canon)
        for s in book.sheets:
            if id(s) not in used and row_label(s.name) in names:
                found[canon] = s
                used.add(id(s))
                break
    for s in book.sheets:
        if id(s) in used:
            continue
        role = _content_role(s, profile)
        if role and role not in found:
            found[role] = s
            used.add(id(s))
    return found


def looks_like_template(book: Book, profile: Profile) -> bool:
    """True when the book has template sheets that are not the national form.

    A workbook holding a national-form sheet counts as a template only when its indicator or funds
    sheet is a template one (a cover sheet with 项目名称 next to a national form is not enough).
    """
    sheets = find_sheets(book, profile)
    sheets.pop(L.GUIDE_SHEET, None)
    ours = {k: s for k, s in sheets.items() if not _is_official_sheet(s, profile)}
    if L.IND_SHEET in ours or L.FUNDS_SHEET in ours:
        return True
    if any(_is_official_sheet(s, profile) for s in book.sheets):
        return False
    return bool(ours)


# -- reading -----------------------------------------------------------------------------------
def _missing(sheet_name: str, blocks: bool) -> Finding:
    return F.make(
        "SHEET_MISSING",
        None,
        f"工作簿中没有“{sheet_name}”工作表（也未找到内容相符的工作表）：如果该表被改了名，请改回“{sheet_name}”；"
        "否则请在区财政局下发的标准模板中填写（不要删除工作表）后重新提交。",
        blocks=blocks,
        sheet=sheet_name,
    )


def _column_missing(sheet: Sheet, hr: Optional[int], header: str, blocks: bool) -> Finding:
    if hr is None:
        msg = f"“{sheet.name}”工作表中未找到表头行（应包含“{header}”等列名），请使用标准模板的表头，不要删除表头行。"
        ref = ""
    else:
        msg = (f"“{sheet.name}”工作表第{hr + 1}行表头中没有“{header}”列，请按标准模板补上该列"
               f"（如果改过列名，请改回“{header}”）。")
        ref = cell_ref(hr, 0)
    return F.make("COLUMN_MISSING", None, msg, blocks=blocks, sheet=sheet.name, cell=ref)


def read(book: Book, profile: Profile) -> Project:
    """Read ``book`` (template layout) into a Project; missing sheets/columns become findings."""
    project = Project(source=book.path, layout="template")
    sheets = find_sheets(book, profile)
    if L.INFO_SHEET in sheets:
        _read_info(sheets[L.INFO_SHEET], project, profile)
    else:
        project.findings.append(_missing(L.INFO_SHEET, False))
    if L.FUNDS_SHEET in sheets:
        _read_funds(sheets[L.FUNDS_SHEET], project, profile)
    else:
        project.findings.append(_missing(L.FUNDS_SHEET, True))
    if L.ALLOC_SHEET in sheets:
        project.allocations = _read_allocations(sheets[L.ALLOC_SHEET], project, profile)
    else:
        project.allocations = []
    if L.IND_SHEET in sheets:
        _read_indicators(sheets[L.IND_SHEET], project, profile)
    else:
        project.findings.append(_missing(L.IND_SHEET, True))
    from .narrative import read_narrative; read_narrative(book, project)  # noqa: E702 - 自评报告 sheet (#14)
    return project


def _read_funds(sheet: Sheet, project: Project, profile: Profile) -> None:
    hr, cols = find_header(sheet, ("资金来源",) + FUNDS_KEYS, profile, min_hits=2)
    if hr is None or not any(k in cols for k in FUNDS_KEYS):
        project.findings.append(_column_missing(sheet, None, "全年预算数", True))
        return
    for k in FUNDS_KEYS:
        if k not in cols:
            project.findings.append(_column_missing(sheet, hr, k, k != "年初预算数"))
    first_amount = min(cols[k] for k in FUNDS_KEYS if k in cols)
    start = cols["资金来源"] if "资金来源" in cols and cols["资金来源"] < first_amount else 0
    label_cols = list(range(start, first_amount))
    totals = {row_label(x) for x in profile.funds_total_row} | {row_label(L.FUNDS_TOTAL_LABEL)}
    sources = {}
    for s in profile.funds_sources:
        for n in (s.name,) + tuple(s.aliases):
            sources.setdefault(row_label(n), s.name)
    lines, total = [], None
    blank = Cell(value=None, sheet=sheet.name, ref="")
    amount_cols = [cols.get(k) for k in FUNDS_KEYS]
    for r in range(_data_start(sheet, hr, cols.values()), sheet.nrows):
        label = _label_cell(sheet, r, label_cols)
        amounts = sheet.row_cells(r, amount_cols, blank)
        key = row_label(label.value) if label is not None else ""
        if key in sources:
            lines.append(BudgetLine.of_row(sources[key], label, amounts))
            continue
        if rows.is_total_label(key, totals):  # 年度资金总额, 项目资金总额, 资金合计, 合计 …
            if total is None:
                total = BudgetLine.of_row(L.FUNDS_TOTAL_LABEL, label, amounts, is_total=True)
            continue  # a second total (a 合计 under the sources) is not a source either
        # Unknown label: keep it only when it carries an amount (a fund row under another name).
        if key and any(values.amount_like(a.value) for a in amounts):
            if key in TOTAL_WORDS or "执行率" in key or key.startswith(NOTE_PREFIXES):
                continue
            lines.append(BudgetLine.of_row(str(label.value).strip(), label, amounts))
    if total is None:
        lines = rows.promote_total(lines, set(sources.values()))  # a total row under another wording: it sums the rows below
    project.funds = ([total] if total else []) + lines


def _label_cell(sheet: Sheet, r: int, label_cols) -> Optional[Cell]:
    """Rightmost non-blank text cell among the label columns ('其中：' | '当年财政拨款' -> the latter)."""
    best = None
    for c in label_cols:
        cell = sheet.cell(r, c)
        if isinstance(cell.value, str) and cell.value.strip():
            best = cell
    return best


def _read_allocations(sheet: Sheet, project: Project, profile: Profile) -> list:
    keys = L.ALLOC_HEADERS
    hr, cols = find_header(sheet, keys, profile, min_hits=2)
    if hr is None:
        project.findings.append(_column_missing(sheet, None, "用途", False))
        return []
    blank = Cell(value=None, sheet=sheet.name, ref="")
    col_list = [cols.get(k) for k in keys]
    present = [i for i, c in enumerate(col_list) if c is not None]
    out = []
    for r in range(_data_start(sheet, hr, cols.values()), sheet.nrows):
        row = sheet.row_cells(r, col_list, blank)
        purpose, recipient, planned, actual, note = row  # L.ALLOC_HEADERS
        if purpose.blank and recipient.blank and planned.blank and actual.blank and note.blank:
            continue
        label = row_label(purpose.value) if not purpose.blank else ""
        amounts_blank = planned.blank and actual.blank
        if label in TOTAL_WORDS or (amounts_blank and label.startswith(NOTE_PREFIXES)):
            continue
        if _one_merged_cell(sheet, r, row, present):
            continue
        if (not label or rows.is_total_label(label)) and _total_line(recipient, note, planned, actual, out):
            continue  # 合计 typed in 拨付对象 or 说明, or an unlabelled line adding up the rows above
        out.append(Allocation(purpose=purpose, recipient=recipient, planned=planned, actual=actual, note=note))
    return out


def _total_line(recipient: Cell, note: Cell, planned: Cell, actual: Cell, above: list) -> bool:
    """A 资金分配 line without a 用途 that totals the table: its label (合计, 小计, 总计 …) sits in
    another column, or its amounts are the sums of the rows above."""
    for cell in (recipient, note):
        if not cell.blank and (row_label(cell.value) in TOTAL_WORDS or rows.is_total_label(row_label(cell.value))):
            return True
    return rows.sums_rows_above([planned, actual], [[a.planned, a.actual] for a in above])


NOTE_PREFIXES = ("注:", "说明:", "备注:", "填表说明", "填报说明")  # compared after NFKC


def _one_merged_cell(sheet: Sheet, r: int, row: list, present: list) -> bool:
    """The whole row is one merged cell (a note or sub-title across the table): the row's cells of the
    columns found (positions ``present`` of ``row``), built with their merges spread, are all addressed
    at one anchor. A row no merged range touches has a cell per column."""
    return len(present) >= 2 and sheet.row_has_merge(r) and len({row[i].ref for i in present}) == 1


_SIGNATURE = re.compile(r"^[^:]{1,8}:")


def _note_text(label: Cell) -> bool:
    """The first label of a row whose values are blank reads as a note below the table: "注：…", or a
    signature line such as "填表人：李四  联系电话：…" (a label, a colon, a value)."""
    text = norm(label.value)
    return text.startswith(NOTE_PREFIXES) or bool(_SIGNATURE.match(text))


def _first_of_its_text(cell: Cell, seen: dict, labels: list) -> None:
    """Keep ``cell`` in ``labels`` when it is the first 一级/二级 label of its text (the labels a
    project states, checked once each against the profile)."""
    k = norm(cell.value)
    if k not in seen:
        seen[k] = cell
        labels.append(cell)


# _read_indicators unpacks a row's cells in the order of L.IND_HEADERS and passes them to Indicator
# positionally, in the order of its fields (tests/test_reader_fast_path.py holds both orders to these)
_IND_HEADER_TEXTS = frozenset(norm_header(h) for h in L.IND_HEADERS)
_REQUIRED_IND = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值")


def _strip_weight(s: str) -> str:
    t = _TRAILING_WEIGHT.sub("", s)
    return t or s


def _read_indicators(sheet: Sheet, project: Project, profile: Profile) -> None:
    hr, cols = find_header(sheet, L.IND_HEADERS, profile, need=("三级指标",), min_hits=2)
    if hr is None:
        hr, cols = find_header(sheet, L.IND_HEADERS, profile, min_hits=3)
    if hr is None:
        project.findings.append(_column_missing(sheet, None, "三级指标", True))
        return
    for h in _REQUIRED_IND:
        if h not in cols:
            project.findings.append(_column_missing(sheet, hr, h, True))
            project.missing_columns.add((sheet.name, h))
    blank = Cell(value=None, sheet=sheet.name, ref="")
    prev1 = prev2 = None  # carried 一级/二级 for rows that leave them blank under a group
    l1_seen, l2_seen = {}, {}
    key_cols = [cols[h] for h in IND_KEYS if h in cols]
    col_list = [cols.get(h) for h in L.IND_HEADERS]
    present = [i for i, c in enumerate(col_list) if c is not None]  # positions of the columns found
    level1_labels, level2_labels, indicators = project.level1_labels, project.level2_labels, project.indicators
    execution_labels = profile.execution_row_labels
    block_cols = (cols.get("年度指标值"), cols.get("实际完成值"), cols.get("分值"))
    hidden_rows, na_rows = getattr(sheet, "hidden_rows", ()), []
    hidden = []
    for r in range(_data_start(sheet, hr, cols.values()), sheet.nrows):
        if sheet.values_none(r, key_cols):
            continue  # an empty pre-formatted row: skip before building its cells
        if rows.continues_block(sheet, r, cols.get("三级指标"), block_cols):
            continue  # the lower rows of an indicator merged over several rows: one indicator
        row = sheet.row_cells(r, col_list, blank)
        l1, l2, l3, direction, target, unit, actual, band, weight, self_score, note = row  # L.IND_HEADERS
        values_blank = target.blank and actual.blank and weight.blank
        if values_blank and l3.blank:
            continue  # every key column blank
        if _one_merged_cell(sheet, r, row, present):
            continue  # a note or sub-title across the table
        first_label = l1 if not l1.blank else l2 if not l2.blank else l3 if not l3.blank else None
        if values_blank and _note_text(first_label):  # (l3 is filled here: a first label there is)
            continue  # '注：…' or a signature line below the table
        if isinstance(l3.value, str) and norm_header(l3.value) in _IND_HEADER_TEXTS:
            continue  # header repeated inside the table (pasted from a printed form)
        if first_label is not None and _strip_weight(row_label(first_label.value)) in TOTAL_WORDS and (
                l3.blank or l3.ref == first_label.ref or _strip_weight(row_label(l3.value)) in TOTAL_WORDS):
            continue  # a 合计/总分 row, its label possibly merged across the name columns
        if rows.not_applicable((l3, target, actual, band), weight):
            na_rows.append((r + 1, rows.name_of(l3)))
            continue
        if r in hidden_rows:
            hidden.append((r + 1, rows.name_of(l3)))  # scored like any row, and said so in a hint
            project.hidden_rows.add(r + 1)
        if not l1.blank and _strip_weight(row_label(l1.value)) in execution_labels:
            project.execution_weight = weight
            project.execution_self_score = self_score
            continue
        # A blank 一级/二级 under a group that was typed once (and not merged) belongs to that group.
        if l1.blank and prev1 is not None:
            l1 = prev1
            if l2.blank and prev2 is not None:
                l2 = prev2
        elif not l1.blank and l2.blank and prev2 is not None:
            if prev1 is not None and prev1.value == l1.value:
                l2 = prev2
        if not l1.blank:
            prev1 = l1
            _first_of_its_text(l1, l1_seen, level1_labels)
        if not l2.blank:
            prev2 = l2
            _first_of_its_text(l2, l2_seen, level2_labels)
        indicators.append(Indicator(
            level1=l1, level2=l2, level3=l3, target=target, actual=actual, weight=weight, direction=direction,
            unit=unit, band=band, self_score=self_score, note=note, row=r + 1,
        ))
    project.findings.extend(rows.skipped_findings(sheet.name, hidden, na_rows))


# The 项目信息 reader lives in .template_info (it uses the header helpers above; this module stays
# under ~600 lines). Imported when called: .template_info imports this module.
def _read_info(sheet: Sheet, project: Project, profile: Profile) -> None:
    from .template_info import _read_info as read_info

    read_info(sheet, project, profile)


def _info_label_index(profile: Profile) -> dict:
    from .template_info import _info_label_index as index

    return index(profile)


def _right_of(sheet: Sheet, r: int, c: int) -> int:
    from .template_info import _right_of as right_of

    return right_of(sheet, r, c)
