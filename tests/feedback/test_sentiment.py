"""Tests for the built-in lexicon sentiment analyzer (English and Chinese)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distcrm.errors import DataQualityWarning, ValidationError
from distcrm.feedback import LexiconSentiment, SentimentAnalyzer, default_sentiment, detect_language


def acc(scores: np.ndarray, y: np.ndarray) -> float:
    """Accuracy with positive = polarity > 0."""
    return float(((scores > 0).astype(int) == y).mean())


def test_default_satisfies_protocol() -> None:
    """default_sentiment() is a SentimentAnalyzer and is cached."""
    s = default_sentiment()
    assert isinstance(s, SentimentAnalyzer)
    assert s is default_sentiment()


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("送货很快", "zh"),
        ("Fast delivery", "en"),
        ("配送OK", "zh"),
        ("Быстрая доставка", None),
        ("速い配達です", None),
        ("1234 !!", None),
    ],
)
def test_detect_language_by_script(text: str, lang: str | None) -> None:
    """Han → zh, Latin → en, other scripts (Cyrillic, kana) and no letters → None."""
    assert lang == detect_language(text)


@pytest.mark.parametrize(
    ("worse", "better"),
    [
        ("not good", "good"),
        ("good", "very good"),
        ("bad", "not bad"),
        ("The food was great but the delivery was late", "The delivery was late but the food was great"),
        ("不好", "好"),
        ("好", "非常好"),
        ("难吃", "不难吃"),
        ("菜很好吃，但是送得太慢", "送得太慢，但是菜很好吃"),
        ("虽然便宜，但是不好吃", "虽然不便宜，但是很好吃"),
    ],
)
def test_negation_intensifiers_and_contrast_order(worse: str, better: str) -> None:
    """Negation flips, intensifiers amplify and the clause after 'but'/但是 dominates."""
    s = default_sentiment()
    assert s.polarity(worse) < s.polarity(better)


def test_fmm_segmentation_prefers_longest_word() -> None:
    """Forward maximum matching keeps 快递 and 不错 whole instead of 快 + 递 and 不 + 错."""
    assert ["快递员", "很", "不错"] == default_sentiment().tokens("快递员很不错")


def test_unknown_language_is_neutral_with_warning() -> None:
    """Cyrillic text scores 0 and raises a DataQualityWarning."""
    with pytest.warns(DataQualityWarning, match="not supported"):
        assert 0.0 == default_sentiment().polarity("Очень плохая доставка")


def test_polarities_warns_once_with_rows() -> None:
    """A batch with unsupported texts gives one warning listing the rows."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = default_sentiment().polarities(["good", "плохо", "很好", "나쁨"])
    assert 1 == len(rec)
    assert "rows [1, 3]" in str(rec[0].message)
    assert 0.0 == out[1]


def test_non_string_is_validation_error() -> None:
    """A non-string text names its row."""
    with pytest.raises(ValidationError) as info:
        default_sentiment().polarities(["ok", 3])  # type: ignore[list-item]
    assert "$.texts[1]" == info.value.field


def test_extra_words_extend_lexicons() -> None:
    """User words join the right lexicon by script."""
    s = LexiconSentiment(extra_words={"zippy": 2.0, "神仙": 2.5})
    assert s.polarity("zippy courier") > 0
    assert s.polarity("神仙外卖") > 0
    with pytest.raises(ValidationError):
        LexiconSentiment(extra_words={"x": 9.0})


def test_jieba_segmenter_gives_same_direction() -> None:
    """The optional jieba segmenter agrees on clear cases."""
    s = LexiconSentiment(segmenter="jieba")
    assert s.polarity("送餐很快，味道不错") > 0 > s.polarity("送餐太慢，菜都凉了")


def test_accuracy_on_uci_english_sentences(
    amazon: tuple[list[str], np.ndarray], yelp: tuple[list[str], np.ndarray]
) -> None:
    """On the bundled UCI sentences the built-in scores above VADER's 84.4 % / 81.6 % (README)."""
    s = default_sentiment()
    assert acc(s.polarities(amazon[0]), amazon[1]) >= 0.845
    assert acc(s.polarities(yelp[0]), yelp[1]) >= 0.82


def test_accuracy_on_our_delivery_reviews(
    delivery_zh: tuple[list[str], np.ndarray], delivery_en: tuple[list[str], np.ndarray]
) -> None:
    """At least 80 % on the delivery reviews we wrote (the issue's target)."""
    s = default_sentiment()
    assert acc(s.polarities(delivery_zh[0]), delivery_zh[1]) >= 0.8
    assert acc(s.polarities(delivery_en[0]), delivery_en[1]) >= 0.8


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=80))
def test_polarity_always_in_range(text: str) -> None:
    """Any string gives a finite polarity in [−1, 1]."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = default_sentiment().polarity(text)
    assert -1.0 <= p <= 1.0
