"""The read stage's pipelining (issue #12), in one process: the batch loop with each file read by the
reader child only when it is needed ("serial") against ``open_books`` keeping the next file in flight
while this one is scored ("pipelined"). Prints wall and CPU ms per file of the caller and the reader
child, interleaved runs.

    python benchmarks/pipeline.py                  # 300 generated workbooks, 3 rounds
    python benchmarks/pipeline.py --n 1000 --rounds 5

Uses the workbooks of ``benchmarks/batch.py`` (generated into its --workdir when missing). Linux only
(the child's CPU time is read from /proc).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _child_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "jixiao-bench"))
    a = ap.parse_args()
    import batch as bench  # benchmarks/batch.py: the generator

    pool = Path(a.workdir) / "pool"
    bench.generate(pool, a.n)
    from jixiao_xlsx import batch, load_profile
    from jixiao_xlsx.read import isolate

    profile = load_profile()
    tasks = [(str(pool / f"{i:05d}.xlsx"), None) for i in range(a.n)]
    isolate.start()
    batch.score_one(tasks[0], profile)  # imports, the reader started, its memo warm
    modes = {
        "serial": lambda: [batch.score_one(t, profile) for t in tasks],
        "pipelined": lambda: list(batch._score_pipelined(tasks, profile)),
    }
    for r in range(a.rounds):
        for name, run in modes.items():
            pid = isolate.current_pid()
            c0, p0, t0 = _child_cpu(pid), time.process_time(), time.perf_counter()
            run()
            wall, cpu = time.perf_counter() - t0, time.process_time() - p0
            child = _child_cpu(pid) - c0
            print(f"{r + 1} {name:9s} wall {wall * 1000 / a.n:.2f}  caller CPU {cpu * 1000 / a.n:.2f}  "
                  f"reader CPU {child * 1000 / a.n:.2f} ms/file  (load {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
