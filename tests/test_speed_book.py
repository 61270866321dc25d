"""The zip pre-scan's shortcuts give the answers of the plain path: the memo of inflated parts (keyed by
the compressed bytes, method, size and CRC), the memo of scanned sheets, the local headers read once."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from jixiao_xlsx.read import book as B
from jixiao_xlsx.read.book import UnreadableFile

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [ROOT / "samples" / "jiahe-2022.xlsx", ROOT / "input_templates" / "jixiao-template.xlsx"]


def _scan_fields(scans: dict) -> dict:
    return {k: (s.far_cells, s.far_ref, s.needs_trim, s.formulas_without_value, s.percent_cells, s.hidden_rows)
            for k, s in scans.items()}


def _check(data: bytes, path: str = "x.xlsx"):
    kind, blob, scans = B._check_zip(data, path)
    return kind, blob, _scan_fields(scans)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_memo_hits_give_what_inflating_gives(path):
    data = path.read_bytes()
    B._XML_MEMO.clear()
    cold = _check(data)
    assert B._XML_MEMO  # the parts were kept ...
    warm = _check(data)  # ... and are answered from the memo now
    B._XML_MEMO.clear()
    assert cold == warm == _check(data)


def test_memo_is_bounded():
    B._XML_MEMO.clear()
    for n in range(B._MEMO_ENTRIES * 3):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/workbook.xml", f"<workbook n='{n}'/>")
        data = buf.getvalue()
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.infolist()[0]
            assert B._xml_part(zf, info, data) == f"<workbook n='{n}'/>".encode()
        assert len(B._XML_MEMO) <= B._MEMO_ENTRIES
    B._XML_MEMO.clear()


def _crc_offsets(data: bytes, name: str) -> list:
    """Where the CRC of ``name`` sits in its local header and in the central directory."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    out = [info.header_offset + 14]
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        n, e, c = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46 : at + 46 + n].decode("utf-8", "replace") == name:
            out.append(at + 16)
        at = data.find(b"PK\x01\x02", at + 46 + n + e + c)
    assert len(out) == 2
    return out


def test_same_compressed_bytes_with_another_crc_are_not_taken_from_the_memo():
    """A damaged copy of a part seen before (same compressed bytes, CRC changed in both headers) is
    refused as damaged, exactly as on a cold memo."""
    data = SAMPLES[0].read_bytes()
    bad = bytearray(data)
    for off in _crc_offsets(data, "xl/styles.xml"):
        bad[off : off + 4] = b"\x00\x00\x00\x00"
    bad = bytes(bad)
    B._XML_MEMO.clear()
    with pytest.raises(UnreadableFile) as cold:
        B._check_zip(bad, "x.xlsx")
    _check(data)  # the good styles part is in the memo now
    assert B._XML_MEMO
    with pytest.raises(UnreadableFile) as warm:
        B._check_zip(bad, "x.xlsx")
    assert warm.value.reason == cold.value.reason == B._DAMAGED
    B._XML_MEMO.clear()


def test_a_part_with_a_dtd_is_refused_every_time():
    buf = io.BytesIO()
    with zipfile.ZipFile(SAMPLES[0]) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for i in src.infolist():
            body = src.read(i)
            if i.filename == "xl/styles.xml":
                body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + body.split(b"?>", 1)[1]
            out.writestr(i.filename, body)
    data = buf.getvalue()
    reasons = []
    for _ in range(2):
        with pytest.raises(UnreadableFile) as e:
            B._check_zip(data, "x.xlsx")
        reasons.append(e.value.reason)
    assert reasons[0] == reasons[1] and "DTD" in reasons[0]
    assert not any(b"<!DOCTYPE" in v for v in B._XML_MEMO.values())


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_stored_zip_from_the_headers_read_once_equals_one_reading_them_again(path):
    data = path.read_bytes()
    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = zf.infolist()
    parts, heads = {}, {}
    for i in infos:
        if not i.filename.lower().endswith(B._BINARY_PARTS):
            parts[i.filename] = B._xml_part(zf, i, data, heads)
    assert set(heads) == {i for i in infos if i.filename in parts}
    assert B._for_calamine(infos, parts, {}, data, zf, heads) == B._for_calamine(infos, parts, {}, data, zf)


def test_local_header_names_ascii_and_not():
    """Names without the UTF-8 flag are cp437 (GBK mojibake included), with it UTF-8."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr("abcd.xml", b"<a/>")  # renamed below to GBK bytes, without the UTF-8 flag
        z.writestr("文档.xml", b"<b/>")  # UTF-8 flag
    data = buf.getvalue().replace(b"abcd.xml", "说明.xml".encode("gbk"))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert sorted(B._shown_name(i) for i in zf.infolist()) == sorted(["xl/workbook.xml", "说明.xml", "文档.xml"])
        for info in zf.infolist():
            head = B._local_header(info, data, zf)
            assert head is not None
            assert head[0].decode("utf-8" if info.flag_bits & 0x800 else "cp437") == info.orig_filename
            assert zf.read(info) == B._member_bytes(zf, info, data)


def test_sheet_memo_gives_the_uncached_answer_and_a_copy_each_time(monkeypatch):
    import random

    from tests.test_prescan import PCT, _outcome, _sheet

    rng = random.Random(7)
    for limits in ((10_000, 100), (50, 3)):
        monkeypatch.setattr(B, "ROW_LIMIT", limits[0])
        monkeypatch.setattr(B, "COL_LIMIT", limits[1])
        for _ in range(60):
            xml = _sheet(rng, 70, 6)
            B._SHEET_MEMO.clear()
            cold = _outcome(B._prepare_sheet, xml)
            warm = _outcome(B._prepare_sheet, xml)
            assert cold == warm == _outcome(B._prepare_sheet_exact, xml)
            if cold[0] != "refused":
                warm[1].percent_cells.add((999, 999))  # a reader's change stays with its own sheet
                warm[1].hidden_rows.add(999)
                warm[1].formulas_without_value.append("ZZ1")
                assert _outcome(B._prepare_sheet, xml) == cold
    B._SHEET_MEMO.clear()


def test_sheet_memo_keys_on_the_limits(monkeypatch):
    xml = (b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c><c r="E1"><v>2</v></c></row>'
           b"</sheetData></worksheet>")
    B._SHEET_MEMO.clear()
    wide = B._prepare_sheet(xml, frozenset())
    monkeypatch.setattr(B, "COL_LIMIT", 3)
    narrow = B._prepare_sheet(xml, frozenset())
    assert wide[0] is None and narrow[0] is not None and b"E1" not in narrow[0] and narrow[1].far_cells == 1
    B._SHEET_MEMO.clear()


def _one_member_zip(name: bytes, stream: bytes, body: bytes) -> bytes:
    """A zip of one deflated member whose compressed bytes are ``stream`` (inflating to ``body``)."""
    crc = zlib.crc32(body)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(stream), len(body), len(name), 0)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(stream), len(body),
                          len(name), 0, 0, 0, 0, 0, 0)
    cd = central + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(cd), len(local) + len(name) + len(stream), 0)
    return local + name + stream + cd + end


def test_memo_keeps_no_large_part():
    """Neither a large part nor a small one inflated from a large stream (padded with empty
    deflate blocks) stays in the memo."""
    body = b"<styleSheet/>"
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    small = co.compress(body) + co.flush()
    padded = b"\x00\x00\x00\xff\xff" * (B._MEMO_MAX_BYTES // 5 + 1) + small  # empty stored blocks first
    big = b"<a>" + b" " * B._MEMO_MAX_BYTES + b"</a>"
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    cases = [(padded, body), (co.compress(big) + co.flush(), big), (small, body)]
    B._XML_MEMO.clear()
    for stream, out in cases:
        assert zlib.decompress(stream, -15) == out
        data = _one_member_zip(b"xl/styles.xml", stream, out)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert B._xml_part(zf, zf.infolist()[0], data) == out
    assert [k[2] for k in B._XML_MEMO] == [len(body)]  # only the small part from the small stream
    B._XML_MEMO.clear()
