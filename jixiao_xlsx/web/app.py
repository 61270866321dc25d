"""The Flask application behind ``jixiao serve``: the page, its JSON endpoints and downloads.

Every number comes from the library (``api.open_and_evaluate`` / ``write_scored_file``,
``write.template.write_template``, the batch loop behind :func:`jobs.summarise`), so the page shows
what ``jixiao score --json`` prints.  Every error, of any status, is one Chinese sentence (JSON for
``/api/``, a small page otherwise); a POST needs the page's token and, when the browser sends an
Origin, the same origin (CSRF: the server runs on the clerk's own machine).
"""
from __future__ import annotations

import json
import secrets
import sys
import tempfile
import threading
import traceback
from html import escape
from importlib import resources
from pathlib import Path
from typing import Optional

from flask import Flask, Request, Response, abort, jsonify, request, send_file
from werkzeug.exceptions import HTTPException

from ..read.book import UnreadableFile
from ..write.output import OutputError, derived_name, safe_filename
from .jobs import Store, summarise
from .uploads import Folder, Limits, UploadError, gather, label_of, save_upload

TOKEN_HEADER = "X-Jixiao-Token"
WRITE_WAIT_SECONDS = 300  # a download waits this long for its workbook to be written

# Downloads a single workbook offers, in link order: kind -> (link text, file-name suffix, writer).
# A writer of None means the file is written right after the workbook is scored, on a thread while
# the page shows the result (the scored workbook needs the Book, which is not kept longer); a writer
# ``fn(result, out, profile)`` runs on first download.


def _write_report(result, out, profile):
    from ..write.report import write_report

    return write_report(result, out, profile)


DOWNLOADS = {
    "scored": ("下载评分工作簿（.xlsx）", ".scored.xlsx", None),
    "report": ("下载自评报告（.docx）", ".自评报告.docx", _write_report),  # no report while an error blocks
}

# what a batch job offers: kind -> (link text, download name)
BATCH_DOWNLOADS = {
    "summary": ("下载汇总表（.xlsx）", "项目支出绩效自评汇总.xlsx"),
    "brief": ("下载汇总分析报告（.docx）", "项目支出绩效自评汇总分析.docx"),
}

MESSAGES = {
    400: "请求无效，请刷新页面后重试。",
    403: "页面已过期或请求不是从本工具的页面发出的，已拒绝；请刷新页面后重试。",
    404: "找不到该页面或文件（结果保留2小时，可能已过期）；请重新上传。",
    405: "不支持这种请求方式，请从本工具的页面操作。",
    413: "上传的文件过大，超过了 {limit} 的上限；请分批上传，或删除工作簿中的图片后重新保存。",
    415: "上传的内容格式不对，请从本工具的页面选择文件上传。",
    429: "请求过于频繁，请稍后再试。",
    500: "服务器内部错误，未能完成；请重试，仍不行请把该文件发给技术支持人员。",
}
INTERNAL = MESSAGES[500]


class _Request(Request):
    """Multipart uploads spool into the server's private temporary folder, not the system one."""

    spool_dir: Optional[str] = None

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return tempfile.TemporaryFile("wb+", dir=self.spool_dir)


def create_app(limits: Optional[Limits] = None, allowed_hosts: Optional[set] = None, profile=None,
               store: Optional[Store] = None, debug: bool = False) -> Flask:
    """The page's app. ``allowed_hosts``: Host headers accepted (None: any, for ``--host``); on
    127.0.0.1 only the loopback names, so a web page elsewhere cannot reach it by DNS rebinding."""
    from ..rules.profile import load_profile

    limits = limits or Limits()
    store = store or Store()
    profile = profile or load_profile()
    static = str(resources.files("jixiao_xlsx.web") / "static")
    app = Flask(__name__, static_folder=static, static_url_path="/static")
    app.request_class = type("SpoolRequest", (_Request,), {"spool_dir": str(store.root)})
    app.config.update(MAX_CONTENT_LENGTH=limits.request_bytes, MAX_FORM_PARTS=limits.files + 20,
                      SEND_FILE_MAX_AGE_DEFAULT=0, JIXIAO_DEBUG=debug)
    app.json.ensure_ascii = False
    token = secrets.token_urlsafe(24)
    library_lock = threading.Lock()  # the reader's memos are per process, not thread-safe
    template_lock = threading.Lock()
    app.extensions["jixiao"] = {"store": store, "limits": limits, "token": token, "profile": profile}

    def log_internal(when: str) -> None:
        """One Chinese line on the server's console (the clerk's window); the trace with ``--debug``."""
        if app.config.get("JIXIAO_DEBUG"):
            traceback.print_exc()
        name = type(sys.exc_info()[1]).__name__
        print(f"{when}发生内部错误（{name}）；如反复出现，请用 jixiao serve --debug 重现并把输出发给技术支持人员。",
              file=sys.stderr, flush=True)

    def fail(message: str, status: int):
        return jsonify({"ok": False, "error": message}), status

    # -- guards -------------------------------------------------------------------------------

    @app.before_request
    def _guard():
        if allowed_hosts is not None and request.host.lower() not in allowed_hosts:
            abort(400)
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if origin is not None and origin != request.host_url.rstrip("/"):
                abort(403)
            sent = request.headers.get(TOKEN_HEADER, "")
            if not secrets.compare_digest(sent.encode(), token.encode()):
                abort(403)

    @app.after_request
    def _headers(resp: Response):
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'")
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        status = e.code or 500
        message = MESSAGES.get(status, f"请求未能完成（{status}），请刷新页面后重试。")
        message = message.format(limit=limits.mb(limits.request_bytes))
        if request.path.startswith("/api/"):
            return fail(message, status)
        return _error_page(message, status)

    @app.errorhandler(Exception)
    def _unexpected(e: Exception):
        log_internal(f"处理 {request.path} 时")
        if request.path.startswith("/api/"):
            return fail(INTERNAL, 500)
        return _error_page(INTERNAL, 500)

    # -- the page -------------------------------------------------------------------------------

    index_html = (resources.files("jixiao_xlsx.web") / "static" / "index.html").read_text("utf-8")

    @app.get("/")
    def index():
        config = json.dumps({"token": token, "fileBytes": limits.file_bytes, "requestBytes": limits.request_bytes,
                             "fileLimit": limits.mb(limits.file_bytes), "requestLimit": limits.mb(limits.request_bytes),
                             "maxFiles": limits.files}, ensure_ascii=True)
        page = index_html.replace("{{CONFIG}}", escape(config, quote=True))
        return Response(page, mimetype="text/html")

    def template_path() -> Path:
        from ..write.template import write_template

        path = store.root / "template" / "jixiao-template.xlsx"
        with template_lock:
            if not path.exists():
                path.parent.mkdir(exist_ok=True)
                write_template(str(path), profile=profile)
        return path

    @app.get("/api/template")
    def template():
        return send_file(template_path(), as_attachment=True, download_name="项目支出绩效自评表（空白模板）.xlsx")

    def warm_up() -> None:
        """Import and run the reader, scorer and writers once (the blank template), so the clerk's
        first workbook after start-up is as quick as the next ones. Errors here are not the clerk's."""
        try:
            from ..api import open_and_evaluate
            from ..write import scored  # noqa: F401 - imported for its import cost

            with library_lock:
                open_and_evaluate(str(template_path()), profile)
        except Exception:  # noqa: BLE001
            app.logger.debug("warm-up failed", exc_info=True)

    app.extensions["jixiao"]["warm_up"] = warm_up

    # -- one workbook ----------------------------------------------------------------------------

    @app.post("/api/score")
    def score():
        from ..api import open_and_evaluate

        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return fail("请选择一个Excel自评表（.xlsx）再上传。", 400)
        label = label_of(upload.filename).rsplit("/", 1)[-1]
        if label.lower().endswith(".zip"):
            return fail(f"“{label}”是压缩包；多个自评表请放到下面“批量汇总”一栏，生成汇总表。", 422)
        folder = Folder(store.new_folder("up-"))
        try:
            path = save_upload(upload.stream, label, folder, limits)
            with library_lock:
                try:
                    book, result = open_and_evaluate(str(path), profile)
                except UnreadableFile as e:
                    return fail(f"“{label}”无法评分：{e.reason}", 422)
                entry = store.add("file", label, result=result)
            if not result.blocked:  # written while the page shows the result; a download waits for it
                entry.pending["scored"] = threading.Event()
                store.spawn(_write_scored, entry, book, name=f"jixiao-scored-{entry.id[:6]}")
            data = result.as_dict()
            data["file"] = label
            return jsonify({"ok": True, "id": entry.id, "result": data, "errors": result.errors,
                            "hints": result.hints, "blocked": result.blocked,
                            "downloads": [{"kind": k, "text": text, "url": f"/api/files/{entry.id}/{k}"}
                                          for k, (text, _, writer) in DOWNLOADS.items()
                                          if (writer is not None and not result.blocked)
                                          or k in entry.pending]})
        except UploadError as e:
            return fail(e.message, e.status)
        finally:
            folder.remove()

    def _write_scored(entry, book):
        from ..api import write_scored_file

        out = entry.folder / "scored.xlsx"
        try:
            with library_lock:
                write_scored_file(entry.result, str(out), profile, book)
            store.update(entry, outputs={**entry.outputs, "scored": out})
        except OutputError as e:
            store.update(entry, failures={**entry.failures, "scored": str(e)})
        except BaseException:  # noqa: BLE001 - the download says so in Chinese; the console has the details
            log_internal(f"写出“{entry.label}”的评分工作簿时")
            store.update(entry, failures={**entry.failures, "scored": INTERNAL})
        finally:
            entry.pending["scored"].set()

    @app.get("/api/files/<eid>/<kind>")
    def download(eid, kind):
        entry = store.get(eid, "file")
        if entry is None or kind not in DOWNLOADS:
            abort(404)
        text, suffix, writer = DOWNLOADS[kind]
        if kind in entry.pending:
            entry.pending[kind].wait(WRITE_WAIT_SECONDS)
        if kind in entry.failures:
            return fail(entry.failures[kind], 500)
        out = entry.outputs.get(kind)
        if out is None and writer is not None:
            out = entry.folder / f"{kind}{Path(suffix).suffix}"
            with library_lock:
                if not out.exists():
                    writer(entry.result, str(out), profile)
            store.update(entry, outputs={**entry.outputs, kind: out})
        if out is None:
            abort(404)
        return send_file(out, as_attachment=True, download_name=_download_name(entry.label, suffix))

    # -- many workbooks ------------------------------------------------------------------------

    @app.post("/api/batch")
    def batch():
        uploads = [f for f in request.files.getlist("files") if f.filename]
        if not uploads:
            return fail("请选择多个Excel自评表，或一个装有自评表的.zip压缩包，再上传。", 400)
        folder = Folder(store.new_folder("up-"))
        try:
            got = gather([(f.stream, f.filename) for f in uploads], folder, limits)
        except UploadError as e:
            folder.remove()
            return fail(e.message, e.status)
        except BaseException:
            folder.remove()
            raise
        if not got.files:
            folder.remove()
            why = "".join(f"“{lab}”：{reason}" for lab, reason in got.skipped[:3])
            return fail("上传的内容中没有找到可评分的Excel自评工作簿（.xlsx/.xlsm/.xls），未生成汇总表。" + why, 422)
        entry = store.add("batch", "汇总")
        store.update(entry, total=len(got.files), skipped=list(got.skipped))
        store.spawn(_run_batch, entry, got, folder, name=f"jixiao-batch-{entry.id[:6]}")
        return jsonify({"ok": True, "id": entry.id, "total": len(got.files)}), 202

    def _run_batch(entry, got, folder):
        try:
            with store.batch_lock:
                store.update(entry, state="running")

                def progress(done, total, label):
                    store.update(entry, done=done, total=total, current=label)

                out, brief = entry.folder / "summary.xlsx", entry.folder / "brief.docx"
                res = summarise(got.files, got.skipped, out, profile, progress, brief=brief)
                outputs = {**entry.outputs, "summary": out, **({"brief": brief} if res["brief"] else {})}
                store.update(entry, outputs=outputs, state="done", scored=res["scored"], with_errors=res["with_errors"],
                             unreadable=res["unreadable"], skipped=res["skipped"], current="")
        except OutputError as e:
            store.update(entry, state="failed", error=str(e))
        except BaseException:  # noqa: BLE001 - the page shows one Chinese line, the log the details
            log_internal("生成汇总表时")
            store.update(entry, state="failed", error="生成汇总表时发生内部错误，未能完成；请重试，仍不行请联系技术支持人员。")
        finally:
            folder.remove()

    @app.get("/api/jobs/<eid>")
    def job(eid):
        entry = store.get(eid, "batch")
        if entry is None:
            abort(404)
        data = store.snapshot(entry)
        if data["state"] == "done":
            data["downloads"] = [{"kind": kind, "text": text, "url": f"/api/jobs/{eid}/{kind}"}
                                 for kind, (text, _) in BATCH_DOWNLOADS.items() if kind in entry.outputs]
            data["download"] = data["downloads"][0]
        return jsonify({"ok": True, **data})

    @app.get("/api/jobs/<eid>/<kind>")
    def job_output(eid, kind):
        entry = store.get(eid, "batch")
        if entry is None or kind not in BATCH_DOWNLOADS or kind not in entry.outputs:
            abort(404)
        return send_file(entry.outputs[kind], as_attachment=True, download_name=BATCH_DOWNLOADS[kind][1])

    return app


def _download_name(label: str, suffix: str) -> str:
    """``嘉禾街自评表.xlsx`` -> ``嘉禾街自评表.scored.xlsx`` (the name is only a suggestion to the browser)."""
    stem = label.rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    return derived_name(safe_filename(stem, default="自评表"), suffix)


def _error_page(message: str, status: int) -> Response:
    body = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>出错了</title>"
            "<link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><main class=\"error-page\">"
            f"<h1>出错了</h1><p>{escape(message)}</p><p><a href=\"/\">返回首页</a></p></main></body></html>")
    return Response(body, status=status, mimetype="text/html")
