"""The district batch: find the street workbooks, score each one, stream compact records back.

One broken file must never stop a batch of hundreds, so every per-file failure becomes a record
with a Chinese reason.  Workers return plain data (``Result.as_dict()`` plus counts), never Books or
DataFrames, so memory holds only what the summary prints.  No click, no tqdm: the command line
passes a ``progress`` callback.
"""
from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from .documents import Documents, report_names, write_report_for
from .inputs import (  # noqa: F401 - discovery and naming, re-exported for callers of batch
    EXCEL_SUFFIXES, OTHER_SHEET_SUFFIXES, SCORED_SUFFIX, SKIP_EXTRACTED_ZIP, SKIP_HIDDEN_DIR, SKIP_HIDDEN_FILE,
    SKIP_LOCK, SKIP_NUMBERS_DIR, SKIP_OUTPUT, SKIP_SCORED, MAX_NAME_BYTES, _key, discover, scored_names,
)  # fmt: skip


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
# the per-file worker

_PROFILE = None


def _init_worker(profile) -> None:
    global _PROFILE
    _PROFILE = profile


def score_one(task, profile=None) -> dict:
    """(path, scored_out or None) -> a plain-data record; never raises for a bad file.

    Scored: ``{"file", "result": Result.as_dict(), "errors", "hints", "scored_error"}``.
    Not scored: ``{"file", "error", "traceback"}`` (traceback only for bugs).
    ``profile``: the rules; None means the one :func:`_init_worker` gave this process.
    """
    path, out = task[0], task[1]
    profile = profile or _PROFILE
    from .read.book import UnreadableFile, open_book

    try:
        from . import api

        if out:  # keep the Book for the scored workbook instead of reading the file twice
            book, result = api.open_and_evaluate(path, profile)
        else:
            book, result = None, api.evaluate_file(path, profile)
        if any(f.code == "MULTIPLE_PROJECTS" for f in result.findings):  # one record per project sheet (#13 item 17)
            book = book or open_book(path)  # read once more at most, then every sheet is scored from it
            return _score_sheets(task, book, api.project_sheets(book, profile), profile)
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
        rec.update(_write_scored(result, book, out, profile))
    if len(task) > 2:
        rec.update(write_report_for(result, task[2], profile))
    return rec


def _score_sheets(task, book, names: list, profile) -> dict:
    """One record per project sheet of the one Book read, its source named ``file（工作表）``, each
    sheet's scored workbook and report named ``<stem>-<sheet>``; the first record carries the others
    under ``"more"`` (score_files hands them on one by one)."""
    from . import api
    from .documents import REPORT_SUFFIX
    from .write.output import derived_name

    path, out = task[0], task[1]
    recs = []
    for name in names:
        result = api.evaluate_book(book, profile, name)
        source = f"{path}（工作表“{name}”）"
        rec = {"file": source, "result": result.as_dict(), "errors": result.errors, "hints": result.hints,
               "scored_error": None, "sheet": name}
        rec["result"]["file"] = source
        rec["result"]["sheet"] = name
        if out and not result.blocked:
            stem = Path(out).name.removesuffix(".scored.xlsx")
            rec.update(_write_scored(result, book, str(Path(out).with_name(derived_name(f"{stem}-{name}", ".scored.xlsx"))),
                                      profile))
        if len(task) > 2:
            report = Path(task[2])
            stem = report.name.removesuffix(REPORT_SUFFIX)
            rec.update(write_report_for(result, str(report.with_name(derived_name(f"{stem}-{name}", REPORT_SUFFIX))),
                                        profile))
        recs.append(rec)
    first = recs[0]
    first["first_sheet"] = True
    first["more"] = recs[1:]
    return first


def score_chunk(profile, tasks: list) -> list:
    """Records of ``tasks`` in order: the unit of work sent to a caller's executor. Module-level
    and plain-data in and out, so it pickles for a process pool or a Dask cluster."""
    return [score_one(t, profile) for t in tasks]


def _write_scored(result, book, out, profile=None) -> dict:
    from . import api
    from .write.output import OutputError, why_not_written

    try:
        api.write_scored_file(result, out, profile or _PROFILE, book=book)
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
    summary: Optional[str] = None  # the summary workbook written, if one was asked for
    totals: dict = field(default_factory=dict)  # the ``totals`` object of ``jixiao batch --json``
    duplicates: list = field(default_factory=list)  # [[file, ...]]: one project reported by several files
    mixed_years: Optional[str] = None  # the 说明 note when the batch sums several years
    reports: int = 0  # 自评报告 written (``reports_dir``)
    report_errors: list = field(default_factory=list)  # [(file, Chinese reason)]: reports not written
    brief: Optional[str] = None  # the district brief written (``brief``)
    brief_error: Optional[str] = None  # why the brief was not written

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


# Chunks of work a caller's executor holds at once: enough to keep a cluster of dozens of workers
# busy, few enough that finished records waiting for an earlier slow file stay a few MB.
EXECUTOR_WINDOW = 64


def _iter_executor(tasks: list, profile, executor):
    """Yield records in task order from chunks run on ``executor`` (any concurrent.futures.Executor).

    The pool is the caller's: we neither replace nor shut it down. A chunk whose future fails (a
    worker lost, a broken pool) costs its files, each reported with :data:`WORKER_DIED`."""
    from collections import deque

    chunks = [tasks[i:i + CHUNKSIZE] for i in range(0, len(tasks), CHUNKSIZE)]
    window: deque = deque()
    nxt = 0
    try:
        while window or nxt < len(chunks):
            while nxt < len(chunks) and len(window) < EXECUTOR_WINDOW:
                window.append((chunks[nxt], executor.submit(score_chunk, profile, chunks[nxt])))
                nxt += 1
            chunk, fut = window.popleft()
            try:
                recs = fut.result()
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # noqa: BLE001 - the executor lost the work, not a bad file
                recs = [{"file": t[0], "error": WORKER_DIED, "traceback": None} for t in chunk]
            yield from recs
    finally:  # Ctrl+C, or the consumer stopped: do not leave queued work on the caller's executor
        for _, fut in window:
            fut.cancel()


def _iter_results(tasks: list, profile, jobs: int, executor=None):
    """Yield records in task order. A worker killed by the OS (not an exception) only costs its file."""
    if executor is not None:
        yield from _iter_executor(tasks, profile, executor)
        return
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
    executor=None,
) -> BatchRun:
    """Score every planned file. Each record (scored or ``{"file", "error"}``) goes to ``on_record``
    in discovery order whatever finished first, so the outcome does not depend on ``plan.jobs``;
    without ``on_record`` the scored records are kept in :attr:`BatchRun.records`.
    ``progress(done, total, file)`` is called after each file. ``executor``: see :func:`run_batch`."""
    from .rules.profile import load_profile

    profile = profile or load_profile()
    run = BatchRun(files=plan.files, records=[], unreadable=[], skipped=plan.skipped, jobs=plan.jobs)
    total = len(plan.tasks)
    for i, rec in _each_record(_iter_results(plan.tasks, profile, plan.jobs, executor)):
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


NO_WORKBOOKS = "没有找到任何Excel自评工作簿（.xlsx/.xlsm/.xls），未生成汇总表。"


def run_time():
    """When the batch ran, for the summary's 说明 sheet; SOURCE_DATE_EPOCH fixes it so re-runs can be diffed."""
    import datetime as _dt

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).replace(tzinfo=None)
    return _dt.datetime.now().replace(microsecond=0)


def run_batch(
    inputs: Iterable,
    profile=None,
    jobs: Optional[int] = None,
    scored_dir=None,
    exclude: Iterable = (),
    progress: Optional[Callable[[int, int, str], None]] = None,
    on_record: Optional[Callable[[dict], None]] = None,
    *,
    summary=None,
    executor=None,
    started_at=None,
    on_start: Optional[Callable[[Plan], None]] = None,
    reports_dir=None,
    brief=None,
    labels: Optional[dict] = None,
    also_skipped: Iterable = (),
) -> BatchRun:
    """Score every workbook in ``inputs`` (files, and folders searched recursively), in a stable order.

    - ``summary``: path of the district summary workbook to write (atomically; an earlier summary
      there is replaced, any other file is refused with :class:`BatchUsageError`).
    - ``scored_dir``: also write each file's scored workbook into this folder.
    - ``jobs``: local worker processes (None: one for a small batch, every CPU for a large one).
    - ``executor``: any :class:`concurrent.futures.Executor` to run the per-file work instead of
      local processes, e.g. ``dask.distributed.Client(...).get_executor()``. Files go to it in
      chunks of :data:`CHUNKSIZE`; the summary is still written here, by one streaming writer.
      Every worker must be able to read the input paths (and write ``scored_dir``).
    - ``on_record(record)``: each per-file record (see :func:`score_one`), in discovery order;
      when given, records are streamed to it and not kept in :attr:`BatchRun.records`.
    - ``progress(done, total, file)`` after each file; ``on_start(plan)`` once the files are known
      and the summary can be written.
    - ``reports_dir``: also write each scored project's 自评报告 (.docx) into this folder;
      ``brief``: path of the district brief (.docx) written after the summary (both issue #14).
    - ``labels``: {input path: name to show} for the summary, the records and the progress (the web
      page shows an upload's own name, never its temporary path); ``also_skipped``: [(name, reason)]
      listed in 未能处理 beside what discovery skipped (e.g. an upload's lock files).

    Returns a :class:`BatchRun` with the counts, the unreadable and skipped files, and the
    ``--json`` totals, duplicate groups and mixed-year note. Raises :class:`BatchUsageError` (a
    Chinese sentence) when an input does not exist, the summary would overwrite another file, or
    there is nothing to summarise.
    """
    from .rules.profile import load_profile

    inputs = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)  # one folder, not its letters
    missing = [str(i) for i in inputs if not Path(i).exists()]
    if missing:
        raise BatchUsageError(f"用法错误：找不到输入文件或文件夹：{'、'.join(missing[:5])}。请检查路径。")
    if started_at is None:
        started_at = run_time()
    profile = profile or load_profile()
    if summary is not None:
        check_output(inputs, summary)
        exclude = [*exclude, summary]
    if brief is not None:
        exclude = [*exclude, brief]
    plan = plan_batch(inputs, scored_dir, exclude, jobs, reports_dir=reports_dir)
    if summary is None:
        return _run_without_summary(plan, profile, on_record, progress, executor, on_start, brief)
    if not plan.files:
        raise BatchUsageError(NO_WORKBOOKS)
    from .write.summary import SummaryWriter

    kept: list = []
    if labels and progress:
        progress = (lambda shown: lambda done, total, f: shown(done, total, labels.get(f, f)))(progress)
    with SummaryWriter(summary, profile, started_at, protect=plan.files) as sw:
        if on_start:
            on_start(plan)

        docs = Documents(brief is not None)

        def to_summary(rec):
            if labels:
                rec["file"] = labels.get(rec["file"], rec["file"])
                if "result" in rec:
                    rec["result"]["file"] = rec["file"]
            if "error" not in rec:
                sw.add(rec)
                docs.add(rec)
                if on_record is None:
                    kept.append(rec)
            if on_record is not None:
                on_record(rec)

        run = score_files(plan, profile, on_record=to_summary, progress=progress, executor=executor)
        if labels:
            run.unreadable = [(labels.get(f, f), why) for f, why in run.unreadable]
            run.skipped = [(labels.get(f, f), why) for f, why in run.skipped]
        run.skipped = list(also_skipped) + run.skipped
        sw.close(run.unreadable, run.skipped)
    run.records, run.summary = kept, str(summary)
    run.duplicates, run.mixed_years = sw.duplicates, sw.mixed_years
    run.totals = totals(sw.rows, len(run.files), len(run.unreadable), len(run.skipped), sw.duplicates)
    run.reports, run.report_errors = docs.reports, docs.report_errors
    if brief is not None:
        run.brief, run.brief_error = docs.write_brief(brief, profile, len(run.unreadable), plan.files)
    return run


def _run_without_summary(plan, profile, on_record, progress, executor, on_start, brief=None) -> BatchRun:
    """:func:`run_batch` without a summary workbook: the same totals and notes, from slim rows."""
    from .write.summary import YEARS_MIXED, duplicate_groups, slim, sort_key, year_note

    rows: list = []
    kept: list = []
    docs = Documents(brief is not None)

    def keep(rec):
        if "error" not in rec:
            rows.append(slim(rec))
            docs.add(rec)
            if on_record is None:
                kept.append(rec)
        if on_record is not None:
            on_record(rec)

    if on_start:
        on_start(plan)
    run = score_files(plan, profile, on_record=keep, progress=progress, executor=executor)
    run.records = kept
    rows.sort(key=sort_key)
    run.duplicates = duplicate_groups(rows)
    note = year_note(rows)
    run.mixed_years = note[1] if note and note[0] == YEARS_MIXED else None
    run.totals = totals(rows, len(run.files), len(run.unreadable), len(run.skipped), run.duplicates)
    run.reports, run.report_errors = docs.reports, docs.report_errors
    if brief is not None:
        run.brief, run.brief_error = docs.write_brief(brief, profile, len(run.unreadable), plan.files)
    return run


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
