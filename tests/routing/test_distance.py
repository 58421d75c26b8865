"""Distance providers: Euclidean, haversine with speed profiles, matrices, OSRM adapter, cache."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from distcrm.errors import ValidationError
from distcrm.routing import (
    CachedProvider,
    DistanceProvider,
    EuclideanProvider,
    HaversineProvider,
    MatrixProvider,
    OSRMProvider,
    RoutingServiceError,
    SpeedProfile,
)


@pytest.mark.parametrize(
    "provider",
    [
        EuclideanProvider(),
        HaversineProvider(),
        MatrixProvider(np.zeros((2, 2))),
        OSRMProvider("http://127.0.0.1:1"),
    ],
)
def test_providers_satisfy_the_protocol(provider: object) -> None:
    """Every shipped provider is a DistanceProvider."""
    assert isinstance(provider, DistanceProvider)


def test_euclidean_dimacs_truncation() -> None:
    """decimals=1 truncates arcs to one decimal (DIMACS convention)."""
    d, t = EuclideanProvider(decimals=1).matrices(np.array([[0.0, 0.0], [1.0, 1.0]]))
    assert 1.4 == d[0, 1]
    assert 1.4 == t[1, 0]


def test_haversine_paris_london() -> None:
    """Paris to London is about 343.5 km along the great circle."""
    d, _ = HaversineProvider(detour=1.0).matrices(np.array([[48.8566, 2.3522], [51.5074, -0.1278]]))
    assert 343.5 == pytest.approx(d[0, 1] / 1000, abs=0.5)


def test_haversine_detour_and_speed_profile() -> None:
    """Durations use the slowest band unless a time is given; the detour scales distance."""
    pts = np.array([[52.0, 4.0], [52.1, 4.0]])
    sp = SpeedProfile(bands=((7, 9, 18.0),), default_kmh=36.0)
    d1, t1 = HaversineProvider(speed=sp, detour=1.0).matrices(pts)
    d2, t2 = HaversineProvider(speed=sp, detour=1.5, at=12 * 3600).matrices(pts)
    assert d1[0, 1] * 1.5 == pytest.approx(d2[0, 1])
    assert d1[0, 1] / 5.0 == pytest.approx(t1[0, 1])
    assert d2[0, 1] / 10.0 == pytest.approx(t2[0, 1])


def test_speed_profile_validation() -> None:
    """Bands must lie within a day and have positive speed."""
    with pytest.raises(ValidationError) as exc:
        SpeedProfile(bands=((9, 7, 10.0), (1, 2, 0.0)))
    assert 2 == len(exc.value.errors)


class _Handler(http.server.BaseHTTPRequestHandler):
    payload: ClassVar[bytes] = b""
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(type(self).payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def osrm_server(data_dir: Path) -> Iterator[str]:
    _Handler.payload = (data_dir / "osrm_table.json").read_bytes()
    _Handler.seen = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_osrm_adapter_against_a_local_fake_server(osrm_server: str) -> None:
    """The adapter sends lon,lat pairs and reads distances and durations."""
    pts = np.array([[52.0, 4.0], [52.1, 4.1], [52.2, 4.2]])
    d, t = OSRMProvider(osrm_server).matrices(pts)
    assert 3100.0 == d[1, 2]
    assert 120.5 == t[0, 1]
    assert _Handler.seen[0].startswith("/table/v1/driving/4.0,52.0;4.1,52.1;4.2,52.2?")


def test_osrm_error_code_is_reported(osrm_server: str) -> None:
    """A non-Ok answer raises RoutingServiceError with the service's code."""
    _Handler.payload = json.dumps({"code": "InvalidQuery", "message": "bad"}).encode()
    with pytest.raises(RoutingServiceError, match="InvalidQuery"):
        OSRMProvider(osrm_server).matrices(np.array([[52.0, 4.0], [52.1, 4.1]]))


def test_osrm_unreachable_server_is_reported() -> None:
    """A refused connection raises RoutingServiceError, never a bare OSError."""
    with pytest.raises(RoutingServiceError):
        OSRMProvider("http://127.0.0.1:9", timeout=2).matrices(np.array([[52.0, 4.0], [52.1, 4.1]]))


def test_cache_in_memory_and_on_disk(tmp_path: Path) -> None:
    """Repeated points are served from the cache, also by a new cache on the same directory."""
    pts = np.array([[0.0, 0.0], [3.0, 4.0]])
    c = CachedProvider(EuclideanProvider(), directory=tmp_path)
    c.matrices(pts)
    d, _ = c.matrices(pts)
    assert (1, 1) == (c.hits, c.misses)
    c2 = CachedProvider(EuclideanProvider(), directory=tmp_path)
    d2, _ = c2.matrices(pts)
    assert (1, 0) == (c2.hits, c2.misses)
    assert d.tolist() == d2.tolist()


def test_cache_evicts_least_recently_used() -> None:
    """Only maxsize matrices are kept."""
    c = CachedProvider(EuclideanProvider(), maxsize=1)
    c.matrices(np.array([[0.0, 0.0]]))
    c.matrices(np.array([[1.0, 0.0]]))
    c.matrices(np.array([[0.0, 0.0]]))
    assert 3 == c.misses
