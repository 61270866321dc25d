"""The reader process (read/isolate.py): calamine runs in a child started with ``spawn``; a crash or a
hang there costs one file, reported unreadable, and the next file reads in a new child."""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao_xlsx.cli import main
from jixiao_xlsx.read import isolate
from jixiao_xlsx.read.book import UnreadableFile, open_book
from jixiao_xlsx.read.refusal import DAMAGED_TEXT

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "jiahe-2022.xlsx"


def test_the_reader_is_a_spawned_child_process():
    book = open_book(SAMPLE)
    assert "绩效指标" in book.names
    reader = isolate._READER
    assert isinstance(reader.process, multiprocessing.context.SpawnProcess)
    assert isolate.current_pid() not in (None, os.getpid())
    pid = isolate.current_pid()
    open_book(SAMPLE)
    assert isolate.current_pid() == pid  # one long-lived child, not one per file


def test_a_crashed_reader_costs_its_file_only():
    open_book(SAMPLE)
    before = isolate.current_pid()
    isolate.crash_next_read_for_tests()  # the child ends abruptly, as on a calamine abort
    with pytest.raises(UnreadableFile) as e:
        open_book(SAMPLE)
    assert (e.value.reason, e.value.code) == (DAMAGED_TEXT, "FILE_READER_CRASHED")
    assert isolate.current_pid() is None  # the dead child is gone ...
    assert "绩效指标" in open_book(SAMPLE).names  # ... and the next file reads in a new one
    assert isolate.current_pid() not in (None, before)


def test_a_hanging_reader_is_replaced(monkeypatch):
    open_book(SAMPLE)
    before = isolate.current_pid()
    monkeypatch.setattr(isolate, "TIMEOUT", 1)
    isolate.crash_next_read_for_tests("hang")  # the child really never answers (no race with a fast one)
    with pytest.raises(UnreadableFile) as e:
        open_book(SAMPLE)
    assert e.value.code == "FILE_READ_TIMEOUT" and "超时" in e.value.reason
    monkeypatch.setattr(isolate, "TIMEOUT", 60)
    assert "绩效指标" in open_book(SAMPLE).names and isolate.current_pid() != before


def test_batch_reports_the_crashed_file_with_its_code_and_scores_the_rest(tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
        shutil.copy(SAMPLE, src / name)
    real, calls = isolate.read, []

    def crash_on_second(data, kind):
        calls.append(kind)
        if len(calls) == 2:
            isolate.crash_next_read_for_tests()
        return real(data, kind)

    monkeypatch.setattr(isolate, "read", crash_on_second)
    res = CliRunner().invoke(main, ["batch", str(src), "-o", str(tmp_path / "s.xlsx"), "-j", "1", "--json"])
    doc = json.loads(res.stdout)
    entries = {Path(f["file"]).name: f for f in doc["files"]}
    assert entries["b.xlsx"] == {"file": str(src / "b.xlsx"), "error": DAMAGED_TEXT, "code": "FILE_READER_CRASHED"}
    assert entries["a.xlsx"]["total"] is not None and entries["c.xlsx"]["total"] == entries["a.xlsx"]["total"]


def _read_in_worker(path: str) -> tuple:
    book = open_book(path)
    return os.getpid(), isolate.current_pid(), book.names


@pytest.mark.parametrize("method", ["spawn", "fork"] if hasattr(os, "fork") else ["spawn"])
def test_executor_workers_get_their_own_reader(method):
    """A worker of any executor reads through a reader of its own; a reader inherited through fork
    (the parent had one already) is never shared."""
    open_book(SAMPLE)
    mine = isolate.current_pid()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(method)) as ex:
        worker, reader, names = ex.submit(_read_in_worker, str(SAMPLE)).result(timeout=120)
    assert "绩效指标" in names
    assert worker != os.getpid() and reader not in (None, mine, worker)
    assert isolate.current_pid() == mine
    assert "绩效指标" in open_book(SAMPLE).names


def test_a_script_without_a_main_guard_can_read(tmp_path):
    """``spawn`` would re-run the caller's script in the reader child; an analyst's script that reads
    at top level (no ``if __name__ == "__main__":``) must still work."""
    import subprocess
    import sys

    script = tmp_path / "分析.py"
    script.write_text(f"from jixiao_xlsx.read.book import open_book\nprint(\"绩效指标\" in open_book({str(SAMPLE)!r}).names)\n",
                      encoding="utf-8")
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=str(ROOT))
    assert r.returncode == 0 and r.stdout.strip() == "True", r.stderr[-800:]


def test_daemonic_pool_workers_can_read():
    """multiprocessing.Pool workers (and Dask's) are daemonic, which may not start children; the
    reader starts anyway (it ends by itself when its worker's pipe closes)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        worker, reader, names = pool.apply(_read_in_worker, (str(SAMPLE),))
    assert "绩效指标" in names and reader not in (None, worker)


def test_the_reader_ends_when_its_owner_is_gone():
    """A reader whose pipe closes (its owner died without cleaning up) ends its loop and exits."""
    reader = isolate.Reader()
    assert "绩效指标" in [name for name, *_ in reader.read(SAMPLE.read_bytes(), "xlsx")[0]]
    reader._conn.close()
    reader.process.join(60)
    assert reader.process.exitcode == 0
