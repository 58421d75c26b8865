"""The command line's jobs: each takes the parsed arguments and returns an exit code."""

from __future__ import annotations

import argparse

__all__ = ["run_demo"]


def run_demo(args: argparse.Namespace) -> int:
    """``distcrm demo``."""
    from distcrm.workflows._demo import run_demo as demo

    demo(
        args.out,
        n_customers=args.customers,
        days=args.days,
        seed=args.seed,
        route_seconds=args.route_seconds,
        progress=not args.no_progress,
    )
    return 0
