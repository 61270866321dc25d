"""jixiao-xlsx: score project-expenditure performance self-evaluations (项目支出绩效自评) from Excel.

The library API (what ``jixiao check/score/batch`` call themselves)::

    from jixiao_xlsx import evaluate_file, run_batch

    result = evaluate_file("嘉禾街.xlsx")          # Result: total, grade, findings, indicators
    run = run_batch(["各街道自评表"], summary="汇总.xlsx")  # BatchRun: counts, totals, unreadable

Names are imported on first use (PEP 562), so ``import jixiao_xlsx`` and the command line start fast.
"""

__version__ = "0.1.0"

# public name -> (module, attribute); each documented where it is defined
_API = {
    # one workbook
    "evaluate_file": ("api", "evaluate_file"),
    "open_and_evaluate": ("api", "open_and_evaluate"),
    "write_scored_file": ("api", "write_scored_file"),
    "write_template": ("write.template", "write_template"),
    "load_profile": ("rules.profile", "load_profile"),
    # many workbooks
    "run_batch": ("batch", "run_batch"),
    "write_summary": ("write.summary", "write_summary"),
    "BatchRun": ("batch", "BatchRun"),
    # the finding catalogue
    "CATALOGUE": ("findings", "CATALOGUE"),
    "Code": ("findings", "Code"),
    "finding_codes": ("api", "finding_codes"),
    # domain objects
    "Result": ("model", "Result"),
    "Project": ("model", "Project"),
    "Finding": ("model", "Finding"),
    "IndicatorScore": ("model", "IndicatorScore"),
    "Profile": ("rules.profile", "Profile"),
    # errors (each carries a Chinese sentence for the user)
    "UnreadableFile": ("read.book", "UnreadableFile"),
    "ProfileError": ("rules.profile", "ProfileError"),
    "OutputError": ("write.output", "OutputError"),
    "BatchUsageError": ("batch", "BatchUsageError"),
}

__all__ = ["__version__", *_API]


def __getattr__(name):
    try:
        module, attr = _API[name]
    except KeyError:
        raise AttributeError(f"module 'jixiao_xlsx' has no attribute {name!r}") from None
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), attr)
    globals()[name] = value  # the next access skips this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_API))
