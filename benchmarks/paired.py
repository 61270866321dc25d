"""Paired timing of `jixiao batch --jobs 1` over the N generated workbooks of benchmarks/batch.py,
for two or more source trees (issue #12: a speed trick stays only if its removal costs >= 10 %).

    python benchmarks/paired.py --n 1000 --rounds 3 /tmp/with /tmp/without

Each tree is a checkout of the package (a `git archive` of a commit will do); its `jixiao_xlsx`
is put first on PYTHONPATH of the timed child, so one venv times several versions. The first tree
is the reference: every other tree is run in pairs with it (the order alternating, the machine is
shared), and reported as the best run of each in ms per file (wall clock and CPU time) and as the
median of the pairs' CPU-time ratios.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import batch as bench  # noqa: E402


def run_once(tree: Path, folder: Path, out: Path) -> tuple:
    """(wall seconds, CPU seconds) of one `jixiao batch --jobs 1` of ``tree``. The CPU time (user +
    system of the child and of the reader process it waits for) is what a busy shared machine
    disturbs least; both are reported."""
    env = bench._child_env()
    env["PYTHONPATH"] = str(tree)
    with tempfile.TemporaryFile("w+") as so:
        p = subprocess.Popen(
            [sys.executable, str(HERE / "batch.py"), "--child", "jixiao", str(folder), str(out), "1"],
            stdout=so, stderr=subprocess.DEVNULL, cwd=str(tree), env=env,
        )  # fmt: skip
        _, status, ru = os.wait4(p.pid, 0)
        so.seek(0)
        text = so.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(text)
    res = json.loads(text.strip().splitlines()[-1])
    if res.get("exit", 0) != 0:
        raise RuntimeError(f"jixiao batch of {tree} ended with {res['exit']}")
    return res["seconds"], ru.ru_utime + ru.ru_stime


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trees", nargs="+")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "jixiao-bench"))
    a = ap.parse_args()
    workdir = Path(a.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    pool = workdir / "pool"
    bench.generate(pool, a.n)
    folder = bench.subset(workdir, pool, a.n)
    trees = [Path(t).resolve() for t in a.trees]
    for t in trees:  # untimed pass: compile each tree, page cache
        run_once(t, folder, workdir / "paired-out")
    ref, others = trees[0], trees[1:] or trees[:1]
    print("tree\tbest ms/file wall (ref, tree)\tbest ms/file CPU (ref, tree)\tCPU vs ref, best\tCPU vs ref, median of pairs")
    for t in others:  # each tree in pairs with the reference, the order alternating
        pairs = []
        for r in range(a.rounds):
            order = (ref, t) if r % 2 == 0 else (t, ref)
            got = {x: run_once(x, folder, workdir / "paired-out") for x in order}
            pairs.append((got[ref], got[t]))
            print(f"{t.name} round {r + 1}: ref {got[ref][0] * 1000 / a.n:.2f}/{got[ref][1] * 1000 / a.n:.2f}, "
                  f"tree {got[t][0] * 1000 / a.n:.2f}/{got[t][1] * 1000 / a.n:.2f} ms/file wall/CPU",
                  file=sys.stderr, flush=True)
        ms = [[min(p[i][k] for p in pairs) * 1000 / a.n for k in (0, 1)] for i in (0, 1)]
        ratios = sorted(p[1][1] / p[0][1] for p in pairs)
        median = ratios[len(ratios) // 2] if len(ratios) % 2 else sum(ratios[len(ratios) // 2 - 1:][:2]) / 2
        print(f"{t.name}\t{ms[0][0]:.2f}, {ms[1][0]:.2f}\t{ms[0][1]:.2f}, {ms[1][1]:.2f}\t"
              f"{(ms[1][1] / ms[0][1] - 1) * 100:+.1f} %\t{(median - 1) * 100:+.1f} %", flush=True)

if __name__ == "__main__":
    main()
