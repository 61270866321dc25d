"""`jixiao serve`: page load and single-workbook result after start-up, and a 1,000-file zip against
`jixiao batch` (issue #15).

    python benchmarks/web.py                      # page + single workbook + a 1,000-file zip (~4 minutes)
    python benchmarks/web.py --n 100 1000         # zip sizes
    python benchmarks/web.py --screenshot docs/img/web-page.png   # the README picture, then exit

The server runs as the clerk runs it (``python -m jixiao_xlsx serve --port 0`` in a child process);
the client is `requests` (HTTP times) and headless Debian Chromium through Playwright (what the clerk
waits for: navigation to the load event; file chosen to numbers on the screen). Each figure is the
median of ``--repeat`` runs, and the first (cold) request after start-up (3 s after it, while a clerk
would be choosing a file) is reported on its own; in the page, the time from the file input's change
event to the result shown is measured too (Playwright's own round trips excluded). The N workbooks
come from ``benchmarks/batch.py``'s generator; the zip through the page (upload, unzip, score,
summary, download) and ``jixiao batch`` on the same folder run interleaved, best of 3 each.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
JIAHE = ROOT / "samples" / "jiahe-2022.xlsx"
CHROMIUM = "/usr/bin/chromium"
WARM_UP_WAIT = 3.0  # a clerk needs a few seconds to choose a file; the server warms up meanwhile
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


class Child:
    """``jixiao serve --port 0`` in a child process; its URL read from the first line it prints."""

    def __init__(self):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.t0 = time.perf_counter()
        self.p = subprocess.Popen([sys.executable, "-m", "jixiao_xlsx", "serve", "--port", "0"], cwd=str(ROOT),
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        line = self.p.stdout.readline()
        self.started = time.perf_counter() - self.t0
        time.sleep(WARM_UP_WAIT)
        self.url = re.search(r"http://\S+/", line).group(0)
        import requests

        self.http = requests.Session()
        page = self.http.get(self.url).text
        self.token = json.loads(unescape(re.search(r'data-config="([^"]*)"', page).group(1)))["token"]

    def score(self, content: bytes, name="jiahe-2022.xlsx") -> dict:
        r = self.http.post(self.url + "api/score", files={"file": (name, content)}, headers={"X-Jixiao-Token": self.token})
        r.raise_for_status()
        return r.json()

    def close(self):
        self.p.terminate()
        self.p.wait(10)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def timed(fn, repeat: int) -> list:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def http_numbers(repeat: int) -> dict:
    import requests

    srv = Child()
    try:
        data = JIAHE.read_bytes()
        fresh = requests.Session()
        t = time.perf_counter()
        fresh.get(srv.url)  # the page's first load after start-up
        cold_page = time.perf_counter() - t
        t = time.perf_counter()
        srv.score(data)  # the first workbook after start-up: imports the reader, scorer and writer
        cold_score = time.perf_counter() - t

        def page():
            for path in ("", "static/app.js", "static/style.css"):
                srv.http.get(srv.url + path).raise_for_status()

        return {"start_s": round(srv.started, 2), "page_cold_ms": ms(cold_page),
                "page_ms": ms(statistics.median(timed(page, repeat))), "score_cold_ms": ms(cold_score),
                "score_ms": ms(statistics.median(timed(lambda: srv.score(data), repeat)))}
    finally:
        srv.close()


_WATCH = """() => {
    delete window.__shown;
    document.getElementById('single-input').addEventListener('change', () => { window.__chosen = performance.now(); },
                                                            {capture: true, once: true});
    const target = document.getElementById('single-result');
    new MutationObserver((m, obs) => {
        if (!target.hidden) { window.__shown = performance.now(); obs.disconnect(); }
    }).observe(target, {attributes: true});
}"""


def browser_numbers(repeat: int) -> dict:
    from playwright.sync_api import sync_playwright

    srv = Child()
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = b.new_page()
            loads, results, inpage = [], [], []
            for i in range(repeat + 1):
                t = time.perf_counter()
                page.goto(srv.url, wait_until="load")
                loads.append(time.perf_counter() - t)
                # in the page: from the file input's change event to the result table filled in
                page.evaluate(_WATCH)
                t = time.perf_counter()
                page.set_input_files("#single-input", str(JIAHE))
                page.wait_for_selector("#single-result:not([hidden])")
                assert page.text_content("#total") == "100.00"
                results.append(time.perf_counter() - t)
                page.wait_for_function("window.__shown !== undefined")
                inpage.append(page.evaluate("window.__shown - window.__chosen") / 1000)
            b.close()
        return {"browser_load_cold_ms": ms(loads[0]), "browser_load_ms": ms(statistics.median(loads[1:])),
                "browser_result_cold_ms": ms(results[0]), "browser_result_ms": ms(statistics.median(results[1:])),
                "in_page_result_cold_ms": ms(inpage[0]), "in_page_result_ms": ms(statistics.median(inpage[1:]))}
    finally:
        srv.close()


def zip_numbers(n: int, workdir: Path, k: int = 3) -> dict:
    from batch import generate, subset

    pool = workdir / "pool"
    generate(pool, n)
    folder = subset(workdir, pool, n)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f"各街道/{f.name}")
    data = buf.getvalue()

    out = workdir / f"web-cli-{n}.xlsx"
    cli_runs, web_runs, uploads = [], [], []
    srv = Child()
    try:
        srv.score(JIAHE.read_bytes())  # warm, as a clerk's server is
        for _ in range(k):  # interleaved, best of k each: the machine's load moves between runs
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "jixiao_xlsx", "batch", str(folder), "-o", str(out)],
                           cwd=str(ROOT), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            cli_runs.append(time.perf_counter() - t)
            t = time.perf_counter()
            r = srv.http.post(srv.url + "api/batch", files={"files": ("各街道.zip", data)},
                              headers={"X-Jixiao-Token": srv.token})
            jid = r.json()["id"]
            uploads.append(time.perf_counter() - t)
            while True:
                j = srv.http.get(srv.url + f"api/jobs/{jid}").json()
                if j["state"] in ("done", "failed"):
                    break
                time.sleep(0.05)
            summary = srv.http.get(srv.url + j["download"]["url"].lstrip("/")).content
            web_runs.append(time.perf_counter() - t)
            assert j["scored"] == n and summary[:2] == b"PK"
    finally:
        srv.close()
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import jixiao_xlsx.cli"], cwd=str(ROOT))
    start = time.perf_counter() - t  # interpreter start and imports, paid by the CLI only
    web, cli = min(web_runs), min(cli_runs)
    return {"n": n, "zip_mb": round(len(data) / 2**20, 1), "runs": k, "web_s": round(web, 2),
            "upload_unzip_s": round(min(uploads), 2), "web_ms_per_file": round(web * 1000 / n, 2),
            "cli_s": round(cli, 2), "cli_start_s": round(start, 2),
            "cli_ms_per_file": round((cli - start) * 1000 / n, 2),
            "all_web_s": [round(x, 1) for x in web_runs], "all_cli_s": [round(x, 1) for x in cli_runs]}


def screenshot(path: Path) -> None:
    """The README picture: 嘉禾街's result and a district summary, the page as a clerk sees it."""
    from playwright.sync_api import sync_playwright

    srv = Child()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            z = Path(tmp, "各街道自评表.zip")
            district = ROOT / "samples" / "district"
            with zipfile.ZipFile(z, "w") as zf:
                for f in sorted(district.rglob("*")):
                    if f.is_file() and f.suffix != ".py":
                        zf.write(f, f.relative_to(district))
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = b.new_page(viewport={"width": 1100, "height": 900}, locale="zh-CN")
                page.goto(srv.url)
                page.set_input_files("#single-input", str(JIAHE))
                page.wait_for_selector("#single-result:not([hidden])")
                page.set_input_files("#batch-input", str(z))
                page.wait_for_selector("#batch-downloads a", timeout=60_000)
                path.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(path), full_page=True)
                b.close()
    finally:
        srv.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="*", default=[1000], help="zip sizes (default 1000; none: skip)")
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "jixiao-bench"))
    ap.add_argument("--screenshot", type=Path, metavar="PNG")
    a = ap.parse_args()
    if a.screenshot:
        return screenshot(a.screenshot)
    res = {"load_before": [round(x, 1) for x in os.getloadavg()], "cpus": os.cpu_count()}
    res["http"] = http_numbers(a.repeat)
    if Path(CHROMIUM).exists():
        res["browser"] = browser_numbers(min(a.repeat, 10))
    workdir = Path(a.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    res["zip"] = [zip_numbers(n, workdir) for n in a.n]
    res["load_after"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(res, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
