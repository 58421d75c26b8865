"""The 64-bit hashing shared by the char and word n-gram features (stable across processes)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["PRIME", "mix64"]

_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
#: FNV-1a prime: the multiplier of the polynomial n-gram hashes
PRIME = np.uint64(0x100000001B3)


def mix64(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser: spreads the bits of a polynomial hash."""
    h = h ^ (h >> np.uint64(30))
    h = h * _MIX1
    h = h ^ (h >> np.uint64(27))
    h = h * _MIX2
    return h ^ (h >> np.uint64(31))
