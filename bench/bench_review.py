"""The review page of the 81-minute interview in headless Chromium: first render, memory, scrolling.

    .venv/bin/python bench/bench_review.py [--wheel 300] [--screenshot bench/_work/review.png]

Needs playwright's pip package and the system Chromium (Debian's ``chromium``). Builds two pages of
``samples/tucker_lavrov.txt`` (1,050 cues, no media): as ``captionkit review`` writes it, and the same with
a synthetic 81-minute audio envelope (100 points/s, min/max) and speech layer, as a page made with media
would carry. For each page:

  first render   ms from navigation start until the page has drawn its timeline and list (the script
                 marks it in the frame after its first draw), and Chromium's first contentful paint
  memory         JS heap in use (CDP Performance.getMetrics), DOM nodes, and the renderer process's private
                 memory (RssAnon), against a blank page's
  scrolling      N wheel events over the timeline (sideways: scroll; then N/3 vertical: zoom), the frames
                 the page drew meanwhile per second, and the time each timeline draw took

Target (issue 15): under 1 s to first render and under 200 MB for 1,000 cues. Also writes the README
picture: the seed's review at the repaired exchange near 00:43 (``--screenshot``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from toolkit.pipeline import ConvertOptions, convert_file  # noqa: E402
from toolkit.review import Envelope, build_review, page_result  # noqa: E402

SEED = ROOT / "samples" / "tucker_lavrov.txt"
WORK = HERE / "_work"
TARGET_MS, TARGET_MB = 1000.0, 200.0


def synthetic_envelope(duration_ms: int, cues: list[tuple[int, int]]) -> tuple[Envelope, list[list[int]]]:
    """Speech-like noise under the cues and near-silence between them, 100 points/s."""
    rng = np.random.default_rng(15)
    n = duration_ms // 10
    level = np.full(n, 3.0)
    for s, e in cues:
        level[s // 10 : e // 10] = 70.0
    level *= 0.6 + 0.4 * np.abs(np.sin(np.arange(n) / 7.0))
    hi = np.clip(level * rng.uniform(0.4, 1.0, n), 0, 127).astype(np.int8)
    lo = np.clip(-level * rng.uniform(0.4, 1.0, n), -127, 0).astype(np.int8)
    return Envelope(100, lo.tobytes(), hi.tobytes()), [[s, e] for s, e in cues]


def renderer_rss_mb() -> float:
    """Private memory (RssAnon: the heap, DOM, canvas and typed arrays, not the mapped Chromium binary) of
    the Chromium renderer processes started under this process."""
    parent: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
                parent[int(d)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    me, total = os.getpid(), 0
    for pid in parent:
        p, seen = pid, 0
        while p in parent and p != me and seen < 20:
            p, seen = parent[p], seen + 1
        if p != me:
            continue
        try:
            if b"--type=renderer" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def measure(browser: Any, path: Path, wheel: int) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    t = time.perf_counter()
    page.goto(path.as_uri())
    page.wait_for_function("() => window.__review && window.__review.ready")
    wall = (time.perf_counter() - t) * 1000
    first = page.evaluate("__review.firstRenderMs")
    fcp = page.evaluate(
        "(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime"
    )
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    heap_mb = metrics["JSHeapUsedSize"] / 2**20
    rss = renderer_rss_mb()

    box = page.locator("#tl").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 120)
    page.evaluate("__review.setView(0, 120000); __review.renderTimes.length = 0")
    page.wait_for_function("() => __review.view().t0 === 0")
    before = page.evaluate("[performance.now(), __review.frames, __review.draws]")
    for i in range(wheel):
        page.mouse.wheel(240, 0)  # sideways: scroll
        if i % 3 == 0:
            page.mouse.wheel(0, -60 if (i // 3) % 2 else 60)  # zoom in and out
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    after = page.evaluate("[performance.now(), __review.frames, __review.draws]")
    draws = page.evaluate("__review.renderTimes")
    view = page.evaluate("__review.view()")
    secs = (after[0] - before[0]) / 1000
    metrics2 = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    context.close()
    if errors:
        print(f"  console errors: {errors[:3]}")
    return {
        "wall_ms": wall,
        "first_render_ms": first,
        "fcp_ms": fcp,
        "heap_mb": heap_mb,
        "heap_after_mb": metrics2["JSHeapUsedSize"] / 2**20,
        "nodes": metrics["Nodes"],
        "renderer_rss_mb": rss,
        "scroll_s": secs,
        "fps": (after[1] - before[1]) / secs if secs else 0.0,
        "draws_per_s": (after[2] - before[2]) / secs if secs else 0.0,
        "draw_mean_ms": statistics.fmean(draws) if draws else 0.0,
        "draw_p95_ms": sorted(draws)[int(0.95 * (len(draws) - 1))] if draws else 0.0,
        "draw_max_ms": max(draws) if draws else 0.0,
        "view_end_s": (view["t0"] + view["span"]) / 1000,
        "bytes": path.stat().st_size,
    }


def screenshot(browser: Any, path: Path, out: Path) -> None:
    """The seed's review at the repaired exchange: the first removed duplicate selected, 42:00-44:00."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("() => window.__review && window.__review.ready")
    page.evaluate(
        "__review.selectFinding(__review.data.findings.findIndex(f => f.code === 'T002'));"
        "__review.setView(42 * 60000, 120000)"
    )
    page.wait_for_function("() => __review.view().t0 === 42 * 60000")
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    out.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(out))
    context.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", type=int, default=300, help="wheel events to scroll with (default 300)")
    ap.add_argument("--screenshot", type=Path, default=WORK / "review.png")
    args = ap.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright is not installed (.venv/bin/pip install playwright)", file=sys.stderr)
        return 2
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        print("no system Chromium (apt-get install chromium)", file=sys.stderr)
        return 2

    WORK.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    result = convert_file(SEED, ConvertOptions())
    plain = WORK / "review_seed.html"
    plain.write_text(build_review(result, media=None, out_path=str(plain)), encoding="utf-8")
    build_ms = (time.perf_counter() - t) * 1000
    duration = max(c.end_ms for c in result.cues) + 5000
    env, speech = synthetic_envelope(duration, [(c.start_ms, c.end_ms) for c in result.cues])
    enveloped = WORK / "review_seed_envelope.html"
    enveloped.write_text(
        build_review(result, media=None, out_path=str(enveloped), audio_envelope=env, speech=speech),
        encoding="utf-8",
    )
    found = len(page_result(result)[1].findings)
    print(
        f"{SEED.name}: {len(result.cues)} cues, {len(result.turns)} turns, {found} findings; "
        f"converted and built in {build_ms:.0f} ms"
    )

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=exe, headless=True, args=["--no-sandbox", "--enable-precise-memory-info"]
        )
        try:
            blank = WORK / "blank.html"
            blank.write_text("<!DOCTYPE html><title>blank</title><p>blank", encoding="utf-8")
            context = browser.new_context()
            context.new_page().goto(blank.as_uri())
            base_mb = renderer_rss_mb()
            context.close()
            rows = [
                ("no media", measure(browser, plain, args.wheel)),
                (f"+ envelope {len(env.lo):,} pts", measure(browser, enveloped, args.wheel)),
            ]
            screenshot(browser, plain, args.screenshot)
        finally:
            browser.close()

    print(
        f"\n{'page':<26}{'size':>9}{'1st render':>12}{'FCP':>8}{'JS heap':>10}{'renderer':>10}{'nodes':>8}"
        f"{'fps':>7}{'draw mean/p95/max':>21}"
    )
    for name, r in rows:
        print(
            f"{name:<26}{r['bytes'] / 1e6:>7.2f}MB{r['first_render_ms']:>10.0f}ms{r['fcp_ms']:>6.0f}ms"
            f"{r['heap_mb']:>8.1f}MB{r['renderer_rss_mb']:>8.0f}MB{r['nodes']:>8.0f}{r['fps']:>7.1f}"
            f"{r['draw_mean_ms']:>9.2f}/{r['draw_p95_ms']:.2f}/{r['draw_max_ms']:.2f} ms"
        )
    worst_first = max(max(r["first_render_ms"], r["fcp_ms"]) for _, r in rows)
    worst_heap = max(max(r["heap_mb"], r["heap_after_mb"]) for _, r in rows)
    ok = worst_first < TARGET_MS and worst_heap < TARGET_MB
    print(
        f"\ntarget: first render < {TARGET_MS:.0f} ms (worst {worst_first:.0f} ms), "
        f"JS heap < {TARGET_MB:.0f} MB (worst {worst_heap:.1f} MB): {'met' if ok else 'NOT met'}; "
        f"{args.wheel} sideways + {args.wheel // 3} zoom wheel events in {rows[0][1]['scroll_s']:.1f} s"
    )
    print(f"renderer private memory of a blank page: {base_mb:.0f} MB")
    print(f"screenshot: {args.screenshot}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
