"""The offline copy's worth: a second visit's boot against the first, on a classroom's network, in one run.

    python build.py bench offline [--runs 3] [--mbps 10] [--latency-ms 40]

Each run opens a fresh browser context on a network throttled to `--mbps` (Chrome's own throttling, from the
DevTools protocol) and times navigation to `<body data-state="ready">`: the first visit (nothing cached), a second
visit with the offline copy (offline.js answers from Cache Storage), a second visit in a context whose service
workers are blocked (the browser's HTTP cache alone), and a visit with no network at all (the copy alone). The site
and its local Pyodide are served from 127.0.0.1; the throttling stands in for thirty laptops on one access point.
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

import build
from benchmarks.site import CHROMIUM_ARGS, RECORD_READY, local_pyodide, print_table


def visit_seconds(page, reload):
    """Seconds from navigation to ready for `page`, by `reload()`ing it."""
    reload()
    page.wait_for_function("window.readyAt !== undefined", timeout=300_000)
    return page.evaluate("window.readyAt") / 1000


def one_run(browser, url, mbps, latency_ms):
    """(first visit, second with the copy, second with the HTTP cache alone, offline) in seconds."""
    throttled = {"offline": False, "latency": latency_ms, "downloadThroughput": mbps * 125_000,
                 "uploadThroughput": mbps * 125_000}
    times = []
    for service_workers in ("allow", "block"):
        context = browser.new_context(service_workers=service_workers)
        try:
            page = context.new_page()
            page.add_init_script(RECORD_READY)
            context.new_cdp_session(page).send("Network.emulateNetworkConditions", throttled)
            first = visit_seconds(page, lambda: page.goto(url))
            if service_workers == "allow":
                times.append(first)
                page.wait_for_function("document.body.dataset.offline === 'kept'", timeout=300_000)
            times.append(visit_seconds(page, page.reload))
            if service_workers == "allow":
                context.set_offline(True)
                offline = visit_seconds(page, page.reload)
        finally:
            context.close()
    return times[0], times[1], times[2], offline


def main(argv=()):
    parser = argparse.ArgumentParser(prog="bench offline", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs, each with its four visits (default 3)")
    parser.add_argument("--mbps", type=float, default=10.0, help="the throttled download speed (default 10)")
    parser.add_argument("--latency-ms", type=float, default=40.0, help="the throttled latency (default 40)")
    args = parser.parse_args(argv)
    pyodide_dir = local_pyodide("offline")
    if pyodide_dir is None:
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as temporary:
        site = build.build(Path(temporary) / "site", pyodide_dir)
        server = build.make_server(site, quiet=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
                samples = [one_run(browser, f"http://127.0.0.1:{server.server_port}/", args.mbps, args.latency_ms)
                           for _ in range(args.runs)]
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    first, copy, http_cache, offline = (statistics.median(column) for column in zip(*samples))
    print(f"{args.mbps:g} Mbit/s, {args.latency_ms:g} ms latency; medians of {args.runs} runs")
    print_table([
        ("first visit, nothing cached", f"{first:.2f} s", ""),
        ("second visit, offline copy", f"{copy:.2f} s", f"{copy / first:.2f} of the first"),
        ("second visit, HTTP cache only", f"{http_cache:.2f} s", f"{http_cache / first:.2f} of the first"),
        ("visit with no network, offline copy", f"{offline:.2f} s", f"{offline / first:.2f} of the first"),
    ])
    for name, column in zip(("first", "copy", "http cache", "offline"), zip(*samples)):
        print(f"{name} samples (s): {', '.join(f'{sample:.2f}' for sample in column)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
