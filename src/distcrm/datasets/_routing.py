"""Lazy re-exports of the bundled routing instances (the readers live in ``distcrm.routing``)."""

from __future__ import annotations

from typing import Any

__all__ = ["load_bks", "load_cvrplib", "load_solomon"]


def load_solomon(name: str, **kwargs: Any) -> Any:
    """A bundled Solomon / Gehring–Homberger VRPTW instance as a ``RoutingProblem``.

    ``name`` is e.g. ``"C101"``, ``"R205"`` or ``"RC1_2_1"``; keyword arguments go to
    :func:`distcrm.routing.load_solomon` (``convention``, ``fleet``).
    """
    from distcrm import routing

    fn: Any = routing.load_solomon
    return fn(name, **kwargs)


def load_cvrplib(name: str, **kwargs: Any) -> Any:
    """A bundled CVRPLIB instance (Augerat A/P, Uchoa X) as a ``RoutingProblem``.

    Keyword arguments go to :func:`distcrm.routing.load_cvrplib`.
    """
    from distcrm import routing

    fn: Any = routing.load_cvrplib
    return fn(name, **kwargs)


def load_bks() -> Any:
    """The best-known solutions of the bundled routing instances (see ``distcrm.routing.load_bks``)."""
    from distcrm import routing

    fn: Any = routing.load_bks
    return fn()
