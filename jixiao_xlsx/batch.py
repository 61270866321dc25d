"""The district batch: find the street workbooks, score each one, stream compact records back.

One broken file must never stop a batch of hundreds, so every per-file failure becomes a record
with a Chinese reason.  Workers return plain data (``Result.as_dict()`` plus counts), never Books or
DataFrames, so memory holds only what the summary prints.  No click, no tqdm: the command line
passes a ``progress`` callback.
"""
from __future__ import annotations

import os
import stat
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from .write.output import MAX_NAME_BYTES as MAX_NAME_BYTES_OUT
from .write.output import safe_filename

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# What a street may send instead of a workbook: WPS's own format, binary/OpenDocument workbooks,
# templates, CSV exports, archives. A folder's files of these kinds are taken as inputs too, so the
# reader judges them by content (a renamed .xlsx is scored) and the summary says what each one is
# and what to send instead (未能处理, exit 1) — a street is never left out without a word. Other
# files (reports in Word/PDF, scans, images) are not workbooks a street meant to send: ignored.
OTHER_SHEET_SUFFIXES = (".et", ".ett", ".xlsb", ".ods", ".csv", ".xlt", ".xltx", ".xltm", ".numbers", ".zip", ".rar", ".7z")
SCORED_SUFFIX = ".scored.xlsx"

SKIP_LOCK = "Excel/WPS 打开文件时生成的临时锁定文件（~$ 开头），不是自评表，已跳过。"
SKIP_HIDDEN_FILE = "隐藏文件，已跳过。"
SKIP_HIDDEN_DIR = "隐藏文件夹，其中的文件已跳过。"
SKIP_SCORED = "jixiao 生成的评分工作簿（.scored.xlsx），不是自评表，已跳过。"
SKIP_OUTPUT = "本次汇总的输出文件，已跳过。"
SKIP_EXTRACTED_ZIP = "压缩包，其中的工作簿已解压在同一文件夹中（已分别读取），压缩包本身已跳过。"
SKIP_NUMBERS_DIR = "苹果Numbers表格（文件夹形式），本工具无法读取；请在Numbers中选“文件 > 导出为 > Excel”，提交导出的.xlsx文件。"

# Below this many files one process is faster than starting workers. Measured (benchmarks/batch.py,
# 2 cores, ~6 ms per file): starting 2 workers costs ~30 ms with fork (Linux; jobs=2 wins from ~12
# files: 20 files 118 -> 80 ms) but ~200 ms with spawn (Windows, macOS: every worker imports the
# package again; jobs=2 loses at 40 files, 240 -> 335 ms, and wins at 100, 586 -> 408 ms).
AUTO_JOBS_THRESHOLD = {"fork": 12, "forkserver": 80, "spawn": 80}
# Files handed to a worker at a time: enough to amortise the round trip, few enough to balance.
CHUNKSIZE = 8

INTERNAL_ERROR = "处理时发生内部错误（{name}），请将此文件发给技术支持人员。"
WORKER_DIED = "处理此文件时程序意外退出（文件可能已损坏或过大），请用Excel或WPS另存为.xlsx后重新提交。"


# ---------------------------------------------------------------------------------------------
# discovery


def _is_hidden(p: Path) -> bool:
    """Dot-names everywhere; the hidden attribute too on Windows."""
    if p.name.startswith("."):
        return True
    attrs = getattr(os.lstat(p), "st_file_attributes", 0) if sys.platform == "win32" else 0
    return bool(attrs & getattr(stat, "FILE_ATTRIBUTE_HIDDEN", 0))


def _skip_reason(p: Path) -> Optional[str]:
    name = p.name
    if name.startswith("~$"):
        return SKIP_LOCK
    if _is_hidden(p):
        return SKIP_HIDDEN_FILE
    if name.lower().endswith(SCORED_SUFFIX):
        return SKIP_SCORED
    return None


def _walk(folder: Path, files: list, skipped: list, exclude: set) -> None:
    """Recursive, sorted, not following links to folders (no cycles)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        skipped.append((str(folder), "无法打开此文件夹（没有权限或已被删除），已跳过。"))
        return
    for e in entries:
        p = Path(folder, e.name)
        if e.is_dir(follow_symlinks=False):
            if _is_hidden(p):
                skipped.append((str(p), SKIP_HIDDEN_DIR))
            elif e.name.lower().endswith(".numbers"):  # a Numbers document saved as a package folder
                skipped.append((str(p), SKIP_NUMBERS_DIR))
            else:
                _walk(p, files, skipped, exclude)
        elif e.name.lower().endswith(EXCEL_SUFFIXES + OTHER_SHEET_SUFFIXES) and e.is_file():
            if _key(p) in exclude:
                skipped.append((str(p), SKIP_OUTPUT))
                continue
            reason = _skip_reason(p)
            if reason is None and e.name.lower().endswith(".zip"):
                from .read.book import extracted_beside

                reason = SKIP_EXTRACTED_ZIP if extracted_beside(str(p)) else None
            if reason:
                skipped.append((str(p), reason))
            else:
                files.append(p)


def _key(p) -> str:
    return os.path.normcase(os.path.abspath(p))


def discover(inputs: Iterable, exclude: Iterable = ()) -> tuple[list, list]:
    """Files and folders (recursive) -> (workbook paths, [(path, Chinese reason)] skipped).

    A file named explicitly is taken whatever its extension (the user asked for it), except a lock
    file.  Order is deterministic: inputs in the order given, folders sorted by name; a file reached
    twice is kept once.  ``exclude`` (e.g. the summary being written) is never taken as an input.
    """
    exclude = {_key(p) for p in exclude}
    found, skipped = [], []
    for inp in inputs:
        p = Path(inp)
        if p.is_dir():
            _walk(p, found, skipped, exclude)
        elif p.name.startswith("~$"):
            skipped.append((str(p), SKIP_LOCK))
        elif _key(p) in exclude:
            skipped.append((str(p), SKIP_OUTPUT))
        else:
            found.append(p)
    seen, files = set(), []
    for p in found:
        k = _key(p)
        if k not in seen:
            seen.add(k)
            files.append(str(p))
    return files, skipped


# ---------------------------------------------------------------------------------------------
# scored-workbook names

# Names are capped in UTF-8 bytes, not characters: a long Chinese folder + file name is legal but its
# scored sibling would pass the 255-byte limit of ext4/NTFS (output.MAX_NAME_BYTES leaves room).
MAX_NAME_BYTES = MAX_NAME_BYTES_OUT - len(SCORED_SUFFIX.encode()) - 9


def _safe_part(s: str) -> str:
    return safe_filename(s, max_len=10_000, default="_")


def _cut_bytes(s: str, limit: int) -> str:
    while len(s.encode("utf-8")) > limit and s:
        s = s[:-1]
    return s.rstrip(" .")


def _short_hash(path: str) -> str:
    import hashlib  # here: only --scored-dir names need it (3 ms of start-up otherwise)

    return hashlib.sha1(os.path.abspath(path).encode("utf-8", "surrogatepass")).hexdigest()[:8]


def scored_names(files: list) -> dict:
    """Input path -> a file name for its scored workbook that no other input in the batch gets.

    ``<folders below the common root joined by _>__<stem>.scored.xlsx``, made safe for Windows;
    when two inputs would still meet (case-insensitively), or a name had to be shortened, the name
    gets ``~<8 hex of the full input path>``.
    """
    if not files:
        return {}
    parents = [os.path.dirname(os.path.abspath(f)) for f in files]
    try:
        root = os.path.commonpath(parents)
    except ValueError:  # different drives on Windows
        root = ""
    base = {}
    for f, parent in zip(files, parents):
        rel = os.path.relpath(parent, root) if root else parent
        parts = [_safe_part(x) for x in Path(rel).parts if x not in (".", "", os.sep) and x != Path(rel).anchor]
        stem = _safe_part(Path(f).stem)
        name = ("_".join(parts) + "__" + stem) if parts else stem
        base[f] = name
    counts = {}
    for name in base.values():
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    out = {}
    for f, name in base.items():
        if counts[name.lower()] > 1 or len(name.encode("utf-8")) > MAX_NAME_BYTES:
            name = _cut_bytes(name, MAX_NAME_BYTES) + "~" + _short_hash(f)
        out[f] = name + SCORED_SUFFIX
    return out


# ---------------------------------------------------------------------------------------------
# the per-file worker

_PROFILE = None


def _init_worker(profile) -> None:
    global _PROFILE
    _PROFILE = profile


def score_one(task) -> dict:
    """(path, scored_out or None) -> a plain-data record; never raises for a bad file.

    Scored: ``{"file", "result": Result.as_dict(), "errors", "hints", "scored_error"}``.
    Not scored: ``{"file", "error", "traceback"}`` (traceback only for bugs).
    """
    path, out = task[0], task[1]
    from .read.book import UnreadableFile

    try:
        from . import api

        if out:  # keep the Book for the scored workbook instead of reading the file twice
            book, result = api.open_and_evaluate(path, _PROFILE)
        else:
            book, result = None, api.evaluate_file(path, _PROFILE)
        many = _project_sheets(result)
        if many:  # several projects, one per sheet: a record each (issue #13 item 17)
            return _score_sheets(path, out, many)
    except UnreadableFile as e:
        return {"file": path, "error": e.reason, "code": e.code, "traceback": None}
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - includes pyo3 PanicException; one file never stops the batch
        return {"file": path, "error": INTERNAL_ERROR.format(name=type(e).__name__), "code": "FILE_INTERNAL_ERROR",
                "traceback": traceback.format_exc()}
    rec = {
        "file": path,
        "result": result.as_dict(),
        "errors": result.errors,
        "hints": result.hints,
        "scored_error": None,
    }
    rec["result"]["file"] = path
    if out and not result.blocked:
        rec.update(_write_scored(result, book, out))
    if len(task) > 2:
        rec.update(write_report_for(result, task[2]))
    return rec


def _project_sheets(result) -> list:
    """The project sheets of a workbook that holds several (its MULTIPLE_PROJECTS hint), else []."""
    if not any(f.code == "MULTIPLE_PROJECTS" for f in result.findings):
        return []
    from . import api
    from .read.book import open_book

    return api.project_sheets(open_book(result.project.source), _PROFILE)


def _score_sheets(path, out, names: list) -> dict:
    """One record per project sheet, its source named ``file（工作表）``; the first record carries the
    others under ``"more"`` (score_files hands them on one by one)."""
    from . import api
    from .write.output import derived_name

    recs = []
    for name in names:
        book, result = api.open_and_evaluate(path, _PROFILE, name)
        source = f"{path}（工作表“{name}”）"
        rec = {"file": source, "result": result.as_dict(), "errors": result.errors, "hints": result.hints,
               "scored_error": None, "sheet": name}
        rec["result"]["file"] = source
        rec["result"]["sheet"] = name
        if out and not result.blocked:
            stem = Path(out).name.removesuffix(".scored.xlsx")
            rec.update(_write_scored(result, book, str(Path(out).with_name(derived_name(f"{stem}-{name}", ".scored.xlsx")))))
        recs.append(rec)
    first = recs[0]
    first["first_sheet"] = True
    first["more"] = recs[1:]
    return first


def _write_scored(result, book, out) -> dict:
    from . import api
    from .write.output import OutputError, why_not_written

    try:
        api.write_scored_file(result, out, _PROFILE, book=book)
        return {}
    except OutputError as e:
        return {"scored_error": str(e)}
    except OSError as e:
        return {"scored_error": why_not_written(Path(out), e)}
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001
        return {"scored_error": f"写出评分工作簿时发生内部错误（{type(e).__name__}），请将此文件发给技术支持人员。"}


# ---------------------------------------------------------------------------------------------
# the batch


class BatchUsageError(Exception):
    """The batch cannot start as asked (nothing to read, output onto an input). Chinese message."""


def _is_summary(path) -> bool:
    """True when ``path`` is a summary this tool wrote (safe to replace on a re-run)."""
    try:
        import python_calamine as pc

        wb = pc.CalamineWorkbook.from_path(str(path))
        try:
            names = set(wb.sheet_names)
        finally:
            wb.close()
    except Exception:  # noqa: BLE001 - unreadable: certainly not our summary
        return False
    from .write.summary import ABOUT_SHEET, SUMMARY_SHEET

    return {SUMMARY_SHEET, ABOUT_SHEET} <= names


def check_output(inputs: Iterable, out) -> None:
    """Refuse an output that would overwrite an input or any other file this tool did not write.

    An earlier summary (wherever it is) is replaced; a clerk's workbook at the output path, or a file
    named as an input, is not.
    """
    k = _key(out)
    for inp in inputs:
        if _key(inp) == k:
            raise BatchUsageError(f"汇总表 {out} 与输入文件相同，不能覆盖输入文件，请换一个汇总表文件名。")
    if os.path.isfile(out):
        try:  # on Windows a workbook open in Excel/WPS cannot be replaced: say so before the batch runs
            with open(out, "r+b"):
                pass
        except OSError:
            raise BatchUsageError(f"汇总表 {out} 无法写入，可能正在Excel或WPS中打开，请关闭后重试，或换一个文件名。")
    if os.path.exists(out) and not _is_summary(out):
        raise BatchUsageError(
            f"{out} 已存在，且不是 jixiao 生成的汇总表；为免覆盖其他工作簿，请用 -o 换一个汇总表文件名"
            f"（如 -o {Path(out).with_name(Path(out).stem + '_汇总.xlsx')}），或先把该文件移走。"
        )


@dataclass
class BatchRun:
    """What a batch did. ``records`` holds the full scored records only when no ``on_record``
    consumer was given (library use, tests); the command line streams them instead."""

    files: list  # every input workbook, in discovery order
    records: list  # scored records (see score_one), in discovery order, unless streamed
    unreadable: list  # [(file, Chinese reason)]
    skipped: list  # [(path, Chinese reason)]
    tracebacks: dict = field(default_factory=dict)  # file -> traceback text (internal errors only)
    jobs: int = 1
    scored: int = 0
    with_errors: int = 0  # scored files with at least one 错误 (or whose scored workbook failed)

    @property
    def ok(self) -> bool:
        """Every file scored without errors (exit status 0)."""
        return not self.unreadable and self.with_errors == 0


@dataclass
class Plan:
    files: list
    skipped: list
    tasks: list  # [(file, scored-workbook path or None)]
    jobs: int


def cpu_count() -> int:
    """CPUs this process may use (a container or a job object may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def auto_jobs(n_files: int) -> int:
    """Workers worth starting for ``n_files``: one for a small batch, every CPU for a large one."""
    import multiprocessing

    method = multiprocessing.get_context().get_start_method()
    if n_files < AUTO_JOBS_THRESHOLD.get(method, AUTO_JOBS_THRESHOLD["spawn"]):
        return 1
    return max(1, min(cpu_count(), n_files))


def _chunksize(n_tasks: int, jobs: int) -> int:
    return max(1, min(CHUNKSIZE, n_tasks // (jobs * 4)))


def _iter_results(tasks: list, profile, jobs: int):
    """Yield records in task order. A worker killed by the OS (not an exception) only costs its file."""
    if jobs <= 1:
        _init_worker(profile)
        for t in tasks:
            yield score_one(t)
        return
    done = 0
    from concurrent.futures import ProcessPoolExecutor  # here: a one-process batch need not import it
    from concurrent.futures.process import BrokenProcessPool

    ex = ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(profile,))
    try:
        for rec in ex.map(score_one, tasks, chunksize=_chunksize(len(tasks), jobs)):
            done += 1
            yield rec
        ex.shutdown()
        return
    except BrokenProcessPool:
        ex.shutdown(wait=False, cancel_futures=True)
    except BaseException:  # Ctrl+C, or the consumer stopped: do not finish the queued files first
        ex.shutdown(wait=False, cancel_futures=True)
        raise
    # A worker died hard (crash in native code, out of memory). Isolate the rest one file per process
    # so that only the culprit is reported.
    for t in tasks[done:]:
        try:
            with ProcessPoolExecutor(1, initializer=_init_worker, initargs=(profile,)) as ex:
                yield ex.submit(score_one, t).result()
        except BrokenProcessPool:
            yield {"file": t[0], "error": WORKER_DIED, "code": "FILE_WORKER_DIED", "traceback": None}


def plan_batch(inputs: Iterable, scored_dir=None, exclude: Iterable = (), jobs: Optional[int] = None,
               reports_dir=None) -> Plan:
    """Discover the inputs, name their scored workbooks (and reports), choose the number of workers."""
    files, skipped = discover(inputs, exclude)
    if scored_dir:  # never re-read our own scored workbooks from an earlier run
        inside = _key(scored_dir) + os.sep
        skipped += [(f, SKIP_SCORED) for f in files if _key(f).startswith(inside)]
        files = [f for f in files if not _key(f).startswith(inside)]
    names = scored_names(files) if scored_dir else {}
    tasks = [(f, str(Path(scored_dir, names[f])) if scored_dir else None) for f in files]
    if reports_dir:  # 自评报告 per project (#14): a third task field
        rnames = report_names(files)
        tasks = [t + (str(Path(reports_dir, rnames[t[0]])),) for t in tasks]
    jobs = auto_jobs(len(files)) if not jobs or jobs < 1 else jobs
    return Plan(files, skipped, tasks, min(jobs, max(1, len(files))))


def score_files(
    plan: Plan,
    profile=None,
    on_record: Optional[Callable[[dict], None]] = None,
    progress: Optional[Callable[[int, int, str], None]] = None,
) -> BatchRun:
    """Score every planned file. Each record (scored or ``{"file", "error"}``) goes to ``on_record``
    in discovery order whatever finished first, so the outcome does not depend on ``plan.jobs``;
    without ``on_record`` the scored records are kept in :attr:`BatchRun.records`.
    ``progress(done, total, file)`` is called after each file."""
    from .rules.profile import load_profile

    profile = profile or load_profile()
    run = BatchRun(files=plan.files, records=[], unreadable=[], skipped=plan.skipped, jobs=plan.jobs)
    total = len(plan.tasks)
    for i, rec in _each_record(_iter_results(plan.tasks, profile, plan.jobs)):
        if "error" in rec:
            run.unreadable.append((rec["file"], rec["error"]))
            if rec.get("traceback"):
                run.tracebacks[rec["file"]] = rec["traceback"]
        else:
            run.scored += "sheet" not in rec or rec.get("first_sheet", False)  # files, not project sheets
            run.with_errors += bool(rec["errors"] or rec.get("scored_error"))
            if on_record is None:
                run.records.append(rec)
        if on_record is not None:
            on_record(rec)
        if progress:
            progress(i, total, rec["file"])
    return run


def _each_record(results):
    """(file number, record) for every record, a workbook of several projects giving one per sheet."""
    for i, rec in enumerate(results, 1):
        more = rec.pop("more", ())
        yield i, rec
        for r in more:
            yield i, r


def run_batch(
    inputs: Iterable,
    profile=None,
    jobs: Optional[int] = None,
    scored_dir=None,
    exclude: Iterable = (),
    progress: Optional[Callable[[int, int, str], None]] = None,
    on_record: Optional[Callable[[dict], None]] = None,
) -> BatchRun:
    """:func:`plan_batch` then :func:`score_files` (``jobs`` None: chosen by :func:`auto_jobs`)."""
    return score_files(plan_batch(inputs, scored_dir, exclude, jobs), profile, on_record, progress)


# ---------------------------------------------------------------------------------------------
# JSON


def totals(rows, found: int, failed: int, skipped: int, duplicates: list) -> dict:
    """Batch-level counts and money for ``--json``; ``rows`` are scored records (full or slim),
    ``duplicates`` their :func:`summary.duplicate_groups` (the summary has found them)."""
    from .write.aggregates import district_totals

    agg = district_totals(rows)  # the summary's own aggregates and what each covers (issue #17)
    return {
        "found": found,
        "scored": len(rows),
        "failed": failed,
        "skipped": skipped,
        "with_errors": sum(1 for r in rows if r["errors"] or r.get("scored_error")),
        "without_total": agg["without_total"],
        "grades": agg["grades"],
        "budget": _json_num(agg["budget"]),
        "executed": _json_num(agg["executed"]),
        "rate": _json_num(agg["rate"]),
        "money_projects": agg["money_projects"],  # the projects the three money figures cover
        "money_left_out": agg["money_left_out"],  # {reason: projects}
        "money_note": agg["money_note"],
        "mean_total": _json_num(agg["mean_total"]),  # over the with-total projects only
        "with_total": agg["with_total"],
        "duplicates": duplicates,  # [[file, ...]]: one project reported by several files
    }


def _json_num(d):
    from .model import _num

    return _num(d)


def json_entry(rec: dict) -> dict:
    """One ``files`` entry: the ``jixiao score --json`` object, or ``{"file", "error"}``."""
    if "error" in rec:
        return {"file": rec["file"], "error": rec["error"], "code": rec.get("code", "FILE_INTERNAL_ERROR")}
    return rec["result"]


# ---------------------------------------------------------------------------------------------
# 自评报告 per scored project: `jixiao batch --reports DIR` (issue #14, engineer "report")

REPORT_SUFFIX = ".自评报告.docx"


def report_names(files: list) -> dict:
    """Input path -> report file name: the :func:`scored_names` name (never colliding, Windows-safe)
    with the report's suffix instead of ``.scored.xlsx``."""
    return {f: name[: -len(SCORED_SUFFIX)] + REPORT_SUFFIX for f, name in scored_names(files).items()}


def write_report_for(result, out) -> dict:
    """Write one project's report; ``{"report": path}`` or ``{"report_error": Chinese reason}``."""
    from .write.output import OutputError, why_not_written
    from .write.report import ReportBlocked, write_report

    try:
        return {"report": write_report(result, out, _PROFILE)}
    except ReportBlocked as e:
        return {"report_error": str(e)}
    except OutputError as e:
        return {"report_error": str(e)}
    except OSError as e:
        return {"report_error": why_not_written(Path(out), e)}
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - one report never stops the batch
        return {"report_error": f"写出自评报告时发生内部错误（{type(e).__name__}），请将此文件发给技术支持人员。"}
