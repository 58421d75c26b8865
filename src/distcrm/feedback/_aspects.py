"""Aspect tags (delivery, product, price, staff) from keyword lists in English and Chinese."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.errors import ValidationError

__all__ = ["ASPECT_KEYWORDS", "AspectSummary", "AspectTagger", "negative_aspects"]

#: The built-in keyword lists: English words match whole words (and their plural / -ed /
#: -ing forms), Chinese keywords match as substrings.
ASPECT_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "delivery": (
        "delivery",
        "deliver",
        "delivered",
        "courier",
        "driver",
        "shipping",
        "shipment",
        "shipped",
        "arrive",
        "arrived",
        "arrival",
        "late",
        "delay",
        "delayed",
        "on time",
        "package",
        "parcel",
        "packaging",
        "dispatch",
        "tracking",
        "rider",
        "transit",
        "送货",
        "配送",
        "快递",
        "物流",
        "送达",
        "到货",
        "发货",
        "送餐",
        "骑手",
        "外卖小哥",
        "快递员",
        "送到",
        "迟到",
        "超时",
        "延误",
        "准时",
        "包装",
        "运输",
        "签收",
        "派送",
        "取件",
    ),
    "product": (
        "product",
        "quality",
        "item",
        "goods",
        "broken",
        "damaged",
        "defective",
        "works",
        "material",
        "taste",
        "tasty",
        "food",
        "fresh",
        "size",
        "battery",
        "screen",
        "sound",
        "fit",
        "durable",
        "质量",
        "产品",
        "商品",
        "货品",
        "东西",
        "口味",
        "味道",
        "好吃",
        "难吃",
        "新鲜",
        "做工",
        "材质",
        "破损",
        "坏了",
        "分量",
        "菜品",
        "正品",
        "效果",
        "功能",
    ),
    "price": (
        "price",
        "prices",
        "priced",
        "cost",
        "costs",
        "expensive",
        "cheap",
        "value",
        "money",
        "overpriced",
        "affordable",
        "refund",
        "discount",
        "fee",
        "charge",
        "charged",
        "worth",
        "价格",
        "价钱",
        "便宜",
        "贵",
        "性价比",
        "划算",
        "实惠",
        "优惠",
        "退款",
        "运费",
        "收费",
        "折扣",
        "值",
    ),
    "staff": (
        "staff",
        "service",
        "employee",
        "agent",
        "support",
        "rude",
        "friendly",
        "helpful",
        "polite",
        "manager",
        "waiter",
        "waitress",
        "server",
        "customer service",
        "attitude",
        "salesperson",
        "服务",
        "态度",
        "客服",
        "店员",
        "员工",
        "服务员",
        "前台",
        "热情",
        "礼貌",
        "售后",
        "经理",
        "商家",
        "老板",
    ),
}

_HAN = re.compile(r"[\u3400-\u9fff]")


class AspectTagger:
    """Tags texts with the aspects they mention.

    Parameters
    ----------
    keywords
        ``{aspect: [keywords]}``; defaults to :data:`ASPECT_KEYWORDS`. Han-script keywords
        match as substrings; others match whole words, case-insensitively, allowing an
        ``s``/``es``/``ed``/``ing`` suffix.

    Examples
    --------
    >>> t = AspectTagger()
    >>> sorted(t.tags("The courier was rude and the price too high"))
    ['delivery', 'price', 'staff']
    >>> sorted(t.tags("送货很慢，但是菜品新鲜"))
    ['delivery', 'product']
    """

    def __init__(self, keywords: Mapping[str, Sequence[str]] | None = None) -> None:
        kw = ASPECT_KEYWORDS if keywords is None else keywords
        if not isinstance(kw, Mapping) or not kw:
            raise ValidationError.single("keywords", kw, "must be a non-empty mapping of aspect -> keywords")
        self.keywords = {str(a): tuple(str(w) for w in ws) for a, ws in kw.items()}
        self._patterns: dict[str, tuple[re.Pattern[str] | None, tuple[str, ...]]] = {}
        for aspect, words in self.keywords.items():
            latin = [w.lower() for w in words if not _HAN.search(w)]
            han = tuple(w for w in words if _HAN.search(w))
            pat = None
            if latin:
                alts = "|".join(sorted((re.escape(w) for w in latin), key=len, reverse=True))
                pat = re.compile(rf"\b(?:{alts})(?:s|es|ed|d|ing)?\b", re.IGNORECASE)
            self._patterns[aspect] = (pat, han)

    @property
    def aspects(self) -> tuple[str, ...]:
        """The aspect names, in the order given."""
        return tuple(self.keywords)

    def tags(self, text: str) -> frozenset[str]:
        """The aspects ``text`` mentions."""
        if not isinstance(text, str):
            raise ValidationError.single("text", text, "must be a str")
        out = set()
        for aspect, (pat, han) in self._patterns.items():
            if (pat is not None and pat.search(text)) or any(w in text for w in han):
                out.add(aspect)
        return frozenset(out)

    def tag_matrix(self, texts: Iterable[str]) -> npt.NDArray[np.bool_]:
        """A boolean matrix, one row per text, one column per aspect (in :attr:`aspects` order)."""
        rows = [self.tags(t) for t in texts]
        names = self.aspects
        return np.array([[a in r for a in names] for r in rows], dtype=bool).reshape(len(rows), len(names))


@attrs.frozen(kw_only=True)
class AspectSummary:
    """How often each aspect is mentioned in negative texts, and its mean polarity where mentioned."""

    aspects: tuple[str, ...]
    negative_mentions: tuple[int, ...]
    mentions: tuple[int, ...]
    mean_polarity: tuple[float | None, ...]
    n_texts: int
    n_negative: int

    def top(self, k: int = 3) -> list[tuple[str, int]]:
        """The ``k`` aspects most mentioned in negative texts, with their counts."""
        pairs = sorted(zip(self.aspects, self.negative_mentions, strict=True), key=lambda p: -p[1])
        return [p for p in pairs[:k] if p[1] > 0]

    def to_frame(self) -> Any:
        """One row per aspect (pandas is optional)."""
        from distcrm._optional import import_optional

        pd = import_optional("pandas", feature="AspectSummary.to_frame")
        return pd.DataFrame(
            {
                "negative_mentions": self.negative_mentions,
                "mentions": self.mentions,
                "mean_polarity": self.mean_polarity,
            },
            index=list(self.aspects),
        ).sort_values("negative_mentions", ascending=False)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(a)}</td><td>{n}</td><td>{m}</td></tr>"
            for a, n, m in zip(self.aspects, self.negative_mentions, self.mentions, strict=True)
        )
        return f"<table><caption>Aspects in {self.n_negative} negative of {self.n_texts} texts</caption>{rows}</table>"

    def plot(self, ax: Any = None) -> Any:
        """Bars of negative mentions per aspect (matplotlib is optional)."""
        from distcrm._optional import import_optional

        plt = import_optional("matplotlib.pyplot", feature="AspectSummary.plot")
        if ax is None:
            _, ax = plt.subplots()
        ax.barh(list(self.aspects), list(self.negative_mentions))
        ax.set_xlabel("mentions in negative feedback")
        return ax


def negative_aspects(
    texts: Sequence[str],
    polarities: Any = None,
    *,
    tagger: AspectTagger | None = None,
    analyzer: Any = None,
    threshold: float = 0.0,
) -> AspectSummary:
    """Which aspects customers complain about: aspect mentions among negative texts.

    ``polarities`` (one per text) come from any ``SentimentAnalyzer``; when omitted,
    ``analyzer`` (default :func:`default_sentiment`) scores the texts. A text is negative
    when its polarity is below ``threshold``.

    Examples
    --------
    >>> s = negative_aspects(["Driver was late again", "Great price", "送货太慢了"])
    >>> s.top(1)
    [('delivery', 2)]
    """
    texts = list(texts)
    if polarities is None:
        if analyzer is None:
            from distcrm.feedback._sentiment import default_sentiment

            analyzer = default_sentiment()
        pol = np.asarray(analyzer.polarities(texts), dtype=np.float64)
    else:
        pol = np.asarray(polarities, dtype=np.float64)
    if pol.shape != (len(texts),):
        raise ValidationError.single("polarities", pol.shape, f"must have one value per text ({len(texts)})")
    tg = tagger or AspectTagger()
    M = tg.tag_matrix(texts)
    neg = pol < threshold
    mentions = M.sum(axis=0)
    with np.errstate(invalid="ignore"):
        mean_pol = (M * pol[:, None]).sum(axis=0) / mentions
    return AspectSummary(
        aspects=tg.aspects,
        negative_mentions=tuple(int(v) for v in M[neg].sum(axis=0)),
        mentions=tuple(int(v) for v in mentions),
        mean_polarity=tuple(None if m == 0 else float(v) for v, m in zip(mean_pol, mentions, strict=True)),
        n_texts=len(texts),
        n_negative=int(neg.sum()),
    )
