"""Tests of the exception hierarchy."""

from __future__ import annotations

import pytest

from distcrm.errors import (
    ConflictError,
    DistcrmError,
    FieldError,
    InvalidTransition,
    MissingDependencyError,
    NotFittedError,
    NotFoundError,
    ValidationError,
)


def test_validation_error_is_value_error_and_names_field() -> None:
    """ValidationError subclasses ValueError and exposes the field and value."""
    err = ValidationError.single("lines[2].quantity", -3, "must be > 0")
    assert isinstance(err, ValueError)
    assert isinstance(err, DistcrmError)
    assert "$.lines[2].quantity" == err.field
    assert -3 == err.value
    assert "$.lines[2].quantity: must be > 0, got -3" == str(err)


def test_validation_error_lists_every_field() -> None:
    """Several field errors are all in the message and in .errors."""
    err = ValidationError([FieldError("$.a", "bad", 1), FieldError("$.b", "is required")])
    assert ["$.a", "$.b"] == err.paths
    assert "$.a: bad, got 1" in str(err)
    assert "$.b: is required" in str(err)


def test_prefixed_nests_paths() -> None:
    """prefixed() moves every path under the given prefix."""
    err = ValidationError.single("quantity", 0, "must be > 0").prefixed("$.lines[1]")
    assert "$.lines[1].quantity" == err.field


def test_not_found_is_key_error_with_plain_message() -> None:
    """NotFoundError is a KeyError whose str() is readable."""
    err = NotFoundError("customer", "C-1")
    assert isinstance(err, KeyError)
    assert "customer 'C-1' not found" == str(err)
    assert "C-1" == err.id


def test_structured_attributes() -> None:
    """Conflict, transition and not-fitted errors carry their facts."""
    c = ConflictError("order", "O-1", 3, 4)
    assert (3, 4) == (c.expected, c.actual)
    t = InvalidTransition("order", "draft", "delivered")
    assert ("draft", "delivered") == (t.from_state, t.to_state)
    assert "draft" in str(t)
    assert "delivered" in str(t)

    class Est:
        pass

    n = NotFittedError(Est(), "predict")
    assert isinstance(n, AttributeError)
    assert isinstance(n, ValueError)
    assert "Est" in str(n)


def test_missing_dependency_names_extra() -> None:
    """The import error for an optional package names the extra to install."""
    from distcrm._optional import import_optional

    with pytest.raises(MissingDependencyError) as info:
        import_optional("no_such_package_xyz", extra="plot")
    assert isinstance(info.value, ImportError)
    assert 'pip install "distcrm[plot]"' in str(info.value)
