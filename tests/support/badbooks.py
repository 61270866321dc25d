"""Generator of deliberately bad workbooks (issue #4): messy-but-meaningful, broken and hostile.

Every case is a :class:`Case` with a builder and what the tool must answer: a score (worked out by
hand from the 嘉禾街 reference of spec §11), finding codes, or a refusal reason.  ``build_all(dir)``
writes them all; nothing is written into the repository.
"""
from __future__ import annotations

import copy
import datetime as _dt
import os
import shutil
import struct
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Callable, Optional

from jixiao_xlsx.write.template import write_template

# -- the reference project (spec §11): total 100.00, 优, one hint ACTUAL_IS_BOUND (row 8) ---------------
_Q = "达成年度指标"


def _ind(l1, l2, l3, d, t, a, w, band=None, unit=None, note=None, self_score=None):
    return {
        "一级指标": l1, "二级指标": l2, "三级指标": l3, "指标方向": d, "年度指标值": t, "计量单位": unit,
        "实际完成值": a, "完成档次": band, "分值": w, "自评得分": self_score, "偏差原因分析及改进措施": note,
    }


JIAHE = {
    "info": {
        "项目名称": "2022年镇街党建工作经费",
        "主管部门": "广州市白云区嘉禾街道办事处",
        "实施单位": "广州市白云区嘉禾街道办事处",
        "年度": 2022,
        "项目负责人": "张三",
        "自评总分": 100,
    },
    "funds": {"年度资金总额": (100, 100, 100), "当年财政拨款": (100, 100, 100), "上年结转资金": (0, 0, 0), "其他资金": (0, 0, 0)},
    "allocations": [
        {"用途": "红旗坊党建品牌、出版红色故事连环画等党建宣传、提升红旗坊党史学习教育软件服务", "拨付对象": "嘉禾街道",
         "计划金额": 70, "实际金额": 70},
        {"用途": "拨付辖内三个联社开展党建引领城中村治理基层组织工作", "拨付对象": "三个联社", "计划金额": 30, "实际金额": 30},
    ],
    "indicators": [
        _ind("产出指标", "数量指标", "出版红色故事连环画《嘉禾记忆》", "正向", "≥1部", "1部", 8),
        _ind("产出指标", "数量指标", "建立城中村“大党委”", "正向", "≥3个", "3个", 8),
        _ind("产出指标", "数量指标", "建立经济社“大支部”", "正向", "≥40个", "40个", 8),
        _ind("产出指标", "数量指标", "拨付经费开展城中村治理基层组织工作的联社", "等于", "=3个", "3个", 8),
        _ind("产出指标", "质量指标", "提升红旗坊党史学习教育软件服务", "定性", "完成软件服务提升", "已提升软件服务", 9, _Q),
        _ind("产出指标", "质量指标", "完成党建品牌创建工作阶段性任务程度", "定性", "达到阶段性任务质量要求", "达到相关质量指标要求", 9, _Q),
        _ind("效益指标", "社会效益指标", "红旗坊纳入全市党史学习教育新闻采访线路", "定性", "纳入采访线路", "列入全市11条党史线路之一", 10, _Q),
        _ind("效益指标", "社会效益指标", "红旗坊累计接待参观人数", "正向", "≥5000人", "超过5000人", 10),
        _ind("效益指标", "可持续影响指标", "党建宣传效果对党员能够持续影响度", "定性", "形成可持续使用的宣传教育资源",
             "《嘉禾记忆》作为青少年爱国主义教育教材推荐至各中小学校", 10, _Q),
        _ind("满意度指标", "服务对象满意度指标", "党员群众满意度", "定性", "党员群众满意", "经询问查证、群众征求，党员群众满意", 10, _Q),
    ],
}
IND_FIRST_ROW = 3  # 1-based worksheet row of the first indicator in the template (title 1, header 2)
SATISFACTION = 9  # index of the 满意度 row (w = 10) used for percentage variants


@dataclass
class Case:
    """One bad workbook and what the tool must answer for it."""

    name: str  # file name (with extension)
    build: Callable[[Path], None]
    refuse: str = ""  # substring of the UnreadableFile reason (the file must be refused)
    total: Optional[Decimal] = None  # expected total when it must score
    codes: tuple = ()  # finding codes that must appear
    no_codes: tuple = ()  # finding codes that must not appear
    blocked: Optional[bool] = None  # True: no total may be computed
    note: str = ""  # what the case is about
    needs: str = ""  # 'soffice' when LibreOffice is required
    tags: tuple = ()
    known_issue: str = ""  # a reader/scorer gap reported to the lead: the test is a strict xfail


def data(**changes) -> dict:
    """A deep copy of JIAHE with top-level keys replaced."""
    d = copy.deepcopy(JIAHE)
    d.update(changes)
    return d


def with_rows(changes: dict, **top) -> dict:
    """JIAHE with indicator rows patched: {index: {header: value}}."""
    d = data(**top)
    for i, ch in changes.items():
        d["indicators"][i].update(ch)
    return d


def template(d) -> Callable[[Path], None]:
    return lambda p: write_template(p, d)


def soffice() -> Optional[str]:
    return shutil.which("soffice") or shutil.which("libreoffice")


def lo_convert(src: Path, fmt: str, dest: Path, timeout: int = 180) -> None:
    """Convert with LibreOffice headless (private profile so parallel runs cannot collide)."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("soffice not found")
    work = Path(tempfile.mkdtemp(prefix="jixiao-bad-"))
    try:
        cmd = [exe, f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
               "--convert-to", fmt, "--outdir", str(work / "out"), str(src)]
        subprocess.run(cmd, capture_output=True, timeout=timeout, env={**os.environ, "HOME": str(work)})
        out = work / "out" / (src.stem + "." + fmt.split(":")[0])
        if not out.exists():
            raise RuntimeError("conversion failed")
        shutil.move(str(out), str(dest))
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- post-processing helpers --------------------------------------------------------------------------
def openpyxl_edit(d, edit: Callable) -> Callable[[Path], None]:
    """Write the template from ``d``, then change it with openpyxl (merges, hidden rows, formats...)."""

    def build(p: Path):
        import openpyxl

        write_template(p, d)
        wb = openpyxl.load_workbook(p)
        edit(wb)
        wb.save(p)

    return build


def zip_edit(d, edit: Callable[[dict], None], raw: Optional[Callable[[Path], None]] = None) -> Callable[[Path], None]:
    """Write the template from ``d``, then rewrite its zip parts: ``edit({name: bytes})`` in place."""

    def build(p: Path):
        write_template(p, d)
        with zipfile.ZipFile(p) as z:
            parts = {i.filename: z.read(i) for i in z.infolist()}
        edit(parts)
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            for n, b in parts.items():
                z.writestr(n, b)

    return build


def sheet_part(parts: dict, sheet_name: str) -> str:
    """Zip part name of a worksheet, from workbook.xml + rels (the template writes them in order)."""
    import re

    wb = parts["xl/workbook.xml"].decode()
    names = re.findall(r'<sheet name="([^"]*)"', wb)
    return f"xl/worksheets/sheet{names.index(sheet_name) + 1}.xml"


def replace_in_sheet(sheet: str, old: bytes, new: bytes):
    def edit(parts):
        part = sheet_part(parts, sheet)
        assert old in parts[part], (old, part)
        parts[part] = parts[part].replace(old, new, 1)

    return edit


def shared_to_number(parts: dict, sheet: str, text: str, raw_value: bytes):
    """Make the cell holding shared string ``text`` a numeric cell with ``raw_value`` (e.g. b'NaN')."""
    import re

    sst = parts["xl/sharedStrings.xml"].decode()
    items = re.findall(r"<si>(.*?)</si>", sst, re.S)
    idx = next(i for i, it in enumerate(items) if f">{text}<" in it)
    part = sheet_part(parts, sheet)
    xml = parts[part]
    pat = re.compile(rb'<c r="([A-Z]+[0-9]+)"( s="[0-9]+")? t="s"><v>' + str(idx).encode() + rb"</v></c>")
    m = pat.search(xml)
    assert m, text
    parts[part] = xml[: m.start()] + b'<c r="' + m.group(1) + b'"' + (m.group(2) or b"") + b"><v>" + raw_value + b"</v></c>" + xml[m.end():]


# -- raw files ----------------------------------------------------------------------------------------
def write_bytes(b: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(b)


def minimal_zip(parts: dict) -> Callable[[Path], None]:
    def build(p: Path):
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            for n, b in parts.items():
                z.writestr(n, b)

    return build


DOCX_PARTS = {
    "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    "word/document.xml": '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>项目支出绩效自评报告</w:t></w:r></w:p></w:body></w:document>".encode(),
}

MIN_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def cfb(streams: dict) -> bytes:
    """A minimal OLE2 compound file holding ``streams`` (name -> bytes, each padded to >= 4096 bytes
    so that no mini stream is needed).  Enough for the container sniffing tests."""
    ssz = 512
    data_secs, chains = [], []
    for name, payload in streams.items():
        payload = payload.ljust(4096, b"\0")
        n = -(-len(payload) // ssz)
        start = len(data_secs)
        for i in range(n):
            data_secs.append(payload[i * ssz:(i + 1) * ssz].ljust(ssz, b"\0"))
        chains.append((name, start, n, len(payload)))
    dir_sec = len(data_secs)
    fat_sec = dir_sec + 1
    fat = []
    for _name, start, n, _size in chains:
        fat.extend(start + i + 1 for i in range(n - 1))
        fat.append(0xFFFFFFFE)
    fat.append(0xFFFFFFFE)  # directory: one sector
    fat.append(0xFFFFFFFD)  # the FAT sector itself
    fat += [0xFFFFFFFF] * (ssz // 4 - len(fat))

    def entry(name, typ, start, size, child=0xFFFFFFFF, right=0xFFFFFFFF):
        nm = name.encode("utf-16-le") + b"\0\0"
        e = nm.ljust(64, b"\0") + struct.pack("<HBB", len(nm), typ, 1)
        e += struct.pack("<III", 0xFFFFFFFF, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
        e += struct.pack("<IQ", start, size)
        return e.ljust(128, b"\0")

    ents = [entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1 if chains else 0xFFFFFFFF)]
    for i, (name, start, _n, size) in enumerate(chains):
        ents.append(entry(name, 2, start, size, right=i + 2 if i + 1 < len(chains) else 0xFFFFFFFF))
    dirb = b"".join(ents).ljust(ssz, b"\0")
    hdr = bytearray(512)
    hdr[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", hdr, 0x18, 0x3E, 3, 0xFFFE, 9)
    struct.pack_into("<H", hdr, 0x20, 6)
    struct.pack_into("<I", hdr, 0x2C, 1)
    struct.pack_into("<I", hdr, 0x30, dir_sec)
    struct.pack_into("<I", hdr, 0x38, 4096)
    struct.pack_into("<II", hdr, 0x3C, 0xFFFFFFFE, 0)
    struct.pack_into("<II", hdr, 0x44, 0xFFFFFFFE, 0)
    difat = [fat_sec] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", hdr, 0x4C, *difat)
    body = b"".join(data_secs) + dirb + struct.pack(f"<{ssz // 4}I", *fat)
    return bytes(hdr) + body


def jiahe_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as t:
        p = Path(t) / "j.xlsx"
        write_template(p, JIAHE)
        return p.read_bytes()


def truncated(p: Path):
    b = jiahe_bytes()
    p.write_bytes(b[: len(b) // 2])


def corrupted(p: Path):
    b = bytearray(jiahe_bytes())
    mid = len(b) // 3
    b[mid:mid + 400] = os.urandom(400) if False else bytes((i * 37 + 11) % 256 for i in range(400))
    p.write_bytes(bytes(b))


def zip_bomb(p: Path):
    """A real xlsx plus one part that inflates to 210 MB of spaces (compresses to ~200 KB)."""
    write_template(p, JIAHE)
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as z:
        with z.open("xl/media/padding.bin", "w", force_zip64=True) as fh:
            chunk = b" " * (1 << 20)
            for _ in range(210):
                fh.write(chunk)


def ratio_bomb(p: Path):
    """One 24 MB part of zeros (ratio ~1000x): under the size cap, refused by the ratio."""
    write_template(p, JIAHE)
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("xl/media/zeros.bin", b"\0" * (24 << 20))


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
          + b"]>\n")


def billion_laughs(p: Path):
    def edit(parts):
        sst = parts["xl/sharedStrings.xml"]
        body = sst.split(b"?>", 1)[1] if sst.startswith(b"<?xml") else sst
        parts["xl/sharedStrings.xml"] = LAUGHS + body.replace(b"<t>", b"<t>&lol9;", 1)

    zip_edit(JIAHE, edit)(p)


def xxe(p: Path):
    def edit(parts):
        wb = parts["xl/workbook.xml"]
        body = wb.split(b"?>", 1)[1] if wb.startswith(b"<?xml") else wb
        parts["xl/workbook.xml"] = (b'<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n' + body)

    zip_edit(JIAHE, edit)(p)


def far_cell(p: Path):
    """A value in XFD1048576 of 绩效指标: calamine would try to allocate ~17 billion cells."""

    def edit(parts):
        part = sheet_part(parts, "绩效指标")
        parts[part] = parts[part].replace(
            b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')

    zip_edit(JIAHE, edit)(p)


def junk_rows(sheet: Optional[str], n: int = 100_000, cols: int = 4):
    """JIAHE plus ``n`` rows of junk below the tables of ``sheet`` (or on a new sheet when None)."""

    def build(p: Path):
        write_template(p, JIAHE)
        rows = b"".join(
            b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (bytes([65 + c]), r, r) for c in range(cols)) + b"</row>"
            for r in range(200, 200 + n)
        )

        def edit(parts):
            if sheet is None:
                parts["xl/worksheets/sheet99.xml"] = (
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    b"<sheetData>" + rows + b"</sheetData></worksheet>")
                parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
                    b"</sheets>", b'<sheet name="\xe5\x9e\x83\xe5\x9c\xbe" sheetId="99" r:id="rId99"/></sheets>')
                parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                    b'Target="worksheets/sheet99.xml"/></Relationships>')
                parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
                    b"</Types>", b'<Override PartName="/xl/worksheets/sheet99.xml" '
                    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
            else:
                part = sheet_part(parts, sheet)
                parts[part] = parts[part].replace(b"</sheetData>", rows + b"</sheetData>")

        with zipfile.ZipFile(p) as z:
            parts = {i.filename: z.read(i) for i in z.infolist()}
        edit(parts)
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            for name, b in parts.items():
                z.writestr(name, b)

    return build


def wide_junk(p: Path):
    """1,000 columns of junk in row 300 of 绩效指标 (beyond the 200-column read limit)."""
    from jixiao_xlsx.a1 import col_letter

    cells = b"".join(b'<c r="%s300"><v>1</v></c>' % col_letter(c).encode() for c in range(1000))
    replace = (b"</sheetData>", b'<row r="300">' + cells + b"</row></sheetData>")

    def edit(parts):
        part = sheet_part(parts, "绩效指标")
        parts[part] = parts[part].replace(*replace)

    zip_edit(JIAHE, edit)(p)


def xlsm(p: Path):
    def edit(parts):
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")

    zip_edit(JIAHE, edit)(p)


def via_lo(fmt: str, d=None) -> Callable[[Path], None]:
    def build(p: Path):
        with tempfile.TemporaryDirectory() as t:
            src = Path(t) / (p.stem + ".xlsx")
            write_template(src, d or JIAHE)
            lo_convert(src, fmt, p)

    return build


def xls_bad_dimensions(p: Path):
    """An .xls whose DIMENSIONS record says first row 1,000,006 > last row: calamine 0.9 then asks for
    ~687 GB and the whole process aborts (found by fuzzing); open_book reads .xls in a child process."""
    via_lo("xls")(p)
    b = bytearray(p.read_bytes())
    i = b.find(b"\x00\x02\x0e\x00")  # record 0x0200 DIMENSIONS, length 14: rwMic, rwMac (u32), colMic, colMac
    assert i > 0
    rw_mac = struct.unpack_from("<I", b, i + 8)[0]
    struct.pack_into("<I", b, i + 4, rw_mac + 1_000_000)
    p.write_bytes(bytes(b))


def no_template_sheets(p: Path):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("Sheet1")
    for r, row in enumerate([["姓名", "电话"], ["张三", "123"], ["李四", "456"]]):
        ws.write_row(r, 0, row)
    wb.close()


def formula_books(cached: bool) -> Callable[[Path], None]:
    """年度资金总额 as =SUM of the source rows: with the cached value (xlsxwriter) or without (openpyxl)."""

    def build(p: Path):
        import openpyxl

        write_template(p, JIAHE)
        wb = openpyxl.load_workbook(p)
        ws = wb["预算执行"]
        for col in "BCD":
            ws[f"{col}3"] = f"=SUM({col}4:{col}6)"
        wb.save(p)
        if cached:  # let LibreOffice calculate and store the values, as Excel/WPS would on save
            lo_convert(p, "xlsx", p.with_suffix(".calc.xlsx"))
            shutil.move(str(p.with_suffix(".calc.xlsx")), str(p))

    return build


def protect(wb):
    from openpyxl.workbook.protection import WorkbookProtection

    wb.security = WorkbookProtection(workbookPassword="secret", lockStructure=True)
    for ws in wb.worksheets:
        ws.protection.sheet = True
        ws.protection.password = "secret"


def merged_levels(wb):
    ws = wb["绩效指标"]
    for r in range(IND_FIRST_ROW + 1, IND_FIRST_ROW + 6):
        ws[f"A{r}"] = None
    ws.merge_cells(f"A{IND_FIRST_ROW}:A{IND_FIRST_ROW + 5}")
    for r in range(IND_FIRST_ROW + 1, IND_FIRST_ROW + 4):
        ws[f"B{r}"] = None
    ws.merge_cells(f"B{IND_FIRST_ROW}:B{IND_FIRST_ROW + 3}")


def hidden_rows(wb):
    ws = wb["绩效指标"]
    ws.row_dimensions[IND_FIRST_ROW + 2].hidden = True
    ws.row_dimensions[IND_FIRST_ROW + 7].hidden = True


def hidden_sheets(wb):
    wb["填表说明"].sheet_state = "hidden"
    wb["资金分配"].sheet_state = "hidden"


def blank_rows(wb):
    ws = wb["绩效指标"]
    ws.insert_rows(IND_FIRST_ROW + 4, 2)
    ws.insert_rows(IND_FIRST_ROW + 9, 1)


def notes_below(wb):
    ws = wb["绩效指标"]
    last = IND_FIRST_ROW + 30
    ws[f"A{last + 2}"] = "填表人：李四"
    ws[f"C{last + 2}"] = "联系电话：020-12345678"
    ws[f"A{last + 3}"] = "注：本表金额单位为万元。"


def reorder_sheets(wb):
    wb.move_sheet("绩效指标", offset=-3)
    wb.move_sheet("填表说明", offset=4)


def percent_format_actual(wb):
    ws = wb["绩效指标"]
    cell = ws[f"G{IND_FIRST_ROW + SATISFACTION}"]
    cell.value = 0.96
    cell.number_format = "0%"


SAT_PERCENT = {"二级指标": "服务对象满意度指标", "三级指标": "党员群众满意度", "指标方向": "正向", "年度指标值": "≥95%",
               "完成档次": None}


def cases() -> list:
    """All cases; expectations follow spec §11 (total 100.00) unless said otherwise."""
    H = Decimal("100.00")
    C = []

    def add(*a, **k):
        C.append(Case(*a, **k))

    # -- baseline ------------------------------------------------------------------------------
    add("00_jiahe_clean.xlsx", template(JIAHE), total=H, codes=("ACTUAL_IS_BOUND",), note="the reference example")

    # -- numbers typed as text: full-width, separators, units, spaces ------------------------------
    add("01_fullwidth_digits.xlsx", template(with_rows({0: {"年度指标值": "≥１部", "实际完成值": "１部"},
                                                         2: {"年度指标值": "≥４０个", "实际完成值": "４０个"}})), total=H)
    add("02_fullwidth_percent.xlsx", template(with_rows({SATISFACTION: dict(SAT_PERCENT, 实际完成值="９６％", 年度指标值="≥９５％")})),
        total=H, note="≥９５％ / ９６％ -> 96 >= 95: full 10")
    add("03_percent_fraction.xlsx", template(with_rows({SATISFACTION: dict(SAT_PERCENT, 实际完成值=0.96)})),
        total=H, codes=("PERCENT_SCALE_ASSUMED",), note="0.96 on a % row = 96%")
    add("04_percent_points.xlsx", template(with_rows({SATISFACTION: dict(SAT_PERCENT, 实际完成值=96)})), total=H,
        note="96 on a % row = 96%")
    add("05_percent_text.xlsx", template(with_rows({SATISFACTION: dict(SAT_PERCENT, 实际完成值="96%")})), total=H)
    add("06_percent_format_cell.xlsx", openpyxl_edit(with_rows({SATISFACTION: dict(SAT_PERCENT, 实际完成值="96%")}), percent_format_actual),
        total=H, no_codes=("PERCENT_SCALE_ASSUMED",), note="0.96 in a cell formatted 0%: 96%, no scale hint")
    add("07_percent_below_target.xlsx", template(with_rows({SATISFACTION: dict(SAT_PERCENT, 实际完成值="76%", 偏差原因分析及改进措施="宣传不足")})),
        total=Decimal("98.00"), note="10 x 76/95 = 8.00 -> total 100 - 10 + 8 = 98.00")
    add("08_amount_yuan_separators.xlsx",
        template(data(funds={"年度资金总额": ("1,000,000元", "1,000,000元", "1,000,000元"), "当年财政拨款": (100, 100, 100),
                             "上年结转资金": (0, 0, 0), "其他资金": (0, 0, 0)})),
        total=H, codes=("UNIT_CONVERTED",), note="1,000,000元 = 100万元")
    add("09_amount_wanyuan_text.xlsx",
        template(data(funds={"年度资金总额": ("100万元", "100万元", "100万元"), "当年财政拨款": ("100万", " 100 ", "１００"),
                             "上年结转资金": (0, 0, 0), "其他资金": (0, 0, 0)})), total=H)
    add("10_alloc_70wan.xlsx", template(data(allocations=[
        {"用途": "党建宣传", "拨付对象": "嘉禾街道", "计划金额": "70万", "实际金额": "70万元"},
        {"用途": "城中村治理", "拨付对象": "三个联社", "计划金额": "30万元", "实际金额": "300,000元"}])), total=H)
    add("11_thousands_in_target.xlsx", template(with_rows({7: {"年度指标值": "≥5,000人", "实际完成值": "5,200人"}})), total=H)
    add("12_bound_typed_in_actual.xlsx", template(with_rows({SATISFACTION: dict(SAT_PERCENT, 实际完成值="≥95%")})),
        total=H, codes=("ACTUAL_IS_BOUND",), note="≥95% typed as the actual: read as 95")

    # -- comparators -------------------------------------------------------------------------------
    add("13_comparator_words.xlsx", template(with_rows({0: {"年度指标值": "不低于1部"}, 1: {"年度指标值": "不少于3个"},
                                                          2: {"年度指标值": ">=40个"}})), total=H)
    add("14_comparator_no_direction.xlsx", template(with_rows({i: {"指标方向": None} for i in (0, 1, 2)})), total=H,
        note="direction from the ≥ in the target")
    add("15_direction_conflict.xlsx", template(with_rows({1: {"指标方向": "反向"}})), codes=("DIRECTION_CONFLICT",), blocked=True)
    add("16_reverse_cost.xlsx", template(with_rows({3: {"二级指标": "成本指标", "三级指标": "单个联社拨付经费", "指标方向": "反向",
                                                         "年度指标值": "≤10万元", "实际完成值": "不超过10万元"}})), total=H)

    # -- time targets ------------------------------------------------------------------------------
    t = {"二级指标": "时效指标", "三级指标": "连环画出版时间", "指标方向": None, "完成档次": None}
    add("17_deadline_date.xlsx", template(with_rows({4: dict(t, 年度指标值="2022年12月31日前", 实际完成值=_dt.date(2022, 11, 30))})),
        total=H, note="met: 2022-11-30 <= 2022-12-31")
    add("18_deadline_month_end.xlsx", template(with_rows({4: dict(t, 年度指标值="12月底前完成", 实际完成值="2022年12月20日")})), total=H)
    add("19_deadline_on_time.xlsx", template(with_rows({4: dict(t, 年度指标值="按时完成", 实际完成值="按时完成")})), total=H)
    add("20_deadline_late_no_band.xlsx", template(with_rows({4: dict(t, 年度指标值="2022年6月30日前", 实际完成值="2022-08-15")})),
        codes=("QUAL_BAND_MISSING",), blocked=True, note="late without a band: the clerk must choose one")

    # -- headers and sheets found by name ----------------------------------------------------------
    alias_headers = ("一级指标", "二级指标", "三级指标", "指标方向", "指标值", "计量单位", "完成值", "完成档次", "权重", "自评得分", "偏差原因分析")
    ren = {"年度指标值": "指标值", "实际完成值": "完成值", "分值": "权重", "偏差原因分析及改进措施": "偏差原因分析"}
    add("21_header_aliases.xlsx", template(data(indicator_headers=alias_headers,
                                                indicators=[{ren.get(k, k): v for k, v in r.items()} for r in JIAHE["indicators"]])), total=H)
    reordered = ("三级指标", "一级指标", "二级指标", "分值", "实际完成值", "年度指标值", "指标方向", "计量单位", "完成档次", "自评得分", "偏差原因分析及改进措施")
    add("22_columns_reordered.xlsx", template(data(indicator_headers=reordered)), total=H)
    extra = ("序号",) + tuple(__import__("jixiao_xlsx.layout", fromlist=["x"]).IND_HEADERS) + ("备注", "数据来源")
    add("23_extra_columns.xlsx", template(data(indicator_headers=extra,
                                               indicators=[dict(r, 序号=i + 1, 备注="无", 数据来源="台账") for i, r in enumerate(JIAHE["indicators"])])),
        total=H)
    fewer = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "完成档次", "分值", "偏差原因分析及改进措施")
    add("24_optional_columns_missing.xlsx", template(data(indicator_headers=fewer, indicators=[
        {k: v for k, v in r.items() if k in fewer} for r in JIAHE["indicators"]])), total=H)
    add("25_sheets_renamed.xlsx", template(data(sheet_names={"绩效指标": "绩效指标表", "预算执行": "预算执行情况", "项目信息": "基本信息"})),
        total=H)
    add("26_sheets_renamed_unrecognisable.xlsx", template(data(sheet_names={"绩效指标": "Sheet5", "预算执行": "Sheet3"})), total=H,
        note="found by content")
    add("27_sheets_reordered.xlsx", openpyxl_edit(JIAHE, reorder_sheets), total=H)
    add("28_blank_rows.xlsx", openpyxl_edit(JIAHE, blank_rows), total=H)
    add("29_notes_below.xlsx", openpyxl_edit(JIAHE, notes_below), total=H)
    add("30_merged_levels.xlsx", openpyxl_edit(JIAHE, merged_levels), total=H)
    add("31_hidden_rows.xlsx", openpyxl_edit(JIAHE, hidden_rows), total=H, note="hidden rows still count")
    add("32_hidden_sheets.xlsx", openpyxl_edit(JIAHE, hidden_sheets), total=H)
    add("33_level_aliases_and_weights.xlsx", template(with_rows({0: {"一级指标": "产出指标(50分)", "二级指标": "数量"},
                                                                 9: {"一级指标": "满意度", "二级指标": "满意度指标"}})), total=H)
    add("34_nbsp_and_spaces.xlsx", template(with_rows({0: {"一级指标": "产出指标\u3000", "实际完成值": "1\u00a0部"},
                                                        1: {"二级指标": " 数量指标 "}})), total=H)
    add("34b_zero_width_space.xlsx", template(with_rows({0: {"一级指标": "产出\u200b指标", "三级指标": "\ufeff出版连环画"}})),
        total=H)

    # -- formulas -----------------------------------------------------------------------------------
    add("35_formula_cached.xlsx", formula_books(True), total=H, no_codes=("FORMULA_NOT_CALCULATED",), needs="soffice")
    add("36_formula_not_calculated.xlsx", formula_books(False), codes=("FORMULA_NOT_CALCULATED",))

    # -- other formats -----------------------------------------------------------------------------
    add("37_macro_enabled.xlsm", xlsm, total=H)
    add("38_old_format.xls", via_lo("xls"), total=H, needs="soffice")
    add("39_xlsx_named_xls.xls", template(JIAHE), total=H, note="content decides, not the extension")
    add("40_opendocument.ods", via_lo("ods"), needs="soffice", note="read via calamine; merges are not reported for .ods")

    # -- absurd values -----------------------------------------------------------------------------
    add("41_negative_budget.xlsx", template(data(funds={"年度资金总额": (100, -100, 100), "当年财政拨款": (100, -100, 100)})),
        codes=("AMOUNT_NEGATIVE",), blocked=True)
    add("42_weight_1e308.xlsx", template(with_rows({0: {"分值": 1e308}})), codes=("WEIGHT_INVALID",), blocked=True)
    add("43_weight_nan.xlsx", zip_edit(with_rows({0: {"分值": "WNAN"}}), lambda ps: shared_to_number(ps, "绩效指标", "WNAN", b"NaN")),
        codes=("WEIGHT_INVALID",), blocked=True)
    add("44_amount_inf.xlsx", zip_edit(data(funds={"年度资金总额": (100, "AINF", 100), "当年财政拨款": (100, 100, 100)}),
                                       lambda ps: shared_to_number(ps, "预算执行", "AINF", b"INF")), blocked=True)
    add("45_amount_1e309.xlsx", zip_edit(data(funds={"年度资金总额": (100, 100, "BIG"), "当年财政拨款": (100, 100, 100)}),
                                         lambda ps: shared_to_number(ps, "预算执行", "BIG", b"1e309")), blocked=True)
    add("46_text_100k_chars.xlsx", template(with_rows({1: {"三级指标": "党" * 100_000}, 7: {"偏差原因分析及改进措施": "长" * 100_000}})),
        total=H)
    add("47_formula_like_text.xlsx", template(with_rows({0: {"偏差原因分析及改进措施": "=HYPERLINK(\"http://evil\",\"点击\")"},
                                                         1: {"偏差原因分析及改进措施": "+86 020 1234"},
                                                         2: {"偏差原因分析及改进措施": "-无偏差"},
                                                         3: {"偏差原因分析及改进措施": "@SUM(1,2)"},
                                                         4: {"三级指标": "=1+1提升红旗坊软件服务"}},
                                                        info=dict(JIAHE["info"], 项目名称="=cmd|' /C calc'!A0"))),
        total=H, tags=("formula_text",))
    add("48_weight_text.xlsx", template(with_rows({0: {"分值": "八分"}, 1: {"分值": None}})), codes=("WEIGHT_INVALID",), blocked=True)
    add("49_target_negative.xlsx", template(with_rows({0: {"年度指标值": "≥-5部"}})), codes=("TARGET_NEGATIVE",), blocked=True)
    add("50_everything_blank.xlsx", template({}), codes=("REQUIRED_FIELD_MISSING", "INDICATORS_EMPTY"), blocked=True)
    add("51_dates_and_bools.xlsx", template(with_rows({0: {"实际完成值": True}, 1: {"年度指标值": _dt.date(2022, 3, 1)}})), blocked=True)
    add("52_year_as_text.xlsx", template(data(info=dict(JIAHE["info"], 年度="2022年度"))), total=H)

    # 1e26 >= 1 -> full 8 points; 1e26 >= 1.3 x 1 and no note: OVER_ACHIEVEMENT_UNEXPLAINED (hint)
    add("57_actual_1e26.xlsx", template(with_rows({0: {"实际完成值": 1e26}})), total=H, codes=("OVER_ACHIEVEMENT_UNEXPLAINED",))
    add("59_write_protected.xlsx", openpyxl_edit(JIAHE, protect), total=H, note="sheet + workbook structure protection read as usual")
    # r = 1e308 / 1e308 = 1 -> 10.00; 70 + 30 allocated vs 1e308: ALLOCATION_MISMATCH (error, not blocking)
    add("58_budget_1e308.xlsx", template(data(funds={"年度资金总额": (1e308, 1e308, 1e308), "当年财政拨款": (1e308, 1e308, 1e308)})),
        total=H, codes=("ALLOCATION_MISMATCH",))

    # -- hostile sizes -------------------------------------------------------------------------------
    add("53_junk_rows_extra_sheet.xlsx", junk_rows(None), codes=("SHEET_TOO_LARGE",), total=H)
    add("54_junk_rows_indicator_sheet.xlsx", junk_rows("绩效指标"), codes=("SHEET_TOO_LARGE",))
    add("55_far_cell_XFD1048576.xlsx", far_cell, codes=("SHEET_TOO_LARGE",), total=H)
    add("56_wide_junk_1000_cols.xlsx", wide_junk, codes=("SHEET_TOO_LARGE",))

    # -- broken: refuse with a reason -------------------------------------------------------------------
    add("60_empty.xlsx", write_bytes(b""), refuse="文件为空")
    add("61_renamed_docx.xlsx", minimal_zip(DOCX_PARTS), refuse="Word文档")
    add("62_renamed_pdf.xlsx", write_bytes(MIN_PDF), refuse="PDF文件")
    add("63_renamed_csv.xlsx", write_bytes("项目名称,主管部门,年度\n党建经费,嘉禾街,2022\n".encode("gbk")), refuse="CSV")
    add("64_plain_text.xls", write_bytes("这是一段说明文字。\n".encode()), refuse="文本文件")
    add("65_html_as_xls.xls", write_bytes("<html><body><table><tr><td>项目名称</td></tr></table></body></html>".encode()),
        refuse="网页")
    add("66_spreadsheetml_2003.xls", write_bytes(b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
                                                 b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'),
        refuse="2003 XML")
    add("67_truncated_zip.xlsx", truncated, refuse="损坏或不完整")
    add("68_corrupted_zip.xlsx", corrupted, refuse="损坏")
    add("69_encrypted_ole.xlsx", write_bytes(cfb({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x00" * 64})),
        refuse="密码")
    add("70_word_doc.xls", write_bytes(cfb({"WordDocument": b"\xec\xa5"})), refuse="Word文档")
    add("71_zip_bomb.xlsx", zip_bomb, refuse="过大")
    add("72_ratio_bomb.xlsx", ratio_bomb, refuse="过大")
    add("73_billion_laughs.xlsx", billion_laughs, refuse="DTD")
    add("74_xxe_entity.xlsx", xxe, refuse="DTD")
    add("75_no_template_sheets.xlsx", no_template_sheets, refuse="未找到绩效自评内容")
    add("76_zip_of_workbooks.xlsx", minimal_zip({"a.xlsx": b"x", "b.xlsx": b"y"}), refuse="压缩包")
    add("77_xlsb_like.xlsx", minimal_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\0"}), refuse="xlsb")
    add("78_png_image.xlsx", write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64), refuse="图片")
    add("79_gzip.xlsx", write_bytes(b"\x1f\x8b\x08\x00" + b"\0" * 32), refuse="压缩包")
    add("80_utf16_text.xls", write_bytes("项目名称\t年度\n党建\t2022\n".encode("utf-16")), refuse="CSV")
    add("81_zip_without_sheets.xlsx", minimal_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}),
        refuse="损坏")
    add("83_xls_bad_dimensions.xls", xls_bad_dimensions, refuse="损坏", needs="soffice")
    add("82_random_bytes.xlsx", write_bytes(bytes((i * 131 + 7) % 256 for i in range(3000))), refuse="无法识别")

    # -- combinations ----------------------------------------------------------------------------------
    combo = with_rows({0: {"年度指标值": "≥１部", "实际完成值": "１部"}, 2: {"年度指标值": "不少于40个"}},
                      sheet_names={"绩效指标": "指标完成情况表"}, indicator_headers=extra,
                      funds={"年度资金总额": ("100万元", "100万元", "1,000,000元"), "当年财政拨款": (100, 100, 100)})
    combo["indicators"] = [dict(r, 序号=i + 1, 备注=None, 数据来源=None) for i, r in enumerate(combo["indicators"])]
    add("90_combo_fullwidth_renamed_extra.xlsx", template(combo), total=H)
    add("91_combo_merged_hidden_blank.xlsx", openpyxl_edit(JIAHE, lambda wb: (merged_levels(wb), hidden_rows(wb), hidden_sheets(wb))),
        total=H)
    add("92_combo_formula_percent.xlsx", openpyxl_edit(with_rows({SATISFACTION: dict(SAT_PERCENT, 实际完成值="96%")}),
                                                       lambda wb: (percent_format_actual(wb), _formula_total(wb))),
        codes=("EXECUTION_MISSING",), note="the formula without a value is the 全年执行数 the rate needs: one "
                                           "blocking finding that names the formula")
    add("93_combo_far_cell_and_junk.xlsx", lambda p: (junk_rows("项目信息", n=30_000)(p), _append_far(p)), codes=("SHEET_TOO_LARGE",))
    add("94_combo_bomb_in_xls_name.xls", zip_bomb, refuse="过大")
    add("95_combo_formula_text_everywhere.xlsx", template(with_rows(
        {i: {"偏差原因分析及改进措施": p + "恶意"} for i, p in enumerate(["=", "+", "-", "@", "=1+", "+=", "-@"])},
        allocations=[{"用途": "=SUM(A1:A2)", "拨付对象": "@x", "计划金额": 70, "实际金额": 70},
                     {"用途": "+30", "拨付对象": "-y", "计划金额": 30, "实际金额": 30}])), total=H, tags=("formula_text",))
    return C


def _formula_total(wb):
    ws = wb["预算执行"]
    ws["D3"] = "=SUM(D4:D6)"


def _append_far(p: Path):
    with zipfile.ZipFile(p) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    part = sheet_part(parts, "绩效指标")
    parts[part] = parts[part].replace(b"</sheetData>", b'<row r="999999"><c r="ZZ999999"><v>1</v></c></row></sheetData>')
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)


def build_all(folder, names=None) -> list:
    """Write every case into ``folder``; returns [(Case, Path)]; LibreOffice cases are left out without it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for case in cases():
        if names is not None and case.name not in names:
            continue
        if case.needs == "soffice" and soffice() is None:
            continue
        p = folder / case.name
        case.build(p)
        out.append((case, p))
    return out
