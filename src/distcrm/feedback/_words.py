"""Hashed jieba word uni- and bigram counts for ``SentimentClassifier`` (Chinese texts).

jieba (the ``sentiment`` extra) segments each text with its dictionary and unigram
frequencies (HMM off: same accuracy here, faster); the distinct tokens are hashed once with
CRC-32 and a 64-bit mixer, so the hashes are stable across processes, and the bigram hashes
are computed for all adjacent token pairs at once.
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

__all__ = ["hash_word_ngrams", "jieba_available"]

_BIGRAM_SALT = np.uint64(0x9E3779B97F4A7C15)


def jieba_available() -> bool:
    """Whether jieba (the ``sentiment`` extra) can be imported."""
    try:
        import_optional("jieba")
    except ImportError:
        return False
    return True


def hash_word_ngrams(norm_texts: Sequence[str], *, n_features: int) -> Any:
    """Counts of hashed jieba word unigrams and bigrams (CSR, ``n_features`` columns).

    ``norm_texts`` are already normalised (NFKC, lower case, whitespace collapsed);
    whitespace tokens are dropped and bigrams never cross from one text into the next.
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
