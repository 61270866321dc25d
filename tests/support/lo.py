"""LibreOffice (``soffice --headless``) helpers for the tests: convert, count pages, read PDF text.

Each conversion runs with its own throw-away user profile (``-env:UserInstallation``) so parallel and
CI runs never share or lock one, and with formula recalculation on load forced on: by default
LibreOffice trusts the cached values of an .xlsx, which would make a formula check prove nothing.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

TIMEOUT = 180  # seconds per conversion; a first start on a cold CI machine can take a while

# Always recalculate formulas of OOXML / ODF files on load (0 = always, 1 = never, 2 = ask).
_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""


def soffice() -> Optional[str]:
    return shutil.which("soffice") or shutil.which("libreoffice")


class ConversionError(RuntimeError):
    pass


def convert(src, fmt: str, outdir, timeout: int = TIMEOUT, recalc: bool = True) -> Path:
    """Convert ``src`` to ``fmt`` (pdf, xlsx, xls …) into ``outdir``; return the written file."""
    return convert_many([src], fmt, outdir, timeout=timeout, recalc=recalc)[0]


def convert_many(srcs, fmt: str, outdir, timeout: int = TIMEOUT, recalc: bool = True) -> list:
    """Convert several files in one LibreOffice start (stems must differ); return the written files."""
    exe = soffice()
    if exe is None:
        raise ConversionError("soffice not found")
    srcs, outdir = [Path(s) for s in srcs], Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="jixiao-lo-"))
    try:
        if recalc:
            (profile / "user").mkdir()
            (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
        cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", fmt, "--outdir", str(outdir)] + [str(s) for s in srcs]
        env = {**os.environ, "HOME": str(profile)}
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout * len(srcs), env=env)
        except subprocess.TimeoutExpired:
            raise ConversionError(f"soffice timed out converting {', '.join(s.name for s in srcs)}")
        outs = [outdir / f"{s.stem}.{fmt.split(':')[0]}" for s in srcs]
        bad = [o.name for o in outs if not o.exists() or o.stat().st_size == 0]
        if proc.returncode != 0 or bad:
            raise ConversionError(
                f"soffice failed (exit {proc.returncode}, missing {bad}): "
                f"{proc.stdout.decode(errors='replace')} {proc.stderr.decode(errors='replace')}")
        return outs
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def pdf_pages(pdf) -> int:
    """Page count: ``pdfinfo`` when installed, else count the page objects in the file."""
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
        m = re.search(r"^Pages:\s+(\d+)", out, re.M)
        if m:
            return int(m.group(1))
    data = Path(pdf).read_bytes()
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


def pdf_page_sizes(pdf) -> Optional[list]:
    """[(width, height)] in points per page, or None without pdfinfo."""
    if not shutil.which("pdfinfo"):
        return None
    n = pdf_pages(pdf)
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", str(n), str(pdf)], capture_output=True, text=True,
                         timeout=60).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)]


def pdf_text_pages(pdf) -> Optional[list]:
    """Text of each page (whitespace removed), or None without pdftotext."""
    if not shutil.which("pdftotext"):
        return None
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         timeout=60).stdout.decode("utf-8", errors="replace")
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return [re.sub(r"\s+", "", p) for p in pages]


def is_a4(size, tol: float = 3.0) -> bool:
    w, h = sorted(size)
    return abs(w - 595.3) <= tol and abs(h - 841.9) <= tol


def only_sheet(xlsx, index: int, out) -> Path:
    """A copy of ``xlsx`` where every sheet but ``index`` (0-based) is hidden, byte-for-byte otherwise.

    LibreOffice does not print hidden sheets, so converting the copy to PDF prints that one sheet with
    its own page setup, charts and styles untouched (an openpyxl round trip would drop charts).
    """
    out = Path(out)
    with zipfile.ZipFile(xlsx) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = _hide_others(data.decode("utf-8"), index).encode("utf-8")
            elif item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'\stabSelected="1"', b"", data)
            zout.writestr(item, data)
    return out


def _hide_others(xml: str, index: int) -> str:
    i = -1

    def sheet(m):
        nonlocal i
        i += 1
        tag = re.sub(r'\sstate="[^"]*"', "", m.group(0))
        if i != index:
            tag = tag.replace("<sheet ", '<sheet state="hidden" ', 1)
        return tag

    xml = re.sub(r"<sheet\s[^>]*?/>", sheet, xml)
    # LibreOffice prints a sheet that has a print range even when hidden: keep only this sheet's names
    xml = re.sub(r'<definedName\b[^>]*\blocalSheetId="(\d+)"[^>]*>.*?</definedName>',
                 lambda m: m.group(0) if int(m.group(1)) == index else "", xml, flags=re.S)
    xml = re.sub(r'\sactiveTab="\d+"', "", xml)
    xml = re.sub(r'\sfirstSheet="\d+"', "", xml)
    return re.sub(r"<workbookView\b", f'<workbookView activeTab="{index}" firstSheet="{index}"', xml, count=1)
