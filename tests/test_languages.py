"""Languages other than English (issue 18): --language, detection, no English aligner on other languages,
and Chinese/Japanese text cut into captions between words (jieba) and phrases (BudouX)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit.cli import cli
from toolkit.language import detect_language, parse_language, word_segmenter
from toolkit.linebreak import tokenize_cjk
from toolkit.model import Turn
from toolkit.pipeline import ConvertOptions, convert_file
from toolkit.profiles import PROFILES
from toolkit.segment import segment
from toolkit.timing import RateModel

ROOT = Path(__file__).resolve().parent.parent
MEDIA = ROOT / "tests" / "fixtures" / "media"

FRENCH = [
    "Bonsoir et bienvenue. Ce soir, je reçois une invitée qui a passé dix ans à restaurer les vieux moulins.",
    "Merci de m'avoir invitée. C'est un vrai plaisir d'être ici avec vous.",
    "Commençons par le début. Comment le projet a-t-il commencé ?",
    "Tout a commencé par une promenade le long de la rivière, un dimanche matin d'automne.",
]
SHORT = {
    "fr": "Bonjour, je suis très content de vous voir aujourd'hui. Nous allons parler du projet.",
    "de": "Guten Tag, wie geht es Ihnen heute? Wir sprechen über das Wetter und die Arbeit.",
    "zh": "你好，我们今天去哪里吃饭？我想吃北京烤鸭。",
    "ja": "今日はとても良い天気ですね。散歩に行きましょう。",
    "en": "Good evening, and welcome back. Tonight I am joined by a guest from the river mills.",
}
CHINESE = [
    "昨晚我打开前门放猫出去的时候，看到夜色很美就走下台阶。想到花园里呼吸呼吸新鲜空气。"
    "当时只听到身后咔哒一声，发现自己被锁在门外了。",
    "这里是8月12日星期六北京交通台的路况信息。三条主要交通干线都因周末车流量多行驶缓慢，"
    "在西北三环上发生的交通事故阻断了那里的交通。「请司机同志们八点以前最好绕开这些地区行驶。」",
    "二环路内各主要路口都有交通堵塞（特别是早上），请注意安全！",
]
CLOSING = set("。，、；：！？」』）】》")
OPENING = set("「『（【《")


# -- --language -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "code"),
    [("fr", "fr"), ("fra", "fr"), ("fre", "fr"), ("FR", "fr"), ("zh-Hans", "zh"), ("zh-Hant-TW", "zh"),
     ("cmn", "zh"), ("pt-BR", "pt"), ("ja", "ja"), ("en-GB", "en"), ("de_DE", "de"), ("yue", "zh")],
)  # fmt: skip
def test_language_codes_are_read_as_iso_639_1(given: str, code: str) -> None:
    language = parse_language(given)
    assert language.code == code and language.source == "option"


@pytest.mark.parametrize("bad", ["french", "xx", "qqq", "zh-", "f", "en--GB", "12", "zh-Hans-toolongvalue1"])
def test_bad_language_codes_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_language(bad)


def test_convert_refuses_a_bad_language_as_a_usage_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        cli, ["convert", str(ROOT / "samples" / "tucker_lavrov.txt"), "-o", str(tmp_path / "o.srt"),
              "--language", "klingon"],
    )  # fmt: skip
    assert res.exit_code == 2 and "--language" in res.output
    assert not (tmp_path / "o.srt").exists()


# -- detection --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(SHORT))
def test_short_texts_are_detected(code: str) -> None:
    language = detect_language([SHORT[code]])
    assert language is not None and language.code == code and language.source == "detected"
    assert language.confidence is not None and 0.5 <= language.confidence <= 1.0


def test_nothing_to_read_detects_nothing() -> None:
    assert detect_language(["", "[crosstalk 00:01:02]", "12:30"]) is None


def _transcript(tmp_path: Path, texts: list[str], name: str = "t.txt") -> Path:
    lines = (MEDIA / "interview_90s.transcript.txt").read_text(encoding="utf-8").split("\n\n")
    out = []
    for k, block in enumerate(b for b in lines if b.strip()):
        head = re.match(r"(.*?\[\d\d:\d\d:\d\d\])", block)
        assert head is not None
        out.append(f"{head.group(1)} {texts[k % len(texts)]}")
    path = tmp_path / name
    path.write_text("\n\n".join(out) + "\n", encoding="utf-8")
    return path


def test_language_is_in_the_json_meta_and_a_note(tmp_path: Path) -> None:
    path = _transcript(tmp_path, FRENCH)
    result = convert_file(path, ConvertOptions())
    assert result.meta["language"] == "fr" and result.meta["language_source"] == "detected"
    assert result.meta["language_confidence"] > 0.5
    notes = [f for f in result.findings if f.code == "P010"]
    assert len(notes) == 1 and notes[0].severity.value == "info" and notes[0].data["language"] == "fr"
    given = convert_file(path, ConvertOptions(language="fr-CA"))
    assert given.meta["language"] == "fr-CA" and given.meta["language_source"] == "option"
    assert "language_confidence" not in given.meta


def test_english_converts_as_before_with_the_language_in_meta() -> None:
    result = convert_file(ROOT / "samples" / "tucker_lavrov.txt", ConvertOptions())
    assert result.meta["language"] == "en" and result.meta["language_source"] == "detected"
    assert not any(f.code == "P010" for f in result.findings)  # English adds no finding


# -- no English aligner on other languages ---------------------------------------------------------------


@pytest.mark.media
def test_french_with_media_never_runs_the_english_aligner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import toolkit.align

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the English aligner ran on French")

    monkeypatch.setattr(toolkit.align, "align_turns", refuse)
    path = _transcript(tmp_path, FRENCH)
    out = tmp_path / "o.json"
    res = CliRunner().invoke(
        cli, ["convert", str(path), "--media", str(MEDIA / "interview_90s.mp4"), "-o", str(out)]
    )
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    # French is aligned by eSpeak NG's French voice, not the English model: this audio is English speech,
    # so the French words fit most turns poorly and those keep the turn sync's timing (A001); no A003
    assert doc["meta"]["language"] == "fr"
    assert doc["meta"]["media"]["align"].startswith("words (eSpeak NG voice roa/fr")
    codes = [f["code"] for f in doc["findings"]]
    assert "A003" not in codes and codes.count("A001") >= len(doc["turns"]) // 2
    shown = " ".join(c["text"] for c in doc["cues"]).split()
    assert shown == " ".join(t["text"] for t in doc["turns"]).split()


# -- Chinese and Japanese -------------------------------------------------------------------------------


def _cjk_cues(texts: list[str], profile: str = "netflix-zh", language: str = "zh") -> list[tuple[str, ...]]:
    turns = [Turn("王丽" if k % 2 == 0 else "陈静", 1000 + 9000 * k, t, k + 1) for k, t in enumerate(texts)]
    words = word_segmenter(parse_language(language))
    rates = RateModel.fit(turns, chars=True)
    cues, _ = segment(turns, PROFILES[profile], rates=rates, path="zh", cjk=True, words=words)
    return [c.lines for c in cues]


def test_chinese_lines_do_not_break_inside_words() -> None:
    lines = [line for c in _cjk_cues(CHINESE) for line in c]
    for word in ("交通事故", "路口", "交通堵塞", "新鲜空气"):
        text = "".join(lines)
        assert word in text
        assert any(word in line for line in lines), word


@pytest.mark.parametrize("profile", ["netflix-zh", "netflix-ja"])
def test_chinese_captions_keep_every_character_in_order_within_the_line_limit(profile: str) -> None:
    cues = _cjk_cues(CHINESE, profile)
    limit = PROFILES[profile].max_chars_per_line
    assert len(cues) > len(CHINESE)  # not one caption per turn
    lines = [line for c in cues for line in c]
    assert all(len(line) <= limit for line in lines)
    assert "".join(lines) == "".join("".join(CHINESE).split())  # every character, in order, nothing added
    assert not any(line[0] in CLOSING for line in lines)
    assert not any(line[-1] in OPENING for line in lines)


def test_chinese_sentences_end_cues_where_they_can() -> None:
    cues = _cjk_cues(CHINESE)
    ends = [c[-1][-1] for c in cues]
    assert sum(e in "。！？」" for e in ends) >= 5  # the turns' sentences, not arbitrary characters


def test_cjk_tokens_glue_punctuation_and_keep_latin_words() -> None:
    text = "他说：「你好！」我用 iPhone 15 拍的（笑）。ちょっと待って。"
    tokens = tokenize_cjk(text)
    assert "".join(tokens) == text
    assert "iPhone " in tokens and "「你" in tokens and "好！」" in tokens
    assert not any(t[0] in CLOSING for t in tokens)
    assert not any(t.rstrip()[-1] in OPENING for t in tokens)


def test_chinese_transcript_gets_the_chinese_profile_and_a_rate_in_characters(tmp_path: Path) -> None:
    path = _transcript(tmp_path, CHINESE)
    out = tmp_path / "o.json"
    res = CliRunner().invoke(cli, ["convert", str(path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["meta"]["language"] == "zh" and doc["profile"]["name"] == "netflix-zh"
    assert "rates_unit" in doc["meta"]
    assert all(len(line) <= 16 for c in doc["cues"] for line in c["lines"])
    assert not any(line[0] in CLOSING for c in doc["cues"] for line in c["lines"])
    chosen = tmp_path / "p.json"
    res = CliRunner().invoke(cli, ["convert", str(path), "-o", str(chosen), "--max-chars", "30"])
    assert res.exit_code == 0, res.output
    assert json.loads(chosen.read_text(encoding="utf-8"))["profile"]["name"] == "netflix"


def test_japanese_lines_break_between_phrases() -> None:
    text = "今日はとても良い天気ですね。散歩に行きましょう。でも、午後から雨が降るかもしれません。"
    cues = _cjk_cues([text], "netflix-ja", "ja")
    lines = [line for c in cues for line in c]
    assert all(len(line) <= 13 for line in lines) and "".join(lines) == text
    assert not any(line[0] in CLOSING or line[0] in "ゃゅょっー" for line in lines)
    # BudouX's phrases: a line never ends inside one ("天気ですね" stays whole)
    phrases = word_segmenter(parse_language("ja"))
    assert phrases is not None
    bounds = set(itertools.accumulate(len(p) for p in phrases(text)))
    assert all(end in bounds for end in itertools.accumulate(len(line) for line in lines))


def _page_data(page: Path) -> dict[str, object]:
    html = page.read_text(encoding="utf-8")
    start = html.index('<script id="review-data" type="application/json">') + len(
        '<script id="review-data" type="application/json">'
    )
    data: dict[str, object] = json.loads(html[start : html.index("</script>", start)])
    return data


def test_review_picks_the_chinese_profile_as_convert_does(tmp_path: Path) -> None:
    path = _transcript(tmp_path, CHINESE)
    page = tmp_path / "zh.html"
    res = CliRunner().invoke(cli, ["review", str(path), "-o", str(page), "-q"])
    assert res.exit_code == 0, res.output
    profile = _page_data(page)["profile"]
    assert isinstance(profile, dict) and profile["name"] == "netflix-zh"
    # a profile chosen on the command line stands, and --language is read as convert reads it
    res = CliRunner().invoke(cli, ["review", str(path), "-o", str(page), "-q", "--profile", "bbc"])
    assert res.exit_code == 0, res.output
    profile = _page_data(page)["profile"]
    assert isinstance(profile, dict) and profile["name"] == "bbc"
    res = CliRunner().invoke(cli, ["review", str(path), "-o", str(page), "-q", "--language", "xx-!!"])
    assert res.exit_code == 2 and "Traceback" not in res.output
