"""What the page keeps between requests: scored results to download and batch jobs with progress.

Everything shared between waitress threads lives in :class:`Store` behind one lock; each entry owns
a private temporary folder, removed when the entry expires, when too many are kept, or when the
server stops.  Batches run one at a time on a worker thread (a second waits, shown as 排队中): a
batch already uses every CPU, and the library's batch loop keeps a per-process profile.
"""
from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

KEEP_SECONDS = 2 * 3600  # a clerk may download the result a while after seeing it
KEEP_ENTRIES = 200


@dataclass
class Entry:
    """A scored workbook (kind "file") or a batch (kind "batch") and its private output folder."""

    id: str
    kind: str
    folder: Path
    label: str
    created: float = field(default_factory=time.time)
    result: object = None  # the library's Result (single file): later downloads (a report) use it
    outputs: dict = field(default_factory=dict)  # download kind -> path written
    pending: dict = field(default_factory=dict)  # download kind -> threading.Event set once written (or failed)
    failures: dict = field(default_factory=dict)  # download kind -> Chinese reason it could not be written
    # batch progress, read by the polling page
    state: str = "queued"  # queued / running / done / failed
    done: int = 0
    total: int = 0
    current: str = ""
    unreadable: list = field(default_factory=list)  # [(label, reason)]
    skipped: list = field(default_factory=list)
    scored: int = 0
    with_errors: int = 0
    error: str = ""

    def progress(self) -> dict:
        return {"id": self.id, "state": self.state, "done": self.done, "total": self.total, "current": self.current,
                "scored": self.scored, "with_errors": self.with_errors, "error": self.error,
                "unreadable": [{"file": f, "reason": r} for f, r in self.unreadable],
                "skipped": [{"file": f, "reason": r} for f, r in self.skipped]}


class Store:
    """Entries by unguessable id, under one lock; the root temporary folder of the whole server."""

    def __init__(self, root: Optional[str] = None):
        self.root = Path(root or tempfile.mkdtemp(prefix="jixiao-web-"))
        self.lock = threading.Lock()
        self.entries: dict = {}
        self.batch_lock = threading.Lock()  # one batch at a time
        self.threads: list = []  # background work writing into root

    def new_folder(self, prefix: str) -> str:
        return tempfile.mkdtemp(prefix=prefix, dir=self.root)

    def add(self, kind: str, label: str, result=None) -> Entry:
        """A new entry; a single workbook's is complete at once (state "done"), a batch's is queued."""
        e = Entry(secrets.token_urlsafe(16), kind, Path(self.new_folder("out-")), label, result=result,
                  state="done" if kind == "file" else "queued")
        with self.lock:
            self._expire()
            self.entries[e.id] = e
        return e

    def get(self, eid: str, kind: str) -> Optional[Entry]:
        with self.lock:
            e = self.entries.get(eid)
        return e if e is not None and e.kind == kind else None

    def update(self, e: Entry, **values) -> None:
        with self.lock:
            for k, v in values.items():
                setattr(e, k, v)

    def snapshot(self, e: Entry) -> dict:
        with self.lock:
            return e.progress()

    def _expire(self) -> None:
        now = time.time()
        old = [e for e in self.entries.values() if now - e.created > KEEP_SECONDS and e.state != "running"]
        extra = len(self.entries) - len(old) - KEEP_ENTRIES + 1
        if extra > 0:
            old += sorted((e for e in self.entries.values() if e not in old and e.state in ("done", "failed")),
                          key=lambda e: e.created)[:extra]
        for e in old:
            del self.entries[e.id]
            shutil.rmtree(e.folder, ignore_errors=True)

    def spawn(self, target, *args, name: str) -> threading.Thread:
        """Run ``target(*args)`` on a daemon thread that :meth:`close` waits for (writers, batches)."""
        t = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self.lock:
            self.threads = [x for x in self.threads if x.is_alive()] + [t]
        t.start()
        return t

    def close(self, wait: float = 30.0) -> None:
        """Remove every upload and output (the server stops), once the threads still writing into
        the folder have finished (at most ``wait`` seconds; a batch still running then fails)."""
        deadline = time.time() + wait
        with self.lock:
            self.entries.clear()
            threads = list(self.threads)
        for t in threads:
            t.join(max(0.0, deadline - time.time()))
        shutil.rmtree(self.root, ignore_errors=True)


def summarise(files: list, skipped: list, out: Path, profile, progress: Callable[[int, int, str], None],
              brief: Optional[Path] = None) -> dict:
    """THE batch call of the page: ``[(path, label)]`` -> summary workbook at ``out`` through
    :func:`jixiao_xlsx.batch.run_batch`, the library's batch (the same records, totals and sheets as
    ``jixiao batch``). ``skipped`` ``[(label, reason)]`` are the upload's members left out (lock files …),
    listed in 未能处理; labels replace the temporary paths everywhere. ``progress(done, total, label)``
    after each finished file; ``brief``: also the district brief (.docx) there. Returns counts, the
    unreadable files as ``[(label, reason)]`` and whether the brief was written."""
    from .. import batch as _batch

    labels = {str(p): lab for p, lab in files}
    run = _batch.run_batch([str(p) for p, _ in files], profile, summary=str(out), progress=progress,
                           on_record=lambda rec: None, labels=labels, also_skipped=skipped,
                           brief=str(brief) if brief else None)
    return {"scored": run.scored, "with_errors": run.with_errors, "unreadable": run.unreadable,
            "skipped": run.skipped, "brief": bool(run.brief)}
