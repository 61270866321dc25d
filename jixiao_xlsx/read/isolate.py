"""The reader process: calamine reads untrusted files in a child process, never in the caller's.

calamine can end the process it runs in (a Rust out-of-memory abort on a damaged .xls header, a
panic that is not caught): not an exception anyone can catch. So every workbook is read by a
long-lived child process started lazily with the ``spawn`` method (the one Windows has; no code path
here depends on ``fork``). :func:`read` sends it the file's bytes and the kind the guard found, and
gets back plain grids. If the child dies or does not answer in time, it is replaced and the file is
reported as :class:`~.refusal.UnreadableFile`; the next file reads in the new child. The CLI, the
batch's worker processes and any ``concurrent.futures`` executor get this without doing anything:
each process that opens a workbook owns one reader (a lock serialises threads), created on first use.
"""
from __future__ import annotations

import os
import sys
import threading
import types
from typing import Optional

from . import refusal as R
from .refusal import ASK_XLSX, DAMAGED_TEXT, UnreadableFile

TIMEOUT = 60  # seconds one file may take in the reader
CHILD_MEMORY = 1536 * 1024 * 1024  # extra address space the reader may use (Linux: RLIMIT_AS)


class Reader:
    """One reader child process and the pipe to it."""

    def __init__(self):
        import multiprocessing

        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self.process = ctx.Process(target=serve, args=(child,), name="jixiao-reader", daemon=True)
        _start_without_main(self.process)
        child.close()
        self.pid = os.getpid()  # the process that owns this reader (a forked copy must not use it)

    def read(self, data: bytes, kind: str, op: str = "read") -> tuple:
        """(sheets, scans) as :func:`.parse.read_workbook` returns them; raises UnreadableFile. After
        a crash or timeout this reader is finished (``alive`` is False)."""
        try:
            self._conn.send((op, kind, data))
            if not self._conn.poll(TIMEOUT):
                self.close()
                what = "该.xls文件" if kind == "xls" else "该文件"
                raise UnreadableFile(f"读取{what}超时，文件可能已损坏；" + ASK_XLSX, R.READ_TIMEOUT)
            status, value = self._conn.recv()
        except (EOFError, OSError, BrokenPipeError):  # the child died before answering
            self.close()
            raise UnreadableFile(DAMAGED_TEXT, R.READER_CRASHED)
        except BaseException:  # Ctrl+C while waiting: the answer in flight must not go to the next file
            self.close()
            raise
        if status == "ok":
            return value
        if status == "unreadable":
            raise UnreadableFile(*value)
        raise UnreadableFile(f"读取工作表时出错（{value}），文件可能已损坏，请重新保存后提交。", R.DAMAGED)

    @property
    def alive(self) -> bool:
        return self._conn is not None and self.process.is_alive()

    def close(self) -> None:
        """End the child (politely when it is idle: closing the pipe ends its loop)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


def _start_without_main(process) -> None:
    """Start ``process`` so that the child does not re-run the caller's main script.

    ``spawn`` normally imports the parent's ``__main__`` file in the child: a user's script calling
    :func:`open_book` at top level (no ``if __name__ == "__main__":``) would then try to start a reader
    from inside the reader and every file would come back unreadable; for the ``jixiao`` command it
    costs importing the whole CLI. The child needs nothing from ``__main__`` (its target lives in this
    module), so ``__main__`` is a bare module while the start-up data is taken."""
    import multiprocessing

    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    # a daemonic process (multiprocessing.Pool workers, Dask's) may not start children: the rule is
    # there so that none outlives it, and the reader ends on its own when its pipe closes
    config = multiprocessing.current_process()._config
    daemon = config.get("daemon")
    config["daemon"] = False
    try:
        process.start()
    finally:
        if main is not None:
            sys.modules["__main__"] = main
        if daemon is not None:
            config["daemon"] = daemon
        else:
            config.pop("daemon", None)


_LOCK = threading.Lock()
_READER: Optional[Reader] = None


def _after_fork_in_child() -> None:
    """A forked copy starts with a free lock and no reader: the parent's is the parent's (and the
    lock may have been held by a thread that does not exist in the copy)."""
    global _LOCK, _READER
    _LOCK, _READER = threading.Lock(), None


if hasattr(os, "register_at_fork"):  # POSIX; nothing forks on Windows
    os.register_at_fork(after_in_child=_after_fork_in_child)


def read(data: bytes, kind: str) -> tuple:
    """Read a workbook's bytes in this process's reader child, starting or replacing it as needed."""
    global _READER
    with _LOCK:
        reader = _READER
        if reader is None or reader.pid != os.getpid() or not reader.alive:
            reader = _READER = Reader()  # (a reader inherited through fork is left to its owner)
        op = "read"
        global _CRASH_NEXT
        if _CRASH_NEXT:
            op, _CRASH_NEXT = _CRASH_NEXT, ""
        return reader.read(data, kind, op)


def shutdown() -> None:
    """End this process's reader child, if any (it also ends with the process)."""
    global _READER
    with _LOCK:
        if _READER is not None and _READER.pid == os.getpid():
            _READER.close()
        _READER = None


_CRASH_NEXT = ""  # the test hook's next misbehaviour: "", "crash" or "hang"


def crash_next_read_for_tests(how: str = "crash") -> None:
    """Test hook: on the next request the reader child ends abruptly (``"crash"``, as a calamine abort
    would) or never answers (``"hang"``, as a read that loops would)."""
    global _CRASH_NEXT
    _CRASH_NEXT = how


def current_pid() -> Optional[int]:
    """The reader child's process id, or None before the first read (tests and diagnostics)."""
    r = _READER
    return r.process.pid if r is not None and r.alive else None


# -- the child ------------------------------------------------------------------------------------
def serve(conn) -> None:
    """The reader child's loop: one request at a time until the pipe closes."""
    from .parse import read_workbook
    import python_calamine  # noqa: F401 - imported before the memory cap is set

    _quiet_child()

    while True:
        try:
            op, kind, data = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if op == "crash":
            os._exit(70)
        if op == "hang":
            import time

            time.sleep(3600)
        try:
            reply = ("ok", read_workbook(data, kind))
        except UnreadableFile as e:
            reply = ("unreadable", (e.reason, e.code))
        except MemoryError:
            reply = ("unreadable", ("工作表内容过大，无法读取；请删除无关内容后重新保存提交。", R.CONTENT_TOO_LARGE))
        except BaseException as e:  # noqa: BLE001 - pyo3's PanicException and the like
            reply = ("error", type(e).__name__)
        del data
        try:
            conn.send(reply)
        except (OSError, EOFError):
            return


def _quiet_child() -> None:
    """A calamine panic prints a Rust backtrace on fd 2 and an abort a faulthandler dump: the clerk
    gets the Chinese message instead. Also cap memory so a runaway allocation fails fast."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    except OSError:
        pass
    import faulthandler

    faulthandler.disable()
    _limit_memory()


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm") as fh:
            current = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = current + CHILD_MEMORY
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except Exception:  # no /proc or no resource module (Windows, macOS): run without a cap
        pass
