"""One catalogue code for every reason a file is refused (issue #12): each code is produced by a real
file here or in tests/test_hostile.py / tests/test_isolate.py, and the JSON of an unreadable file
carries it beside the message."""
from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

from jixiao_xlsx import findings
from jixiao_xlsx.cli import main
from jixiao_xlsx.model import ERROR
from jixiao_xlsx.read import guard, isolate, parse
from jixiao_xlsx.read import refusal as R
from jixiao_xlsx.read.book import UnreadableFile, open_book
from tests.support import badbooks

from .test_hostile import REFUSAL_CODES

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "jiahe-2022.xlsx"


def _xlsx(p: Path, sheet_edit=None) -> Path:
    wb = xlsxwriter.Workbook(str(p))
    wb.add_worksheet("S").write_row(0, 0, ["a", 1])
    wb.close()
    if sheet_edit:
        with zipfile.ZipFile(p) as z:
            parts = {i.filename: z.read(i) for i in z.infolist()}
        parts["xl/worksheets/sheet1.xml"] = sheet_edit(parts["xl/worksheets/sheet1.xml"])
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            for n, b in parts.items():
                z.writestr(n, b)
    return p


def _merges(n):
    refs = [b"%s%d:%s%d" % (c0, r, c1, r) for r in range(3, 3 + (n + 1) // 2) for c0, c1 in ((b"A", b"B"), (b"C", b"D"))]
    cells = b'<mergeCells count="%d">' % len(refs) + b"".join(b'<mergeCell ref="%s"/>' % x for x in refs) + b"</mergeCells>"
    return lambda xml: xml.replace(b"</sheetData>", b"</sheetData>" + cells)


ODS = {
    "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
    "content.xml": b'<office:document-content><office:body><office:spreadsheet><table:table table:name="S">'
                   b'<table:table-row><table:table-cell table:number-columns-repeated="5000" office:value-type="float"'
                   b' office:value="1"/></table:table-row></table:table></office:spreadsheet></office:body>'
                   b"</office:document-content>",
}


def build(kind: str, tmp: Path) -> Path:
    """A real file refused with code ``kind``."""
    if kind == "FILE_NOT_FOUND":
        return tmp / "没有.xlsx"
    if kind == "FILE_IS_FOLDER":
        (tmp / "文件夹").mkdir()
        return tmp / "文件夹"
    if kind == "FILE_NOT_REGULAR":
        os.mkfifo(tmp / "管道.xlsx")
        return tmp / "管道.xlsx"
    p = tmp / {"FILE_IS_WPS_ET": "街道.et", "FILE_IS_LOCK": "~$自评表.xlsx"}.get(kind, "自评表.xlsx")
    if kind == "FILE_TOO_LARGE":
        return _xlsx(p)  # with the cap lowered below
    if kind == "FILE_IS_NUMBERS":
        badbooks.minimal_zip({"Index/Document.iwa": b"\0", "Metadata/Properties.plist": b"\0"})(p)
    elif kind in ("FILE_IS_WPS_ET", "FILE_IS_OFFICE_OTHER"):
        p.write_bytes(badbooks.cfb({"WpsContent": b"\1"}))
    elif kind == "FILE_IS_LOCK":
        p.write_bytes(b"\x0c\x00" + "张三".encode("utf-16-le") + b"\x00" * 40)
    elif kind == "FILE_REPEATS_TOO_FAR":
        badbooks.minimal_zip(ODS)(p)
    elif kind == "FILE_TOO_MANY_MERGES":
        _xlsx(p, _merges(10_001))
    elif kind == "FILE_ODD_CELL_TAG":
        _xlsx(p, lambda xml: re.sub(rb'<c r="A1"', b'<c r="A1" r="XFD9"', xml, count=1))
    else:
        raise KeyError(kind)
    return p


BUILT = ["FILE_NOT_FOUND", "FILE_IS_FOLDER", "FILE_NOT_REGULAR", "FILE_TOO_LARGE", "FILE_IS_NUMBERS",
         "FILE_IS_WPS_ET", "FILE_IS_OFFICE_OTHER", "FILE_IS_LOCK", "FILE_REPEATS_TOO_FAR", "FILE_TOO_MANY_MERGES",
         "FILE_ODD_CELL_TAG"]  # fmt: skip
# produced where the situation can be made: tests/test_isolate.py (crash, timeout) and below (simulated
# operating-system errors, memory exhaustion, a bug, all of which no file can be made to cause on demand)
ELSEWHERE = {"FILE_READER_CRASHED", "FILE_READ_TIMEOUT", "FILE_NO_ACCESS", "FILE_READ_ERROR", "FILE_CONTENT_TOO_LARGE",
             "FILE_INTERNAL_ERROR", "FILE_WORKER_DIED",
             "FILE_IS_DECLARATION"}  # fmt: skip  (the last: a declaration workbook, tests/test_readers_issue13.py)


@pytest.mark.parametrize("code", BUILT)
def test_each_refusal_has_its_code(code, tmp_path, monkeypatch):
    if code == "FILE_NOT_REGULAR" and not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    p = build(code, tmp_path)
    if code == "FILE_TOO_LARGE":
        monkeypatch.setattr(guard, "MAX_FILE_BYTES", 1000)
    with pytest.raises(UnreadableFile) as e:
        open_book(p)
    assert e.value.code == code, e.value.reason


def test_json_of_an_unreadable_file_carries_its_code(tmp_path):
    p = build("FILE_IS_NUMBERS", tmp_path)
    for cmd in (["check", "--json", str(p)], ["score", "--json", str(p), "-o", str(tmp_path / "o.xlsx")]):
        res = CliRunner().invoke(main, cmd)
        assert json.loads(res.stdout) == {"file": str(p), "error": R.NUMBERS, "code": "FILE_IS_NUMBERS"}
    res = CliRunner().invoke(main, ["batch", str(tmp_path), "-o", str(tmp_path / "s.xlsx"), "--json", "-j", "1"])
    doc = json.loads(res.stdout)
    assert doc["files"] == [{"file": str(p), "error": R.NUMBERS, "code": "FILE_IS_NUMBERS"}]


def test_operating_system_errors_have_their_codes(tmp_path, monkeypatch):
    p = _xlsx(tmp_path / "a.xlsx")

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(guard, "open", denied, raising=False)
    with pytest.raises(UnreadableFile) as e:
        open_book(p)
    assert e.value.code == "FILE_NO_ACCESS"

    def broken(*a, **k):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(guard, "open", broken, raising=False)
    with pytest.raises(UnreadableFile) as e:
        open_book(p)
    assert e.value.code == "FILE_READ_ERROR" and "Input/output error" in e.value.reason


def test_memory_exhaustion_has_its_code(tmp_path, monkeypatch):
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(isolate, "read", parse.read_workbook)  # in this process, to simulate it
    monkeypatch.setattr(parse, "xml_part", exhausted)  # inflating a part runs out of memory
    monkeypatch.setattr(parse, "MEMO", parse.PartMemo())  # (no part read before in this process)
    with pytest.raises(UnreadableFile) as e:
        open_book(_xlsx(tmp_path / "a.xlsx"))
    assert e.value.code == "FILE_CONTENT_TOO_LARGE"


def test_a_bug_is_reported_with_its_code_in_the_batch(tmp_path, monkeypatch):
    from jixiao_xlsx import api

    def bug(*a, **k):
        raise RuntimeError("bug")

    monkeypatch.setattr(api, "evaluate_file", bug)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.xlsx").write_bytes(SAMPLE.read_bytes())
    res = CliRunner().invoke(main, ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "s.xlsx"), "--json", "-j", "1"])
    [entry] = json.loads(res.stdout)["files"]
    assert entry["code"] == "FILE_INTERNAL_ERROR"


def test_every_refusal_code_is_in_the_catalogue_and_produced_by_a_test():
    codes = {v for k, v in vars(R).items() if k.isupper() and isinstance(v, str) and v.startswith("FILE_")}
    codes |= {"FILE_WORKER_DIED", "FILE_INTERNAL_ERROR"}  # made in batch.py
    refusal = {c for c, e in findings.CATALOGUE.items() if e.scope == "refusal"}
    assert codes == refusal
    for c in refusal:
        e = findings.CATALOGUE[c]
        assert (e.severity, e.blocks) == (ERROR, True) and e.description
    assert refusal - set(BUILT) - set(REFUSAL_CODES.values()) - ELSEWHERE == set()
