"""convert --media on a transcript in another language: the eSpeak NG + DTW aligner times every sentence
(toolkit.align.voiced), through the real pipeline (ffmpeg decodes the WAV, turn sync, segmenter). The
"recording" is eSpeak's speech in another voice variant, speed and pitch than the aligner's, with pauses
and noise, so each word's true start is known."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from toolkit.align.espeak import synthesize
from toolkit.pipeline import ConvertOptions, convert_file

pytestmark = pytest.mark.media

RATE = 16000
TURNS = [
    ("Claire", "Bonjour à tous. Aujourd'hui nous parlons des imprimeurs de la Renaissance."),
    ("Marc", "Merci de m'avoir invité. Les premiers livres imprimés venaient de Mayence, vers 1455."),
    ("Claire", "Et combien de temps a-t-il fallu pour que l'imprimerie arrive en France? Quelques années."),
]


def _write_wav(path: Path, samples: np.ndarray) -> Path:
    """``samples`` (int16, or floats clipped to int16) as a 16 kHz mono WAV."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(np.clip(samples, -32768, 32767).astype(np.int16).tobytes())
    return path


def _recording(tmp_path: Path) -> tuple[Path, Path, list[int]]:
    """A WAV of the turns with a second of silence between them, the transcript (stamps floored to the
    second), and every sentence's true start in ms."""
    rng = np.random.default_rng(5)
    pieces: list[np.ndarray] = [np.zeros(RATE // 2, dtype=np.int16)]
    t_ms = 500
    lines, sentence_starts = [], []
    for k, (speaker, text) in enumerate(TURNS):
        syn = synthesize(text, "roa/fr+m3" if k % 2 else "roa/fr+f2", rate_wpm=150, pitch=60 if k % 2 else 40)
        lines.append(f"{speaker} [00:00:{t_ms // 1000:02d}] {text}")
        words = text.split()
        for i, start in enumerate(syn.starts_ms):
            if i == 0 or words[i - 1].endswith((".", "?")):
                sentence_starts.append(t_ms + start)
        pieces += [syn.samples, np.zeros(RATE, dtype=np.int16)]
        t_ms += syn.duration_ms + 1000
    audio = np.concatenate(pieces).astype(np.float64) + rng.normal(0, 30, sum(len(p) for p in pieces))
    wav = _write_wav(tmp_path / "interview_fr.wav", audio)
    transcript = tmp_path / "interview_fr.txt"
    transcript.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return wav, transcript, sentence_starts


def test_sentences_of_a_french_transcript_are_timed_by_the_voiced_aligner(tmp_path: Path) -> None:
    wav, transcript, truth = _recording(tmp_path)
    result = convert_file(str(transcript), ConvertOptions(media=str(wav)))
    assert result.meta["language"] == "fr"
    assert result.meta["media"]["align"].startswith("words (eSpeak NG voice roa/fr")
    assert not [f for f in result.findings if f.code in ("A001", "A003")]
    words = [w for c in result.cues for w in c.words]
    assert [w.text for w in words] == " ".join(t for _, t in TURNS).split()  # every word, in order
    found = [w.start_ms for k, w in enumerate(words) if k == 0 or words[k - 1].text.endswith((".", "?"))]
    errors = np.abs(np.array(found) - np.array(truth))
    assert len(found) == len(truth) == 6
    assert np.median(errors) <= 80 and errors.max() <= 300


def test_a_language_without_a_voice_keeps_the_turn_sync(tmp_path: Path) -> None:
    wav, transcript, _ = _recording(tmp_path)
    # a language eSpeak NG has no voice for (given by the user): turn sync only, and A003 says why
    result = convert_file(str(transcript), ConvertOptions(media=str(wav), language="yo"))
    assert result.meta["media"]["align"] == "sync"
    (a003,) = [f for f in result.findings if f.code == "A003"]
    assert "eSpeak NG has no voice" in a003.message


def test_japanese_kanji_are_read_for_the_synthesis(tmp_path: Path) -> None:
    # eSpeak NG's Japanese voice says "Chinese letter" for a kanji: the aligner hears the text in kana
    # (pykakasi), the captions keep the kanji, and each sentence becomes a turn at its own start
    from toolkit.language import japanese_reading

    read = japanese_reading()
    assert read is not None and read("天気") == "てんき"
    turns = [
        ("山田", "今日はいい天気ですね。散歩に行きましょう。公園まで歩きます。"),
        ("佐藤", "はい、行きましょう。午後から雨が降るかもしれません。"),
    ]
    pieces: list[np.ndarray] = [np.zeros(RATE // 2, dtype=np.int16)]
    lines, truth, t_ms = [], [], 500
    for k, (speaker, text) in enumerate(turns):
        lines.append(f"{speaker} [00:00:{t_ms // 1000:02d}] {text}")
        for sentence in [s + "。" for s in text.split("。") if s]:
            syn = synthesize(read(sentence), "jpx/ja+f2" if k == 0 else "jpx/ja+m3", rate_wpm=140)
            truth.append(t_ms)
            pieces += [syn.samples, np.zeros(RATE // 4, dtype=np.int16)]
            t_ms += syn.duration_ms + 250
        pieces.append(np.zeros(RATE, dtype=np.int16))
        t_ms += 1000
    wav = _write_wav(tmp_path / "ja.wav", np.concatenate(pieces))
    transcript = tmp_path / "ja.txt"
    transcript.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = convert_file(str(transcript), ConvertOptions(media=str(wav), auto_profile=True))
    assert result.meta["language"] == "ja" and result.options.profile.name == "netflix-ja"
    assert result.meta["media"]["align"].startswith("words (eSpeak NG voice jpx/ja")
    assert "".join(t.text for t in result.turns) == "".join(text for _, text in turns)  # nothing added
    starts = [t.start_ms for t in result.turns]
    assert len(starts) == len(truth) == 5
    assert max(abs(a - b) for a, b in zip(starts, truth, strict=True)) <= 150


def test_a_monologue_of_minutes_is_aligned_in_one_window(tmp_path: Path) -> None:
    # long answers are common (the seed interview has four-minute ones): a two-minute turn is aligned
    sentences = [
        "Les premiers imprimeurs ont appris leur métier à Mayence, chez des orfèvres.",
        "Ils fondaient chaque lettre dans un moule de cuivre, à la main.",
        "Puis ils sont partis vers Paris, Lyon et Venise avec leurs presses.",
        "À Venise, un éditeur a inventé les petits livres que l'on glisse dans la poche.",
        "Les lecteurs de l'époque trouvaient ces caractères trop fins.",
        "Pourtant, ce dessin est encore celui de nos journaux aujourd'hui.",
        "On oublie souvent le rôle des femmes dans ces ateliers.",
        "Plusieurs veuves ont dirigé des imprimeries pendant des dizaines d'années.",
        "Leurs noms figurent au bas des pages, à côté de la date.",
        "Le papier venait des moulins de la vallée, en Auvergne.",
        "Un livre coûtait alors le salaire d'un mois pour un artisan.",
        "Les bibliothèques des couvents ont gardé la plupart de ces volumes.",
        "Certains sont exposés ce printemps au musée de la ville.",
        "Je conseille à tous d'aller les voir avant l'été.",
    ]
    pieces, truth, t_ms = [np.zeros(RATE // 2, dtype=np.int16)], [], 500
    for sentence in sentences:
        syn = synthesize(sentence, "roa/fr+m3", rate_wpm=80, pitch=60)  # a slow speaker: over 90 s
        truth.append(t_ms)
        pieces += [syn.samples, np.zeros(RATE, dtype=np.int16)]  # a second's pause between sentences
        t_ms += syn.duration_ms + 1000
    assert t_ms > 90_000  # longer than a minute and a half
    wav = _write_wav(tmp_path / "long.wav", np.concatenate(pieces))
    transcript = tmp_path / "long.txt"
    transcript.write_text(f"Marc [00:00:00] {' '.join(sentences)}\n", encoding="utf-8")
    result = convert_file(str(transcript), ConvertOptions(media=str(wav)))
    assert not [f for f in result.findings if f.code == "A001"]
    words = [w for c in result.cues for w in c.words]
    found = [w.start_ms for k, w in enumerate(words) if k == 0 or words[k - 1].text.endswith(".")]
    errors = np.abs(np.array(found) - np.array(truth))
    assert len(found) == len(truth) and np.median(errors) <= 80 and errors.max() <= 400


def test_each_window_ends_at_the_first_later_start() -> None:
    from toolkit.align.voiced import _next_later_starts

    rng = np.random.default_rng(3)
    for _ in range(500):
        n = int(rng.integers(0, 15))
        starts = [None if rng.random() < 0.2 else int(rng.integers(0, 10)) for _ in range(n)]
        naive = [
            next((s for s in starts[i + 1 :] if s is not None and a is not None and s > a), None)
            for i, a in enumerate(starts)
        ]
        assert _next_later_starts(starts) == naive
