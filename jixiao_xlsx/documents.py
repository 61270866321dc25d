"""The documents a batch writes beside its summary (issue #14): each scored project's 自评报告
(``jixiao batch --reports DIR``, written by the worker that scored it) and the district brief
(``--brief``, written once after the summary from a slim entry per project)."""
from __future__ import annotations

from pathlib import Path

from .inputs import SCORED_SUFFIX, scored_names


REPORT_SUFFIX = ".自评报告.docx"


def report_names(files: list) -> dict:
    """Input path -> report file name: the :func:`scored_names` name (never colliding, Windows-safe)
    with the report's suffix instead of ``.scored.xlsx``."""
    return {f: name[: -len(SCORED_SUFFIX)] + REPORT_SUFFIX for f, name in scored_names(files).items()}


def write_report_for(result, out, profile=None) -> dict:
    """Write one project's report; ``{"report": path}`` or ``{"report_error": Chinese reason}``."""
    from .write.output import OutputError, why_not_written
    from .write.report import ReportBlocked, write_report

    try:
        return {"report": write_report(result, out, profile)}
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


class Documents:
    """What ``reports_dir`` and ``brief`` need of each scored record: the reports the workers wrote,
    and the slim entry (~1 KB) the district brief is built from, kept instead of the whole record."""

    def __init__(self, want_brief: bool):
        self.want_brief = want_brief
        self.reports, self.report_errors, self.rows = 0, [], []

    def add(self, rec) -> None:
        if rec.get("report"):
            self.reports += 1
        elif rec.get("report_error"):
            self.report_errors.append((rec["file"], rec["report_error"]))
        if self.want_brief:
            from .write.brief import brief_entry

            self.rows.append(brief_entry(rec))

    def write_brief(self, out, profile, unreadable: int, inputs) -> tuple:
        """(path written, None) or (None, Chinese reason)."""
        from .write.brief import write_brief
        from .write.output import OutputError, why_not_written

        try:
            return str(write_brief(self.rows, out, profile, unreadable=unreadable, protect=inputs)), None
        except OutputError as e:
            return None, str(e)
        except OSError as e:
            return None, why_not_written(Path(out), e)
