"""The distcrm exception hierarchy.

Every exception distcrm raises on purpose derives from :class:`DistcrmError`, and
also from the builtin it refines (``ValidationError`` is a ``ValueError``,
``NotFoundError`` a ``KeyError``), so callers may catch either. Exceptions carry
structured attributes (``field``, ``value``, ``id``) besides their message.

This module imports nothing from distcrm.

Examples
--------
>>> from distcrm.errors import ValidationError, DistcrmError
>>> err = ValidationError.single("quantity", -3, "must be > 0")
>>> str(err)
'$.quantity: must be > 0, got -3'
>>> isinstance(err, ValueError) and isinstance(err, DistcrmError)
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "ConflictError",
    "ConvergenceWarning",
    "DataQualityWarning",
    "DistcrmError",
    "DistcrmWarning",
    "DuplicateError",
    "FieldError",
    "InfeasibleProblemError",
    "IntegrityError",
    "InvalidTransition",
    "MissingDependencyError",
    "NotFittedError",
    "NotFoundError",
    "ValidationError",
]

_MISSING: Any = object()


class DistcrmError(Exception):
    """Root of every exception distcrm raises on purpose."""


class FieldError:
    """One problem with one field of a payload.

    ``path`` is a JSONPath-like location (``$.lines[2].quantity``); ``value`` is the
    offending value (or :data:`FieldError.NO_VALUE` when the field was missing).
    Immutable and hashable.
    """

    __slots__ = ("message", "path", "value")
    NO_VALUE: Any = _MISSING

    path: str
    message: str
    value: Any

    def __init__(self, path: str, message: str, value: Any = _MISSING) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "value", value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"FieldError is immutable; cannot set {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldError):
            return NotImplemented
        return (self.path, self.message, self.value) == (other.path, other.message, other.value)

    def __hash__(self) -> int:
        try:
            return hash((self.path, self.message, self.value))
        except TypeError:  # an unhashable offending value (a list, a dict)
            return hash((self.path, self.message, repr(self.value)))

    def __repr__(self) -> str:
        if self.value is _MISSING:
            return f"FieldError(path={self.path!r}, message={self.message!r})"
        return f"FieldError(path={self.path!r}, message={self.message!r}, value={self.value!r})"

    def __str__(self) -> str:
        if self.value is _MISSING:
            return f"{self.path}: {self.message}"
        return f"{self.path}: {self.message}, got {self.value!r}"


def _as_path(field: str) -> str:
    if field.startswith("$"):
        return field
    if field.startswith("["):
        return "$" + field
    return "$." + field if field else "$"


class ValidationError(DistcrmError, ValueError):
    """Bad input: one or more fields have invalid values.

    Attributes
    ----------
    errors
        Every problem found, each a :class:`FieldError` with its path.
    field, value
        The first problem's field path and value, for the common single-field case.
    """

    def __init__(self, errors: Sequence[FieldError] | str, *, title: str | None = None) -> None:
        if isinstance(errors, str):
            errors = [FieldError("$", errors)]
        if not errors:
            raise ValueError("ValidationError needs at least one FieldError")
        self.errors: tuple[FieldError, ...] = tuple(errors)
        self.title = title
        lines = [str(e) for e in self.errors]
        text = lines[0] if len(lines) == 1 else "\n".join(["", *(f"  {ln}" for ln in lines)])
        if title:
            text = f"{title}: {text}"
        super().__init__(text)

    @classmethod
    def single(cls, field: str, value: Any, message: str) -> ValidationError:
        """One bad field: ``ValidationError.single("quantity", -3, "must be > 0")``."""
        return cls([FieldError(_as_path(field), message, value)])

    @classmethod
    def missing(cls, field: str, message: str = "is required") -> ValidationError:
        """A required field that is absent."""
        return cls([FieldError(_as_path(field), message)])

    @property
    def field(self) -> str:
        """The path of the first bad field."""
        return self.errors[0].path

    @property
    def value(self) -> Any:
        """The value of the first bad field (``None`` when it was missing)."""
        v = self.errors[0].value
        return None if v is _MISSING else v

    @property
    def paths(self) -> list[str]:
        """Every bad field's path, in the order found."""
        return [e.path for e in self.errors]

    def prefixed(self, prefix: str) -> ValidationError:
        """The same errors, with their paths nested under ``prefix`` (``$.lines[2]``)."""
        base = _as_path(prefix)
        out = [FieldError(base + e.path[1:], e.message, e.value) for e in self.errors]
        return ValidationError(out, title=self.title)

    @classmethod
    def combine(cls, errors: Iterable[ValidationError], *, title: str | None = None) -> ValidationError:
        """Merge several errors into one, keeping every field problem."""
        fe = [f for e in errors for f in e.errors]
        return cls(fe, title=title)


class NotFoundError(DistcrmError, KeyError):
    """A record with the given id does not exist."""

    def __init__(self, kind: str, id: object) -> None:
        self.kind = kind
        self.id = id
        super().__init__(f"{kind} {id!r} not found")

    def __str__(self) -> str:  # KeyError quotes its argument; keep the plain message
        return str(self.args[0])


class DuplicateError(DistcrmError, ValueError):
    """A record with the given id already exists."""

    def __init__(self, kind: str, id: object) -> None:
        self.kind = kind
        self.id = id
        super().__init__(f"{kind} {id!r} already exists")


class ConflictError(DistcrmError, RuntimeError):
    """An update was based on a stale version (optimistic concurrency)."""

    def __init__(self, kind: str, id: object, expected: int, actual: int | None) -> None:
        self.kind = kind
        self.id = id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{kind} {id!r} was changed concurrently: update based on version {expected}, "
            f"stored version is {actual}"
        )


class InvalidTransition(DistcrmError, ValueError):  # noqa: N818 - the name the design uses
    """A lifecycle was asked to move between two states it does not connect."""

    def __init__(self, kind: str, from_state: object, to_state: object, reason: str = "") -> None:
        self.kind = kind
        self.from_state = from_state
        self.to_state = to_state
        msg = f"{kind} cannot go from {_state(from_state)} to {_state(to_state)}"
        super().__init__(f"{msg}: {reason}" if reason else msg)


def _state(s: object) -> str:
    return str(getattr(s, "value", s))


class NotFittedError(DistcrmError, ValueError, AttributeError):
    """An estimator was used before ``fit``."""

    def __init__(self, estimator: object, method: str = "this method") -> None:
        name = type(estimator).__name__
        self.estimator_name = name
        super().__init__(f"This {name} instance is not fitted yet; call fit() before {method}.")


class InfeasibleProblemError(DistcrmError, ValueError):
    """A routing (or other optimisation) problem has no feasible solution."""

    def __init__(self, message: str, *, reasons: dict[str, str] | None = None) -> None:
        self.reasons = dict(reasons or {})
        super().__init__(message)


class IntegrityError(DistcrmError, RuntimeError):
    """Stored data (a backup, a database file) is truncated, corrupted or inconsistent."""


class MissingDependencyError(DistcrmError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""

    def __init__(self, package: str, extra: str, feature: str = "") -> None:
        self.package = package
        self.extra = extra
        what = f" for {feature}" if feature else ""
        super().__init__(
            f"{package} is required{what} but is not installed; "
            f'install it with: pip install "distcrm[{extra}]"',
            name=package,
        )


class DistcrmWarning(UserWarning):
    """Root of distcrm's warnings."""


class ConvergenceWarning(DistcrmWarning):
    """A fit did not converge, or converged to a degenerate point (a bound, a rate near 0)."""


class DataQualityWarning(DistcrmWarning):
    """Input data had records that were set aside or handled specially (reported, never dropped silently)."""
