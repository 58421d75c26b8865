"""Tests for aspect tagging and the negative-aspect summary."""

from __future__ import annotations

import numpy as np
import pytest

from distcrm.errors import ValidationError
from distcrm.feedback import AspectTagger, negative_aspects


@pytest.mark.parametrize(
    ("text", "aspects"),
    [
        ("The courier was rude", {"delivery", "staff"}),
        ("Overpriced for what you get", {"price"}),
        ("Parcels arrived quickly", {"delivery"}),
        ("质量很好，价格便宜", {"product", "price"}),
        ("客服态度差", {"staff"}),
        ("Nothing to say", set()),
    ],
)
def test_builtin_keywords_both_languages(text: str, aspects: set[str]) -> None:
    """Built-in keyword lists tag English (with inflections) and Chinese text."""
    assert frozenset(aspects) == AspectTagger().tags(text)


def test_whole_word_matching_for_english() -> None:
    """'fee' does not match inside 'coffee'."""
    assert "price" not in AspectTagger().tags("coffee was cold")


def test_custom_keywords_and_matrix() -> None:
    """A custom tagger returns a boolean matrix in aspect order."""
    t = AspectTagger({"speed": ["fast", "快"], "cost": ["price"]})
    M = t.tag_matrix(["fast", "price and 快", "none"])
    assert [[True, False], [True, True], [False, False]] == M.tolist()
    with pytest.raises(ValidationError):
        AspectTagger({})


def test_negative_aspects_with_given_polarities() -> None:
    """Negative mentions count only texts below the threshold; top() sorts by them."""
    texts = ["late delivery", "rude staff", "great price", "late again"]
    s = negative_aspects(texts, np.array([-0.5, -0.2, 0.8, -0.1]))
    assert [("delivery", 2), ("staff", 1)] == s.top(2)
    assert 3 == s.n_negative
    assert 0.8 == pytest.approx(s.mean_polarity[s.aspects.index("price")])
