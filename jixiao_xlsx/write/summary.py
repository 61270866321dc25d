"""The district summary workbook: the sheets the finance bureau reads after a batch.

Input is plain data (the records :mod:`jixiao_xlsx.batch` streams back), never a Result or a
DataFrame, so the summary of 5,000 files costs only its own rows.  Writers never score: every number
here is a number the scorer produced, except the batch totals (sums, and the rate of the sums).
The long sheets' rows are streamed to temporary files as worksheet XML (:mod:`rowstream`) and spliced
into the workbook xlsxwriter writes around them, so their size does not sit in memory.
"""
from __future__ import annotations

import sys
from typing import Optional

from ..model import ERROR, HINT
from .output import atomic_path, new_workbook
from .rowstream import RowStream, splice, xf_index
from .scored import KIND_NAMES, rule_text  # the scored workbook's words, so both sheets read alike
from .aggregates import (  # noqa: F401 - re-exported: batch, the CLI and tests import them from here
    NO_GRADE, YEARS_MIXED, _collate, _shown, _year, dec, difference, duplicate_groups, duplicate_message,
    grade_table, money_totals, ranking, sort_key, unit_table, year_counts, year_note,
)
from .summary_sheets import (  # noqa: F401 - re-exported
    ABOUT_COLUMNS, ABOUT_SHEET, CHART_SHEET, DUPLICATE_ADVICE, DUPLICATE_PROJECT, FAILED_COLUMNS, FAILED_READ,
    FAILED_SHEET, FAILED_SKIPPED, FINDING_COLUMNS, FINDINGS_SHEET, GRADE_COLOURS, GRADE_FONTS,
    GRADE_TABLE_COLUMNS, INDICATOR_COLUMNS, INDICATOR_SHEET, RANK_COLUMNS, RANK_SHEET, SCORED_WRITE_FAILED,
    SHEETS, SUMMARY_COLUMNS, SUMMARY_SHEET, TOTAL_LABEL, UNIT_TABLE_COLUMNS, _page, _write_about_sheet,
    _write_chart_sheet, _write_failed_sheet, _write_rank_sheet, _write_summary_sheet, _Writer,
)


def indicator_rows(rec: dict):
    """指标明细 rows of one scored record (long format, one row per indicator); numbers as the JSON
    numbers of ``as_dict`` (exact 2-decimal values; nothing is computed here)."""
    res = rec["result"]
    file, unit, project = rec["file"], res.get("unit"), res.get("project")
    for ind in res.get("indicators") or ():
        kind = ind.get("kind")
        yield (
            file, unit, project, ind.get("level1"), ind.get("level2"), ind.get("level3"),
            KIND_NAMES.get(kind, kind), ind.get("target"), ind.get("actual"), ind.get("weight"),
            ind.get("score"), ind.get("self_score"), rule_text(ind.get("rule")),
        )  # fmt: skip


def finding_rows(rec: dict):
    """问题清单 rows of one scored record: (file, unit, sheet, cell, severity, code, message)."""
    res = rec["result"]
    unit = res.get("unit") or ""
    for f in res.get("findings") or ():
        yield (rec["file"], unit, f["sheet"], f["cell"], f["severity"], f["code"], f["message"])
    if rec.get("scored_error"):
        yield (rec["file"], unit, "", "", ERROR, SCORED_WRITE_FAILED, rec["scored_error"])


def slim(rec: dict) -> dict:
    """The record without its indicator and finding lists: what 汇总/排名/图表 need (~1 KB)."""
    res = {k: v for k, v in rec["result"].items() if k not in ("indicators", "findings")}
    return {"file": rec["file"], "errors": rec["errors"], "hints": rec["hints"],
            "scored_error": rec.get("scored_error"), "result": res}  # fmt: skip


_NUMERIC = (9, 10, 11)  # weight, score, self score columns of INDICATOR_COLUMNS
MAX_ROW = 1_048_575  # last 0-based row of an Excel sheet; 指标明细 reaches it at ~50,000 files


class SummaryWriter:
    """Stream scored records into the summary workbook; only the slim 汇总 rows stay in memory.

    ``add(record)`` writes that file's 指标明细 and 问题清单 rows at once (a :class:`RowStream` keeps
    them in a temporary file), so 5,000 files x 20 indicators never sit in memory; ``close(unreadable,
    skipped)`` writes 汇总, 排名, 图表, 未能处理 and 说明, which need every file, from the slim rows.
    The workbook appears at ``out_path`` only after a successful close (atomic).

        with SummaryWriter(out, profile, started_at) as sw:
            for rec in records: sw.add(rec)
            sw.close(unreadable, skipped)
    """

    def __init__(self, out_path, profile, started_at, protect=()):
        self.out_path, self.profile, self.started_at = out_path, profile, started_at
        self.protect = list(protect)
        self.rows: list = []
        self._ctx = None
        self._closed = self._wb_closed = False

    def __enter__(self):
        self._ctx = atomic_path(self.out_path, protect=self.protect)
        tmp = self._tmp = str(self._ctx.__enter__())
        # the long sheets' rows go to RowStreams (spliced in at close); xlsxwriter holds only headers,
        # the totals row, the charts and the short sheets, so it works in memory
        wb = new_workbook(tmp)
        self.wb, self.w = wb, _Writer(wb)
        self.sheets = {name: wb.add_worksheet(name) for name in SHEETS}  # tab order
        self._ind_row = self._find_row = 0
        self.dropped = {INDICATOR_SHEET: 0, FINDINGS_SHEET: 0}  # rows beyond Excel's last row
        self.duplicates: list = []  # duplicate_groups of the batch, once closed
        self.mixed_years: Optional[str] = None  # the 说明 text when several years are summed, once closed
        ws = self.sheets[INDICATOR_SHEET]
        self.w.header(ws, 0, INDICATOR_COLUMNS, (30, 20, 24, 10, 14, 30, 8, 16, 16, 7, 7, 8, 14))
        ws.freeze_panes(1, 0)
        ws = self.sheets[FINDINGS_SHEET]
        self.w.header(ws, 0, FINDING_COLUMNS, (30, 20, 10, 8, 6, 28, 70))
        ws.freeze_panes(1, 0)
        err = xf_index(wb.add_format({"font_color": "#9C0006"}))
        self._ind = RowStream(INDICATOR_SHEET, len(INDICATOR_COLUMNS),
                              text_cols=(c for c in range(len(INDICATOR_COLUMNS)) if c not in _NUMERIC))
        self._find = RowStream(FINDINGS_SHEET, len(FINDING_COLUMNS))
        self._streams = [self._ind, self._find]
        self._ind_styles = tuple(xf_index(self.w.score) if c in _NUMERIC else 0 for c in range(len(INDICATOR_COLUMNS)))
        self._find_styles = (0,) * len(FINDING_COLUMNS)
        self._find_err_styles = tuple(err if c == 4 else 0 for c in range(len(FINDING_COLUMNS)))
        return self

    def add(self, rec: dict) -> None:
        """Write one scored record's 指标明细 and 问题清单 rows now; keep its slim 汇总 row.

        The hot loop of a large batch (~20 rows x 13 cells per file): the rows go to
        :class:`rowstream.RowStream` as XML, not through xlsxwriter cell by cell."""
        ind, styles = self._ind, self._ind_styles
        r = self._ind_row
        for row in indicator_rows(rec):
            if r >= MAX_ROW:
                self.dropped[INDICATOR_SHEET] += 1
                continue
            r += 1
            ind.write(r, row, styles)  # the stream writes any non-score value as text
        self._ind_row = r
        self._write_findings(finding_rows(rec))
        self.rows.append(slim(rec))

    def _write_findings(self, rows) -> None:
        """问题清单 rows ``(file, unit, sheet, cell, severity, code, message)``, up to Excel's last row."""
        find, r = self._find, self._find_row
        for row in rows:
            if r >= MAX_ROW:
                self.dropped[FINDINGS_SHEET] += 1
                continue
            r += 1
            find.write(r, [str(v) if v else None for v in row],
                       self._find_err_styles if row[4] == ERROR else self._find_styles)  # fmt: skip
        self._find_row = r

    def close(self, unreadable=(), skipped=()) -> str:
        w, sh, profile = self.w, self.sheets, self.profile
        records = sorted(self.rows, key=sort_key)
        unreadable, skipped = list(unreadable), list(skipped)
        groups = self.duplicates = self._flag_duplicates(records)
        for name, r, ncols in ((INDICATOR_SHEET, self._ind_row, len(INDICATOR_COLUMNS)),
                               (FINDINGS_SHEET, self._find_row, len(FINDING_COLUMNS))):  # fmt: skip
            sh[name].autofilter(0, 0, max(r, 1), ncols - 1)
            _page(sh[name])
        self._streams += [RowStream(SUMMARY_SHEET, len(SUMMARY_COLUMNS)), RowStream(RANK_SHEET, len(RANK_COLUMNS))]
        _write_summary_sheet(w, sh[SUMMARY_SHEET], records, profile, self._streams[-2])
        _write_rank_sheet(w, sh[RANK_SHEET], records, self._streams[-1])
        _write_chart_sheet(w, sh[CHART_SHEET], records, profile)
        _write_failed_sheet(w, sh[FAILED_SHEET], unreadable, skipped)
        notes = [
            (f"{name}未列出", f"{n}行超出Excel工作表的最大行数，未写入；完整数据请用 jixiao batch --json 导出。")
            for name, n in self.dropped.items()
            if n
        ]
        years = year_note(records)
        if years:
            notes.append(years)
            self.mixed_years = years[1] if years[0] == YEARS_MIXED else None
        if groups:
            notes.append(("疑似重复报送", f"{len(groups)}组共{sum(len(g) for g in groups)}个文件的实施单位、项目名称和年度相同，"
                                      f"合计把它们都计入了；{DUPLICATE_ADVICE}"))
        _write_about_sheet(w, sh[ABOUT_SHEET], records, unreadable, skipped, profile, self.started_at, notes)
        self.wb.close()
        self._wb_closed = True
        splice(self._tmp, self._streams)
        self._closed = True
        return str(self.out_path)

    def _flag_duplicates(self, records) -> list:
        """One 提示 row in 问题清单 per file of each :func:`duplicate_groups` group (after the rows
        streamed so far), counted in that file's 提示数."""
        groups = duplicate_groups(records)
        group_of = {f: g for g in groups for f in g}  # each group shared, not copied per file
        rows = []
        for rec in records:
            group = group_of.get(rec["file"])
            if group is not None:
                rec["hints"] += 1
                rows.append((rec["file"], rec["result"].get("unit"), "", "", HINT, DUPLICATE_PROJECT,
                             duplicate_message(group, rec["file"])))  # fmt: skip
        self._write_findings(rows)
        return groups

    def __exit__(self, et, ev, tb):
        try:
            if et is None and not self._closed:
                self.close()
        except BaseException:
            et, ev, tb = sys.exc_info()
            raise
        finally:
            if not self._wb_closed:
                try:
                    self.wb.close()  # the temporary workbook is dropped by atomic_path below
                except Exception:  # noqa: BLE001 - the original error matters, not this one
                    pass
            for stream in getattr(self, "_streams", ()):
                stream.close()
            self._ctx.__exit__(et, ev, tb)  # removes the temporary workbook unless all went well
        return False


def write_summary(records, unreadable, skipped, out_path, profile, started_at) -> str:
    """Write the summary workbook for a list of scored records (sorted here by 实施单位, 项目名称,
    源文件, also in 指标明细 and 问题清单) and return the path. ``unreadable``/``skipped``:
    [(file, Chinese reason)]."""
    records = sorted(records, key=sort_key)
    protect = [r["file"] for r in records] + [f for f, _ in unreadable]
    with SummaryWriter(out_path, profile, started_at, protect=protect) as sw:
        for rec in records:
            sw.add(rec)
        return sw.close(unreadable, skipped)
