"""A real office suite opens what we write (issue #5): every output workbook through LibreOffice.

For each workbook the tool writes — the blank template, the scored workbook of a template sample and
of an official form, the batch summary — LibreOffice (``soffice --headless``) must:
- convert it to PDF (a workbook LibreOffice cannot load fails the conversion), on A4 pages in the
  orientation each sheet asks for, each sheet fitting one page wide when its print setup says so
  (checked sheet by sheet: a copy with the other sheets hidden), and the 评分结果 sheet on one page;
- re-open it (convert to .xlsx, with formulas recalculated on load) and give back the same values the
  tool wrote, so every formula the tool wrote evaluates to the value the tool computed.

Runs only when ``soffice`` is on PATH (``.ci/run`` installs it); each test skips while the module it
needs does not exist yet.
"""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from tests.support import lo

pytestmark = [
    pytest.mark.soffice,
    pytest.mark.skipif(lo.soffice() is None, reason="LibreOffice (soffice) is not installed"),
]

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "jiahe-2022.xlsx"


# -- the outputs -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("lo")


@pytest.fixture(scope="module")
def template_xlsx(work):
    from jixiao_xlsx import write_template

    out = work / "template.xlsx"
    write_template(str(out))
    return out


def _scored(src: Path, out: Path) -> Path:
    from jixiao_xlsx import evaluate_file, write_scored_file

    result = evaluate_file(str(src))
    assert not result.blocked, [f.message for f in result.findings]
    write_scored_file(result, str(out))
    return out


@pytest.fixture(scope="module")
def scored_sample(work):
    return _scored(SAMPLE, work / "jiahe-2022.scored.xlsx")


@pytest.fixture(scope="module")
def scored_official(work):
    from tests.support import official_forms

    src = official_forms.build_v1(work / "official-v1.xlsx")
    return _scored(src, work / "official-v1.scored.xlsx")


@pytest.fixture(scope="module")
def summary(work):
    from click.testing import CliRunner

    from jixiao_xlsx.cli import main
    from tests.support import official_forms

    folder = work / "district"
    folder.mkdir()
    for f in sorted((ROOT / "samples").glob("*.xlsx")):
        shutil.copy(f, folder / f.name)
    official_forms.build_v1(folder / "official-v1.xlsx")
    official_forms.build_v3(folder / "official-v3.xlsx")
    out = work / "summary.xlsx"
    res = CliRunner().invoke(main, ["batch", str(folder), "-o", str(out), "--jobs", "1"])
    assert out.exists(), res.output
    return out


@pytest.fixture(scope="module")
def summary_left_out(work):
    """Issue #17: one project without 全年预算数, one blocked with both amounts — the 合计 row's SUMIFS
    over the rows with both amounts must recalculate to the cached 200 / 190 / 95 %."""
    pytest.importorskip("jixiao_xlsx.write.aggregates")
    from click.testing import CliRunner

    from jixiao_xlsx.cli import main
    from jixiao_xlsx.write.template import write_template
    from tests.test_batch import data

    folder = work / "left-out"
    folder.mkdir()
    write_template(folder / "A.xlsx", data("嘉禾街道办事处", "A项目", (100, 100, 100)))
    write_template(folder / "B.xlsx", data("京溪街道办事处", "B项目", (100, None, 80)))
    write_template(folder / "D.xlsx", data("永平街道办事处", "D项目", (100, 100, 90), actual_sat=""))
    write_template(folder / "E.xlsx", data("同和街道办事处", "E项目", (0, 0, 50)))  # a 0 budget: left out too
    out = work / "summary-left-out.xlsx"
    res = CliRunner().invoke(main, ["batch", str(folder), "-o", str(out), "--jobs", "1"])
    assert out.exists(), res.output
    return out


OUTPUTS = ["template_xlsx", "scored_sample", "scored_official", "summary"]
SCORED = ["scored_sample", "scored_official", "summary", "summary_left_out"]


# -- what the print setup intends -------------------------------------------------------------


def _print_setup(path):
    """[(index, sheet name, setup dict, openpyxl sheet)] of the visible sheets."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    out = []
    for i, ws in enumerate(wb.worksheets):
        if ws.sheet_state != "visible":
            continue
        ps = ws.page_setup
        fit = bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)
        out.append((i, ws.title, {
            "fit": fit,
            "wide": (ps.fitToWidth if ps.fitToWidth is not None else 1) if fit else None,
            "tall": (ps.fitToHeight if ps.fitToHeight is not None else 1) if fit else None,
            "paper": ps.paperSize,
            "landscape": ps.orientation == "landscape",
        }, ws))
    return out


def _has_content(ws) -> bool:
    return ws.max_row > 1 or ws.max_column > 1 or ws["A1"].value is not None or bool(ws._charts)


def _edge_tokens(ws):
    """Leftmost and rightmost texts of the widest text row near the top (the table header)."""
    best = []
    for row in ws.iter_rows(min_row=1, max_row=min(ws.max_row, 40)):
        texts = [(c.column, str(c.value)) for c in row if isinstance(c.value, str) and c.value.strip()]
        if len(texts) > len(best):
            best = texts
    if len(best) < 2:
        return None

    def tok(t):
        return "".join(t.split())[:4]

    return tok(best[0][1]), tok(best[-1][1])


@pytest.mark.parametrize("name", OUTPUTS)
def test_converts_to_pdf_as_the_print_setup_intends(name, request, tmp_path):
    path = request.getfixturevalue(name)
    sheets = [s for s in _print_setup(path) if _has_content(s[3])]
    assert sheets, "no visible sheet with content"
    copies = [lo.only_sheet(path, i, tmp_path / f"{path.stem}-sheet{i}.xlsx") for i, *_ in sheets]
    # one LibreOffice start converts the whole workbook and a one-sheet copy per sheet
    whole, *pdfs = lo.convert_many([path] + copies, "pdf", tmp_path / "pdf")
    per_sheet = 0
    for (i, title, setup, ws), pdf in zip(sheets, pdfs):
        pages = lo.pdf_pages(pdf)
        per_sheet += pages
        assert pages >= 1, f"{title}: nothing printed"
        sizes = lo.pdf_page_sizes(pdf)
        if sizes is not None:
            assert len(sizes) == pages
            if setup["paper"] == 9:  # A4, in the orientation the sheet asks for
                for w, h in sizes:
                    assert lo.is_a4((w, h)), f"{title}: page {w}x{h} pt is not A4"
                    assert (w > h) == setup["landscape"], f"{title}: wrong orientation"
        if setup["fit"] and setup["tall"]:
            assert pages <= setup["tall"] * setup["wide"], f"{title}: {pages} pages, setup fits {setup}"
        if setup["fit"] and setup["wide"] == 1:
            _assert_one_page_wide(title, ws, pdf, pages)
        if title == "评分结果":
            assert pages == 1, f"评分结果 should print on one A4 page, got {pages}"
    assert per_sheet == lo.pdf_pages(whole), "the whole workbook prints the pages of its sheets"


def _assert_one_page_wide(title, ws, pdf, pages):
    """The first and the last column of the header row are printed on the same page."""
    edges = _edge_tokens(ws)
    texts = lo.pdf_text_pages(pdf)
    if edges is None or texts is None:
        return
    left, right = edges
    assert len(texts) == pages
    assert any(left in t and right in t for t in texts), (
        f"{title}: '{left}' and '{right}' are not on one page — the sheet does not fit one page wide")


def test_result_sheet_is_a4_one_page(scored_official, tmp_path):
    """The 评分结果 sheet of an official form: the form's own fields, printed on one A4 page."""
    sheets = {t: (i, s) for i, t, s, _ in _print_setup(scored_official)}
    assert "评分结果" in sheets
    i, setup = sheets["评分结果"]
    assert setup["paper"] == 9 and setup["fit"] and setup["wide"] == 1
    pdf = lo.convert(lo.only_sheet(scored_official, i, tmp_path / "r.xlsx"), "pdf", tmp_path)
    assert lo.pdf_pages(pdf) == 1
    text = lo.pdf_text_pages(pdf)
    if text is not None:
        for word in ("项目名称", "年度资金总额", "三级指标", "偏差原因", "97.06"):
            assert word in text[0], word


# -- re-opened by LibreOffice, the values are the tool's ----------------------------------------


def _same(a, b) -> bool:
    if a == b:
        return True
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return False


@pytest.mark.parametrize("name", SCORED)
def test_values_and_formulas_survive_libreoffice(name, request, tmp_path):
    import openpyxl

    path = request.getfixturevalue(name)
    back = lo.convert(path, "xlsx", tmp_path)  # formulas are recalculated on load (tests/lo.py)
    ours = openpyxl.load_workbook(path, data_only=True)  # the values the tool wrote / cached
    formulas = openpyxl.load_workbook(path)  # the formulas the tool wrote
    theirs = openpyxl.load_workbook(back, data_only=True)
    assert theirs.sheetnames == ours.sheetnames
    compared = checked_formulas = 0
    diffs = []
    for ws in ours.worksheets:
        other, fws = theirs[ws.title], formulas[ws.title]
        for row in ws.iter_rows():
            for c in row:
                mine, lo_value = c.value, other[c.coordinate].value
                if mine is None and lo_value in (None, ""):
                    continue
                compared += 1
                f = fws[c.coordinate].value
                if isinstance(f, str) and f.startswith("=") and fws[c.coordinate].data_type == "f":
                    checked_formulas += 1
                if not _same(mine, lo_value):
                    diffs.append(f"{ws.title}!{c.coordinate}: ours {mine!r}, LibreOffice {lo_value!r}")
    assert not diffs, "\n".join(diffs[:20])
    assert compared > 50
    if name.startswith("summary"):
        assert checked_formulas > 0, "the summary's totals row should be formulas with cached values"


def test_left_out_totals_recalculate_as_cached(summary_left_out, tmp_path):
    """The hand arithmetic of the 合计 row, as LibreOffice recalculates it: A 100/100 and D 100/90
    (blocked, both amounts) -> 200 / 190 / 0.95; B (no 全年预算数) and E (全年预算数 0, 执行 50) add to
    neither sum."""
    import openpyxl

    back = lo.convert(summary_left_out, "xlsx", tmp_path)
    ws = openpyxl.load_workbook(back, data_only=True)["汇总"]
    head = [c.value for c in ws[1]]
    total = dict(zip(head, [c.value for c in ws[ws.max_row]]))
    assert total["实施单位"] == "合计"
    assert (total["全年预算数"], total["全年执行数"], total["执行率"]) == (200, 190, 0.95)
