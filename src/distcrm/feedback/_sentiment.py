"""Lexicon-based sentiment for English and Chinese, offline, behind the ``SentimentAnalyzer`` protocol.

The language is picked by script (Han characters → Chinese, Latin letters → English).
Each text is cut into sentences and clauses; every lexicon word found contributes its
valence, scaled by a preceding intensifier (very / 非常) and flipped and damped by a
preceding negator within the clause (not / 不); a contrast word (but / 但是, 不过, 可是)
halves what came before it in the sentence and weights what follows by 1.5. The sum is
squashed into [−1, 1] with ``x / sqrt(x² + 15)`` (the VADER normalisation).

Chinese text is segmented by forward maximum matching over the lexicon itself (no
download, no jieba needed); ``LexiconSentiment(segmenter="jieba")`` uses jieba when the
``sentiment`` extra is installed. The lexicons ship in ``distcrm/feedback/_lexicons``
(sources in the README there).
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from distcrm.errors import DataQualityWarning, ValidationError

__all__ = ["LexiconSentiment", "SentimentAnalyzer", "default_sentiment", "detect_language"]

Language = Literal["en", "zh"]


@runtime_checkable
class SentimentAnalyzer(Protocol):
    """Anything that scores the polarity of texts.

    ``polarity(text)`` returns a float in [−1, 1] (negative … positive, 0 neutral or
    unknown); ``polarities(texts)`` returns a float64 array with one such value per text.
    Implementations must be deterministic and never return NaN.
    """

    def polarity(self, text: str) -> float:
        """Polarity of one text, in [−1, 1]."""
        ...

    def polarities(self, texts: Iterable[str]) -> npt.NDArray[np.float64]:
        """Polarity of each text, in [−1, 1]."""
        ...


# ---------------------------------------------------------------------------------------------
# modifiers
# ---------------------------------------------------------------------------------------------

_NEG_FACTOR = -0.74  # VADER's negation scalar
_ALPHA = 15.0
_BEFORE_CONTRAST = 0.5
_AFTER_CONTRAST = 1.5

_EN_NEGATORS = frozenset(
    [
        "not",
        "no",
        "never",
        "none",
        "nobody",
        "nothing",
        "neither",
        "nor",
        "nowhere",
        "without",
        "hardly",
        "barely",
        "scarcely",
        "cannot",
        "cant",
        "dont",
        "doesnt",
        "didnt",
        "isnt",
        "arent",
        "wasnt",
        "werent",
        "wont",
        "wouldnt",
        "shouldnt",
        "couldnt",
        "havent",
        "hasnt",
        "hadnt",
        "aint",
        "darent",
        "mightnt",
        "mustnt",
        "neednt",
        "lack",
        "lacks",
        "lacked",
    ]
)
_EN_BOOST = {
    "very": 0.29,
    "really": 0.29,
    "extremely": 0.4,
    "so": 0.25,
    "super": 0.3,
    "incredibly": 0.4,
    "absolutely": 0.35,
    "totally": 0.3,
    "completely": 0.3,
    "highly": 0.35,
    "truly": 0.3,
    "most": 0.25,
    "quite": 0.15,
    "especially": 0.25,
    "exceptionally": 0.4,
    "utterly": 0.35,
    "too": 0.2,
    "way": 0.15,
    "insanely": 0.4,
    "remarkably": 0.3,
    "seriously": 0.3,
    "thoroughly": 0.3,
    "definitely": 0.25,
    "pretty": 0.1,
    "overly": 0.2,
    "such": 0.2,
    "slightly": -0.29,
    "somewhat": -0.29,
    "fairly": -0.15,
    "bit": -0.2,
    "little": -0.2,
    "marginally": -0.3,
    "partly": -0.25,
    "kinda": -0.25,
    "sorta": -0.25,
    "almost": -0.2,
}
_EN_CONTRAST = frozenset({"but", "however", "yet", "although", "though", "except", "nevertheless"})
_EN_CONCESSIVE_FIRST = frozenset({"although", "though"})  # "although X, Y": X is the weak part
_EN_PHRASES: dict[tuple[str, ...], float] = {
    ("stopped", "working"): -2.2,
    ("stop", "working"): -1.8,
    ("quit", "working"): -2.2,
    ("waste", "of", "money"): -2.6,
    ("waste", "of", "time"): -2.6,
    ("no", "complaints"): 1.8,
    ("no", "problems"): 1.4,
    ("no", "problem"): 1.2,
    ("no", "issues"): 1.4,
    ("fell", "apart"): -2.2,
    ("falls", "apart"): -2.2,
    ("broke", "down"): -2.0,
    ("money", "back"): -1.4,
    ("on", "time"): 1.2,
    ("never", "again"): -2.2,
    ("as", "described"): 1.0,
    ("as", "advertised"): 1.0,
    ("piece", "of", "junk"): -2.8,
    ("piece", "of", "crap"): -2.8,
    ("piece", "of", "garbage"): -2.8,
    ("well", "made"): 1.8,
    ("poorly", "made"): -2.2,
    ("cheaply", "made"): -2.0,
    ("thumbs", "up"): 2.0,
    ("thumbs", "down"): -2.0,
    ("must", "have"): 1.4,
    ("does", "the", "job"): 1.4,
    ("does", "the", "trick"): 1.4,
    ("do", "not", "buy"): -2.6,
    ("dont", "buy"): -2.6,
    ("don't", "buy"): -2.6,
    ("could", "be", "better"): -1.2,
    ("not", "worth"): -2.0,
    ("worth", "every"): 2.0,
    ("went", "wrong"): -1.4,
    ("fall", "apart"): -2.0,
    ("high", "quality"): 1.8,
    ("low", "quality"): -1.8,
    ("good", "value"): 2.2,
    ("great", "value"): 2.6,
    ("go", "back"): 0.6,
    ("come", "back"): 0.6,
    ("coming", "back"): 0.8,
    ("won't", "be", "back"): -2.2,
    ("wont", "be", "back"): -2.2,
    ("will", "not", "be", "back"): -2.2,
    ("not", "be", "back"): -2.2,
    ("never", "be", "back"): -2.4,
    ("turned", "off"): -0.8,
    ("took", "forever"): -1.8,
    ("takes", "forever"): -1.8,
    ("way", "too"): -0.6,
    ("dont", "waste"): -2.4,
    ("do", "not", "waste"): -2.4,
    ("dont", "bother"): -2.0,
    ("do", "not", "bother"): -2.0,
    ("not", "buy"): -2.4,
    ("dont", "purchase"): -2.4,
    ("not", "purchase"): -2.4,
    ("not", "be", "fooled"): -2.0,
    ("could", "not", "be", "happier"): 3.0,
    ("couldnt", "be", "happier"): 3.0,
    ("could", "not", "be", "better"): 2.8,
    ("couldnt", "be", "better"): 2.8,
    ("can't", "go", "wrong"): 2.2,
    ("cant", "go", "wrong"): 2.2,
    ("to", "die", "for"): 2.6,
    ("rip", "off"): -2.4,
    ("send", "it", "back"): -1.8,
    ("sending", "it", "back"): -1.8,
    ("sent", "it", "back"): -1.8,
    ("returned", "it"): -1.8,
    ("locks", "up"): -1.4,
    ("lock", "up"): -1.2,
    ("hoping", "for", "more"): -1.4,
    ("expected", "more"): -1.4,
    ("expected", "better"): -1.6,
    ("not", "worth", "it"): -2.2,
}
_EN_MAX_PHRASE = max(len(k) for k in _EN_PHRASES)

_ZH_NEGATORS = frozenset(
    [
        "不",
        "没",
        "没有",
        "无",
        "非",
        "未",
        "别",
        "莫",
        "勿",
        "毫无",
        "并不",
        "并非",
        "绝不",
        "从不",
        "从未",
        "不是",
        "没什么",
        "决不",
        "一点也不",
        "一点都不",
        "不算",
        "谈不上",
        "称不上",
        "算不上",
    ]
)
_ZH_BOOST = {
    "很": 0.29,
    "非常": 0.4,
    "特别": 0.35,
    "十分": 0.35,
    "极": 0.45,
    "极其": 0.45,
    "极为": 0.45,
    "超": 0.3,
    "超级": 0.4,
    "太": 0.35,
    "最": 0.4,
    "相当": 0.3,
    "挺": 0.15,
    "蛮": 0.15,
    "真": 0.25,
    "真的": 0.25,
    "实在": 0.3,
    "格外": 0.3,
    "更": 0.2,
    "更加": 0.25,
    "尤其": 0.25,
    "绝对": 0.35,
    "完全": 0.3,
    "好": 0.2,
    "这么": 0.2,
    "那么": 0.15,
    "如此": 0.25,
    "巨": 0.35,
    "贼": 0.3,
    "特": 0.25,
    "超级无敌": 0.5,
    "简直": 0.35,
    "比较": -0.15,
    "有点": -0.3,
    "有点儿": -0.3,
    "有些": -0.3,
    "稍微": -0.35,
    "稍": -0.3,
    "略": -0.3,
    "略微": -0.35,
    "一点": -0.25,
    "还算": -0.2,
    "还": -0.1,
    "算是": -0.2,
    "不太": -0.4,
    "不是很": -0.4,
    "不大": -0.4,
}
# 不太/不是很/不大 negate as well as damp
_ZH_NEG_DAMP = frozenset({"不太", "不是很", "不大"})
_ZH_CONTRAST = frozenset({"但是", "但", "可是", "不过", "然而", "却", "只是", "可惜的是", "就是有点"})
_ZH_CONCESSIVE = frozenset({"虽然", "虽", "尽管", "虽说"})
_ZH_SUMMARY = frozenset({"总之", "总的来说", "总体", "总体来说", "总而言之", "综上", "整体", "总的说"})

_ZH_CLAUSE = frozenset("，,；;：:、～~（）()【】[]“”\"'‘’ ")
_EN_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?|[!?]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af\u1100-\u11ff]")


def detect_language(text: str) -> Language | None:
    """``"zh"`` for Han script, ``"en"`` for Latin script, ``None`` for anything else.

    Japanese (kana) and Korean (hangul) count as unknown, as do texts whose letters are
    mostly in another script (Cyrillic, Arabic …). Text with no letters at all is ``None``.

    Examples
    --------
    >>> detect_language("送货很快"), detect_language("Fast delivery"), detect_language("Быстро")
    ('zh', 'en', None)
    """
    han = len(_HAN.findall(text))
    kana = len(_KANA_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    if kana and kana * 5 >= han:
        return None
    if han and han * 4 >= latin:
        return "zh"
    letters = sum(1 for ch in text if ch.isalpha())
    if latin and latin * 2 >= letters:
        return "en"
    if han:
        return "zh"
    return None


# ---------------------------------------------------------------------------------------------
# lexicons
# ---------------------------------------------------------------------------------------------


def _read_tsv(name: str) -> dict[str, float]:
    out: dict[str, float] = {}
    text = resources.files("distcrm.feedback").joinpath("_lexicons", name).read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        word, _, score = line.partition("\t")
        out[word] = float(score)
    return out


@cache
def _english_lexicon() -> dict[str, float]:
    lex = _read_tsv("en_vader.tsv")
    lex.update(_read_tsv("en_distcrm.tsv"))
    for w in _EN_NEGATORS | _EN_CONTRAST | frozenset(_EN_BOOST):
        lex.pop(w, None)
    return lex


@cache
def _chinese_lexicon() -> dict[str, float]:
    return _read_tsv("zh_distcrm.tsv")


# ---------------------------------------------------------------------------------------------
# scoring
# ---------------------------------------------------------------------------------------------


def _normalize(score: float) -> float:
    return score / math.sqrt(score * score + _ALPHA)


class _Sentence:
    """Accumulates valences of one sentence with the contrast rule."""

    __slots__ = ("after_contrast", "total")

    def __init__(self) -> None:
        self.total = 0.0
        self.after_contrast = False

    def add(self, v: float) -> None:
        self.total += v * (_AFTER_CONTRAST if self.after_contrast else 1.0)

    def contrast(self) -> None:
        if not self.after_contrast:
            self.total *= _BEFORE_CONTRAST
            self.after_contrast = True


def _boost(v: float, b: float) -> float:
    return v + math.copysign(b, v) if v else 0.0


class LexiconSentiment:
    """The built-in lexicon-and-rules sentiment analyzer for English and Chinese.

    Parameters
    ----------
    language
        ``"auto"`` (pick by script), ``"en"`` or ``"zh"``.
    segmenter
        ``"fmm"`` (built-in forward maximum matching over the lexicon) or ``"jieba"``
        (needs the ``sentiment`` extra).
    extra_words
        ``{word: valence}`` added to (or overriding) the lexicons, valence on the −4..4
        scale; Han-script words go to the Chinese lexicon, others to the English one.

    Examples
    --------
    >>> s = LexiconSentiment()
    >>> s.polarity("The delivery was fast and the driver was friendly") > 0.5
    True
    >>> s.polarity("Not good") < 0 < s.polarity("Not bad")
    True
    >>> s.polarity("Slow delivery, but the food was great") > 0
    True
    >>> s.polarity("送货很快，包装完好") > 0.5, s.polarity("菜都凉了，送餐太慢") < -0.5
    (True, True)
    >>> s.polarity("不好吃") < 0 < s.polarity("不难吃")
    True
    """

    def __init__(
        self,
        language: Literal["auto", "en", "zh"] = "auto",
        segmenter: Literal["fmm", "jieba"] = "fmm",
        extra_words: Mapping[str, float] | None = None,
    ) -> None:
        if language not in ("auto", "en", "zh"):
            raise ValidationError.single("language", language, "must be 'auto', 'en' or 'zh'")
        if segmenter not in ("fmm", "jieba"):
            raise ValidationError.single("segmenter", segmenter, "must be 'fmm' or 'jieba'")
        self.language = language
        self.segmenter = segmenter
        self.extra_words = dict(extra_words) if extra_words else None
        en = _english_lexicon()
        zh = _chinese_lexicon()
        if self.extra_words:
            en = dict(en)
            zh = dict(zh)
            for w, v in self.extra_words.items():
                if not isinstance(v, (int, float)) or not math.isfinite(v) or abs(v) > 4:
                    raise ValidationError.single(f"extra_words[{w!r}]", v, "must be a number in [-4, 4]")
                (zh if _HAN.search(w) else en)[w if _HAN.search(w) else w.lower()] = float(v)
        self._en = en
        self._zh = zh
        vocab = set(zh) | _ZH_NEGATORS | set(_ZH_BOOST) | _ZH_CONTRAST | _ZH_CONCESSIVE | _ZH_SUMMARY
        self._zh_vocab = frozenset(vocab)
        self._zh_maxlen = max(len(w) for w in vocab)
        self._jieba: Any = None
        if segmenter == "jieba":
            from distcrm._optional import import_optional

            jieba = import_optional("jieba", feature="LexiconSentiment(segmenter='jieba')")
            tok = jieba.Tokenizer()
            for w in vocab:
                tok.add_word(w)
            self._jieba = tok

    def __repr__(self) -> str:
        return f"LexiconSentiment(language={self.language!r}, segmenter={self.segmenter!r})"

    # -- public API --------------------------------------------------------------------------

    def polarity(self, text: str) -> float:
        """Polarity of one text in [−1, 1]; an unknown language gives 0 with a warning."""
        score, unknown = self._score(text)
        if unknown:
            warnings.warn(
                f"language of text {_preview(text)!r} is not supported (English and Chinese are); "
                "scored as neutral",
                DataQualityWarning,
                stacklevel=2,
            )
        return score

    def polarities(self, texts: Iterable[str]) -> npt.NDArray[np.float64]:
        """Polarity of each text; one warning lists how many were in an unknown language."""
        scores = []
        unknown_rows = []
        for i, t in enumerate(texts):
            s, unknown = self._score(t, row=i)
            scores.append(s)
            if unknown:
                unknown_rows.append(i)
        if unknown_rows:
            warnings.warn(
                f"{len(unknown_rows)} texts are in a language that is not supported (English and "
                f"Chinese are) and were scored as neutral; rows {unknown_rows[:10]}",
                DataQualityWarning,
                stacklevel=2,
            )
        return np.asarray(scores, dtype=np.float64)

    def tokens(self, text: str) -> list[str]:
        """The tokens the analyzer sees (lower-cased words, or Chinese segments)."""
        lang = self._language(text)
        if lang == "zh":
            return [w for s in _sentences(text) for w in self._segment(s)]
        return _EN_TOKEN.findall(text.lower().replace("’", "'"))

    # -- internals ---------------------------------------------------------------------------

    def _language(self, text: str) -> Language | None:
        return detect_language(text) if self.language == "auto" else self.language

    def _score(self, text: Any, row: int | None = None) -> tuple[float, bool]:
        if not isinstance(text, str):
            where = "text" if row is None else f"texts[{row}]"
            raise ValidationError.single(where, text, "must be a str")
        text = unicodedata.normalize("NFKC", text)
        lang = self._language(text)
        if lang is None:
            return 0.0, any(ch.isalpha() for ch in text)
        raw = self._score_zh(text) if lang == "zh" else self._score_en(text)
        return _normalize(raw), False

    def _score_en(self, text: str) -> float:
        lex = self._en
        total = 0.0
        for sent in _sentences(text):
            toks = _EN_TOKEN.findall(sent.lower().replace("’", "'"))
            toks = [t.replace("n't", "nt") if t.endswith("n't") and t not in lex else t for t in toks]
            acc = _Sentence()
            concessive = bool(toks) and toks[0] in _EN_CONCESSIVE_FIRST
            i = 0
            n = len(toks)
            exclaim = 0
            while i < n:
                t = toks[i]
                if t == "!":
                    exclaim += 1
                    i += 1
                    continue
                if t == "?":
                    i += 1
                    continue
                if t in _EN_CONTRAST and not (concessive and i == 0):
                    acc.contrast()
                    i += 1
                    continue
                v = None
                width = 1
                for L in range(min(_EN_MAX_PHRASE, n - i), 1, -1):
                    p = _EN_PHRASES.get(tuple(toks[i : i + L]))
                    if p is not None:
                        v, width = p, L
                        break
                if v is None:
                    v = lex.get(t)
                if v is None:
                    i += 1
                    continue
                phrase_negated = width > 1 and any(x in _EN_NEGATORS for x in toks[i : i + width])
                # modifiers in the three preceding tokens (not crossing a contrast word)
                for k in range(1, 4):
                    j = i - k
                    if j < 0 or toks[j] in _EN_CONTRAST or toks[j] in "!?":
                        break
                    w = toks[j]
                    if w in _EN_BOOST and v:
                        scale = 1.0 if k == 1 else 0.95 if k == 2 else 0.9
                        v = _boost(v, _EN_BOOST[w] * scale)
                    if w in _EN_NEGATORS and not phrase_negated:
                        v *= _NEG_FACTOR
                        break
                acc.add(v)
                i += width
            s = acc.total
            if concessive and not acc.after_contrast:
                s *= _BEFORE_CONTRAST
            if s and exclaim:
                s = _boost(s, 0.29 * min(exclaim, 4))
            total += s
        return total

    def _segment(self, clause: str) -> list[str]:
        if self._jieba is not None:
            return [w for w in self._jieba.lcut(clause) if w.strip()]
        vocab = self._zh_vocab
        maxlen = self._zh_maxlen
        out = []
        i = 0
        n = len(clause)
        while i < n:
            ch = clause[i]
            if ch in _ZH_CLAUSE:
                out.append("，")
                i += 1
                continue
            for L in range(min(maxlen, n - i), 0, -1):
                w = clause[i : i + L]
                if L == 1 or w in vocab:
                    break
            out.append(w)
            i += len(w)
        return out

    def _score_zh(self, text: str) -> float:
        lex = self._zh
        total = 0.0
        sentences = _sentences(text)
        for si, sent in enumerate(sentences):
            toks = self._segment(sent)
            acc = _Sentence()
            concessive = False
            summary = any(t in _ZH_SUMMARY for t in toks[:3])
            exclaim = 0
            for i, t in enumerate(toks):
                if t in _ZH_CONCESSIVE:
                    concessive = True
                    continue
                if t in _ZH_CONTRAST:
                    acc.contrast()
                    continue
                v = lex.get(t)
                if not v:
                    continue
                negated = False
                for k in range(1, 4):
                    j = i - k
                    if j < 0:
                        break
                    w = toks[j]
                    if w == "，" or w in _ZH_CONTRAST or w in _ZH_CONCESSIVE:
                        break
                    if w in _ZH_BOOST:
                        v = _boost(v, _ZH_BOOST[w])
                    if w in _ZH_NEG_DAMP or w in _ZH_NEGATORS:
                        negated = not negated
                        if k == 1 or w in _ZH_NEG_DAMP or toks[j + 1] in _ZH_BOOST:
                            continue
                    if lex.get(w):
                        break
                if negated:
                    v *= _NEG_FACTOR
                acc.add(v)
            s = acc.total
            if concessive and not acc.after_contrast:
                s *= _BEFORE_CONTRAST
            if summary or (si == len(sentences) - 1 and len(sentences) > 2):
                s *= 1.5
            exclaim = sent.count("!") + sent.count("！")
            if s and exclaim:
                s = _boost(s, 0.2 * min(exclaim, 3))
            total += s
        return total


def _sentences(text: str) -> list[str]:
    # keep the exclamation marks with their sentence for emphasis
    parts = re.split(r"(?<=[。！？!?\n…])|(?<=[a-zA-Z\s)])\.(?!\d)", text)
    out = [p for p in parts if p and p.strip()]
    return out or [text]


def _preview(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[:n] + "…"


@cache
def default_sentiment() -> LexiconSentiment:
    """The built-in analyzer: offline lexicons for English and Chinese, language by script.

    Examples
    --------
    >>> s = default_sentiment()
    >>> round(s.polarity("Terrible. The parcel arrived broken."), 2) < 0
    True
    """
    return LexiconSentiment()
