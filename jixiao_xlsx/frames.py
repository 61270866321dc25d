"""Batch results as pandas DataFrames, for analysts at the bureau (``pip install "jixiao-xlsx[pandas]"``).

Three long tables, one row per project, per indicator and per finding, with the keys of
``jixiao batch --json`` as column names (numbers as JSON numbers: exact 2-decimal scores, rates as
fractions), plus the files that could not be read. Built from the plain records that
:func:`jixiao_xlsx.run_batch` produces; nothing is scored here.

    from jixiao_xlsx.frames import batch_frames
    f = batch_frames(["各街道自评表"])
    f.projects.groupby("unit")["total"].mean()
"""
from __future__ import annotations

from typing import Iterable, NamedTuple

PANDAS_MISSING = '此功能需要 pandas：请运行 pip install "jixiao-xlsx[pandas]" 安装后重试。'

PROJECT_COLUMNS = (
    "file", "unit", "department", "project", "year", "budget_initial", "budget_adjusted", "executed", "rate",
    "execution", "output", "effect", "satisfaction", "total", "grade", "self_reported_total", "errors", "hints",
    "scored_error",
)  # fmt: skip
INDICATOR_COLUMNS = (
    "file", "unit", "project", "level1", "level2", "level3", "kind", "target", "actual", "weight", "score",
    "self_score", "rule",
)  # fmt: skip
FINDING_COLUMNS = ("file", "unit", "sheet", "cell", "severity", "code", "message")
FAILED_COLUMNS = ("file", "reason")


class Frames(NamedTuple):
    """The batch as DataFrames: ``projects``, ``indicators``, ``findings`` and ``failed``."""

    projects: "object"
    indicators: "object"
    findings: "object"
    failed: "object"


def _pandas():
    try:
        import pandas
    except ImportError as e:
        raise ImportError(PANDAS_MISSING) from e
    return pandas


def _project_row(rec: dict) -> tuple:
    r = rec["result"]
    b, s = r.get("budget") or {}, r.get("scores") or {}
    return (rec["file"], r.get("unit"), r.get("department"), r.get("project"), r.get("year"),
            b.get("initial"), b.get("adjusted"), b.get("executed"), b.get("rate"),
            s.get("execution"), s.get("output"), s.get("effect"), s.get("satisfaction"),
            r.get("total"), r.get("grade"), r.get("self_reported_total"), rec["errors"], rec["hints"],
            rec.get("scored_error"))  # fmt: skip


def to_frames(records: Iterable[dict], unreadable: Iterable = ()) -> Frames:
    """DataFrames of scored ``records`` (as :attr:`BatchRun.records` holds them) and ``unreadable``
    ``[(file, reason)]``. Raises ImportError with a Chinese message when pandas is not installed."""
    pd = _pandas()
    projects, indicators, findings = [], [], []
    for rec in records:
        projects.append(_project_row(rec))
        r = rec["result"]
        for i in r.get("indicators") or ():
            indicators.append((rec["file"], r.get("unit"), r.get("project"),
                               *(i.get(k) for k in INDICATOR_COLUMNS[3:])))  # fmt: skip
        for f in r.get("findings") or ():
            findings.append((rec["file"], r.get("unit"), *(f.get(k) for k in FINDING_COLUMNS[2:])))
        if rec.get("scored_error"):  # as the summary's 问题清单 lists it
            findings.append((rec["file"], r.get("unit"), "", "", "错误", "SCORED_WRITE_FAILED", rec["scored_error"]))
    return Frames(
        pd.DataFrame(projects, columns=list(PROJECT_COLUMNS)),
        pd.DataFrame(indicators, columns=list(INDICATOR_COLUMNS)),
        pd.DataFrame(findings, columns=list(FINDING_COLUMNS)),
        pd.DataFrame(list(unreadable), columns=list(FAILED_COLUMNS)),
    )


def batch_frames(inputs: Iterable, profile=None, **run_batch_args) -> Frames:
    """Run :func:`jixiao_xlsx.run_batch` on ``inputs`` (same keyword arguments, e.g. ``summary=``,
    ``executor=``; not ``on_record``, which would take the records away) and return its results as
    DataFrames. Duplicate reports are in the returned frames' ``projects`` (same unit, project,
    year); the summary workbook's 问题清单 flags them as DUPLICATE_PROJECT."""
    _pandas()  # say so before a long batch, not after it
    from .batch import run_batch

    run = run_batch(inputs, profile, **run_batch_args)
    return to_frames(run.records, run.unreadable)
