"""Travel matrices: the :class:`DistanceProvider` protocol and the shipped providers.

Every provider maps an ``(n, 2)`` array of points to a pair of ``(n, n)`` float
matrices ``(distance, duration)``, computed for all pairs at once with NumPy.
"""

from __future__ import annotations

import hashlib
import json
import math
import urllib.parse
import urllib.request
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import attrs
import numpy as np
import numpy.typing as npt

from distcrm.errors import DistcrmError, FieldError, ValidationError

__all__ = [
    "CachedProvider",
    "DistanceProvider",
    "EuclideanProvider",
    "HaversineProvider",
    "MatrixProvider",
    "OSRMProvider",
    "SpeedProfile",
]

Matrices = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]
EARTH_RADIUS_M = 6_371_008.8


@runtime_checkable
class DistanceProvider(Protocol):
    """Computes travel distance and duration between every pair of points.

    Contract: ``matrices(points)`` takes an ``(n, 2)`` float array (``(x, y)`` or
    ``(latitude, longitude)`` when the provider's ``geographic`` attribute is true) and
    returns ``(distance, duration)``, two ``(n, n)`` float arrays, non-negative, with
    ``inf`` for unreachable pairs. It raises ``ValidationError`` for bad points and is
    deterministic: the same points give the same matrices.
    """

    @property
    def geographic(self) -> bool:
        """Whether points are ``(latitude, longitude)`` (checked for range)."""
        ...

    def matrices(self, points: npt.NDArray[np.float64]) -> Matrices:
        """``(distance, duration)`` between all pairs of ``points``."""
        ...


def _bands(bs: Iterable[tuple[float, float, float]]) -> tuple[tuple[float, float, float], ...]:
    return tuple((float(a), float(b), float(c)) for a, b, c in bs)


def _matrix(m: npt.ArrayLike) -> npt.NDArray[np.float64]:
    return np.array(m, dtype=np.float64)


def _opt_matrix(m: npt.ArrayLike | None) -> npt.NDArray[np.float64] | None:
    return None if m is None else np.array(m, dtype=np.float64)


def _as_points(points: Any) -> npt.NDArray[np.float64]:
    arr = np.asarray(points, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValidationError.single("points", arr.shape, "must have shape (n, 2)")
    if not np.isfinite(arr).all():
        raise ValidationError.single("points", "non-finite", "coordinates must be finite")
    return arr


@attrs.frozen
class EuclideanProvider:
    """Straight-line distance in the plane; duration = distance / ``speed``.

    ``decimals`` truncates every arc (distance and duration) to that many decimals, the
    DIMACS convention for Solomon instances (``decimals=1``).

    Examples
    --------
    >>> d, t = EuclideanProvider(speed=2.0).matrices([[0, 0], [3, 4]])
    >>> float(d[0, 1]), float(t[0, 1])
    (5.0, 2.5)
    """

    speed: float = 1.0
    decimals: int | None = None
    geographic: bool = attrs.field(default=False, init=False)

    def __attrs_post_init__(self) -> None:
        if not (self.speed > 0 and math.isfinite(self.speed)):
            raise ValidationError.single("speed", self.speed, "must be > 0")

    def matrices(self, points: npt.NDArray[np.float64]) -> Matrices:
        """Pairwise Euclidean distances and the matching durations."""
        p = _as_points(points)
        diff = p[:, None, :] - p[None, :, :]
        dist = np.sqrt((diff**2).sum(axis=-1))
        if self.decimals is not None:
            f = 10.0**self.decimals
            dist = np.floor(dist * f + 1e-9) / f
        dur = dist / self.speed
        if self.decimals is not None and self.speed != 1.0:
            dur = np.floor(dur * f + 1e-9) / f
        return dist, dur


@attrs.frozen
class SpeedProfile:
    """Average speed in km/h by time band: ``bands`` are ``(start_hour, end_hour, kmh)``.

    Hours not covered by a band use ``default_kmh``.

    Examples
    --------
    >>> sp = SpeedProfile(bands=((7, 9, 20.0), (16, 18, 25.0)), default_kmh=40.0)
    >>> sp.speed_at(8 * 3600), sp.speed_at(12 * 3600), sp.slowest()
    (20.0, 40.0, 20.0)
    """

    bands: tuple[tuple[float, float, float], ...] = attrs.field(default=(), converter=_bands)
    default_kmh: float = 30.0

    def __attrs_post_init__(self) -> None:
        errors = []
        if not self.default_kmh > 0:
            errors.append(FieldError("$.default_kmh", "must be > 0", self.default_kmh))
        for k, (a, b, v) in enumerate(self.bands):
            if not (0 <= a < b <= 24):
                errors.append(
                    FieldError(f"$.bands[{k}]", "hours must satisfy 0 <= start < end <= 24", (a, b))
                )
            if not v > 0:
                errors.append(FieldError(f"$.bands[{k}]", "speed must be > 0", v))
        if errors:
            raise ValidationError(errors, title="SpeedProfile")

    def speed_at(self, seconds_since_midnight: float) -> float:
        """Speed (km/h) in effect at a time of day."""
        h = (seconds_since_midnight / 3600.0) % 24
        for a, b, v in self.bands:
            if a <= h < b:
                return v
        return self.default_kmh

    def slowest(self) -> float:
        """The lowest speed of the profile (conservative for a static matrix)."""
        return min([self.default_kmh, *(v for _, _, v in self.bands)])


@attrs.frozen
class HaversineProvider:
    """Great-circle distance (metres) × ``detour`` factor; duration (seconds) from a speed profile.

    Points are ``(latitude, longitude)`` in degrees. Matrices are static: durations use the
    profile's speed at ``at`` (seconds since midnight) or, when ``at`` is None, its slowest
    speed, so a plan is never optimistic about traffic.

    Examples
    --------
    >>> hp = HaversineProvider(speed=SpeedProfile(default_kmh=36.0), detour=1.0)
    >>> d, t = hp.matrices([[52.0, 4.0], [52.0, 4.01]])
    >>> round(float(d[0, 1])), round(float(t[0, 1]))
    (685, 68)
    """

    speed: SpeedProfile = SpeedProfile()
    detour: float = 1.3
    at: float | None = None
    geographic: bool = attrs.field(default=True, init=False)

    def __attrs_post_init__(self) -> None:
        if not (self.detour >= 1.0 and math.isfinite(self.detour)):
            raise ValidationError.single("detour", self.detour, "must be >= 1")

    def matrices(self, points: npt.NDArray[np.float64]) -> Matrices:
        """Pairwise road-distance estimates and durations."""
        p = _as_points(points)
        bad = (np.abs(p[:, 0]) > 90) | (np.abs(p[:, 1]) > 180)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValidationError.single(
                f"points[{i}]", tuple(p[i]), "is not a (latitude, longitude) in range"
            )
        lat = np.radians(p[:, 0])
        lon = np.radians(p[:, 1])
        dlat = lat[:, None] - lat[None, :]
        dlon = lon[:, None] - lon[None, :]
        a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
        dist = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))) * self.detour
        kmh = self.speed.slowest() if self.at is None else self.speed.speed_at(self.at)
        dur = dist / (kmh / 3.6)
        return dist, dur


@attrs.frozen(eq=False)
class MatrixProvider:
    """Explicit matrices, in the order of the problem's locations ``[*depots, *stops]``.

    Examples
    --------
    >>> d, t = MatrixProvider([[0, 2], [3, 0]]).matrices(np.zeros((2, 2)))
    >>> t.tolist()
    [[0.0, 2.0], [3.0, 0.0]]
    """

    distance: npt.NDArray[np.float64] = attrs.field(converter=_matrix)
    duration: npt.NDArray[np.float64] | None = attrs.field(default=None, converter=_opt_matrix)
    geographic: bool = False

    def __attrs_post_init__(self) -> None:
        for name in ("distance", "duration"):
            m = getattr(self, name)
            if m is None:
                continue
            if m.ndim != 2 or m.shape[0] != m.shape[1]:
                raise ValidationError.single(f"{name}_matrix", m.shape, "must be square")
            if np.isnan(m).any() or (m < 0).any():
                raise ValidationError.single(f"{name}_matrix", "NaN or negative", "entries must be >= 0")
        if self.duration is not None and self.duration.shape != self.distance.shape:
            raise ValidationError.single(
                "duration_matrix", self.duration.shape, "must match the distance matrix"
            )

    def matrices(self, points: npt.NDArray[np.float64]) -> Matrices:
        """The stored matrices (``points`` only fixes the expected size)."""
        n = len(points)
        if self.distance.shape != (n, n):
            raise ValidationError.single(
                "distance_matrix", self.distance.shape, f"must be {n} x {n} (depots + stops)"
            )
        dur = self.duration if self.duration is not None else self.distance
        return self.distance.copy(), dur.copy()


class RoutingServiceError(DistcrmError, RuntimeError):
    """An HTTP routing service answered with an error or an unreadable payload."""


@attrs.frozen
class OSRMProvider:
    """Adapter for an OSRM-compatible HTTP ``table`` service (``/table/v1/{profile}/...``).

    Points are ``(latitude, longitude)``; the request sends ``lon,lat`` as OSRM expects and
    asks for ``annotations=distance,duration``. Unreachable pairs (``null``) become ``inf``.
    Only the standard library (``urllib``) is used.

    Examples
    --------
    >>> OSRMProvider("http://127.0.0.1:5000").url_for([[52.0, 4.0], [52.1, 4.1]])
    'http://127.0.0.1:5000/table/v1/driving/4.0,52.0;4.1,52.1?annotations=distance%2Cduration'
    """

    base_url: str
    profile: str = "driving"
    timeout: float = 30.0
    headers: tuple[tuple[str, str], ...] = ()
    geographic: bool = attrs.field(default=True, init=False)

    def url_for(self, points: Any) -> str:
        """The request URL for these points."""
        p = _as_points(points)
        coords = ";".join(f"{lon!r},{lat!r}" for lat, lon in p.tolist())
        query = urllib.parse.urlencode({"annotations": "distance,duration"})
        return f"{self.base_url.rstrip('/')}/table/v1/{self.profile}/{coords}?{query}"

    def matrices(self, points: npt.NDArray[np.float64]) -> Matrices:
        """Ask the service for the full table."""
        url = self.url_for(points)
        n = len(points)
        req = urllib.request.Request(url, headers=dict(self.headers))
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                payload = json.loads(resp.read().decode("utf-8"))
        except OSError as exc:
            raise RoutingServiceError(f"routing service {self.base_url} failed: {exc}") from exc
        except ValueError as exc:
            raise RoutingServiceError(
                f"routing service {self.base_url} returned invalid JSON: {exc}"
            ) from exc
        if payload.get("code") != "Ok":
            raise RoutingServiceError(
                f"routing service {self.base_url} answered {payload.get('code')!r}: {payload.get('message', '')}"
            )
        out = []
        for key in ("distances", "durations"):
            rows = payload.get(key)
            if rows is None:
                raise RoutingServiceError(f"routing service {self.base_url} returned no {key!r}")
            m = np.array([[np.inf if v is None else v for v in row] for row in rows], dtype=np.float64)
            if m.shape != (n, n):
                raise RoutingServiceError(
                    f"routing service returned {key} of shape {m.shape}, expected {(n, n)}"
                )
            out.append(m)
        return out[0], out[1]


class CachedProvider:
    """Caches another provider's matrices by the exact points (in memory, optionally on disk).

    Parameters
    ----------
    inner
        The provider to ask on a miss.
    maxsize
        Matrices kept in memory (least recently used evicted).
    directory
        When given, matrices are also stored there as ``.npz`` files and survive restarts.

    Examples
    --------
    >>> cp = CachedProvider(EuclideanProvider())
    >>> _ = cp.matrices([[0, 0], [1, 1]]); _ = cp.matrices([[0, 0], [1, 1]])
    >>> (cp.hits, cp.misses)
    (1, 1)
    """

    def __init__(
        self, inner: DistanceProvider, maxsize: int = 32, directory: str | Path | None = None
    ) -> None:
        if maxsize < 1:
            raise ValidationError.single("maxsize", maxsize, "must be >= 1")
        self.inner = inner
        self.maxsize = maxsize
        self.directory = Path(directory) if directory is not None else None
        self.geographic = bool(getattr(inner, "geographic", False))
        self.hits = 0
        self.misses = 0
        self._store: OrderedDict[str, Matrices] = OrderedDict()

    def _key(self, p: npt.NDArray[np.float64]) -> str:
        h = hashlib.sha256(repr(self.inner).encode())
        h.update(np.ascontiguousarray(p).tobytes())
        return h.hexdigest()[:32]

    def matrices(self, points: npt.NDArray[np.float64]) -> Matrices:
        """Cached ``inner.matrices(points)``."""
        p = _as_points(points)
        key = self._key(p)
        if key in self._store:
            self.hits += 1
            self._store.move_to_end(key)
            d, t = self._store[key]
            return d.copy(), t.copy()
        if self.directory is not None:
            f = self.directory / f"{key}.npz"
            if f.exists():
                with np.load(f) as z:
                    mats = (z["distance"], z["duration"])
                self.hits += 1
                self._remember(key, mats)
                return mats[0].copy(), mats[1].copy()
        self.misses += 1
        mats = self.inner.matrices(p)
        self._remember(key, mats)
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            np.savez(self.directory / f"{key}.npz", distance=mats[0], duration=mats[1])
        return mats[0].copy(), mats[1].copy()

    def _remember(self, key: str, mats: Matrices) -> None:
        self._store[key] = mats
        while len(self._store) > self.maxsize:
            self._store.popitem(last=False)

    def __repr__(self) -> str:
        return f"CachedProvider({self.inner!r})"


def matrices_for(provider: DistanceProvider, points: Sequence[Sequence[float]]) -> Matrices:
    """Convenience: ``provider.matrices`` on a list of points."""
    return provider.matrices(np.asarray(points, dtype=np.float64))
