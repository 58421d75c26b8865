"""Hashed jieba word uni- and bigram counts for ``SentimentClassifier`` (Chinese texts).

jieba (the ``sentiment`` extra) segments each text with its dictionary and unigram
frequencies (HMM off: same accuracy here, faster); the distinct tokens are hashed once with
CRC-32 and a 64-bit mixer, so the hashes are stable across processes, and the bigram hashes
are computed for all adjacent token pairs at once.

Negation scope: the ``scope`` words after a negator (不, 没有, 无法 …; the scope ends early
at a punctuation token) are counted as distinct "negated" tokens, so 满意 in 不太满意 no
longer adds the weight of a satisfied review (Das & Chen 2001; Pang, Lee & Vaithyanathan
2002 mark to the end of the clause: two words was better here, see ``docs/feedback.md``).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from distcrm._optional import import_optional
from distcrm.feedback._hashing import PRIME as _PRIME
from distcrm.feedback._hashing import mix64 as _mix

__all__ = ["NEGATORS", "hash_word_ngrams", "jieba_available", "mark_negation"]

#: jieba tokens that open a negation scope (after NFKC and lower-casing)
NEGATORS = frozenset(
    {
        "不", "没", "没有", "无", "别", "非", "未", "不是", "不太", "不够", "不会",
        "不能", "不要", "并不", "毫无", "从不", "不怎么", "不算", "谈不上", "不大",
        "没什么", "无法",
    }
)  # fmt: skip
_NOT = "\x00not\x00"  # prefix of a negated token (no jieba token holds a NUL)

_BIGRAM_SALT = np.uint64(0x9E3779B97F4A7C15)


def jieba_available() -> bool:
    """Whether jieba (the ``sentiment`` extra) can be imported."""
    try:
        import_optional("jieba")
    except ImportError:
        return False
    return True


def mark_negation(tokens: list[str], scope: int) -> list[str]:
    """``tokens`` with each of the ``scope`` tokens after a negator prefixed as negated.

    A token without a letter or digit (punctuation) ends the scope; a negator inside a
    scope opens a new one (and is not itself marked).

    >>> [t.replace("\\x00", "~") for t in mark_negation(["房间", "不", "太", "干净", "，", "早餐", "好"], 2)]
    ['房间', '不', '~not~太', '~not~干净', '，', '早餐', '好']
    """
    out: list[str] = []
    left = 0
    for w in tokens:
        if w in NEGATORS:
            left = scope
            out.append(w)
        elif left and not any(ch.isalnum() for ch in w):
            left = 0
            out.append(w)
        elif left:
            out.append(_NOT + w)
            left -= 1
        else:
            out.append(w)
    return out


def hash_word_ngrams(norm_texts: Sequence[str], *, n_features: int, negation_scope: int = 0) -> Any:
    """Counts of hashed jieba word unigrams and bigrams (CSR, ``n_features`` columns).

    ``norm_texts`` are already normalised (NFKC, lower case, whitespace collapsed);
    whitespace tokens are dropped and bigrams never cross from one text into the next.
    ``negation_scope > 0`` marks that many tokens after each negator as negated
    (:func:`mark_negation`).
    """
    import scipy.sparse as sp

    jieba = import_optional("jieba", feature="word features of SentimentClassifier")
    jieba.setLogLevel(logging.WARNING)
    cut = jieba.lcut
    table: dict[str, int] = {}
    ids: list[int] = []
    lengths = np.empty(len(norm_texts), dtype=np.int64)
    for i, t in enumerate(norm_texts):
        toks = [w for w in cut(t, HMM=False) if not w.isspace()]
        if negation_scope:
            toks = mark_negation(toks, negation_scope)
        lengths[i] = len(toks)
        ids.extend(table.setdefault(w, len(table)) for w in toks)
    tok_hash = _mix(
        np.fromiter((zlib.crc32(w.encode("utf-8")) for w in table), dtype=np.uint64, count=len(table))
        + np.uint64(1)
    )
    h = tok_hash[np.asarray(ids, dtype=np.int64)]
    doc = np.repeat(np.arange(len(norm_texts), dtype=np.int64), lengths)
    same = doc[1:] == doc[:-1]
    big = _mix((h[:-1] * _PRIME + h[1:]) ^ _BIGRAM_SALT)[same]
    cols = (np.concatenate([h, big]) % np.uint64(n_features)).astype(np.int64)
    rows = np.concatenate([doc, doc[1:][same]])
    X = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(len(norm_texts), n_features))
    X.sum_duplicates()
    return X
