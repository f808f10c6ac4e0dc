"""The review page (toolkit.review, `captionkit review`): built in Python, checked in a real browser.

The browser tests drive headless Chromium through playwright's pip package, pointed at the system Chromium
(Debian's ``chromium``; playwright's own browser download is not used). They skip, saying why, when either
is missing. Nothing here waits for a time: every wait is for a condition in the page.
"""

from __future__ import annotations

import base64
import html.parser
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import numpy as np
import pytest
from click.testing import CliRunner

from toolkit.pipeline import ConvertOptions, ConvertResult, convert_file, render, result_to_json
from toolkit.profiles import PROFILES
from toolkit.review import (
    ReviewError,
    build_review,
    envelope_from_audio,
    review_data,
    speech_spans,
    write_review,
)
from toolkit.review import page as review_page

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "samples" / "tucker_lavrov.txt"
MEDIA = ROOT / "tests" / "fixtures" / "media" / "interview_90s.mp4"
MEDIA_TRANSCRIPT = ROOT / "tests" / "fixtures" / "media" / "interview_90s.transcript.txt"
SAMPLE_MEDIA = ROOT / "samples" / "media" / "interview.mp4"
LATE_SRT = ROOT / "samples" / "media" / "interview.late.srt"
ALLOWED_SCHEMES = ("file:", "data:", "blob:")


# ----------------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def seed_result() -> ConvertResult:
    return convert_file(SEED, ConvertOptions())


@pytest.fixture(scope="module")
def media_result() -> ConvertResult:
    """The 90-second interview timed to its video, with a reading speed low enough to give findings."""
    profile = PROFILES["netflix"].with_overrides(max_cps=12.0)
    return convert_file(MEDIA_TRANSCRIPT, ConvertOptions(media=str(MEDIA), profile=profile))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (.venv/bin/pip install playwright): browser tests skipped")
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("no system Chromium on PATH (apt-get install chromium): browser tests skipped")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


class Page:
    """A page opened from disk, recording its console errors and every request it makes."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_function("() => window.__review && window.__review.ready === true")

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.page.evaluate(expr, arg)

    def network(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(ALLOWED_SCHEMES)]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[Path], Page]]:
    pages: list[Page] = []

    def open_(path: Path) -> Page:
        pages.append(Page(browser, path))
        return pages[-1]

    yield open_
    for p in pages:
        p.close()


def _write(result: ConvertResult, path: Path, **kw: Any) -> Path:
    path.write_text(build_review(result, out_path=str(path), **kw), encoding="utf-8")
    return path


def _norm(text: str) -> str:
    """Cue text for comparing: dialogue dashes and line breaks as the JSON output's one-line text has them."""
    lines = [re.sub(r"^[-\u2010\u2012]\s?", "", ln) for ln in text.split("\n")]
    return " ".join(" ".join(lines).split())


# ----------------------------------------------------------------------------------------- Python side


class _Refs(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "poster", "data", "action") and value is not None:
                self.refs.append((tag, name, value))


def test_page_is_one_file_that_fetches_nothing(seed_result: ConvertResult, tmp_path: Path) -> None:
    text = build_review(seed_result, media=None, out_path=str(tmp_path / "r.html"))
    refs = _Refs()
    refs.feed(text)
    assert refs.refs, "the page has its WebVTT link"
    assert all(v.startswith("data:") for _, _, v in refs.refs), refs.refs
    assert "<script src" not in text and "@import" not in text and "url(" not in text.split("</style>")[0]
    assert "default-src 'none'" in text  # the CSP forbids any fetch the page did not plan
    assert text.count("<script") == 2  # the data and the code, both inline


def test_track_is_the_exact_webvtt(media_result: ConvertResult, tmp_path: Path) -> None:
    text = build_review(media_result, media=str(MEDIA), out_path=str(tmp_path / "r.html"))
    m = re.search(r'<track [^>]*src="data:text/vtt;charset=utf-8;base64,([^"]+)"', text)
    assert m is not None
    assert base64.b64decode(m.group(1)).decode("utf-8") == render(media_result, "vtt")
    assert re.search(r"<track [^>]*\bdefault\b", text)


def test_media_is_referenced_relative_to_the_page(tmp_path: Path) -> None:
    media = tmp_path / "clips" / "my talk #1.mp4"
    media.parent.mkdir()
    media.write_bytes(b"\0" * 10)
    out = tmp_path / "pages" / "review.html"
    assert review_page.media_reference(str(media), str(out)) == "../clips/my%20talk%20%231.mp4"
    assert review_page.media_reference(str(media), str(tmp_path / "r.html")) == "clips/my%20talk%20%231.mp4"
    assert review_page.media_reference(str(media), str(out), embed=True) == (
        "data:video/mp4;base64," + base64.b64encode(b"\0" * 10).decode()
    )


def test_embed_refuses_large_media(
    media_result: ConvertResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_page, "MAX_EMBED_BYTES", 1000)
    with pytest.raises(ReviewError, match="--embed is for small media"):
        build_review(media_result, media=str(MEDIA), out_path=str(tmp_path / "r.html"), embed=True)


def test_findings_are_placed_on_cues_and_in_time(seed_result: ConvertResult) -> None:
    data = review_data(seed_result)
    cues, findings = data["cues"], data["findings"]
    assert len(cues) == len(result_to_json(seed_result)["cues"]) == 1053
    t002 = [f for f in findings if f["code"] == "T002"]
    assert len(t002) == 3
    for f in t002:  # listed under the first cue of the turn that was kept, with both copies' text
        kept = f["data"]["kept_line"]
        assert cues[f["c"]]["line"] == kept and f["t"] == cues[f["c"]]["s"]
        assert f["data"]["removed_text"] and f["data"]["kept_text"]
    for f in findings:
        if f["code"] == "C003":
            assert f["c"] == f["cue"] - 1
        if f["code"] == "P001":  # page text around the transcript: about the file, not a cue
            assert f["c"] is None and f["t"] is None
    assert all(k in cues[f["c"]]["f"] for k, f in enumerate(findings) if f["c"] is not None)


def test_envelope_and_speech_spans() -> None:
    audio = np.zeros(16000, dtype=np.int16)
    audio[8000:8160] = 1000
    audio[8160:8320] = -3000
    env = envelope_from_audio(audio, 16000)
    assert env.rate == 100 and len(env.lo) == len(env.hi) == 100 and env.duration_ms == 1000
    hi, lo = np.frombuffer(env.hi, np.int8), np.frombuffer(env.lo, np.int8)
    assert hi[50] > 0 and lo[51] == -127 and hi[:50].max() == 0 and lo[:50].min() == 0
    mask = np.array([0, 1, 1, 0, 0, 1], dtype=bool)
    assert speech_spans(mask) == ((10, 30), (50, 60))
    assert speech_spans(np.zeros(0, dtype=bool)) == ()


def _review_cli() -> click.Group:
    from toolkit.cli import _Group
    from toolkit.cli.review import review

    return _Group(name="captionkit", commands={"review": review})


def test_cli_writes_the_page_and_never_over_an_input(tmp_path: Path) -> None:
    src = tmp_path / "talk.txt"
    src.write_bytes(MEDIA_TRANSCRIPT.read_bytes())
    runner = CliRunner()
    out = tmp_path / "out" / "talk.html"
    res = runner.invoke(_review_cli(), ["review", str(src), "-o", str(out), "--profile", "bbc"])
    assert res.exit_code == 0, res.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "-> " + str(out) in res.output
    res = runner.invoke(_review_cli(), ["review", str(src), "-o", str(src)])
    assert res.exit_code == 1 and "refusing to overwrite an input" in res.output
    assert "Traceback" not in res.output and src.read_bytes() == MEDIA_TRANSCRIPT.read_bytes()
    res = runner.invoke(_review_cli(), ["review", str(src), "--embed"])
    assert res.exit_code == 2 and "--embed needs --media" in res.output
    res = runner.invoke(_review_cli(), ["review", str(tmp_path / "missing.txt"), "-o", str(out)])
    assert res.exit_code == 1 and "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1


def test_write_review_without_media_decodes_nothing(seed_result: ConvertResult, tmp_path: Path) -> None:
    out = tmp_path / "seed.html"
    assert write_review(seed_result, out) is None
    assert '<div id="stage"' in out.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------------- in the browser


@pytest.mark.media
def test_media_page_in_the_browser(
    media_result: ConvertResult, tmp_path: Path, open_page: Callable[[Path], Page]
) -> None:
    out = tmp_path / "review" / "interview.html"
    out.parent.mkdir()
    overlay = write_review(media_result, out)
    assert overlay is not None and overlay.speech and overlay.envelope.lo
    page = open_page(out)
    expected = result_to_json(media_result)["cues"]

    # the track holds the cues of the JSON output: same count, times and text
    page.page.wait_for_function(
        "() => { const t = document.getElementById('video').textTracks[0];"
        " return t && t.cues && t.cues.length > 0; }"
    )
    track = page.js("""[...document.getElementById('video').textTracks[0].cues].map(
        c => [c.startTime, c.endTime, c.getCueAsHTML().textContent])""")
    assert page.js("document.getElementById('video').textTracks[0].mode") == "showing"
    assert len(track) == len(expected)
    for (start, end, text), cue in zip(track, expected, strict=True):
        assert round(start * 1000) == cue["start_ms"] and round(end * 1000) == cue["end_ms"]
        assert _norm(text) == _norm(cue["text"])

    # the timeline draws one box per cue, and the speech and envelope layers
    page.js("__review.fit()")
    page.page.wait_for_function("() => __review.boxes.length === __review.data.cues.length")
    assert sorted(b["i"] for b in page.js("__review.boxes")) == list(range(len(expected)))
    assert page.js("!!__review.data.envelope && __review.data.speech.length > 0")

    # clicking a finding in the list seeks the video to it
    findings = page.js("__review.data.findings")
    k = next(i for i, f in enumerate(findings) if f["t"] is not None and f["t"] > 20000)
    page.page.click(f'.f[data-f="{k}"]')
    target = findings[k]["t"] / 1000
    page.page.wait_for_function(
        "t => Math.abs(document.getElementById('video').currentTime - t) < 0.002", arg=target
    )
    assert page.js("document.getElementById('video').currentTime") == pytest.approx(target, abs=0.002)
    assert page.js("__review.currentCue") == findings[k]["c"]
    assert page.js("document.querySelector('.cue.sel').dataset.i") == str(findings[k]["c"])

    # the filter keeps only the cues with findings
    page.page.check("#only-findings")
    shown = page.js("[...document.querySelectorAll('.cue')].filter(e => e.offsetParent !== null).length")
    assert shown == sum(1 for c in page.js("__review.data.cues") if c.get("f"))

    assert page.errors == []
    assert page.network() == [], page.network()


def test_page_without_media_in_the_browser(
    seed_result: ConvertResult, tmp_path: Path, open_page: Callable[[Path], Page]
) -> None:
    out = _write(seed_result, tmp_path / "seed.html", media=None)
    page = open_page(out)
    assert page.js("document.querySelector('video') === null")
    n = len(result_to_json(seed_result)["cues"])
    page.js("__review.fit()")
    page.page.wait_for_function("() => __review.boxes.length === __review.data.cues.length")
    assert sorted(b["i"] for b in page.js("__review.boxes")) == list(range(n))

    # the page's WebVTT, read by the browser's own parser, is the same cues
    cues = page.js("""new Promise(done => {
        const v = document.createElement('video'), t = document.createElement('track');
        t.kind = 'captions'; t.src = document.getElementById('vtt-link').href;
        const ms = (s) => Math.round(s * 1000);
        t.addEventListener('load', () => done([...t.track.cues].map(
            c => [ms(c.startTime), ms(c.endTime), c.getCueAsHTML().textContent])));
        v.appendChild(t); t.track.mode = 'hidden'; document.body.appendChild(v);
    })""")
    expected = result_to_json(seed_result)["cues"]
    assert [c[:2] for c in cues] == [[c["start_ms"], c["end_ms"]] for c in expected]
    assert [_norm(c[2]) for c in cues] == [_norm(c["text"]) for c in expected]

    # clicking the repair finding moves the timer playhead to it; the list shows both copies
    findings = page.js("__review.data.findings")
    k = next(i for i, f in enumerate(findings) if f["code"] == "T002")
    page.page.click(f'.f[data-f="{k}"]')
    assert page.js("__review.time()") == pytest.approx(findings[k]["t"] / 1000)
    repair = page.page.inner_text(f'.f[data-f="{k}"] .repair')
    assert "removed (line 123)" in repair and "kept (line 119)" in repair

    # keyboard: n / p finding, j / k cue
    page.page.keyboard.press("n")
    nxt = page.js("__review.selectedFinding")
    assert findings[nxt]["t"] >= findings[k]["t"] and nxt != k
    page.page.keyboard.press("p")
    assert page.js("__review.selectedFinding") == k
    page.page.keyboard.press("j")
    cue = page.js("__review.currentCue")
    assert cue == findings[k]["c"] + 1
    assert page.js("__review.time()") * 1000 == pytest.approx(expected[cue]["start_ms"])
    page.page.keyboard.press("k")
    assert page.js("__review.currentCue") == findings[k]["c"]

    # space plays and pauses the timer that stands in for the video
    page.page.keyboard.press(" ")
    assert page.js("__review.playing()") is True
    page.page.keyboard.press(" ")
    assert page.js("__review.playing()") is False

    # a click on the timeline seeks there
    box = page.page.locator("#tl").bounding_box()
    assert box is not None
    page.js("__review.setView(0, 100000)")
    page.page.wait_for_function("() => __review.view().t0 === 0")
    page.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + 30)
    assert page.js("__review.time()") == pytest.approx(50.0, abs=0.2)

    assert page.errors == []
    assert page.network() == []


@pytest.mark.media
def test_sync_page_in_the_browser(tmp_path: Path, open_page: Callable[[Path], Page]) -> None:
    from toolkit.pipeline.caption_sync import sync_captions
    from toolkit.review import write_sync_review

    outcome = sync_captions(str(LATE_SRT), str(SAMPLE_MEDIA))
    out = tmp_path / "sync.html"
    write_sync_review(outcome, out, media=str(SAMPLE_MEDIA))
    page = open_page(out)
    sync = page.js("__review.data.sync")
    assert sync["unit"] == "cue" and sync["segments"] and len(sync["original"]) == len(outcome.starts_ms)
    starts = [c["s"] for c in page.js("__review.data.cues")]
    assert starts == list(outcome.starts_ms)
    assert page.js("document.getElementById('sync').hidden") is False
    if outcome.result.accepted and outcome.starts_ms != outcome.captions.starts_ms:
        assert page.js("document.querySelectorAll('.cue .moved').length") > 0
    assert page.errors == []
    assert page.network() == []
