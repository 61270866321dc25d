"""Run the page's app with waitress (pure Python, multi-threaded, runs on Windows as on Linux)."""
from __future__ import annotations

import threading
from typing import Callable, Optional

from .app import create_app
from .jobs import Store
from .uploads import Limits

LOOPBACK = ("127.0.0.1", "localhost", "::1")
THREADS = 8  # several clerks' uploads (or one clerk's tabs) at once


def allowed_hosts(host: str, port: int) -> Optional[set]:
    """Host headers the app accepts: on the loopback only its own names (no DNS rebinding);
    on a LAN address any (the bureau chose to share it)."""
    if host not in LOOPBACK:
        return None
    return {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}


class Server:
    """A started (not yet serving) waitress server with its app and private temporary folder."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8765, limits: Optional[Limits] = None, profile=None,
                 debug: bool = False):
        from waitress import create_server

        self.store = Store()
        self._closed = False
        self._app_holder: dict = {}
        # port 0 means any free port: the app's Host check needs the real one, so build it lazily
        self.server = create_server(self._dispatch, host=host, port=port, threads=THREADS,
                                    max_request_body_size=(limits or Limits()).request_bytes + 1024 * 1024,
                                    ident="jixiao", clear_untrusted_proxy_headers=True)
        self.port = self.server.effective_port
        self.host = host
        self.app = create_app(limits, allowed_hosts(host, self.port), profile, self.store, debug=debug)
        self.store.spawn(self.app.extensions["jixiao"]["warm_up"], name="jixiao-warm-up")

    def _dispatch(self, environ, start_response):
        return self.app.wsgi_app(environ, start_response)

    @property
    def url(self) -> str:
        shown = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        if ":" in shown:
            shown = f"[{shown}]"
        return f"http://{shown}:{self.port}/"

    def serve_forever(self) -> None:
        try:
            self.server.run()
        finally:
            self.close()

    def start_thread(self) -> threading.Thread:
        """Serve on a daemon thread (tests, benchmarks); :meth:`close` stops it."""
        t = threading.Thread(target=self._run_quietly, name="jixiao-serve", daemon=True)
        t.start()
        return t

    def _run_quietly(self) -> None:
        try:
            self.server.run()
        except (OSError, ValueError):  # the sockets were closed under the loop by close()
            if not self._closed:
                raise

    def close(self) -> None:
        self._closed = True
        try:
            self.server.close()
        finally:
            self.store.close()


def open_later(url: str, opener: Callable[[str], object] = None) -> None:
    """Open the page in the default browser once the server is listening."""
    import webbrowser

    threading.Timer(0.5, opener or webbrowser.open, args=(url,)).start()
