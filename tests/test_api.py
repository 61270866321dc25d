"""The public library API: what `import jixiao_xlsx` offers, the README's library example run as
written, run_batch with and without a summary, pandas frames, and a Dask cluster as the executor."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stdout

import pytest

import jixiao_xlsx
from jixiao_xlsx import BatchUsageError, run_batch

STARTED = dt.datetime(2023, 11, 14, 22, 13, 20)


def _readme_blocks(repo_root) -> list:
    """The ```python blocks of README.md's "Library use" section."""
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    section = text.split("## Library use", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.fixture
def workdir(tmp_path, samples_dir, monkeypatch):
    """A copy of samples/ as the current folder, as the README example assumes."""
    shutil.copytree(samples_dir, tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_documented_names_are_exported():
    for name in ("evaluate_file", "run_batch", "load_profile", "write_scored_file", "write_template", "Result",
                 "Project", "Finding", "UnreadableFile", "CATALOGUE", "BatchRun", "OutputError"):
        assert name in jixiao_xlsx.__all__ and name in dir(jixiao_xlsx)
        obj = getattr(jixiao_xlsx, name)
        assert name == "CATALOGUE" or obj.__doc__, f"{name} has no docstring"
    with pytest.raises(AttributeError):
        jixiao_xlsx.no_such_name  # noqa: B018


def test_import_is_cheap():
    """`import jixiao_xlsx` loads no reader, scorer or writer (the command line's start-up)."""
    code = "import sys, jixiao_xlsx; print(sorted(m for m in sys.modules if m.startswith(('jixiao_xlsx.', 'xlsxwriter', 'python_calamine'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_readme_library_example_runs(workdir, repo_root):
    blocks = _readme_blocks(repo_root)
    assert len(blocks) == 3  # library, pandas, dask (the last needs a real scheduler: not run here)
    out = io.StringIO()
    with redirect_stdout(out):
        exec(compile(blocks[0], "README.md", "exec"), {})
    lines = out.getvalue().splitlines()
    # the 嘉禾街 sample: 100 points (README "Two commands"), one hint
    assert lines[0] == "100.00 优"
    assert lines[1].startswith("提示 ")
    # samples/district: 10 scored, 2 unreadable; rate = executed / budget = 1430.75 / 1655 = 0.86450... -> 0.8645
    assert lines[-1] == "10 2 0.8645"
    assert (workdir / "汇总.xlsx").is_file()


def test_readme_pandas_example_runs(workdir, repo_root):
    pytest.importorskip("pandas", reason="the pandas extra is not installed")
    out = io.StringIO()
    with redirect_stdout(out):
        exec(compile(_readme_blocks(repo_root)[1], "README.md", "exec"), {})
    grades, top = out.getvalue().splitlines()
    # the grades of samples/district as the batch --json totals give them: 优 6, 良 1, 中 1, 差 1 (one without a total)
    assert grades == "{'中': 1, '优': 6, '差': 1, '良': 1}"
    assert top in jixiao_xlsx.CATALOGUE


def test_run_batch_with_summary_matches_without(tmp_path, district_dir, national_profile):
    """The summary path and the plain path give the same totals; records are kept unless streamed."""
    with_summary = run_batch([district_dir], national_profile, summary=tmp_path / "s.xlsx", started_at=STARTED)
    plain = run_batch([district_dir], national_profile)
    assert with_summary.totals == plain.totals and plain.totals["found"] == 12
    assert with_summary.summary == str(tmp_path / "s.xlsx") and plain.summary is None
    assert [r["file"] for r in with_summary.records] == [r["file"] for r in plain.records]
    assert run_batch(district_dir, national_profile).totals == plain.totals  # one folder need not be a list
    seen = []
    streamed = run_batch([district_dir], national_profile, on_record=seen.append)
    assert streamed.records == [] and len(seen) == 12  # 10 scored + 2 unreadable, in discovery order
    assert [r["file"] for r in seen] == streamed.files


def test_run_batch_refusals_are_chinese_sentences(tmp_path, district_dir):
    with pytest.raises(BatchUsageError, match="找不到输入文件或文件夹"):
        run_batch([tmp_path / "没有这个文件夹"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(BatchUsageError, match="没有找到任何Excel自评工作簿"):
        run_batch([tmp_path / "empty"], summary=tmp_path / "s.xlsx")
    other = tmp_path / "别的.xlsx"
    other.write_bytes(b"not ours")
    with pytest.raises(BatchUsageError, match="不是 jixiao 生成的汇总表"):
        run_batch([district_dir], summary=other)
    assert other.read_bytes() == b"not ours"


def test_any_executor_gives_the_same_summary(tmp_path, district_dir, national_profile):
    """A thread pool stands for any Executor: the summary workbook is byte-identical to a local run."""
    local = tmp_path / "local.xlsx"
    pooled = tmp_path / "pooled.xlsx"
    run_batch([district_dir], national_profile, jobs=1, summary=local, started_at=STARTED)
    with ThreadPoolExecutor(3) as ex:
        run = run_batch([district_dir], national_profile, summary=pooled, started_at=STARTED, executor=ex)
    assert run.scored == 10 and len(run.unreadable) == 2
    assert pooled.read_bytes() == local.read_bytes()


class _LosingExecutor(ThreadPoolExecutor):
    """Loses the second chunk of work, as a cluster does when a worker dies."""

    def __init__(self):
        super().__init__(2)
        self.n = 0

    def submit(self, fn, *args):
        self.n += 1
        if self.n == 2:
            return super().submit(_raise)
        return super().submit(fn, *args)


def _raise():
    raise RuntimeError("worker lost")


def test_lost_work_costs_only_its_files(district_dir, national_profile):
    from jixiao_xlsx.batch import CHUNKSIZE, WORKER_DIED

    with _LosingExecutor() as ex:
        run = run_batch([district_dir], national_profile, executor=ex)
    lost = run.files[CHUNKSIZE:2 * CHUNKSIZE]  # 12 files: chunk 1 = files 0-7, chunk 2 = files 8-11
    assert len(lost) == 4
    assert [f for f, reason in run.unreadable if reason == WORKER_DIED] == lost
    assert run.scored + len(run.unreadable) == 12


def test_dask_local_cluster(tmp_path, district_dir, national_profile):
    """A Dask cluster's executor (threads in this process: the cluster starts in well under a second)."""
    distributed = pytest.importorskip("dask.distributed", reason='the dask extra is not installed (pip install ".[dask]")')
    local = tmp_path / "local.xlsx"
    run_batch([district_dir], national_profile, jobs=1, summary=local, started_at=STARTED)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:  # fmt: skip
        run = run_batch([district_dir], national_profile, summary=tmp_path / "dask.xlsx", started_at=STARTED,
                        executor=client.get_executor(), scored_dir=tmp_path / "scored")
    assert run.scored == 10 and len(run.unreadable) == 2
    assert (tmp_path / "dask.xlsx").read_bytes() == local.read_bytes()
    assert len(list((tmp_path / "scored").glob("*.scored.xlsx"))) == 9  # one of the 10 is blocked: no workbook


def test_spawned_worker_processes(tmp_path, district_dir, national_profile):
    """Worker processes started with ``spawn`` (Windows, macOS; a Dask worker process is the same):
    the work and the records cross a pickle boundary and nothing relies on os.fork."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    local = tmp_path / "local.xlsx"
    run_batch([district_dir], national_profile, jobs=1, summary=local, started_at=STARTED)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as ex:
        run = run_batch([district_dir], national_profile, summary=tmp_path / "spawn.xlsx", started_at=STARTED,
                        executor=ex)
    assert run.scored == 10 and len(run.unreadable) == 2
    assert (tmp_path / "spawn.xlsx").read_bytes() == local.read_bytes()


def test_frames(district_dir, national_profile):
    pytest.importorskip("pandas", reason="the pandas extra is not installed")
    from jixiao_xlsx.frames import to_frames

    run = run_batch([district_dir], national_profile)
    f = to_frames(run.records, run.unreadable)
    assert len(f.projects) == 10 and len(f.failed) == 2
    assert len(f.indicators) == sum(len(r["result"]["indicators"]) for r in run.records)
    assert len(f.findings) == sum(len(r["result"]["findings"]) for r in run.records)
    # the frame's money is the JSON's: budget 1655, executed 1430.75 (totals of batch --json)
    assert f.projects["budget_adjusted"].sum() == 1655
    assert f.projects["executed"].sum() == pytest.approx(1430.75)
    jiahe = f.projects[f.projects["file"].str.contains("嘉禾街")].iloc[0]
    assert (jiahe["total"], jiahe["grade"]) == (100, "优")


def test_frames_without_pandas_says_what_to_install(monkeypatch):
    from jixiao_xlsx import frames

    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now raises ImportError
    with pytest.raises(ImportError, match=r"pip install \"jixiao-xlsx\[pandas\]\""):
        frames.to_frames([])


def test_callbacks_for_a_progress_bar(tmp_path, district_dir, national_profile):
    """What the command line's progress bar hangs on: on_start(plan) once, then progress(done, total, file)."""
    calls = []
    run = run_batch([district_dir], national_profile, summary=tmp_path / "s.xlsx", started_at=STARTED,
                    on_start=lambda plan: calls.append(("start", len(plan.files))),
                    progress=lambda done, total, f: calls.append((done, total, f)))
    assert calls[0] == ("start", 12)
    assert calls[1:] == [(i, 12, f) for i, f in enumerate(run.files, 1)]
