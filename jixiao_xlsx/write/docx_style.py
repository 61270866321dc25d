"""The look of a government report in Word (GB/T 9704 conventions), shared by the report and the brief.

A4 with the standard margins (top 37 mm, bottom 35 mm, left 28 mm, right 26 mm); body 仿宋 三号 (16 pt)
at a fixed 28 pt line pitch with a two-character first-line indent; first-level headings 黑体, second-level
headings 楷体, the title 宋体 二号 bold, centred; page numbers “— 1 —” centred in the footer.

Fonts: the names are those every Chinese Windows and WPS install carries (仿宋, 黑体, 楷体, 宋体), written
into ``w:eastAsia`` so Word and WPS use them for Chinese (``w:ascii``/``w:hAnsi`` get Times New Roman for
digits and Latin); where a font is missing (LibreOffice on Linux) the application substitutes its own CJK
font — the document never depends on one being installed.

Every piece of text passes :func:`clean`: control characters are removed (they are not allowed in XML and
Word reports the file as damaged), and text is only ever added as plain runs — never a field, hyperlink
or formula — so whatever a clerk typed in a cell stays inert text.
"""
from __future__ import annotations

import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

BODY_FONT = "仿宋"
H1_FONT = "黑体"
H2_FONT = "楷体"
TITLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
TABLE_PT = 10.5  # 五号
LINE_PT = 28  # GB/T 9704: 22 lines of 28 characters on an A4 page
TABLE_STYLE = "JX表格文字"
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def clean(text) -> str:
    """Text safe for a document: str, control characters removed, line ends as ``\\n``."""
    if text is None:
        return ""
    s = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", s)


def set_fonts(el_with_rpr, east: str, latin: str = LATIN_FONT) -> None:
    """Set w:rFonts on a style or run (``.element``), dropping theme fonts that would override them."""
    fonts = el_with_rpr.get_or_add_rPr().get_or_add_rFonts()  # in its schema place (Word is strict)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east)


def _style_font(style, east: str, size: float, bold: bool = False) -> None:
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = None
    set_fonts(style.element, east)


def new_document(title: str = "", author: str = "jixiao") -> Document:
    """An empty A4 document with the official styles set up."""
    doc = Document()
    sec = doc.sections[0]
    a4_page(sec)
    st = doc.styles
    normal = st["Normal"]
    _style_font(normal, BODY_FONT, BODY_PT)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PT)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.first_line_indent = Pt(BODY_PT * 2)
    pf.widow_control = True
    for name, font in (("Heading 1", H1_FONT), ("Heading 2", H2_FONT), ("Heading 3", BODY_FONT)):
        s = st[name]
        _style_font(s, font, BODY_PT, bold=(name == "Heading 3"))
        s.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        s.paragraph_format.space_before = Pt(0)
        s.paragraph_format.space_after = Pt(0)
        s.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        s.paragraph_format.line_spacing = Pt(LINE_PT)
        s.paragraph_format.keep_with_next = True
        s.font.color.rgb = None
        _no_theme_color(s)
    title_style = st["Title"]
    _style_font(title_style, TITLE_FONT, TITLE_PT, bold=True)
    tpf = title_style.paragraph_format
    tpf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tpf.first_line_indent = Pt(0)
    tpf.space_before = Pt(0)
    tpf.space_after = Pt(LINE_PT)
    tpf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    tpf.line_spacing = Pt(36)
    _no_title_border(title_style)
    _no_theme_color(title_style)
    from docx.enum.style import WD_STYLE_TYPE

    cell_style = st.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)  # table cells: one style, set once
    cell_style.base_style = normal
    cell_style.font.size = Pt(TABLE_PT)
    cpf = cell_style.paragraph_format
    cpf.first_line_indent = Pt(0)
    cpf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    cpf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.core_properties.title = clean(title)[:250]
    doc.core_properties.author = author
    page_numbers(sec)
    return doc


def _no_theme_color(style) -> None:
    color = style.element.rPr.find(qn("w:color")) if style.element.rPr is not None else None
    if color is not None:
        style.element.rPr.remove(color)


def _no_title_border(style) -> None:
    """python-docx's default Title has a blue bottom border: an official title has none."""
    ppr = style.element.pPr
    if ppr is not None:
        for b in ppr.findall(qn("w:pBdr")):
            ppr.remove(b)


def a4_page(section, landscape: bool = False) -> None:
    """A4 with the GB/T 9704 margins (the margins turn with the page in landscape)."""
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(26), Mm(26)
        section.left_margin, section.right_margin = Mm(25), Mm(25)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(20)


def page_numbers(section) -> None:
    """“— n —” centred in the footer, 宋体 四号 (a PAGE field: the only field in the document)."""
    footer = section.footer
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    _run(p, "— ", TITLE_FONT, 14)
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    p._p.append(fld)
    _run(p, " —", TITLE_FONT, 14)


def _run(p, text, east=None, size=None, bold=None):
    run = p.add_run(clean(text))
    if east:
        set_fonts(run._element, east)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    return run


def title(doc, text: str, subtitle: str = "", split_at: int = 0) -> None:
    """The centred title; a long one is broken after ``split_at`` characters (GB/T 9704: in lines)."""
    text = clean(text)
    p = doc.add_paragraph()
    p._p.style = _style_id(doc, "Title")
    if split_at and len(text) > 20:
        p.add_run(text[:split_at]).add_break()
        p.add_run(text[split_at:])
    else:
        p.add_run(text)
    if subtitle:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.space_after = Pt(LINE_PT)
        _run(p, subtitle, H2_FONT)


def _style_id(doc, name: str) -> str:
    """Style id by name, looked up once per document (python-docx searches the styles part each time)."""
    part = doc.part  # the one DocumentPart (python-docx makes a new Document proxy on each ``.document``)
    ids = part.__dict__.setdefault("_jx_style_ids", {})
    if name not in ids:
        ids[name] = part.styles[name].style_id
    return ids[name]


def heading(doc, text: str, level: int = 1):
    p = doc.add_paragraph(clean(text))
    p._p.style = _style_id(doc, f"Heading {level}")
    return p


def paragraph(doc, text: str = "", lead: str = "", indent: bool = True):
    """One body paragraph; ``lead`` (e.g. “1.项目组织及管理情况。”) is set in bold 仿宋 before the text."""
    p = doc.add_paragraph()
    if not indent:
        p.paragraph_format.first_line_indent = Pt(0)
    if lead:
        _run(p, lead, bold=True)
    if text:
        p.add_run(clean(text))
    return p


def placeholder(p, what: str):
    """A visible, highlighted 【请填写：…】 where the workbook gave no text (never invented prose)."""
    run = p.add_run(clean(f"【请填写：{what}】"))
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    run.font.bold = True
    return run


def text_block(doc, text: str, lead: str = "", missing: str = "") -> None:
    """The clerk's text, one paragraph per line (the first after ``lead``); a placeholder when empty."""
    lines = [ln.strip() for ln in clean(text).split("\n") if ln.strip()]
    if not lines:
        placeholder(paragraph(doc, lead=lead), missing)
        return
    paragraph(doc, lines[0], lead=lead)
    for ln in lines[1:]:
        paragraph(doc, ln)


def landscape_section(doc):
    """A new landscape A4 section (for a wide table), page numbers continuing."""
    from docx.enum.section import WD_SECTION

    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    a4_page(sec, landscape=True)
    return sec


def table(doc, rows: int, cols: int, widths_mm=None):
    """A bordered table of ``rows`` × ``cols`` in 仿宋 五号, centred, with fixed column widths."""
    t = doc.add_table(rows=rows, cols=cols)
    t._tbl.tblStyle_val = _style_id(doc, "Table Grid")
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths_mm:
        t.autofit = False  # w:tblLayout fixed
        for col, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm):
            col.set(qn("w:w"), str(int(Mm(w).twips)))  # LibreOffice and WPS lay out by the grid
        for tr in t._tbl.tr_lst:
            for tc, w in zip(tr.tc_lst, widths_mm):
                tc.width = Mm(w)
    return t


class Grid:
    """A table's cells addressed by (row, col) as created, filled first and merged last.

    python-docx's ``row.cells`` and ``cell.merge`` walk the whole table on every call (a report's
    appendix took a second); here every cell is written once and the merges are plain XML
    (``gridSpan`` across a row, ``vMerge`` down a column), which is what Word writes itself."""

    def __init__(self, table):
        from docx.table import _Cell

        self.table = table
        self.tcs = [list(tr.tc_lst) for tr in table._tbl.tr_lst]
        self.cell = lambda r, c: _Cell(self.tcs[r][c], table)
        self.merges = []

    def put(self, r, c0, c1, text, r1=None, **kw):
        cell_text(self.cell(r, c0), text, **kw)
        r1 = r if r1 is None else r1
        if (r1, c1) != (r, c0):
            self.merges.append((r, c0, r1, c1))

    def finish(self):
        for r0, c0, r1, c1 in self.merges:
            if c1 > c0:  # one row: the first cell spans the others, which go
                first = self.tcs[r0][c0]
                width = sum((self.tcs[r0][c].width or 0) for c in range(c0, c1 + 1))
                first.grid_span = c1 - c0 + 1
                first.width = width
                for c in range(c0 + 1, c1 + 1):
                    tc = self.tcs[r0][c]
                    tc.getparent().remove(tc)
            if r1 > r0:  # one column: restart on top, continue below (python-docx keeps tcPr in order)
                for r in range(r0, r1 + 1):
                    self.tcs[r][c0].vMerge = "restart" if r == r0 else "continue"


def cell_text(cell, text, bold: bool = False, align: str = "center", size: float = TABLE_PT, shade: str = ""):
    """Write plain text into a table cell (one paragraph per line), 仿宋 at ``size``."""
    lines = clean(text).split("\n") if text not in (None, "") else [""]
    p = cell.paragraphs[0]
    style = _style_id(cell, TABLE_STYLE)
    for i, ln in enumerate(lines):
        if i:
            p = cell.add_paragraph()
        p._p.style = style
        if align in _ALIGN:
            p.paragraph_format.alignment = _ALIGN[align]
        if ln:
            run = p.add_run(ln)
            if size != TABLE_PT:
                run.font.size = Pt(size)
            if bold:
                run.font.bold = True
    if shade:  # w:shd sits after tcW/gridSpan/vMerge/tcBorders and before vAlign (CT_TcPr sequence)
        tcpr = cell._tc.get_or_add_tcPr()
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), shade)
        later = [tcpr.find(qn(t)) for t in ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
                                            "w:hideMark")]
        later = [e for e in later if e is not None]
        if later:
            later[0].addprevious(shd)
        else:
            tcpr.append(shd)
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT

    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def repeat_header(row) -> None:
    """Repeat this table row at the top of every page the table runs onto."""
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    later = [trpr.find(qn(t)) for t in ("w:tblCellSpacing", "w:jc", "w:hidden")]
    later = [e for e in later if e is not None]
    if later:
        later[0].addprevious(el)
    else:
        trpr.append(el)


def save(doc, path) -> None:
    doc.save(str(path))
