"""Render the README's pictures: an official national form, its 评分结果 sheet, and the first page of
the 嘉禾街 self-evaluation report (jixiao report samples/jiahe-2022.xlsx).

    python docs/pictures.py            # writes docs/img/official-form.png, official-result.png, report-page1.png

Needs LibreOffice (``soffice``) and ``pdftoppm`` (poppler-utils), plus a CJK font for legible Chinese
(``.ci/run`` installs fonts-wqy-microhei).  The form is variant v1 of ``tests/official_forms.py``.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jixiao_xlsx import layout  # noqa: E402
from jixiao_xlsx.api import evaluate_file, write_scored_file  # noqa: E402
from tests.support import lo, official_forms  # noqa: E402


def sheet_png(xlsx: Path, index: int, out_png: Path, work: Path, dpi: int = 110) -> Path:
    """First page of one sheet of ``xlsx`` as a PNG."""
    copy = lo.only_sheet(xlsx, index, work / f"{out_png.stem}-sheet{index}.xlsx")
    pdf = lo.convert(copy, "pdf", work)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(out_png.with_suffix(""))], check=True, timeout=120)
    return out_png


def report_png(out_png: Path, work: Path, dpi: int = 80) -> Path:
    """First page of the jiahe sample's 自评报告, rendered through LibreOffice (issue #14)."""
    from jixiao_xlsx.write.report import write_report

    docx = write_report(evaluate_file(str(ROOT / "samples" / "jiahe-2022.xlsx")), work / "jiahe-report.docx")
    pdf = lo.convert(docx, "pdf", work)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(out_png.with_suffix(""))], check=True, timeout=120)
    return out_png


def main(outdir: Path = ROOT / "docs" / "img") -> None:
    if lo.soffice() is None or shutil.which("pdftoppm") is None:
        sys.exit("需要 LibreOffice（soffice）和 pdftoppm（poppler-utils）。")
    outdir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="jixiao-pictures-"))
    try:
        form = official_forms.build_v1(work / "official-form.xlsx")
        scored = work / "official-form.scored.xlsx"
        write_scored_file(evaluate_file(str(form)), str(scored))
        sheet_png(form, 0, outdir / "official-form.png", work)
        import openpyxl

        names = openpyxl.load_workbook(scored, read_only=True).sheetnames
        sheet_png(scored, names.index(layout.RESULT_SHEET), outdir / "official-result.png", work)
        report_png(outdir / "report-page1.png", work)
        print(f"已生成：{outdir / 'official-form.png'}、{outdir / 'official-result.png'}、{outdir / 'report-page1.png'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
