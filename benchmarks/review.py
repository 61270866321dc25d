"""Benchmark of ``jixiao review`` (issue #16): how long 300 declaration sheets take.

    python benchmarks/review.py                    # 300 sheets: 30 files x 10 sheets and 300 files x 1 sheet
    python benchmarks/review.py --sheets 300 3000  # more sizes

Declarations are written with the declaration template (``write_declaration_template``), the sample
projects of ``samples/declarations`` repeated (clean and flawed, about 7 indicators each), into
``--workdir`` (default ``$TMPDIR/jixiao-review-bench``, kept between runs).  Each size is timed as the
whole command in a child process (``python -m jixiao_xlsx review DIR -o out.xlsx``: imports, reading,
checks and the review workbook), best of three, and split in process into reading (open_book) and
reviewing plus writing.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples" / "declarations"))

import make_declarations as MD  # noqa: E402

from jixiao_xlsx.declarations import review_files  # noqa: E402
from jixiao_xlsx.read.book import open_book  # noqa: E402
from jixiao_xlsx.rules.profile import load_profile  # noqa: E402
from jixiao_xlsx.write.declaration_template import write_declaration_template  # noqa: E402
from jixiao_xlsx.write.review import write_review  # noqa: E402


def build(folder: Path, n_sheets: int, per_file: int) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    files = sorted(folder.glob("*.xlsx"))
    if len(files) * per_file >= n_sheets:
        return files
    projects = MD.street_a()
    made, i = [], 0
    while i < n_sheets:
        batch = []
        for k in range(per_file):
            p = dict(projects[(i + k) % len(projects)])
            p["sheet"] = f"{p['sheet']}{i + k}"
            batch.append(p)
        out = folder / f"申报表{i // per_file:04d}.xlsx"
        write_declaration_template(out, batch, year=2024)
        made.append(out)
        i += per_file
    return made


def child(folder: Path, out: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "jixiao_xlsx", "review", str(folder), "-o", str(out)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - t


def in_process(folder: Path, out: Path) -> tuple:
    profile = load_profile()
    files = sorted(str(p) for p in folder.glob("*.xlsx"))
    t0 = time.perf_counter()
    for f in files:
        open_book(f)
    t1 = time.perf_counter()
    reviews = review_files(files, profile)
    write_review(out, reviews, profile)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, len(reviews)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, nargs="+", default=[300])
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "jixiao-review-bench"))
    args = ap.parse_args()
    work = Path(args.workdir)
    print("| sheets | files × sheets | whole command s (best of 3) | read s | read+review+write s | ms/sheet |")
    print("|---|---|---|---|---|---|")
    for n in args.sheets:
        for per_file in (10, 1):
            folder = work / f"n{n}-p{per_file}"
            build(folder, n, per_file)
            out = work / f"审核意见-{n}-{per_file}.xlsx"
            child(folder, out)  # untimed: page cache, bytecode
            whole = min(child(folder, out) for _ in range(3))
            read, rest, count = in_process(folder, out)
            print(f"| {count} | {n // per_file} × {per_file} | {whole:.2f} | {read:.2f} | {rest:.2f} | {1000 * whole / count:.1f} |")


if __name__ == "__main__":
    main()
