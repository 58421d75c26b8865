"""Tests for SentimentClassifier and the vectorised char n-gram hashing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from distcrm._estimator import clone
from distcrm.errors import NotFittedError, ValidationError
from distcrm.feedback import SentimentAnalyzer, SentimentClassifier, hash_char_ngrams


def test_hashing_counts_every_ngram_within_each_text() -> None:
    """A text of length L has L + (L−1) + (L−2) n-grams of orders 1–3; none cross texts."""
    X = hash_char_ngrams(["abcd", "", "xy"], ngram_range=(1, 3), n_features=2**18)
    assert [4 + 3 + 2, 0, 2 + 1] == np.asarray(X.sum(axis=1)).ravel().astype(int).tolist()


def test_hashing_same_ngram_same_column() -> None:
    """Equal n-grams in different texts land in the same column; case is folded."""
    X = hash_char_ngrams(["ab", "AB"], ngram_range=(2, 2), n_features=2**18)
    assert X[0].indices.tolist() == X[1].indices.tolist()


def test_not_fitted() -> None:
    """predict before fit raises NotFittedError."""
    with pytest.raises(NotFittedError):
        SentimentClassifier().predict(["x"])


def test_bad_inputs() -> None:
    """One class, mismatched lengths and bad hyper-parameters are ValidationErrors."""
    with pytest.raises(ValidationError):
        SentimentClassifier().fit(["a", "b"], [1, 1])
    with pytest.raises(ValidationError):
        SentimentClassifier().fit(["a", "b"], [1])
    with pytest.raises(ValidationError) as info:
        SentimentClassifier(C=-1, n_features=3).fit(["a", "b"], [0, 1])
    assert {"$.C", "$.n_features"} == set(info.value.paths)


def test_get_params_and_clone() -> None:
    """Hyper-parameters round-trip through get_params/clone."""
    c = SentimentClassifier(C=2.0, ngram_range=(1, 4))
    assert {"C": 2.0, "ngram_range": (1, 4)}.items() <= clone(c).get_params().items()


def test_amazon_yelp_split_accuracy(
    amazon: tuple[list[str], np.ndarray], yelp: tuple[list[str], np.ndarray]
) -> None:
    """Trained on half of amazon+yelp it reaches at least 78 % on the other half."""
    texts = amazon[0] + yelp[0]
    y = np.concatenate([amazon[1], yelp[1]])
    idx = np.random.default_rng(0).permutation(len(y))
    tr, te = idx[:1000], idx[1000:]
    clf = SentimentClassifier().fit([texts[i] for i in tr], y[tr])
    assert clf.score([texts[i] for i in te], y[te]) >= 0.78
    assert isinstance(clf, SentimentAnalyzer)
    pol = clf.polarities([texts[i] for i in te[:50]])
    assert np.all((-1 <= pol) & (pol <= 1))


def test_multiclass_and_string_labels() -> None:
    """Three string classes use softmax; probabilities sum to one."""
    texts = ["great fast", "awful late", "it arrived", "great", "late awful", "arrived today"] * 4
    labels = ["pos", "neg", "neu"] * 8
    clf = SentimentClassifier().fit(texts, labels)
    P = clf.predict_proba(["great", "awful"])
    assert np.allclose(1.0, P.sum(axis=1))
    assert ["pos", "neg"] == clf.predict(["great", "awful"]).tolist()
    with pytest.raises(ValidationError):
        clf.polarity("great")


def test_positive_label_choice() -> None:
    """positive_label decides the sign of polarity."""
    texts = ["good", "bad"] * 5
    labels = ["happy", "angry"] * 5
    assert SentimentClassifier(positive_label="happy").fit(texts, labels).polarity("good") > 0


def test_defaults_resolved_by_script() -> None:
    """Unset ngram_range/C/words resolve by script (Chinese: char 1–2 + jieba words, C=100); set values win."""
    zh = SentimentClassifier().fit(["送货很快", "包装破损", "服务很好", "司机迟到"], [1, 0, 1, 0])
    zh_chars = SentimentClassifier(words=False).fit(["送货很快", "包装破损"], [1, 0])
    en = SentimentClassifier().fit(["fast", "late", "great", "broken"], [1, 0, 1, 0])
    own = SentimentClassifier(ngram_range=(1, 4), C=2.0).fit(["送货很快", "包装破损"], [1, 0])
    assert ((1, 2), 100.0, True) == (zh.ngram_range_, zh.C_, zh.words_)
    assert ((1, 2), 30.0, False) == (zh_chars.ngram_range_, zh_chars.C_, zh_chars.words_)
    assert ((1, 3), 10.0, False) == (en.ngram_range_, en.C_, en.words_)
    assert ((1, 4), 2.0) == (own.ngram_range_, own.C_)
    assert (None, None, None) == (zh.ngram_range, zh.C, zh.words)


def test_chinese_without_jieba_falls_back_to_chars(monkeypatch: pytest.MonkeyPatch) -> None:
    """With jieba missing, words=None fits char n-grams only and words=True names the extra."""
    import sys

    from distcrm.errors import MissingDependencyError

    monkeypatch.setitem(sys.modules, "jieba", None)
    clf = SentimentClassifier().fit(["送货很快", "包装破损"], [1, 0])
    assert (False, 30.0) == (clf.words_, clf.C_)
    with pytest.raises(MissingDependencyError, match="sentiment"):
        SentimentClassifier(words=True).fit(["送货很快", "包装破损"], [1, 0])


def test_word_block_adds_word_ngrams() -> None:
    """Word features add a second block: words shared by texts share a column, bigrams stay in one text."""
    from distcrm.feedback._words import hash_word_ngrams

    X = hash_word_ngrams(["服务 很好", "服务很好", ""], n_features=2**18)
    counts = np.asarray(X.sum(axis=1)).ravel().astype(int).tolist()
    assert 0 == counts[2]
    assert X[0].indices.tolist() == X[1].indices.tolist()
    assert counts[0] >= 3  # at least two words and their bigram


def test_mark_negation_scope() -> None:
    """The scope words after a negator are marked; punctuation ends a scope; a negator reopens one."""
    from distcrm.feedback._words import mark_negation

    toks = ["房间", "不", "太", "干净", "，", "早餐", "没有", "味道", "，", "好"]
    out = mark_negation(toks, 2)
    marked = [i for i, (a, b) in enumerate(zip(toks, out, strict=True)) if a != b]
    assert [2, 3, 7] == marked
    assert all(out[i].endswith(toks[i]) and out[i] != toks[i] for i in marked)
    assert out[2][: -len(toks[2])] == out[7][: -len(toks[7])]  # one prefix for every negated word
    assert toks == mark_negation(toks, 0)
    nested = ["不", "是", "不", "好", "吃"]
    assert [1, 3] == [
        i for i, (a, b) in enumerate(zip(nested, mark_negation(nested, 1), strict=True)) if a != b
    ]


@given(
    st.lists(st.sampled_from(["不", "没有", "好", "干净", "，", "。", "服务", "!"]), max_size=30),
    st.integers(0, 5),
)
def test_mark_negation_keeps_tokens(toks: list[str], scope: int) -> None:
    """Marking never drops, adds or reorders tokens, and leaves negators and punctuation alone."""
    from distcrm.feedback._words import NEGATORS, mark_negation

    out = mark_negation(toks, scope)
    assert len(toks) == len(out)
    for a, b in zip(toks, out, strict=True):
        assert b == a or (b.endswith(a) and a not in NEGATORS and any(ch.isalnum() for ch in a))


def test_negation_scope_changes_only_negated_texts() -> None:
    """negation_scope moves the negated words of a text to their own columns and leaves other texts alone."""
    from distcrm.feedback._words import hash_word_ngrams

    texts = ["服务很好", "服务不好吃", "房间不太干净"]
    plain = hash_word_ngrams(texts, n_features=2**18)
    marked = hash_word_ngrams(texts, n_features=2**18, negation_scope=2)
    assert plain[0].indices.tolist() == marked[0].indices.tolist()
    assert plain[2].indices.tolist() != marked[2].indices.tolist()
    assert plain[2].sum() == marked[2].sum()  # same number of tokens and bigrams

    # the classifier passes its scope on: the negated words hash to other columns of the model
    train, labels = ["服务很好", "房间不太干净", "早餐不好吃", "位置很好"] * 3, [1, 0, 0, 1] * 3
    off = SentimentClassifier(words=True, negation_scope=0).fit(train, labels)
    on = SentimentClassifier(words=True, negation_scope=2).fit(train, labels)
    assert set(np.flatnonzero(on.column_of_ >= 0)) != set(np.flatnonzero(off.column_of_ >= 0))
    assert on.transform(["服务很好"]).nnz == off.transform(["服务很好"]).nnz


def test_char_negation_flags_the_scope() -> None:
    """In char n-grams, the characters after 不/没/无/未/别/非 (up to the scope, until
    punctuation or the text's end) get their own columns; other texts keep theirs."""
    texts = ["满意", "不满意", "不满，意", "很好满意", "没"]
    plain = hash_char_ngrams(texts, ngram_range=(1, 2), n_features=2**18)
    marked = hash_char_ngrams(texts, ngram_range=(1, 2), n_features=2**18, negation_scope=2)
    rows = [set(X.indices.tolist()) for X in marked]

    def col(ch: str) -> int:
        return int(hash_char_ngrams([ch], ngram_range=(1, 1), n_features=2**18).indices[0])

    assert [plain[i].indices.tolist() for i in (0, 3, 4)] == [marked[i].indices.tolist() for i in (0, 3, 4)]
    assert not rows[1] & rows[0]  # 满, 意 and 满意 after 不 are all negated n-grams
    assert col("意") in rows[2]
    assert col("满") not in rows[2]
    assert (np.asarray(plain.sum(axis=1)) == np.asarray(marked.sum(axis=1))).all()
    one = hash_char_ngrams(["不满意"], ngram_range=(1, 1), n_features=2**18, negation_scope=1)
    assert col("意") in one.indices.tolist()
    assert col("满") not in one.indices.tolist()


@given(st.text(alphabet="不没好满意，。 ab", max_size=40), st.integers(1, 4))
def test_char_negation_keeps_counts(text: str, scope: int) -> None:
    """Marking moves n-grams between columns, never adds or drops one; no negator, no change."""
    plain = hash_char_ngrams([text], ngram_range=(1, 3), n_features=2**18)
    marked = hash_char_ngrams([text], ngram_range=(1, 3), n_features=2**18, negation_scope=scope)
    assert plain.sum() == marked.sum()
    if "不" not in text and "没" not in text:
        assert plain.indices.tolist() == marked.indices.tolist()


@pytest.mark.parametrize("bad", [-1, 1.5, True, None])
def test_hash_char_ngrams_bad_negation_scope(bad: object) -> None:
    """hash_char_ngrams names a bad negation_scope instead of ignoring it."""
    with pytest.raises(ValidationError) as info:
        hash_char_ngrams(["不好"], negation_scope=bad)  # type: ignore[arg-type]
    assert ["$.negation_scope"] == list(info.value.paths)


def test_char_negation_scope_resolution() -> None:
    """Chinese models without the word block mark characters; word models and English do not."""
    zh, en = ["送货很快", "包装破损"], ["fast delivery", "broken box"]
    assert 2 == SentimentClassifier(words=False).fit(zh, [1, 0]).char_negation_scope_
    assert 0 == SentimentClassifier(words=True).fit(zh, [1, 0]).char_negation_scope_
    assert 0 == SentimentClassifier().fit(en, [1, 0]).char_negation_scope_
    assert 0 == SentimentClassifier(words=False, negation_scope=0).fit(zh, [1, 0]).char_negation_scope_
    # and the char block of a words=False model really is marked
    neg = ["不满意", "满意", "没意思", "有意思"]
    plain = SentimentClassifier(words=False, negation_scope=0).fit(neg, [0, 1, 0, 1])
    marked = SentimentClassifier(words=False).fit(neg, [0, 1, 0, 1])
    assert set(np.flatnonzero(marked.column_of_ >= 0)) != set(np.flatnonzero(plain.column_of_ >= 0))


@pytest.mark.parametrize("bad", [-1, 65, 1.5, True, "2"])
def test_bad_negation_scope(bad: object) -> None:
    """negation_scope must be an int in [0, 64], named in the error."""
    with pytest.raises(ValidationError) as info:
        SentimentClassifier(negation_scope=bad).fit(["a", "b"], [0, 1])  # type: ignore[arg-type]
    assert ["$.negation_scope"] == list(info.value.paths)


def test_chinese_word_model_learns_and_predicts() -> None:
    """A Chinese model with word features predicts unseen phrasing from shared words."""
    texts = ["房间干净，服务很好", "早餐不错，位置方便", "房间很脏，服务太差", "隔音很差，前台态度恶劣"] * 5
    clf = SentimentClassifier().fit(texts, [1, 1, 0, 0] * 5)
    assert clf.words_
    assert [1, 0] == clf.predict(["服务很好，位置方便", "前台态度太差"]).tolist()
    assert clf.transform(["服务很好"]).shape[1] == clf.coef_.size


def test_bad_words_parameter() -> None:
    """words must be a bool or None."""
    with pytest.raises(ValidationError) as info:
        SentimentClassifier(words="yes").fit(["a", "b"], [0, 1])  # type: ignore[arg-type]
    assert ["$.words"] == list(info.value.paths)


def test_large_chinese_sets_skip_words_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """words=None drops the jieba block above the size limit (speed); words=True keeps it."""
    from distcrm.feedback import _classifier

    monkeypatch.setattr(_classifier, "_WORDS_MAX_TEXTS", 3)
    texts, labels = ["送货很快", "包装破损", "服务很好", "司机迟到"], [1, 0, 1, 0]
    assert (False, 30.0) == (
        SentimentClassifier().fit(texts, labels).words_,
        SentimentClassifier().fit(texts, labels).C_,
    )
    assert SentimentClassifier(words=True).fit(texts, labels).words_
