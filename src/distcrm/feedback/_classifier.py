"""``SentimentClassifier``: char (and word) n-gram TF-IDF + logistic regression, trained on your own labels.

Everything is NumPy/SciPy: the texts are laid end to end as one array of code points, the
hash of every character n-gram is computed for all positions at once (no per-text loop),
the counts go into a CSR matrix, TF-IDF weights and L2 row norms are applied, and an
L2-penalised logistic (or, for more than two classes, softmax) regression is fitted with
L-BFGS on the sparse matrix. Only the hashed features seen in training become columns.
For Chinese, jieba word uni- and bigrams (the ``sentiment`` extra) form a second block of
columns when jieba is installed (``_words.py``).
"""

from __future__ import annotations

import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from distcrm._estimator import BaseEstimator, check_is_fitted
from distcrm.errors import ConvergenceWarning, FieldError, ValidationError
from distcrm.feedback._hashing import PRIME as _PRIME
from distcrm.feedback._hashing import mix64 as _mix
from distcrm.feedback._words import hash_word_ngrams, jieba_available

__all__ = ["SentimentClassifier", "hash_char_ngrams"]

_SEP = 0  # code point separating texts (NUL never occurs after our normalisation)
_CHAR_NEGATORS = np.array([ord(c) for c in "不没无未别非"], dtype=np.uint64)
# words=None adds jieba word n-grams only up to this many training texts: segmentation costs
# about 1 ms per review (20 s here), and with more data char n-grams alone close the gap
_WORDS_MAX_TEXTS = 20_000


def _normalize_texts(texts: Sequence[str]) -> list[str]:
    out = []
    errors: list[FieldError] = []
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            errors.append(FieldError(f"$.texts[{i}]", "must be a str", t))
            continue
        out.append(" ".join(unicodedata.normalize("NFKC", t).lower().replace("\x00", " ").split()))
    if errors:
        raise ValidationError(
            errors[:10], title=f"{len(errors)} texts are not strings" if len(errors) > 10 else None
        )
    return out


def _mark_char_negation(codes: Any, scope: int) -> Any:
    """``codes`` with the ``scope`` characters after a Chinese negator character flagged.

    A flagged code point has bit 32 set, so its n-grams hash apart from the plain ones.
    A negator (不 没 无 未 别 非) opens a scope of ``scope`` characters; a character that
    is not a letter or digit (punctuation, space, the text separator) ends it; a negator
    inside a scope opens a new one and is not itself flagged. Work is proportional to the
    number of negators: all scopes advance together, one character per step.
    """
    out = codes.copy()
    alive = np.flatnonzero(np.isin(codes, _CHAR_NEGATORS))
    for d in range(1, scope + 1):
        alive = alive[alive + d < codes.size]
        c = codes[alive + d]
        uniq, inv = np.unique(c, return_inverse=True)
        alnum = np.fromiter((chr(int(u)).isalnum() for u in uniq), dtype=bool, count=uniq.size)
        alive = alive[alnum[inv] & ~np.isin(c, _CHAR_NEGATORS)]
        out[alive + d] |= np.uint64(1 << 32)
    return out


def hash_char_ngrams(
    texts: Sequence[str],
    *,
    ngram_range: tuple[int, int] = (1, 3),
    n_features: int = 2**20,
    negation_scope: int = 0,
) -> Any:
    """Counts of hashed character n-grams, one row per text (a ``scipy.sparse.csr_matrix``).

    Texts are NFKC-normalised, lower-cased and their whitespace collapsed; n-grams never
    cross from one text into the next. ``negation_scope > 0`` flags the characters after
    a Chinese negator character (不 没 无 未 别 非; up to that many, until punctuation), so
    their n-grams get their own columns (满意 in 不满意 apart from 满意).

    Examples
    --------
    >>> X = hash_char_ngrams(["abab", "送货快"], ngram_range=(1, 2), n_features=2**16)
    >>> X.shape, int(X[0].sum()), int(X[1].sum())  # 4 + 3 and 3 + 2 n-grams
    ((2, 65536), 7, 5)
    """
    import scipy.sparse as sp

    lo, hi = ngram_range
    if not (1 <= lo <= hi <= 8):
        raise ValidationError.single("ngram_range", ngram_range, "must satisfy 1 <= low <= high <= 8")
    if not (isinstance(negation_scope, int) and not isinstance(negation_scope, bool) and negation_scope >= 0):
        raise ValidationError.single("negation_scope", negation_scope, "must be an int >= 0")
    norm = _normalize_texts(texts)
    n_docs = len(norm)
    joined = "\x00".join(norm) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if negation_scope > 0:
        codes = _mark_char_negation(codes, negation_scope)
    lengths = np.fromiter((len(t) for t in norm), dtype=np.int64, count=n_docs)
    doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), lengths + 1)
    is_sep = codes == _SEP
    sep_cum = np.concatenate([[0], np.cumsum(is_sep)])
    rows = []
    cols = []
    L = codes.size
    h = np.zeros(L, dtype=np.uint64)
    for n in range(1, hi + 1):
        # h[i] = hash of codes[i : i + n]  (polynomial, extended by one char per step)
        m = L - n + 1
        h = h[:m] * _PRIME + codes[n - 1 : n - 1 + m] + np.uint64(1)
        if n < lo:
            continue
        valid = (sep_cum[n : n + m] - sep_cum[:m]) == 0
        idx = np.flatnonzero(valid)
        feat = (_mix(h[idx] ^ np.uint64(n * 0x9E3779B97F4A7C15 % 2**64)) % np.uint64(n_features)).astype(
            np.int64
        )
        rows.append(doc_of[idx])
        cols.append(feat)
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    X = sp.csr_matrix((np.ones(r.size, dtype=np.float64), (r, c)), shape=(n_docs, n_features))
    X.sum_duplicates()
    return X


def _unit_rows(Z: Any) -> Any:
    """Rows scaled to unit L2 norm (empty rows left at zero)."""
    import scipy.sparse as sp

    norms = np.sqrt(np.asarray(Z.multiply(Z).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ Z


def _mostly_han(texts: Sequence[str]) -> bool:
    """Whether most letters (Han or Latin-script) of ``texts`` are Han characters."""
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    han = int(
        np.count_nonzero(((codes >= 0x4E00) & (codes <= 0x9FFF)) | ((codes >= 0x3400) & (codes <= 0x4DBF)))
    )
    latin = int(np.count_nonzero(((codes | 0x20) >= 0x61) & ((codes | 0x20) <= 0x7A)))
    latin += int(np.count_nonzero((codes >= 0xC0) & (codes <= 0x24F)))
    return han > latin


def _check_texts_labels(texts: Any, labels: Any) -> tuple[list[str], npt.NDArray[Any]]:
    if isinstance(texts, str):
        raise ValidationError.single("texts", texts[:30], "must be a sequence of str, not one str")
    tx = list(texts)
    y = np.asarray(labels)
    if y.ndim != 1:
        raise ValidationError.single("labels", y.shape, "must be 1-dimensional")
    if len(tx) != len(y):
        raise ValidationError.single(
            "labels", len(y), f"has length {len(y)}, expected {len(tx)} (one per text)"
        )
    if len(tx) == 0:
        raise ValidationError.single("texts", 0, "is empty")
    return tx, y


def _lbfgs(
    f: Any, x0: npt.NDArray[np.float64], *, max_iter: int, tol: float, memory: int = 10
) -> tuple[npt.NDArray[np.float64], int, bool]:
    """Minimise a smooth convex ``f`` (returning value and gradient) by L-BFGS.

    A plain NumPy two-loop recursion with Armijo backtracking: for the hundreds of
    thousands of hashed features here it is much faster per iteration than SciPy's
    bound-constrained Fortran L-BFGS-B, which does work we do not need. Stops when the
    relative decrease of ``f`` falls below ``tol`` or the largest gradient component
    below ``tol``. Returns ``(x, iterations, converged)``.
    """
    x = x0.copy()
    fx, g = f(x)
    hist: list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float]] = []
    for it in range(1, max_iter + 1):
        q = g.copy()
        alphas = []
        for s_, y_, rho in reversed(hist):
            a = rho * float(s_ @ q)
            q -= a * y_
            alphas.append(a)
        if hist:
            s_, y_, _ = hist[-1]
            q *= float(s_ @ y_) / float(y_ @ y_)
        else:
            q /= max(1.0, float(np.linalg.norm(g)))
        for (s_, y_, rho), a in zip(hist, reversed(alphas), strict=True):
            b = rho * float(y_ @ q)
            q += (a - b) * s_
        d = -q
        gd = float(g @ d)
        if gd >= 0:  # not a descent direction: restart from the gradient
            hist.clear()
            d = -g / max(1.0, float(np.linalg.norm(g)))
            gd = float(g @ d)
        step = 1.0
        while True:
            xn = x + step * d
            fn, gn = f(xn)
            if fn <= fx + 1e-4 * step * gd:
                break
            step *= 0.5
            if step < 1e-12:
                return x, it, False
        s_ = xn - x
        y_ = gn - g
        sy = float(s_ @ y_)
        if sy > 1e-12:
            hist.append((s_, y_, 1.0 / sy))
            if len(hist) > memory:
                hist.pop(0)
        done = (fx - fn) <= tol * max(1.0, abs(fn)) or float(np.max(np.abs(gn))) <= tol
        x, fx, g = xn, fn, gn
        if done:
            return x, it, True
    return x, max_iter, False


class SentimentClassifier(BaseEstimator):
    """Char (and, for Chinese, word) n-gram TF-IDF logistic regression for your own labelled feedback.

    Parameters
    ----------
    ngram_range
        Smallest and largest character n-gram; ``None`` (default) picks by script at fit
        time: ``(1, 2)`` when most letters of the training texts are Han characters (one
        Chinese character is close to a morpheme, two to a word), ``(1, 3)`` otherwise.
    n_features
        Size of the hashing space (of each block: char n-grams, and word n-grams).
    C
        Inverse L2 penalty (scikit-learn's convention: loss summed over texts plus
        ``||w||² / (2C)``); ``None`` (default) is 100 for Chinese with word features, 30
        for Chinese without them and 10 otherwise. The Chinese defaults were chosen by
        3-fold cross-validation inside one training half of the ChnSentiCorp hotel reviews
        (see ``docs/feedback.md``).
    words
        Add jieba word uni- and bigrams (a second TF-IDF block, each block L2-normalised,
        then the row) to the char n-grams. ``None`` (default): for Chinese training sets of
        at most 20,000 texts when jieba (the ``sentiment`` extra) is installed, char n-grams
        only otherwise; ``True`` always (``MissingDependencyError`` without jieba);
        ``False`` never. Segmentation is the slow part: about 1 ms per hotel review.
    negation_scope
        In the word block, the number of words after a negator (不, 没有, 无法 …) that are
        counted as distinct negated words (the scope ends at punctuation); for Chinese
        training sets without the word block, the number of characters after a negator
        character (不 没 无 未 别 非) whose char n-grams are counted apart. ``0`` turns the
        marking off. The default 2 was chosen by cross-validation on the hotel reviews
        (both forms).
    sublinear_tf
        Use ``1 + log(tf)`` instead of raw counts.
    max_iter, tol
        L-BFGS limits.
    positive_label
        The label whose probability maps to polarity +1 (binary problems); by default the
        larger of the two sorted labels (``1``, ``"pos"``, ``"positive"`` …).

    Attributes
    ----------
    classes_
        The sorted distinct labels.
    coef_, intercept_
        Weights over the active features (one column per class beyond the first for
        softmax; a vector for two classes).
    ngram_range_, C_, words_
        The n-gram range, penalty and word-feature choice used (the defaults resolved).
    char_negation_scope_
        The negation scope applied to the char n-grams: ``negation_scope`` for Chinese
        training sets without the word block, else 0.
    n_iter_
        L-BFGS iterations used.

    Examples
    --------
    >>> texts = ["fast delivery", "great service", "late and broken", "rude driver, late"] * 5
    >>> labels = [1, 1, 0, 0] * 5
    >>> clf = SentimentClassifier().fit(texts, labels)
    >>> clf.predict(["very fast, great", "broken and late"]).tolist()
    [1, 0]
    >>> -1 <= clf.polarity("late") < 0
    True
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] | None = None,
        n_features: int = 2**20,
        C: float | None = None,
        sublinear_tf: bool = True,
        max_iter: int = 300,
        tol: float = 1e-7,
        positive_label: Any = None,
        words: bool | None = None,
        negation_scope: int = 2,
    ) -> None:
        self.ngram_range = ngram_range
        self.n_features = n_features
        self.C = C
        self.sublinear_tf = sublinear_tf
        self.max_iter = max_iter
        self.tol = tol
        self.positive_label = positive_label
        self.words = words
        self.negation_scope = negation_scope

    # -- features ------------------------------------------------------------------------------

    def _validate_params(self) -> None:
        errors = []
        if not (isinstance(self.n_features, int) and 2**4 <= self.n_features <= 2**26):
            errors.append(FieldError("$.n_features", "must be an int in [16, 2**26]", self.n_features))
        if self.C is not None and not (isinstance(self.C, (int, float)) and self.C > 0):
            errors.append(FieldError("$.C", "must be > 0", self.C))
        if not (isinstance(self.max_iter, int) and self.max_iter > 0):
            errors.append(FieldError("$.max_iter", "must be a positive int", self.max_iter))
        r = self.ngram_range
        if r is not None and not (
            isinstance(r, tuple)
            and len(r) == 2
            and all(isinstance(v, int) for v in r)
            and 1 <= r[0] <= r[1] <= 8
        ):
            errors.append(FieldError("$.ngram_range", "must be (low, high) with 1 <= low <= high <= 8", r))
        if self.words is not None and not isinstance(self.words, bool):
            errors.append(FieldError("$.words", "must be True, False or None", self.words))
        ns = self.negation_scope
        if not (isinstance(ns, int) and not isinstance(ns, bool) and 0 <= ns <= 64):
            errors.append(FieldError("$.negation_scope", "must be an int in [0, 64]", ns))
        if errors:
            raise ValidationError(errors)

    def _transform_counts(self, X: Any) -> Any:
        import scipy.sparse as sp

        # keep only active columns, in the fitted order
        X = X.tocsr()
        col = self.column_of_[X.indices]
        keep = col >= 0
        row_of = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        indptr = np.concatenate([[0], np.cumsum(np.bincount(row_of[keep], minlength=X.shape[0]))])
        data = X.data[keep]
        if self.sublinear_tf:
            data = 1.0 + np.log(data)
        data = data * self.idf_[col[keep]]
        Z = sp.csr_matrix((data, col[keep], indptr), shape=(X.shape[0], self.idf_.size))
        if self.words_:
            # each block (char, word) to unit length, then the row
            split = self.n_char_columns_
            blocks = [Z[:, :split], Z[:, split:]]
            Z = sp.hstack([_unit_rows(B) for B in blocks], format="csr")
        return _unit_rows(Z)

    def _counts(self, tx: Sequence[str], words: bool) -> Any:
        import scipy.sparse as sp

        X = hash_char_ngrams(
            tx,
            ngram_range=self.ngram_range_,
            n_features=self.n_features,
            negation_scope=self.char_negation_scope_,
        )
        if not words:
            return X
        W = hash_word_ngrams(
            _normalize_texts(tx), n_features=self.n_features, negation_scope=self.negation_scope
        )
        return sp.hstack([X, W], format="csr")

    def transform(self, texts: Iterable[str]) -> Any:
        """The TF-IDF matrix of ``texts`` over the fitted features (CSR)."""
        check_is_fitted(self, "idf_", method="transform")
        tx = list(texts) if not isinstance(texts, str) else [texts]
        return self._transform_counts(self._counts(tx, self.words_))

    # -- fitting -------------------------------------------------------------------------------

    def fit(self, texts: Iterable[str], labels: Any) -> SentimentClassifier:
        """Learn the vocabulary weights and the regression from labelled texts."""
        self._validate_params()
        tx, y = _check_texts_labels(texts, labels)
        classes, yi = np.unique(y, return_inverse=True)
        if classes.size < 2:
            raise ValidationError.single("labels", classes.tolist(), "must contain at least two classes")
        if self.positive_label is not None and self.positive_label not in classes.tolist():
            raise ValidationError.single(
                "positive_label", self.positive_label, f"is not a label (labels: {classes.tolist()})"
            )
        chinese = _mostly_han(tx)
        self.ngram_range_: tuple[int, int] = (
            self.ngram_range if self.ngram_range is not None else ((1, 2) if chinese else (1, 3))
        )
        self.words_ = (
            self.words
            if self.words is not None
            else (chinese and len(tx) <= _WORDS_MAX_TEXTS and jieba_available())
        )
        # negation scopes live in the word block; Chinese models without one mark characters
        self.char_negation_scope_ = self.negation_scope if (chinese and not self.words_) else 0
        self.C_ = (
            float(self.C) if self.C is not None else ((100.0 if self.words_ else 30.0) if chinese else 10.0)
        )
        counts = self._counts(tx, self.words_)
        n_docs, n_cols = counts.shape
        df = np.bincount(counts.indices, minlength=n_cols)
        active = np.flatnonzero(df)
        self.n_char_columns_ = int(np.count_nonzero(active < self.n_features))
        column_of = np.full(n_cols, -1, dtype=np.int64)
        column_of[active] = np.arange(active.size)
        self.column_of_ = column_of
        self.idf_ = np.log((1.0 + n_docs) / (1.0 + df[active])) + 1.0
        X = self._transform_counts(counts)
        d = X.shape[1]
        K = classes.size
        lam = 1.0 / self.C_
        XT = X.T.tocsr()

        if K == 2:
            yb = yi.astype(np.float64)

            def f(wb: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
                w, b = wb[:-1], wb[-1]
                z = X @ w + b
                # log(1 + e^z) - y z, stably
                loss = float(np.sum(np.logaddexp(0.0, z) - yb * z)) + 0.5 * lam * float(w @ w)
                p = 0.5 * (1.0 + np.tanh(0.5 * z))
                r = p - yb
                g = np.empty_like(wb)
                g[:-1] = XT @ r + lam * w
                g[-1] = r.sum()
                return loss, g

            x0 = np.zeros(d + 1)
        else:
            Y = np.zeros((n_docs, K))
            Y[np.arange(n_docs), yi] = 1.0

            def f(wb: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
                W = wb[: d * K].reshape(d, K)
                b = wb[d * K :]
                Z = X @ W + b
                Z -= Z.max(axis=1, keepdims=True)
                lse = np.log(np.exp(Z).sum(axis=1, keepdims=True))
                logp = Z - lse
                loss = -float(np.sum(Y * logp)) + 0.5 * lam * float(np.sum(W * W))
                R = np.exp(logp) - Y
                gW = XT @ R + lam * W
                return loss, np.concatenate([gW.ravel(), R.sum(axis=0)])

            x0 = np.zeros(d * K + K)
        sol, n_iter, converged = _lbfgs(f, x0, max_iter=self.max_iter, tol=self.tol)
        if not converged:
            warnings.warn(
                f"SentimentClassifier: L-BFGS stopped after {n_iter} iterations without converging; "
                "raise max_iter",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.intercept_: float | npt.NDArray[np.float64]
        if K == 2:
            self.coef_ = sol[:-1]
            self.intercept_ = float(sol[-1])
        else:
            self.coef_ = sol[: d * K].reshape(d, K)
            self.intercept_ = sol[d * K :]
        self.classes_ = classes
        self.n_iter_ = n_iter
        return self

    # -- prediction ----------------------------------------------------------------------------

    def decision_function(self, texts: Iterable[str]) -> npt.NDArray[np.float64]:
        """Log-odds of the larger label (two classes) or per-class scores (more)."""
        check_is_fitted(self, "coef_", method="decision_function")
        X = self.transform(texts)
        out: npt.NDArray[np.float64] = X @ self.coef_ + self.intercept_
        return out

    def predict_proba(self, texts: Iterable[str]) -> npt.NDArray[np.float64]:
        """Class probabilities, columns in the order of ``classes_``."""
        z = self.decision_function(texts)
        if z.ndim == 1:
            p = 0.5 * (1.0 + np.tanh(0.5 * z))
            return np.column_stack([1.0 - p, p])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        out: npt.NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
        return out

    def predict(self, texts: Iterable[str]) -> npt.NDArray[Any]:
        """The most probable label of each text."""
        P = self.predict_proba(texts)
        out: npt.NDArray[Any] = self.classes_[np.argmax(P, axis=1)]
        return out

    def score(self, texts: Iterable[str], labels: Any) -> float:
        """Accuracy on labelled texts."""
        tx, y = _check_texts_labels(texts, labels)
        return float(np.mean(self.predict(tx) == y))

    def _positive_index(self) -> int:
        check_is_fitted(self, "classes_", method="polarity")
        if self.classes_.size != 2:
            raise ValidationError.single(
                "classes_", self.classes_.tolist(), "polarity needs a two-class (negative/positive) model"
            )
        if self.positive_label is None:
            return 1
        return int(np.flatnonzero(self.classes_ == self.positive_label)[0])

    def polarities(self, texts: Iterable[str]) -> npt.NDArray[np.float64]:
        """``2·P(positive) − 1`` for each text: the ``SentimentAnalyzer`` protocol."""
        k = self._positive_index()
        return 2.0 * self.predict_proba(texts)[:, k] - 1.0

    def polarity(self, text: str) -> float:
        """``2·P(positive) − 1`` for one text."""
        return float(self.polarities([text])[0])
