"""Benchmark of `jixiao batch` against the raw read floor and the naive pandas/openpyxl way (issue #3).

    python benchmarks/batch.py                       # N = 100 and 1000
    python benchmarks/batch.py --n 100 1000 5000     # the README table (5000 takes several minutes)
    python benchmarks/batch.py --profile 200         # cProfile of the per-file path, top functions

Generates N realistic filled workbooks from the project template (seeded random values, ~20
indicators each) once into --workdir, then times in the same run, each mode in its own child
process (so that peak memory is that mode's own, measured as the child's ru_maxrss, workers included):

  (a) raw floor: python-calamine reading every cell of every sheet, nothing else;
  (b) naive: pandas.read_excel(sheet_name=None) (default engine, openpyxl) plus an openpyxl
      load-and-save per file;
  (c) `jixiao batch DIR -o summary.xlsx` (the click command in-process) with --jobs 1 and with the
      default jobs; this includes discovery, scoring and writing the summary workbook, and the
      reader child process (read/isolate.py) that calamine runs in.

Times exclude the Python interpreter start but include each mode's imports. Files are in the page
cache (just generated), as for a bureau re-running a batch; one untimed pass over each folder comes
first, and (a) and (c) with --jobs 1 are each the best of three runs.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = 20220
UNITS = ["嘉禾", "京溪", "同和", "永平", "松洲", "景泰", "三元里", "新市", "石井", "均禾", "黄石", "棠景", "鹤龙", "金沙",
         "云城", "白云湖", "石门", "龙归", "松洲", "人和"]  # fmt: skip
PROJECTS = ["党建工作经费", "长者饭堂服务经费", "垃圾分类工作经费", "出租屋管理经费", "河涌保洁经费", "平安建设经费",
            "历史文化保护经费", "社区卫生服务补助", "工业园整治提升经费", "消防安全网格化管理经费"]  # fmt: skip
MET, PARTLY = "达成年度指标", "部分达成年度指标并具有一定效果"
COUNT_UNITS = ["个", "人次", "户", "场", "处", "家", "栋次"]


def _split(total: int, parts: int, rnd: random.Random) -> list:
    """``parts`` positive integers adding up to ``total``."""
    cuts = sorted(rnd.sample(range(1, total), parts - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


def _row(rnd, l1, l2, i, w):
    """One indicator: mostly met, sometimes short of target (with a note), several kinds."""
    kind = rnd.choices(["count", "pct", "reverse", "equal", "qual"], [5, 3, 1, 1, 2])[0]
    short = rnd.random() < 0.25
    note = "受疫情影响进度滞后，下一年度加快推进。" if short else ""
    base = dict(一级指标=l1, 二级指标=l2, 三级指标=f"{l2[:2]}指标{i}", 计量单位="", 完成档次="", 分值=w, 自评得分=None,
                偏差原因分析及改进措施=note)  # fmt: skip
    if kind == "count":
        a, u = rnd.randint(5, 5000), rnd.choice(COUNT_UNITS)
        b = int(a * rnd.uniform(0.6, 0.99)) if short else int(a * rnd.uniform(1.0, 1.2))
        return dict(base, 指标方向="正向", 年度指标值=f"≥{a}{u}", 实际完成值=f"{b}{u}")
    if kind == "pct":
        a = rnd.choice([80, 85, 90, 95, 98])
        b = round(a * rnd.uniform(0.7, 0.99), 1) if short else round(rnd.uniform(a, 100), 1)
        return dict(base, 指标方向="正向", 年度指标值=f"≥{a}%", 实际完成值=f"{b}%")
    if kind == "reverse":
        a = rnd.randint(10, 200)
        b = round(a * rnd.uniform(1.05, 1.5), 2) if short else round(a * rnd.uniform(0.8, 1.0), 2)
        return dict(base, 指标方向="反向", 年度指标值=f"≤{a}万元", 实际完成值=f"{b}万元")
    if kind == "equal":
        a = rnd.randint(1, 12)
        return dict(base, 指标方向="等于", 年度指标值=f"={a}个", 实际完成值=f"{a - 1 if short and a > 1 else a}个")
    return dict(base, 指标方向="定性", 年度指标值="按计划完成", 实际完成值="基本完成" if short else "已完成",
                完成档次=PARTLY if short else MET)  # fmt: skip


def workbook_data(i: int) -> dict:
    rnd = random.Random(SEED * 100_003 + i)
    unit = f"广州市白云区{rnd.choice(UNITS)}街道办事处"
    budget = round(rnd.uniform(10, 500), 2)
    executed = round(budget * rnd.uniform(0.6, 1.0), 2)
    plan = round(budget * 0.6, 2)
    inds = []
    for l1, l2s, total, n in (("产出指标", ["数量指标", "质量指标", "时效指标", "成本指标"], 50, 10),
                              ("效益指标", ["社会效益指标", "经济效益指标", "可持续影响指标"], 30, 6),
                              ("满意度指标", ["服务对象满意度指标"], 10, 3)):  # fmt: skip
        for j, w in enumerate(_split(total, n, rnd)):
            inds.append(_row(rnd, l1, l2s[j % len(l2s)], len(inds) + 1, w))
    return {
        "info": {"项目名称": f"2022年{rnd.choice(PROJECTS)}（{i:05d}）", "主管部门": unit, "实施单位": unit, "年度": 2022,
                 "自评总分": rnd.choice([None, 100, 95, 90])},
        "funds": {"年度资金总额": (budget, budget, executed), "当年财政拨款": (budget, budget, executed)},
        "allocations": [
            {"用途": "专项服务采购", "拨付对象": "服务机构", "计划金额": plan, "实际金额": round(executed * 0.6, 2), "说明": ""},
            {"用途": "日常运行", "拨付对象": unit, "计划金额": round(budget - plan, 2),
             "实际金额": round(executed - round(executed * 0.6, 2), 2), "说明": ""},
        ],
        "indicators": inds,
    }  # fmt: skip


def _gen(args):
    from jixiao_xlsx.write.template import write_template

    folder, lo, hi = args
    for i in range(lo, hi):
        write_template(Path(folder, f"{i:05d}.xlsx"), workbook_data(i))


def generate(pool: Path, n: int) -> None:
    """Write workbooks 0..n-1 into ``pool`` (kept across runs; only the missing ones are written)."""
    from concurrent.futures import ProcessPoolExecutor

    pool.mkdir(parents=True, exist_ok=True)
    have = sum(1 for i in range(n) if Path(pool, f"{i:05d}.xlsx").exists())
    if have == n:
        return
    todo = [i for i in range(n) if not Path(pool, f"{i:05d}.xlsx").exists()]
    chunks = [(str(pool), todo[k], todo[min(k + 200, len(todo)) - 1] + 1) for k in range(0, len(todo), 200)]
    t = time.perf_counter()
    with ProcessPoolExecutor() as ex:
        list(ex.map(_gen, chunks))
    print(f"generated {len(todo)} workbooks in {time.perf_counter() - t:.1f} s", file=sys.stderr)


def subset(workdir: Path, pool: Path, n: int) -> Path:
    """A folder holding exactly the first n workbooks (hard links into the pool)."""
    d = workdir / f"n{n}"
    d.mkdir(exist_ok=True)
    for i in range(n):
        dst = d / f"{i:05d}.xlsx"
        if not dst.exists():
            os.link(pool / f"{i:05d}.xlsx", dst)
    return d


# -- the modes, each run in a child process --------------------------------------------------------


def mode_raw(folder: Path, out: Path, jobs):
    import python_calamine as pc

    cells = 0
    for f in sorted(folder.iterdir()):
        wb = pc.CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python())
        wb.close()
    return {"cells": cells}


def mode_naive(folder: Path, out: Path, jobs):
    import openpyxl
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    rows = 0
    for f in sorted(folder.iterdir()):
        frames = pd.read_excel(f, sheet_name=None)
        rows += sum(len(df) for df in frames.values())
        wb = openpyxl.load_workbook(f)
        wb.save(out / f.name)
    return {"rows": rows}


def mode_jixiao(folder: Path, out: Path, jobs):
    from jixiao_xlsx.cli import main

    args = ["batch", str(folder), "-o", str(out / "summary.xlsx")]
    if jobs:
        args += ["--jobs", str(jobs)]
    out.mkdir(parents=True, exist_ok=True)
    try:
        main(args, standalone_mode=False)
    except SystemExit as e:
        return {"exit": e.code}
    return {"exit": 0}


MODES = {"raw": mode_raw, "naive": mode_naive, "jixiao": mode_jixiao}


def child(mode: str, folder: str, out: str, jobs: str):
    t = time.perf_counter()
    extra = MODES[mode](Path(folder), Path(out), int(jobs) if jobs != "-" else None)
    extra["seconds"] = time.perf_counter() - t
    print(json.dumps(extra))


def _child_env() -> dict:
    """The children run as an installed tool does: with compiled bytecode (a machine that sets
    PYTHONDONTWRITEBYTECODE would otherwise recompile the package in every child, ~30 ms)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def warm_up() -> None:
    """Compile every module the modes import once, before anything is timed."""
    code = "import python_calamine, openpyxl, pandas, xlsxwriter, tqdm, jixiao_xlsx.cli, jixiao_xlsx.batch, " \
           "jixiao_xlsx.write.summary, jixiao_xlsx.api, jixiao_xlsx.read.template, jixiao_xlsx.read.official, jixiao_xlsx.write.scored"
    subprocess.run([sys.executable, "-c", code], cwd=str(ROOT), env=_child_env(), check=True)


def measure(mode: str, folder: Path, out: Path, jobs=None) -> dict:
    """Run one mode in a child process; its time, and its peak RSS (MB) including any workers."""
    with tempfile.TemporaryFile("w+") as so:
        p = subprocess.Popen(
            [sys.executable, __file__, "--child", mode, str(folder), str(out), str(jobs or "-")],
            stdout=so, stderr=subprocess.DEVNULL, cwd=str(ROOT), env=_child_env(),
        )  # fmt: skip
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        text = so.read()
    if p.returncode != 0:
        raise RuntimeError(f"{mode} failed ({p.returncode}): {text}")
    res = json.loads(text.strip().splitlines()[-1])
    res["peak_mb"] = ru.ru_maxrss / 1024  # KiB on Linux
    # CPU seconds of the run and every process it waited for (workers, the reader child): on a shared
    # machine the wall time follows the load, the CPU time much less
    res["cpu_s"] = ru.ru_utime + ru.ru_stime
    return res


def best(k: int, *args) -> dict:
    """The fastest of ``k`` runs of :func:`measure` (its peak memory the largest seen)."""
    runs = [measure(*args) for _ in range(k)]
    out = dict(min(runs, key=lambda r: r["seconds"]))
    out["peak_mb"] = max(r["peak_mb"] for r in runs)
    out["cpu_s"] = min(r["cpu_s"] for r in runs)
    return out


def machine() -> str:
    model = platform.processor() or ""
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs, {model}, Python {platform.python_version()}, {platform.system()}"


def run(ns, workdir: Path, naive_max: int):
    from jixiao_xlsx.batch import auto_jobs

    pool = workdir / "pool"
    generate(pool, max(ns))
    warm_up()
    print(f"machine: {machine()}\n")
    head = ("N", "(a) raw ms/file", "(b) naive ms/file", "(c) jobs=1 ms/file", "(c) default jobs ms/file",
            "(c1)/(a)", "(b)/(c1)", "peak MB (a)", "peak MB (b)", "peak MB (c1)", "peak MB (c default)",
            "(c1) CPU ms/file")  # fmt: skip
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for n in ns:
        folder = subset(workdir, pool, n)
        out = workdir / f"out{n}"
        # The first pass over a folder pays for its directory entries and cold caches: whichever mode
        # came first looked slower (the floor by up to 30 %, which flattered (c1)/(a)). So one untimed
        # pass first, then the floor and jobs=1 — the two sides of the ratio — as the best of three.
        measure("raw", folder, out)
        a = best(3, "raw", folder, out)
        b = measure("naive", folder, out / "naive") if n <= naive_max else None
        c1 = best(3, "jixiao", folder, out / "j1", 1)
        cd = measure("jixiao", folder, out / "jd")
        ms = lambda r: r["seconds"] * 1000 / n  # noqa: E731
        cells = [
            str(n), f"{ms(a):.2f}", f"{ms(b):.1f}" if b else "—", f"{ms(c1):.2f}",
            f"{ms(cd):.2f} (jobs={auto_jobs(n)})", f"{ms(c1) / ms(a):.1f}×", f"{ms(b) / ms(c1):.1f}×" if b else "—",
            f"{a['peak_mb']:.0f}", f"{b['peak_mb']:.0f}" if b else "—", f"{c1['peak_mb']:.0f}", f"{cd['peak_mb']:.0f}",
            f"{c1['cpu_s'] * 1000 / n:.2f}",
        ]  # fmt: skip
        print("| " + " | ".join(cells) + " |", flush=True)
    # what every batch pays once (imports, the rules profile, the summary's sheets and charts): it is
    # (c1)'s share of the small-N rows, and what separates them from the per-file cost
    one = subset(workdir, pool, 1)
    fixed = min(measure("jixiao", one, workdir / "out1" / "j1", 1)["seconds"] for _ in range(3)) * 1000
    print(f"\nfixed cost: `jixiao batch --jobs 1` of one file takes {fixed:.0f} ms (best of 3)", flush=True)


def profile_per_file(workdir: Path, n: int, top: int = 25):
    """cProfile of api.evaluate_file over n generated workbooks (the per-file path of a batch)."""
    import cProfile
    import pstats

    from jixiao_xlsx import api
    from jixiao_xlsx.rules.profile import load_profile

    pool = workdir / "pool"
    generate(pool, n)
    files = [str(pool / f"{i:05d}.xlsx") for i in range(n)]
    prof = load_profile()
    api.evaluate_file(files[0], prof)
    t = time.perf_counter()
    for f in files:
        api.evaluate_file(f, prof)
    print(f"evaluate_file: {(time.perf_counter() - t) * 1000 / n:.2f} ms/file without profiler\n")
    pr = cProfile.Profile()
    pr.enable()
    for f in files:
        api.evaluate_file(f, prof)
    pr.disable()
    st = pstats.Stats(pr)
    st.sort_stats("cumulative").print_stats(top)
    st.sort_stats("tottime").print_stats(top)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        return child(*sys.argv[2:6])
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[100, 1000], help="batch sizes (default 100 1000)")
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "jixiao-bench"),
                    help="where the generated workbooks are kept between runs")  # fmt: skip
    ap.add_argument("--naive-max", type=int, default=5000, help="skip the (slow) naive mode above this N")
    ap.add_argument("--profile", type=int, metavar="N", help="profile the per-file path over N workbooks instead")
    a = ap.parse_args()
    workdir = Path(a.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if a.profile:
        return profile_per_file(workdir, a.profile)
    run(a.n, workdir, a.naive_max)


if __name__ == "__main__":
    main()
