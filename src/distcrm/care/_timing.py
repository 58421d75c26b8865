"""Best time to contact: smoothed response rates by local hour and weekday."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Self
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from distcrm._estimator import BaseEstimator, check_is_fitted
from distcrm.errors import ValidationError

__all__ = ["ContactTimeModel"]

FloatArray = npt.NDArray[np.float64]


def _offset(zone: ZoneInfo, epoch: int) -> int:
    off = dt.datetime.fromtimestamp(epoch, dt.UTC).astimezone(zone).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def _epoch_seconds(at: Any) -> npt.NDArray[np.int64]:
    """Seconds since the epoch (UTC) of aware datetimes, or of a ``datetime64`` array taken as UTC."""
    if isinstance(at, np.ndarray) and at.dtype.kind == "M":
        if np.isnat(at).any():
            raise ValidationError.single("at", int(np.flatnonzero(np.isnat(at))[0]), "contains NaT")
        return at.astype("datetime64[s]").astype(np.int64)
    out = []
    for k, t in enumerate(at):
        if not isinstance(t, dt.datetime) or t.tzinfo is None:
            raise ValidationError.single(f"at[{k}]", t, "must be a timezone-aware datetime")
        out.append(int(t.timestamp()))
    return np.asarray(out, dtype=np.int64)


class ContactTimeModel(BaseEstimator):
    """Response rate of outbound contacts by local weekday × hour, shrunk towards wider rates.

    Three levels of empirical-Bayes shrinkage (beta–binomial with pseudo-count ``m``):
    the overall rate; the global weekday × hour rate, shrunk to the overall rate with
    ``prior_strength``; each customer's weekday × hour rate, shrunk to the global
    one with ``customer_strength``. Times are converted to each customer's time zone.

    Parameters
    ----------
    prior_strength
        Pseudo-contacts pulling each global weekday × hour cell to the overall rate.
    customer_strength
        Pseudo-contacts pulling each customer's cell to the global cell.

    Examples
    --------
    >>> utc = dt.timezone.utc
    >>> at = [dt.datetime(2024, 5, 6, 10, tzinfo=utc)] * 4 + [dt.datetime(2024, 5, 6, 15, tzinfo=utc)] * 4
    >>> m = ContactTimeModel().fit_arrays(["a"] * 8, at, [1, 1, 1, 0, 0, 0, 1, 0], timezones={"a": "UTC"})
    >>> m.best_hour("a", dt.date(2024, 5, 13), hours=range(9, 18))
    10
    """

    def __init__(self, prior_strength: float = 20.0, customer_strength: float = 5.0) -> None:
        self.prior_strength = prior_strength
        self.customer_strength = customer_strength

    def fit(self, interactions: Iterable[Any], *, timezones: dict[str, str] | None = None) -> Self:
        """Learn from ``distcrm.domain.Interaction`` records (outbound ones with ``responded`` set)."""
        rows = [
            (i.customer_id, i.at, bool(i.responded))
            for i in interactions
            if getattr(i.direction, "value", i.direction) == "outbound" and i.responded is not None
        ]
        if not rows:
            raise ValidationError.single("interactions", 0, "no outbound interactions with a known response")
        c, a, r = zip(*rows, strict=True)
        return self.fit_arrays(list(c), list(a), list(r), timezones=timezones)

    def fit_arrays(
        self, customer_ids: Any, at: Any, responded: Any, *, timezones: dict[str, str] | None = None
    ) -> Self:
        """Learn from parallel arrays: customer id, contact time, responded (0/1).

        ``at`` holds timezone-aware datetimes or a ``datetime64`` array in UTC. Local
        times are computed per time zone with one offset lookup per distinct hour, so
        the cost is array operations over the contacts.
        """
        for name in ("prior_strength", "customer_strength"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and v > 0):
                raise ValidationError.single(name, v, "must be > 0")
        cids = np.asarray(customer_ids, dtype=object)
        resp = np.asarray(responded, dtype=np.float64)
        secs = _epoch_seconds(at)
        if not (len(cids) == len(secs) == len(resp)) or len(cids) == 0:
            raise ValidationError.single(
                "at", len(secs), f"need equal, non-zero lengths ({len(cids)}, {len(resp)})"
            )
        if not np.isin(resp, (0.0, 1.0)).all():
            raise ValidationError.single("responded", "non 0/1", "must be booleans")
        tzs = timezones or {}
        uniq, inv = np.unique(cids.astype(str), return_inverse=True)
        inv = inv.reshape(-1)
        zone_of_customer = np.array([tzs.get(c) or "UTC" for c in uniq.tolist()], dtype=object)
        zone_names, zone_inv = np.unique(zone_of_customer[inv].astype(str), return_inverse=True)
        local = secs.copy()
        for z, name in enumerate(zone_names.tolist()):  # one pass per time zone, offsets per distinct hour
            try:
                zone = ZoneInfo(name)
            except (KeyError, ValueError):
                raise ValidationError.single("timezones", name, "is not an IANA time zone") from None
            rows = np.flatnonzero(zone_inv.reshape(-1) == z)
            hours, h_inv = np.unique(secs[rows] // 3600, return_inverse=True)
            offsets = np.array([_offset(zone, int(h) * 3600) for h in hours.tolist()], dtype=np.int64)
            local[rows] = secs[rows] + offsets[h_inv.reshape(-1)]
        days = local // 86400
        wd = (days + 3) % 7  # 1970-01-01 was a Thursday (weekday 3)
        hr = (local // 3600) % 24
        n = np.zeros((uniq.size, 7, 24))
        s = np.zeros((uniq.size, 7, 24))
        np.add.at(n, (inv, wd, hr), 1.0)
        np.add.at(s, (inv, wd, hr), resp)
        overall = float(s.sum() / n.sum())
        gn, gs = n.sum(axis=0), s.sum(axis=0)
        m0, m1 = float(self.prior_strength), float(self.customer_strength)
        self.overall_rate_ = overall
        self.global_rate_ = (gs + m0 * overall) / (gn + m0)
        self.customer_rate_ = (s + m1 * self.global_rate_[None]) / (n + m1)
        self.customer_ids_ = uniq.astype(object)
        self._pos = {c: i for i, c in enumerate(uniq.tolist())}
        self.n_contacts_ = n
        return self

    def rates(self, customer_id: str | None = None) -> FloatArray:
        """The smoothed ``(7, 24)`` response rates (Monday = 0) of a customer, or global ones."""
        check_is_fitted(self, "global_rate_", "rates")
        if customer_id is None or customer_id not in self._pos:
            return np.asarray(self.global_rate_, dtype=np.float64)
        return np.asarray(self.customer_rate_[self._pos[customer_id]], dtype=np.float64)

    def best_hour(self, customer_id: str | None, day: dt.date, hours: Iterable[int]) -> int:
        """The allowed local hour with the highest smoothed rate on ``day``'s weekday (earliest on ties)."""
        allowed = sorted(set(hours))
        if not allowed or min(allowed) < 0 or max(allowed) > 23:
            raise ValidationError.single("hours", allowed, "must be hours 0–23, at least one")
        r = self.rates(customer_id)[day.weekday(), allowed]
        return allowed[int(np.argmax(r))]
