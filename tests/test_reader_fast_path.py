"""The template reader's fast paths agree with the plain code they replace.

``find_header`` and ``_is_official_sheet`` keep their answers per sheet,
and the indicator / allocation / funds / info loops read a row's cells positionally: random tables
(merges, notes, totals, carried 一级/二级, missing and reordered columns) must read exactly as the
reference code below (the reader before those changes) reads them.
"""
from __future__ import annotations

import dataclasses
import random
import re

import pytest

from jixiao_xlsx import layout as L
from jixiao_xlsx.read import headers as rh
from jixiao_xlsx.read import rows
from jixiao_xlsx.read import template as rt
from jixiao_xlsx.read.book import Sheet
from jixiao_xlsx.model import Allocation, BudgetLine, Cell, Indicator, Project
from jixiao_xlsx.rules.profile import load_profile


@pytest.fixture(scope="module")
def profile():
    return load_profile()


def _fresh(sheet: Sheet) -> Sheet:
    return Sheet(sheet.name, sheet.rows, sheet.merges, percent_cells=sheet.percent_cells)


# -- find_header across files ------------------------------------------------------------------
def _uncached(sheet, canonicals, profile, need=(), min_hits=2):
    """find_header as it was written before any memo: every row mapped by map_header_row, the row
    with the most headers kept (the first of equals), the search ended by a row holding them all."""
    sheet, best = _fresh(sheet), (None, {})
    for r in range(min(rh.HEADER_SCAN_ROWS, sheet.nrows)):
        m = rh.map_header_row(sheet, r, canonicals, profile)
        if len(m) < min_hits or any(n not in m for n in need):
            continue
        if len(m) > len(best[1]):
            best = (r, m)
            if len(m) == len(set(canonicals)):
                break
    return best[0], dict(best[1])


def test_find_header_is_the_plain_search(profile):
    head = list(L.IND_HEADERS)
    swapped = head[:]
    swapped[2], swapped[4] = swapped[4], swapped[2]
    title = ["项目绩效指标完成情况"] + [""] * 10
    data = ["产出指标", "数量指标", "a", "正向", "≥1个", "个", "1个", None, 5, None, None]
    sheets = [
        [title, head, data],
        [title, head, data[:3]],  # same top rows, other data: remembered
        [title, swapped, data],  # other header order
        [["三级指标", "年度指标值"], head, data],  # a partial header above the full one
        [title, [""], head, data],  # the header one row lower
        [["项目绩效指标完成情况"] + [None] * 10, head],  # '' and None are both empty
        [title, head[:-1], data],  # a header without every column: not remembered
        [title, [1.0] + head[1:], data],
        [head, head, data],  # the same header row, but the row above is a header too
        [title, ["一级", "二级", "指标名称XYZ"] + head[3:], data],  # a header only the other profile knows
    ]
    # another profile object (here with one more spelling of 三级指标) does not share the memo
    other = dataclasses.replace(profile, headers={**profile.headers, "三级指标": ("指标名称XYZ",),
                                                  "一级指标": ("一级",), "二级指标": ("二级",)})
    for prof in (profile, other, profile):
        for rows in sheets * 2:
            s = Sheet("绩效指标", rows, [])
            for canon, need, hits in ((L.IND_HEADERS, ("三级指标",), 2), (rt.IND_KEYS, ("三级指标",), 2),
                                      (L.IND_HEADERS, (), 3)):
                want = _uncached(s, canon, prof, need, hits)
                assert rh.find_header(s, canon, prof, need=need, min_hits=hits) == want, (rows[:3], canon)
                assert rh.find_header(_fresh(s), canon, prof, need=need, min_hits=hits) == want


def test_header_tables_go_with_their_profile():
    """Kept per profile and gone with it: a script that loads a profile per file does not pile them up."""
    import gc
    import weakref

    prof = load_profile()
    sheet = Sheet("x", [["标题"], list(L.ALLOC_HEADERS)], [])
    assert rh.find_header(sheet, L.ALLOC_HEADERS, prof) == (1, {h: i for i, h in enumerate(L.ALLOC_HEADERS)})
    assert rh.header_tables(prof).aliases and rh.header_tables(prof) is not rh.header_tables(load_profile())
    ref = weakref.ref(prof)
    del prof, sheet
    gc.collect()
    assert ref() is None


# -- the national-form test --------------------------------------------------------------------
def _official_reference(sheet, profile):
    if rh.find_header(sheet, rt.IND_KEYS, profile, need=("三级指标",))[0] is None:
        return False
    totals = {rt.row_label(x) for x in profile.funds_total_row}
    texts = {v for row in sheet.rows[:40] for v in row[:6] if v.__class__ is str and v}
    return any(rt.row_label(v) in totals or "自评表" in rt.norm(v) for v in texts)


def test_official_sheet_test_is_the_label_scan(profile):
    head = list(L.IND_HEADERS)
    special = dataclasses.replace(profile, funds_total_row=("特别合计",))
    cases = [
        [["项目绩效指标"], head],
        [["项目支出绩效自评表"], head],
        [["项目支出 绩效自评表（2022）"], head],
        [["一、年度资金总额"], head],
        [["其中：特别合计"], head],
        [["x" * 300 + "自评表"], head],
        [["年度资金总额"], ["无表头"]],
    ]
    for prof in (profile, special, profile):
        got = [rt._is_official_sheet(Sheet("s", rows, []), prof) for rows in cases]
        assert got == [_official_reference(Sheet("s", rows, []), prof) for rows in cases]
    assert [rt._is_official_sheet(Sheet("s", rows, []), special) for rows in cases[3:5]] == [False, True]


# -- the table loops: reference code of the reader before its rows were read positionally ---------
def _ref_note_row(cols, cells, merged=True):
    if merged and len(cols) >= 2 and len({cells[h].ref for h in cols}) == 1:
        return True
    values_blank = all(cells[h].blank for h in rt.IND_KEYS[1:])
    first = next((cells[h] for h in ("一级指标", "二级指标", "三级指标") if not cells[h].blank), None)
    if not values_blank or first is None:
        return False
    text = rt.norm(first.value)
    return text.startswith(rt.NOTE_PREFIXES) or bool(re.match(r"^[^:]{1,8}:", text))


_IND_BY_FIELD = tuple(dict(zip(L.IND_FIELDS, L.IND_HEADERS))[f.name] for f in dataclasses.fields(Indicator)
                      if f.name != "row")


def _ref_indicators(sheet, project, profile):
    hr, cols = rh.find_header(sheet, L.IND_HEADERS, profile, need=("三级指标",), min_hits=2)
    if hr is None:
        hr, cols = rh.find_header(sheet, L.IND_HEADERS, profile, min_hits=3)
    if hr is None:
        project.findings.append(rt._column_missing(sheet, None, "三级指标", True))
        return
    for h in rt._REQUIRED_IND:
        if h not in cols:
            project.findings.append(rt._column_missing(sheet, hr, h, True))
    blank = Cell(None, sheet.name, "")
    header_texts = {rt.norm_header(h) for h in L.IND_HEADERS}
    prev = {}
    l1_seen, l2_seen = {}, {}
    na_rows = []
    block_cols = [cols.get(h) for h in ("年度指标值", "实际完成值", "分值")]
    for r in range(rt._data_start(sheet, hr, cols.values()), sheet.nrows):
        cells = {h: (sheet.cell(r, cols[h]) if h in cols else blank) for h in L.IND_HEADERS}
        if all(cells[h].blank for h in rt.IND_KEYS) or _ref_note_row(cols, cells):
            continue
        if rows.continues_block(sheet, r, cols.get("三级指标"), block_cols):
            continue  # issue #13: the lower rows of a merged indicator
        l3, l1 = cells["三级指标"], cells["一级指标"]
        l2 = cells["二级指标"]
        if isinstance(l3.value, str) and rt.norm_header(l3.value) in header_texts:
            continue
        first_label = l1 if not l1.blank else l2 if not l2.blank else l3 if not l3.blank else None
        if first_label is not None and rt._strip_weight(rt.row_label(first_label.value)) in rt.TOTAL_WORDS and (
                l3.blank or l3.ref == first_label.ref or rt._strip_weight(rt.row_label(l3.value)) in rt.TOTAL_WORDS):
            continue
        if rows.not_applicable((l3, cells["年度指标值"], cells["实际完成值"], cells["完成档次"]), cells["分值"]):
            na_rows.append((r + 1, rows.name_of(l3)))
            continue
        if not l1.blank and rt._strip_weight(rt.row_label(l1.value)) in profile.execution_row_labels:
            project.execution_weight = cells["分值"]
            project.execution_self_score = cells["自评得分"]
            continue
        if l1.blank and "一级指标" in prev:
            cells["一级指标"] = prev["一级指标"]
            if cells["二级指标"].blank and "二级指标" in prev:
                cells["二级指标"] = prev["二级指标"]
        elif not l1.blank and cells["二级指标"].blank and "二级指标" in prev:
            if prev.get("一级指标") is not None and prev["一级指标"].value == l1.value:
                cells["二级指标"] = prev["二级指标"]
        if not cells["一级指标"].blank:
            prev["一级指标"] = cells["一级指标"]
        if not cells["二级指标"].blank:
            prev["二级指标"] = cells["二级指标"]
        for key, seen, target in (("一级指标", l1_seen, project.level1_labels),
                                  ("二级指标", l2_seen, project.level2_labels)):
            c = cells[key]
            if not c.blank:
                k = rt.norm(c.value)
                if k not in seen:
                    seen[k] = c
                    target.append(c)
        project.indicators.append(Indicator(*[cells[h] for h in _IND_BY_FIELD], row=r + 1))
    project.findings.extend(rows.skipped_findings(sheet.name, [], na_rows))


def _ref_allocations(sheet, project, profile):
    keys = L.ALLOC_HEADERS
    hr, cols = rh.find_header(sheet, keys, profile, min_hits=2)
    if hr is None:
        project.findings.append(rt._column_missing(sheet, None, "用途", False))
        return []
    blank = Cell(None, sheet.name, "")
    out = []
    for r in range(rt._data_start(sheet, hr, cols.values()), sheet.nrows):
        cells = {k: (sheet.cell(r, cols[k]) if k in cols else blank) for k in keys}
        if all(c.blank for c in cells.values()):
            continue
        purpose = cells["用途"]
        label = rt.row_label(purpose.value) if not purpose.blank else ""
        amounts_blank = cells["计划金额"].blank and cells["实际金额"].blank
        if label in rt.TOTAL_WORDS or (amounts_blank and label.startswith(rt.NOTE_PREFIXES)):
            continue
        if len(cols) >= 2 and len({cells[h].ref for h in cols}) == 1:
            continue
        if (not label or rows.is_total_label(label)) and rt._total_line(
                cells["拨付对象"], cells["说明"], cells["计划金额"], cells["实际金额"], out):
            continue  # issue #13: a total line labelled in another column, or adding up the rows above
        out.append(Allocation(purpose, cells["拨付对象"], cells["计划金额"], cells["实际金额"], cells["说明"]))
    return out


def _ref_funds(sheet, project, profile):
    """The funds reader as it was: one ``sheet.cell`` per amount, a new blank Cell for a missing column."""
    hr, cols = rh.find_header(sheet, ("资金来源",) + rt.FUNDS_KEYS, profile, min_hits=2)
    if hr is None or not any(k in cols for k in rt.FUNDS_KEYS):
        project.findings.append(rt._column_missing(sheet, None, "全年预算数", True))
        return
    for k in rt.FUNDS_KEYS:
        if k not in cols:
            project.findings.append(rt._column_missing(sheet, hr, k, k != "年初预算数"))
    first_amount = min(cols[k] for k in rt.FUNDS_KEYS if k in cols)
    start = cols["资金来源"] if "资金来源" in cols and cols["资金来源"] < first_amount else 0
    label_cols = list(range(start, first_amount))
    totals = {rt.row_label(x) for x in profile.funds_total_row} | {rt.row_label(L.FUNDS_TOTAL_LABEL)}
    sources = {}
    for src in profile.funds_sources:
        for n in (src.name,) + tuple(src.aliases):
            sources.setdefault(rt.row_label(n), src.name)
    lines, total = [], None
    for r in range(rt._data_start(sheet, hr, cols.values()), sheet.nrows):
        label = rt._label_cell(sheet, r, label_cols)
        amounts = [sheet.cell(r, cols[k]) if k in cols else Cell(None, sheet.name, "") for k in rt.FUNDS_KEYS]
        key = rt.row_label(label.value) if label is not None else ""
        if key in sources:
            lines.append(BudgetLine(sources[key], label, *amounts))
            continue
        if rows.is_total_label(key, totals):  # issue #13: 项目资金总额, 资金合计 …
            if total is None:
                total = BudgetLine(L.FUNDS_TOTAL_LABEL, label, *amounts, is_total=True)
            continue
        if key and any(rt.values.amount_like(a.value) for a in amounts):
            if key in rt.TOTAL_WORDS or "执行率" in key or key.startswith(rt.NOTE_PREFIXES):
                continue
            lines.append(BudgetLine(str(label.value).strip(), label, *amounts))
    if total is None:
        lines = rows.promote_total(lines, set(sources.values()))  # issue #13: a total under another label
    project.funds = ([total] if total else []) + lines


def _ref_info(sheet, project, profile):
    hr, hmap = None, {}
    for r in range(min(rh.HEADER_SCAN_ROWS, sheet.nrows)):
        cols = rh._header_texts(sheet, r).get("填写内容")
        if cols:
            hr, hmap = r, {"value": cols[0]}
            break
    index = rt._info_label_index(profile)
    seen = {}
    for r in range(min(rt.INFO_SCAN_ROWS, sheet.nrows)):
        if r == hr:
            continue
        for c in range(min(sheet.ncols, 8)):
            if sheet.anchor(r, c) != (r, c):
                continue
            v = sheet.value(r, c, spread=False)
            if not isinstance(v, str):
                continue
            attr = index.get(rt.norm(v)) or index.get(rt.norm_header(v))
            if attr is None or attr in seen:
                continue
            vc = hmap.get("value")
            if vc is None or vc <= c:
                vc = rt._right_of(sheet, r, c)
            seen[attr] = sheet.cell(r, vc)
    for _label, attr, _req in L.INFO_FIELDS:
        setattr(project, attr, seen.get(attr, Cell(None, sheet.name, "")))


# -- random tables -------------------------------------------------------------------------------
_LABELS = ["产出指标", "效益指标", "满意度指标", "数量指标", "质量指标", "社会效益指标", "a", "b", "c", "预算执行率",
           "总分（100分）", "小计", "合计", "注：单位万元", "填表人：李四 电话：1", "说明：见附件", "  ", "", None,
           "一级指标", "三级指标", "其中：当年财政拨款", "上年结转资金", "年度资金总额", "项目名称", "年度", "实施单位",
           "自评总分", "服务对象满意度指标", 0, 3.5, True]
_VALUES = ["≥95%", "1个", "按计划完成", "达成年度指标", "", None, " ", 5, 2.5, 0, "正向", "12万元", "=100%"]


def _random_sheet(rnd, name, headers, width_extra=2):
    cols = list(headers)
    rnd.shuffle(cols) if rnd.random() < 0.3 else None
    if rnd.random() < 0.3:
        cols.remove(rnd.choice([h for h in cols if h not in ("三级指标", "用途")]))
    elif rnd.random() < 0.15:  # a narrow table: the key column and one more
        cols = [h for h in cols if h in ("三级指标", "用途")] + [rnd.choice([h for h in cols if h not in ("三级指标", "用途")])]
    cols += [None] * rnd.randint(0, width_extra)
    width = len(cols)
    rows = []
    if rnd.random() < 0.8:
        rows.append(["标题"] + [""] * (width - 1))
    if rnd.random() < 0.2:
        rows.append([""] * width)
    hr = len(rows)
    rows.append([h if h is not None else "" for h in cols])
    for _ in range(rnd.randint(0, 12)):
        row = [rnd.choice(_LABELS) if i < 3 or rnd.random() < 0.3 else rnd.choice(_VALUES) for i in range(width)]
        rows.append(row[: rnd.randint(0, width)] if rnd.random() < 0.1 else row)
    merges = []
    for r in range(hr + 1, len(rows)):
        x = rnd.random()
        if x < 0.1:
            merges.append((r, 0, r, width - 1))  # a note across the row
        elif x < 0.25 and r + 1 < len(rows):
            c = rnd.randrange(width)
            merges.append((r, c, r + rnd.randint(1, 2), c))  # a level label down its group
        elif x < 0.3:
            merges.append((r, 1, r, 2))
    if rnd.random() < 0.05:
        merges.append((hr + 1, 0, 30_000, 40))  # a huge merge (not spread cell by cell)
    pct = {(r, c) for r in range(len(rows)) for c in range(width) if rnd.random() < 0.05}
    return Sheet(name, rows, merges, percent_cells=pct)


@pytest.mark.parametrize("seed", range(300))
def test_tables_read_as_the_reference_reads_them(profile, seed):
    rnd = random.Random(seed)
    ind = _random_sheet(rnd, "绩效指标", L.IND_HEADERS)
    alloc = _random_sheet(rnd, "资金分配", L.ALLOC_HEADERS)
    funds = _random_sheet(rnd, "预算执行", ("资金来源",) + rt.FUNDS_KEYS)
    info = _random_sheet(rnd, "项目信息", L.INFO_HEADERS)
    for fn, ref, sheet in ((rt._read_indicators, _ref_indicators, ind), (rt._read_info, _ref_info, info),
                           (rt._read_funds, _ref_funds, funds)):
        got, want = Project("x", "template"), Project("x", "template")
        fn(_fresh(sheet), got, profile)
        ref(_fresh(sheet), want, profile)
        assert got == want, seed
    got, want = Project("x", "template"), Project("x", "template")
    assert rt._read_allocations(_fresh(alloc), got, profile) == _ref_allocations(_fresh(alloc), want, profile)
    assert got == want


def test_indicator_cells_are_unpacked_in_the_order_of_the_headers_and_fields():
    """_read_indicators unpacks a row in L.IND_HEADERS order and builds Indicator positionally."""
    assert [f.name for f in dataclasses.fields(Indicator)] == ["level1", "level2", "level3", "target", "actual",
                                                              "weight", "direction", "unit", "band",
                                                              "self_score", "note", "row"]
    assert L.IND_FIELDS == ("level1", "level2", "level3", "direction", "target", "unit", "actual", "band",
                            "weight", "self_score", "note")
