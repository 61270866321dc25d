"""Paired timing of `jixiao batch --jobs 1` over the N generated workbooks of benchmarks/batch.py,
for two or more source trees (issue #12: a speed trick stays only if its removal costs >= 10 %).

    python benchmarks/paired.py --n 1000 --rounds 3 /tmp/with /tmp/without

Each tree is a checkout of the package (a `git archive` of a commit will do); its `jixiao_xlsx`
is put first on PYTHONPATH of the timed child, so one venv times several versions. The trees are
run alternately, round after round (the machine is shared), and the best run of each is reported
in ms per file.
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


def run_once(tree: Path, folder: Path, out: Path) -> float:
    env = bench._child_env()
    env["PYTHONPATH"] = str(tree)
    p = subprocess.run(
        [sys.executable, str(HERE / "batch.py"), "--child", "jixiao", str(folder), str(out), "1"],
        capture_output=True, text=True, cwd=str(tree), env=env,
    )  # fmt: skip
    if p.returncode != 0:
        raise RuntimeError(p.stdout + p.stderr)
    return json.loads(p.stdout.strip().splitlines()[-1])["seconds"]


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
    times = {t: [] for t in trees}
    for r in range(a.rounds):
        for t in trees if r % 2 == 0 else trees[::-1]:
            s = run_once(t, folder, workdir / "paired-out")
            times[t].append(s)
            print(f"round {r + 1} {t.name}: {s * 1000 / a.n:.2f} ms/file", file=sys.stderr, flush=True)
    base = min(times[trees[0]])
    for t in trees:
        b = min(times[t])
        print(f"{t.name}\t{b * 1000 / a.n:.2f} ms/file\t{(b / base - 1) * 100:+.1f} %\t"
              + " ".join(f"{s * 1000 / a.n:.2f}" for s in times[t]))


if __name__ == "__main__":
    main()
