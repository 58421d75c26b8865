"""Labelled review sentences for sentiment evaluation (UCI, Kotzias et al. 2015)."""

from __future__ import annotations

import csv
import html
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.datasets._resources import open_text
from distcrm.errors import ValidationError

__all__ = ["SentimentData", "load_sentiment"]

_FILES = {"amazon_cells": "uci_amazon_cells.csv", "yelp": "uci_yelp.csv"}


@attrs.frozen(eq=False, kw_only=True)
class SentimentData:
    """Texts with a binary sentiment label (1 positive, 0 negative).

    Attributes
    ----------
    name
        The data set's name.
    texts
        The sentences.
    labels
        ``int64`` array, one label per text.
    language
        ISO 639-1 code of the texts.
    """

    name: str
    texts: tuple[str, ...]
    labels: npt.NDArray[np.int64]
    language: str

    def __len__(self) -> int:
        return len(self.texts)

    def to_frame(self) -> Any:
        """A pandas DataFrame with ``text`` and ``label`` (``pandas`` extra)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="SentimentData.to_frame")
        return pd.DataFrame({"text": list(self.texts), "label": self.labels})

    def __repr__(self) -> str:
        return f"<SentimentData {self.name!r}: {len(self)} texts, {int(self.labels.sum())} positive>"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(t)}</td><td>{int(y)}</td></tr>"
            for t, y in zip(self.texts[:5], self.labels[:5], strict=False)
        )
        return f"<p>{html.escape(repr(self))}</p><table><tr><th>text</th><th>label</th></tr>{rows}</table>"


def load_sentiment(name: str) -> SentimentData:
    """One of the UCI "Sentiment Labelled Sentences" sets: ``"amazon_cells"`` or ``"yelp"``.

    1,000 English sentences each, half positive (Kotzias, Denil, de Freitas & Smyth,
    KDD 2015; CC BY 4.0). Reported for orientation: VADER scores 84.4 % accuracy on
    ``amazon_cells`` and 81.6 % on ``yelp``.

    Examples
    --------
    >>> d = load_sentiment("yelp")
    >>> len(d), int(d.labels.sum()), d.language
    (1000, 500, 'en')
    """
    if name not in _FILES:
        raise ValidationError.single("name", name, f"must be one of {sorted(_FILES)}")
    with open_text("sentiment", _FILES[name]) as f:
        reader = csv.reader(f)
        next(reader)
        rows = list(reader)
    return SentimentData(
        name=name,
        texts=tuple(r[0] for r in rows),
        labels=np.asarray([int(r[1]) for r in rows], dtype=np.int64),
        language="en",
    )
