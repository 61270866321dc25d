"""The pre-scan's one-pass route for ordinary sheets must agree with its exact route on every sheet.

xlsxscan.prepare_sheet takes a shortcut when one pattern finds no row or cell it cannot vouch for; the
shortcut must give the very same answer as the exact route (several passes and a cell-by-cell walk),
and its marks (formulas without values, percent cells, hidden rows) the same as the independent
cell-by-cell walk _scan_sheet_full. Sheets are generated at random (fixed seed) with every feature
the readers meet: r first or later or missing or twice, $ and lower-case and quoted-with-' addresses,
prefixed elements (ASCII and not), names like ``c-x``, rows inside comments, far rows and columns,
hidden rows, percent styles, formulas with and without values.
"""
from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest

from jixiao_xlsx.a1 import col_letter
from jixiao_xlsx.read import xlsxscan as S

ROOT = Path(__file__).resolve().parents[1]
PCT = {3, 7}


def _cell(rng, r, c, odd):
    """One cell; ``odd``: how often an unusual form is chosen (0: as Excel writes them)."""
    col = col_letter(c)
    ref = f"{col}{r + 1}"
    form = rng.random()
    if form < odd:
        ref = f"${col}${r + 1}"
    elif form < 2 * odd:
        ref = ref.lower()
    attrs = []
    if rng.random() < odd:
        r_attr = None  # positioned by order
    else:
        r_attr = f"r='{ref}'" if rng.random() < odd else f'r="{ref}"'
    s = f's="{rng.choice([0, 1, 3, 7, 9, 12, 103])}"' if rng.random() < 0.6 else None
    t = rng.choice([None, None, 't="s"', 't="str"', 't="inlineStr"', 't="e"'])
    others = [a for a in (s, t) if a]
    if r_attr:
        if rng.random() < odd:
            others.append(r_attr)  # r not first
        else:
            attrs.append(r_attr)
    attrs += others
    if r_attr and rng.random() < odd:
        attrs.append(f'r="{col_letter(c + 200)}{r + 20_000}"')  # a second r: calamine takes the last
    head = rng.choice(["x:c", "前:c", "c-x"]) if rng.random() < odd else "c"
    sep = rng.choice([" ", " ", " ", "\n", "\t"]) if attrs else ""
    start = f"<{head}{sep}{' '.join(attrs)}"
    kind = rng.random()
    if kind < 0.15:
        return start + "/>"
    if kind < 0.3:
        return start + f"><f>SUM(A1:A{r})</f></{head}>"  # formula without value
    if kind < 0.4:
        return start + f'><f t="shared" si="0"/><v>{r}</v></{head}>'
    if kind < 0.45:
        return start + f"><x:f>A1</x:f></{head}>"
    if kind < 0.5:
        return start + f"><is><t>a{r}</t></is></{head}>"
    if kind < 0.55:
        return start + f"><v></v></{head}>"
    if t == 't="e"':  # an error value (calamine reads it as empty; the scan keeps its text)
        return start + rng.choice(["><f>1/0</f><v>#DIV/0!</v>", "><v>#NAME?</v>", "><v>#N/A</v>"]) + f"</{head}>"
    return start + f"><v>{rng.randint(0, 99)}</v></{head}>"


def _sheet(rng, rows_max, cols_max):
    odd = rng.choice([0, 0, 0.01, 0.03])
    rows = sorted(rng.sample(range(rows_max), min(rows_max, rng.randint(0, 25))))
    if rng.random() < odd * 3:
        rng.shuffle(rows)
    out = ['<?xml version="1.0"?><worksheet><dimension ref="A1:K32"/><cols><col min="1" max="2"/></cols><sheetData>']
    for r in rows:
        head = rng.choice(["x:row", "前:row", "row-x"]) if rng.random() < odd else "row"
        ra = f'r="{r + 1}" '
        if rng.random() < odd * 3:
            ra = rng.choice([f"r='{r + 1}' ", f'spans="1:3" r="{r + 1}" ', ""])
        hid = 'hidden="1"' if rng.random() < 0.1 else ('hidden="true"' if rng.random() < 0.05 else 'ht="15"')
        cols = sorted(rng.sample(range(cols_max), min(cols_max, rng.randint(0, 6))))
        cells = "".join(_cell(rng, r, c, odd) for c in cols)
        out.append(f"<{head} {ra}{hid}>{cells}</{head}>")
    if rng.random() < odd * 5:
        out.append('<!-- <row r="20001"><c r="A20001"><v>1</v></c></row> -->')
    out.append("</sheetData>")
    if rng.random() < 0.2:
        out.append('<conditionalFormatting><cfRule type="expression"><formula>A1&gt;0</formula></cfRule></conditionalFormatting>')
    if rng.random() < 0.1:
        out.append("<extLst><ext><x14:dataValidation><x14:formula1><xm:f>S!A1</xm:f></x14:formula1></x14:dataValidation></ext></extLst>")
    out.append("</worksheet>")
    return "".join(out).encode("utf-8")


def _outcome(prepare, xml):
    try:
        return prepare(xml, PCT)
    except S.OddCellTag:
        return ("refused",)


@pytest.mark.parametrize(
    "row_limit,col_limit,rows_max,cols_max",
    [(10_000, 100, 60, 12), (50, 3, 70, 6), (9, 2, 14, 4), (100, 28, 130, 60), (10_000, 100, 10_002, 104)],
)
def test_shortcut_agrees_with_the_exact_route(monkeypatch, row_limit, col_limit, rows_max, cols_max):
    monkeypatch.setattr(S, "ROW_LIMIT", row_limit)
    monkeypatch.setattr(S, "COL_LIMIT", col_limit)
    rng = random.Random(row_limit * 1000 + col_limit)
    took_shortcut = 0
    for _ in range(400):
        inside = rng.random() < 0.5  # half the sheets stay within the limits
        xml = _sheet(rng, min(rows_max, row_limit) if inside else rows_max, min(cols_max, col_limit) if inside else cols_max)
        fast = _outcome(S.prepare_sheet, xml)
        exact = _outcome(S._prepare_sheet_exact, xml)
        assert fast == exact, xml
        if fast[0] == "refused":
            continue  # a tag with two r (or s, t) attributes: refused by both routes
        if not S._unsafe_pattern(row_limit, col_limit).search(xml):
            took_shortcut += 1
            full = S._scan_sheet_full(xml, PCT)
            assert (fast[1].formulas_without_value, fast[1].percent_cells, fast[1].hidden_rows, fast[1].error_cells) == (
                full.formulas_without_value, full.percent_cells, full.hidden_rows, full.error_cells), xml
            assert not full.needs_trim and not full.far_cells
    assert took_shortcut >= 15  # the generator does produce ordinary sheets (the pattern vouches for
    # rows 1-9 only when the limit is 50, so fewer of those)


def test_shortcut_boundaries():
    pat = S._unsafe_pattern(10_000, 100)  # rows 1..10000, columns A..CV
    ok = [b'<c r="A1"/>', b'<c r="CV9999"/>', b'<c r="BZ12">', b'<row r="9999">', b"<cols><col min='1'/>"]
    vouch_not = [b'<c r="CW1"/>', b'<c r="A10000"/>', b'<c r="A10001"/>', b'<c r="DA1"/>', b'<c r="AAA1"/>',
                 b'<c r="A01"/>', b'<c s="1" r="A1"/>', b"<c r='A1'/>", b'<c r="$A$1"/>', b'<c r="a1"/>',
                 b"<c>", b"<c/>", b'<row r="10000">', b"<row>", b'<x:c r="A1"/>', b'<x:row r="1">']
    assert [bool(pat.search(x)) for x in ok] == [False] * len(ok)
    assert [bool(pat.search(x)) for x in vouch_not] == [True] * len(vouch_not)


def test_every_bundled_workbook_sheet_takes_the_shortcut_with_the_same_answer():
    books = sorted(ROOT.glob("samples/**/*.xlsx")) + sorted(ROOT.glob("input_templates/*.xlsx"))
    assert len(books) >= 10
    seen = 0
    for path in books:
        try:
            zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            continue  # the district sample's deliberately broken files
        with zf:
            styles = zf.read("xl/styles.xml") if "xl/styles.xml" in zf.namelist() else b""
            pct = S.percent_styles(styles) if styles else set()
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    xml = zf.read(name)
                    assert S.prepare_sheet(xml, pct) == S._prepare_sheet_exact(xml, pct), (path, name)
                    seen += 1
    assert seen >= 30


def test_error_cells_keep_their_text_on_both_routes():
    """t="e" cells: python-calamine gives '', the scan gives the text Excel shows (#DIV/0!, #NAME?)."""
    xml = (b'<worksheet><sheetData><row r="2"><c r="B2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
           b'<c r="C2" t="s"><v>0</v></c><c r="D2" t="e"><v>#NAME?</v></c><c r="E2" t="e"/></row>'
           b'</sheetData></worksheet>')
    want = {(1, 1): "#DIV/0!", (1, 3): "#NAME?"}
    assert S.prepare_sheet(xml, PCT)[1].error_cells == want
    assert S._prepare_sheet_exact(xml, PCT)[1].error_cells == want
    assert S._scan_sheet_full(xml, PCT).error_cells == want
