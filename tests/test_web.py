"""`jixiao serve` over plain HTTP (Flask test client, and a real waitress server for concurrency):
the same numbers as the CLI, every error path a Chinese message, safe uploads."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from jixiao_xlsx.web.app import create_app
from jixiao_xlsx.web.jobs import Store
from jixiao_xlsx.web.uploads import Limits, label_of, skip_reason, suffix_of, unique_labels
from tests.support.badbooks import data, write_template

ROOT = Path(__file__).resolve().parent.parent
JIAHE = ROOT / "samples" / "jiahe-2022.xlsx"
DISTRICT = ROOT / "samples" / "district"


@pytest.fixture
def store(tmp_path):
    s = Store(str(tmp_path / "root"))
    s.root.mkdir()
    yield s
    s.close()


def make_client(store, **limits):
    app = create_app(Limits(**limits) if limits else None, allowed_hosts=None, store=store)
    client = app.test_client()
    client.token = app.extensions["jixiao"]["token"]
    return client


@pytest.fixture
def client(store):
    return make_client(store)


def post(client, url, files, token=True, headers=None):
    """``files``: [(field, name, bytes)]."""
    form = {}
    for field, name, content in files:
        form.setdefault(field, []).append((io.BytesIO(content), name))
    h = {"X-Jixiao-Token": client.token} if token else {}
    h.update(headers or {})
    return client.post(url, data=form, headers=h, content_type="multipart/form-data")


def zip_of(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buf.getvalue()


def district_zip() -> bytes:
    return zip_of({str(p.relative_to(DISTRICT.parent)): p.read_bytes()
                   for p in sorted(DISTRICT.rglob("*")) if p.is_file() and p.suffix != ".py"})


def wait_job(client, jid) -> dict:
    import time

    for _ in range(600):
        j = client.get(f"/api/jobs/{jid}").get_json()
        if j["state"] in ("done", "failed"):
            return j
        time.sleep(0.05)
    raise AssertionError("batch did not finish")


# -- the page ------------------------------------------------------------------------------------


def test_page_is_chinese_carries_token_and_needs_no_internet(client):
    r = client.get("/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "下载空白模板" in html and "批量汇总" in html
    assert client.token in html
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    for asset in ("/static/app.js", "/static/style.css"):
        text = client.get(asset).get_data(as_text=True)
        assert text and "http://" not in text and "https://" not in text  # no CDN
    assert "http" not in html.replace("http-equiv", "")


def test_template_download_is_the_libraries_template(client, tmp_path):
    from jixiao_xlsx.write.template import write_template as lib_template

    r = client.get("/api/template")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    lib_template(str(tmp_path / "t.xlsx"))
    got = CalamineWorkbook.from_filelike(io.BytesIO(r.data))
    want = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx"))
    assert got.sheet_names == want.sheet_names
    for name in want.sheet_names:
        assert got.get_sheet_by_name(name).to_python() == want.get_sheet_by_name(name).to_python()


# -- one workbook --------------------------------------------------------------------------------


def cli_json(path: Path, tmp_path: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "jixiao_xlsx", "score", "--json", str(path), "-o",
                          str(tmp_path / "cli.scored.xlsx")], capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout)


def test_single_workbook_json_is_the_clis(client, tmp_path):
    r = post(client, "/api/score", [("file", "嘉禾街自评表.xlsx", JIAHE.read_bytes())])
    assert r.status_code == 200
    page = r.get_json()
    cli = cli_json(JIAHE, tmp_path)
    assert page["result"]["file"] == "嘉禾街自评表.xlsx"  # the label, never the temporary path
    page["result"].pop("file"), cli.pop("file")
    assert page["result"] == cli
    assert page["result"]["total"] == 100 and page["result"]["grade"] == "优"
    # the one hint of the sample: 实际完成值“超过5000人” taken as 5000人
    assert [(f["severity"], f["code"], f["cell"]) for f in cli["findings"]] == [("提示", "ACTUAL_IS_BOUND", "G10")]
    assert (page["errors"], page["hints"], page["blocked"]) == (0, 1, False)


def test_scored_workbook_download_matches_the_cli(client, tmp_path):
    page = post(client, "/api/score", [("file", "嘉禾街自评表.xlsx", JIAHE.read_bytes())]).get_json()
    link, _report = page["downloads"]
    assert link["kind"] == "scored"
    r = client.get(link["url"])
    assert r.status_code == 200
    assert "filename*=UTF-8''%E5%98%89%E7%A6%BE%E8%A1%97%E8%87%AA%E8%AF%84%E8%A1%A8.scored.xlsx" in r.headers["Content-Disposition"]
    cli_json(JIAHE, tmp_path)
    got = CalamineWorkbook.from_filelike(io.BytesIO(r.data))
    want = CalamineWorkbook.from_path(str(tmp_path / "cli.scored.xlsx"))
    assert got.sheet_names == want.sheet_names and "评分结果" in got.sheet_names
    for name in want.sheet_names:
        assert got.get_sheet_by_name(name).to_python() == want.get_sheet_by_name(name).to_python()


def test_report_download_is_the_libraries_report(client, tmp_path):
    import docx

    page = post(client, "/api/score", [("file", "嘉禾街自评表.xlsx", JIAHE.read_bytes())]).get_json()
    [link] = [d for d in page["downloads"] if d["kind"] == "report"]
    r = client.get(link["url"])
    assert r.status_code == 200 and "%E8%87%AA%E8%AF%84%E6%8A%A5%E5%91%8A.docx" in r.headers["Content-Disposition"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.data)).paragraphs)
    # the seed's figures: 100万元 budget, 100% executed, 70万元 + 30万元, 100分, 优
    for words in ("100万元", "100%", "70万元", "30万元", "优"):
        assert words in text, words


def test_uploads_leave_no_file_behind_and_names_never_become_paths(client, store):
    evil = "../../../../tmp/evil<script>.xlsx"
    r = post(client, "/api/score", [("file", evil, JIAHE.read_bytes())])
    assert r.status_code == 200
    assert r.get_json()["result"]["file"] == "evil<script>.xlsx"  # only the base name, and only as a label
    assert not list(store.root.glob("up-*"))  # the upload folder is gone
    assert client.get(r.get_json()["downloads"][0]["url"]).status_code == 200  # (waits for the writer)
    outs = [p.name for p in store.root.rglob("*") if p.is_file()]
    assert outs == ["scored.xlsx"]


def test_blocked_workbook_has_findings_and_no_scored_download(client, tmp_path):
    d = data()
    d["funds"] = {"年度资金总额": (100, None, 100)}
    write_template(tmp_path / "b.xlsx", d)
    page = post(client, "/api/score", [("file", "b.xlsx", (tmp_path / "b.xlsx").read_bytes())]).get_json()
    assert page["blocked"] and page["downloads"] == [] and page["result"]["total"] is None
    assert "BUDGET_MISSING" in [f["code"] for f in page["result"]["findings"]]


@pytest.mark.parametrize("name, content, words", [
    ("假表.xlsx", "项目名称,得分\n党建,100\n".encode("gbk"), "文本文件"),
    ("空.xlsx", b"", "0字节"),
    ("报告.xlsx", b"%PDF-1.4 not a workbook", "PDF"),
])
def test_unreadable_upload_is_a_chinese_422(client, name, content, words):
    r = post(client, "/api/score", [("file", name, content)])
    body = r.get_json()
    assert r.status_code == 422 and body["ok"] is False
    assert body["error"].startswith(f"“{name}”无法评分：") and words in body["error"]


def test_no_file_and_a_zip_on_the_single_form(client):
    r = post(client, "/api/score", [])
    assert r.status_code == 400 and "请选择" in r.get_json()["error"]
    r = post(client, "/api/score", [("file", "各街道.zip", zip_of({"a.xlsx": JIAHE.read_bytes()}))])
    assert r.status_code == 422 and "批量汇总" in r.get_json()["error"]


def test_workbook_over_the_limit_is_refused_with_the_limit(store):
    c = make_client(store, file_bytes=10 * 1024)
    r = post(c, "/api/score", [("file", "大.xlsx", JIAHE.read_bytes())])  # the sample is ~13 KB
    assert r.status_code == 413 and "10KB" in r.get_json()["error"] and "大.xlsx" in r.get_json()["error"]
    assert not list(store.root.glob("up-*"))


def test_request_over_the_limit_is_a_chinese_413(store):
    c = make_client(store, request_bytes=20 * 1024)
    r = post(c, "/api/batch", [("files", "a.xlsx", JIAHE.read_bytes()), ("files", "b.xlsx", JIAHE.read_bytes())])
    assert r.status_code == 413 and r.get_json() == {"ok": False, "error": r.get_json()["error"]}
    assert "20KB" in r.get_json()["error"] and "上限" in r.get_json()["error"]


def test_a_scored_workbook_that_cannot_be_written_is_a_chinese_message(client, monkeypatch):
    import jixiao_xlsx.api
    from jixiao_xlsx.write.output import OutputError

    def refuse(*a, **k):
        raise OutputError("磁盘已满，未能写出评分工作簿。")

    monkeypatch.setattr(jixiao_xlsx.api, "write_scored_file", refuse)
    page = post(client, "/api/score", [("file", "a.xlsx", JIAHE.read_bytes())]).get_json()
    assert page["result"]["total"] == 100  # the result is shown whatever happens to the download
    r = client.get(page["downloads"][0]["url"])
    assert r.status_code == 500 and r.get_json()["error"] == "磁盘已满，未能写出评分工作簿。"


# -- CSRF, hosts, error statuses -------------------------------------------------------------------


def test_post_needs_the_pages_token_and_its_origin(client):
    files = [("file", "a.xlsx", JIAHE.read_bytes())]
    for token, headers in ((False, {}), (True, {"Origin": "http://evil.example"}), (True, {"X-Jixiao-Token": "guess"})):
        r = post(client, "/api/score", files, token=token, headers=headers)
        assert r.status_code == 403 and "刷新页面" in r.get_json()["error"]
    assert post(client, "/api/score", files, headers={"Origin": "http://localhost"}).status_code == 200


def test_loopback_server_refuses_other_host_names(store):
    app = create_app(allowed_hosts={"127.0.0.1:8765"}, store=store)
    c = app.test_client()
    assert c.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
    r = c.get("/", headers={"Host": "attacker.example:8765"})  # DNS rebinding
    assert r.status_code == 400 and "请求无效" in r.get_data(as_text=True)


def test_every_error_status_is_chinese_never_a_trace(client, monkeypatch, capsys):
    r = client.get("/no-such-page")
    assert r.status_code == 404 and "找不到" in r.get_data(as_text=True) and "<h1>出错了</h1>" in r.get_data(as_text=True)
    r = client.get("/api/score")
    assert r.status_code == 405 and "请求方式" in r.get_json()["error"]
    assert client.get("/api/files/nope/scored").status_code == 404
    assert client.get("/api/jobs/nope").get_json()["ok"] is False

    import jixiao_xlsx.api

    def boom(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(jixiao_xlsx.api, "open_and_evaluate", boom)
    r = post(client, "/api/score", [("file", "a.xlsx", JIAHE.read_bytes())])
    text = r.get_data(as_text=True)
    assert r.status_code == 500 and "服务器内部错误" in r.get_json()["error"]
    assert "secret" not in text and "Traceback" not in text
    err = capsys.readouterr().err  # the server's console: one Chinese line, no trace (that is --debug)
    assert "处理 /api/score 时发生内部错误（RuntimeError）" in err and "Traceback" not in err


# -- many workbooks --------------------------------------------------------------------------------


def test_district_zip_gives_the_clis_summary(client, tmp_path):
    r = post(client, "/api/batch", [("files", "各街道.zip", district_zip())])
    assert r.status_code == 202
    j = wait_job(client, r.get_json()["id"])
    assert j["state"] == "done" and j["done"] == j["total"] == 12
    subprocess.run([sys.executable, "-m", "jixiao_xlsx", "batch", str(DISTRICT), "-o", str(tmp_path / "cli.xlsx")],
                   capture_output=True, cwd=ROOT)
    cli = CalamineWorkbook.from_path(str(tmp_path / "cli.xlsx"))
    page = CalamineWorkbook.from_filelike(io.BytesIO(client.get(j["download"]["url"]).data))
    assert page.sheet_names == cli.sheet_names
    rows_p = page.get_sheet_by_name("汇总").to_python()
    rows_c = cli.get_sheet_by_name("汇总").to_python()
    src = rows_c[0].index("源文件")
    assert len(rows_p) == len(rows_c) == 1 + 10 + 1  # header, ten scored streets, totals row
    # same numbers; 源文件 holds the zip's member names (labels), the CLI its paths
    assert [r[:src] for r in rows_p] == [r[:src] for r in rows_c]
    # and the bureau's brief of the same district (issue #14): 10 projects scored
    import docx

    [brief] = [d for d in j["downloads"] if d["kind"] == "brief"]
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(client.get(brief["url"]).data)).paragraphs)
    assert "汇总" in text and "10个项目" in text
    assert [r[src] for r in rows_p[1:-1]] == [str(Path(r[src]).relative_to(DISTRICT.parent)) for r in rows_c[1:-1]]
    assert {u["file"] for u in j["unreadable"]} == {"district/石井街/石井街-自评表（请查收）.xlsx", "district/新市街/新市街-自评表.xlsx"}
    assert j["scored"] == 10 and [s["reason"] for s in j["skipped"]] == ["隐藏文件，已跳过。"]


def test_zip_bomb_and_too_many_members_are_refused(store):
    c = make_client(store, file_bytes=64 * 1024, zip_members=5)
    bomb = zip_of({"a.xlsx": b"\0" * (10 * 1024 * 1024)})  # 10 MB of zeros in ~10 KB
    r = post(c, "/api/batch", [("files", "bomb.zip", bomb)])
    assert r.status_code == 413 and "64KB" in r.get_json()["error"]
    many = zip_of({f"{i}.xlsx": b"x" for i in range(6)})
    r = post(c, "/api/batch", [("files", "many.zip", many)])
    assert r.status_code == 413 and "过多" in r.get_json()["error"]
    assert not list(store.root.glob("up-*"))


def test_zip_over_the_unzipped_total_or_the_file_count_is_refused(store):
    two = zip_of({"a.xlsx": JIAHE.read_bytes(), "b.xlsx": JIAHE.read_bytes()})  # ~13 KB each unzipped
    r = post(make_client(store, zip_total_bytes=20 * 1024), "/api/batch", [("files", "街道.zip", two)])
    assert r.status_code == 413 and "解压后超过 20KB" in r.get_json()["error"]
    r = post(make_client(store, files=1), "/api/batch", [("files", "街道.zip", two)])
    assert r.status_code == 413 and "一次最多处理 1 个工作簿" in r.get_json()["error"]
    assert not list(store.root.glob("up-*"))


def test_zip_bomb_with_a_lying_size_header_stops_at_the_cap(store, tmp_path):
    c = make_client(store, file_bytes=64 * 1024)
    raw = bytearray(zip_of({"a.xlsx": b"\0" * (1024 * 1024)}))
    # rewrite the declared uncompressed size (central directory and local header) to 100 bytes
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        i = raw.find(sig)
        raw[i + off:i + off + 4] = (100).to_bytes(4, "little")
    r = post(c, "/api/batch", [("files", "liar.zip", bytes(raw))])
    # zipfile stops at the declared size, the CRC then fails: the member is reported, nothing large written
    assert r.status_code == 422 and "“a.xlsx”：压缩包中的这个文件已损坏" in r.get_json()["error"]
    assert not list(store.root.glob("up-*"))


def test_zip_member_names_are_labels_only(client, store, tmp_path):
    members = {"../../escape.xlsx": JIAHE.read_bytes(), "/abs/嘉禾.xlsx": JIAHE.read_bytes(),
               "~$lock.xlsx": b"x", "__MACOSX/._a.xlsx": b"x", "说明.docx": b"x"}
    r = post(client, "/api/batch", [("files", "z.zip", zip_of(members))])
    j = wait_job(client, r.get_json()["id"])
    assert j["state"] == "done" and j["total"] == 2 and j["scored"] == 2
    assert {s["file"] for s in j["skipped"]} == {"~$lock.xlsx", "__MACOSX/._a.xlsx"}  # the .docx is ignored as in jixiao batch
    assert not (tmp_path / "escape.xlsx").exists() and not Path("/abs").exists()
    page = CalamineWorkbook.from_filelike(io.BytesIO(client.get(j["download"]["url"]).data))
    rows = page.get_sheet_by_name("汇总").to_python()
    src = rows[0].index("源文件")
    assert sorted(r[src] for r in rows[1:-1]) == ["../../escape.xlsx", "abs/嘉禾.xlsx"]


def test_batch_with_nothing_to_score_and_a_broken_zip(client):
    r = post(client, "/api/batch", [("files", "~$a.xlsx", b"x")])
    assert r.status_code == 422 and "没有找到可评分的Excel" in r.get_json()["error"] and "锁定文件" in r.get_json()["error"]
    # a file chosen by hand is read whatever its name (as jixiao batch does): the reader says what it is
    j = wait_job(client, post(client, "/api/batch", [("files", "a.docx", b"%PDF-1.4 x")]).get_json()["id"])
    assert j["scored"] == 0 and "PDF" in j["unreadable"][0]["reason"]
    r = post(client, "/api/batch", [("files", "坏.zip", b"PK\x03\x04 damaged")])
    assert r.status_code == 422 and "不是有效的.zip" in r.get_json()["error"]
    assert post(client, "/api/batch", []).status_code == 400


def test_several_workbooks_uploaded_directly_are_labelled_by_their_names(client):
    files = [("files", "嘉禾.xlsx", JIAHE.read_bytes()), ("files", "嘉禾.xlsx", JIAHE.read_bytes()),
             ("files", "假.xlsx", b"plain text")]
    j = wait_job(client, post(client, "/api/batch", files).get_json()["id"])
    assert (j["scored"], j["total"]) == (2, 3)
    assert j["unreadable"] == [{"file": "假.xlsx", "reason": "这是一个文本文件，不是Excel工作簿，请提交.xlsx格式的自评表。"}]


def test_files_of_a_chosen_folder_follow_the_rules_of_a_folder(client):
    files = [("files", "街道/嘉禾.xlsx", JIAHE.read_bytes()), ("files", "街道/报告.docx", b"x"),
             ("files", "街道/.git/x.xlsx", b"x"), ("files", "街道/~$嘉禾.xlsx", b"x"), ("files", "手选.docx", b"%PDF-1.4")]
    j = wait_job(client, post(client, "/api/batch", files).get_json()["id"])
    assert (j["total"], j["scored"]) == (2, 1)  # 嘉禾 and the hand-picked file; the folder's .docx is ignored
    assert sorted(s["file"] for s in j["skipped"]) == ["街道/.git/x.xlsx", "街道/~$嘉禾.xlsx"]
    assert [u["file"] for u in j["unreadable"]] == ["手选.docx"]


# -- a real server: several uploads at once ----------------------------------------------------------


def test_concurrent_uploads_on_a_real_server():
    import requests

    from jixiao_xlsx.web.server import Server

    server = Server("127.0.0.1", 0)
    server.start_thread()
    try:
        token = server.app.extensions["jixiao"]["token"]
        results, errors = [], []

        def one(i):
            try:
                r = requests.post(server.url + "api/score", headers={"X-Jixiao-Token": token}, timeout=60,
                                  files={"file": (f"{i}.xlsx", JIAHE.read_bytes())})
                results.append((r.status_code, r.json()["result"]["total"], r.json()["result"]["file"]))
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert sorted(results) == [(200, 100, f"{i}.xlsx") for i in range(6)]
        # another host name is refused on the loopback (DNS rebinding)
        r = requests.get(server.url, headers={"Host": f"evil.example:{server.port}"}, timeout=10)
        assert r.status_code == 400
    finally:
        server.close()
    assert not server.store.root.exists()  # stopping removes every upload and output


# -- names ------------------------------------------------------------------------------------------


def test_labels_and_suffixes():
    assert label_of("a\x00b\u202e.xlsx") == "ab.xlsx"
    assert label_of("  \\dir\\x.xlsx ") == "dir/x.xlsx"
    assert label_of("") == "未命名.xlsx"
    assert len(label_of("长" * 500)) == 200
    assert suffix_of("../x.ET") == ".et" and suffix_of("x.xl/sx") == ".xlsx" and suffix_of("x") == ".xlsx"
    assert suffix_of("x.<script>") == ".xlsx"
    assert unique_labels(["a", "b", "a", "a"]) == ["a", "b", "a（2）", "a（3）"]
    assert skip_reason("d/.hidden/x.xlsx") and skip_reason("x.scored.xlsx") and skip_reason("d/~$x.xlsx")
    assert skip_reason("d/x.xlsx") is None


# -- the command ------------------------------------------------------------------------------------


def start_serve(*args):
    import re

    p = subprocess.Popen([sys.executable, "-m", "jixiao_xlsx", "serve", "--port", "0", *args], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    line = p.stdout.readline()
    m = re.search(r"http://\S+/", line)
    assert m, line + p.stderr.read()
    return p, m.group(0)


def test_serve_listens_on_loopback_and_warns_for_a_lan_host():
    import requests

    p, url = start_serve()
    try:
        assert url.startswith("http://127.0.0.1:")
        assert "下载空白模板" in requests.get(url, timeout=10).text
    finally:
        p.terminate()
        _, err = p.communicate(timeout=10)
    assert "警告" not in err
    p, url = start_serve("--host", "0.0.0.0")
    try:
        port = url.rsplit(":", 1)[1].strip("/")
        r = requests.get(f"http://127.0.0.1:{port}/", headers={"Host": f"192.168.1.5:{port}"}, timeout=10)
        assert r.status_code == 200  # a LAN name is accepted once the clerk chose --host
    finally:
        p.terminate()
        _, err = p.communicate(timeout=10)
    assert "警告：正在监听 0.0.0.0" in err and "Ctrl+C" in err


def test_serve_on_a_busy_port_says_so_in_chinese():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    try:
        port = s.getsockname()[1]
        r = subprocess.run([sys.executable, "-m", "jixiao_xlsx", "serve", "--port", str(port)], cwd=ROOT,
                           capture_output=True, text=True, encoding="utf-8", timeout=60)
    finally:
        s.close()
    assert r.returncode == 1 and "该端口可能已被占用" in r.stderr and "Traceback" not in r.stderr


def test_serve_with_a_bad_rules_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "jixiao_xlsx", "serve", "--port", "0", "--rules", str(bad)], cwd=ROOT,
                       capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert r.returncode == 2 and r.stderr.startswith("评分规则错误：") and "Traceback" not in r.stderr
