"""Time `jixiao batch --reports` per report (issue #14): the batch of samples/district with and
without --reports (and --brief), --jobs 1, best of ``--runs`` runs each, in a child process.

    python benchmarks/reports.py            # prints Markdown tables: the batch modes, write_report alone
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DISTRICT = ROOT / "samples" / "district"


def run(args, work: Path) -> float:
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    cmd = [sys.executable, "-m", "jixiao_xlsx", "batch", str(DISTRICT), "-o", str(out / "s.xlsx"), "--jobs", "1"]
    cmd += [a.replace("{out}", str(out)) for a in args]
    t = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="jixiao-bench-reports-"))
    try:
        modes = {"batch": [], "batch --reports": ["--reports", "{out}/reports"],
                 "batch --reports --brief": ["--reports", "{out}/reports", "--brief", "{out}/汇总分析.docx"]}
        run([], work)  # untimed: imports compiled, files in the page cache
        best = {m: min(run(args, work) for _ in range(a.runs)) for m, args in modes.items()}
        run(modes["batch --reports"], work)
        n = len(list((work / "out" / "reports").glob("*.docx")))
        print(f"reports written: {n}")
        print("| mode | wall s (best of %d) | extra ms per report |" % a.runs)
        print("|---|---|---|")
        for m, s in best.items():
            extra = (s - best["batch"]) * 1000 / n if m != "batch" else 0
            print(f"| `{m}` | {s:.2f} | {extra:.0f} |")
        # in process, imports paid: write_report alone, best of 5, per sample
        sys.path.insert(0, str(ROOT))
        from jixiao_xlsx.api import evaluate_file
        from jixiao_xlsx.write.report import write_report

        print("| sample | write_report ms (best of 5) |")
        print("|---|---|")
        for name in ("jiahe-2022", "under-executed-2022", "reverse-partly-2022", "poor-2022"):
            r = evaluate_file(str(ROOT / "samples" / f"{name}.xlsx"))
            times = []
            for _ in range(5):
                t = time.perf_counter()
                write_report(r, work / f"{name}.docx")
                times.append(time.perf_counter() - t)
            print(f"| {name} | {min(times) * 1000:.0f} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
