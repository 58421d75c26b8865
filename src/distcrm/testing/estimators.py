"""The conformance suite of the estimator contract, for built-in and third-party engines.

In the spirit of scikit-learn's ``estimator_checks``: :func:`estimator_checks` yields
``(name, check)`` pairs; each check is a callable taking nothing that raises
``AssertionError`` when the estimator breaks the contract. Run it from your own tests::

    import pytest
    from distcrm.testing.estimators import estimator_checks

    @pytest.mark.parametrize("name, check", estimator_checks(MyForecaster(), fit_args=(panel,)))
    def test_contract(name, check):
        check()

The contract (DESIGN.md): hyper-parameters are keyword arguments of ``__init__`` stored
unchanged under the same name; ``get_params``/``set_params`` round-trip; ``fit`` returns
``self`` and learns attributes whose names end in ``_``; using the estimator before
``fit`` raises :class:`~distcrm.errors.NotFittedError`; fitting twice on the same data
gives the same learned state (an estimator whose ``random_state`` is ``None`` is seeded
with 0 for those checks, as scikit-learn's checks do); ``set_params`` with an unknown name raises
:class:`~distcrm.errors.ValidationError`.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import numpy as np

from distcrm.errors import NotFittedError, ValidationError

__all__ = ["check_estimator", "estimator_checks"]

Check = Callable[[], None]


def _fresh(estimator: Any) -> Any:
    params = {k: copy.deepcopy(v) for k, v in estimator.get_params(deep=False).items()}
    return type(estimator)(**params)


def _seeded(estimator: Any) -> Any:
    """A fresh clone whose ``random_state`` (if it has one left as ``None``) is fixed to 0.

    As scikit-learn's checks do: determinism is only asked of a seeded estimator.
    """
    fresh = _fresh(estimator)
    params = fresh.get_params(deep=False)
    if "random_state" in params and params["random_state"] is None:
        fresh.set_params(random_state=0)
    return fresh


def _learned(estimator: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(estimator).items() if k.endswith("_") and not k.startswith("__")}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a_arr, b_arr = np.asarray(a), np.asarray(b)
        if a_arr.shape != b_arr.shape:
            return False
        if a_arr.dtype.kind in "fc":
            return bool(np.allclose(a_arr, b_arr, rtol=1e-9, atol=1e-12, equal_nan=True))
        return bool(np.array_equal(a_arr, b_arr))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "equals") and callable(a.equals):  # columnar data (DemandPanel, CustomerSummary...)
        return bool(a.equals(b))
    if hasattr(a, "get_params") and hasattr(b, "get_params"):  # nested estimators: same kind, same state
        return (
            type(a) is type(b)
            and _same(a.get_params(deep=False), b.get_params(deep=False))
            and _same(_learned(a), _learned(b))
        )
    if type(a) is type(b) and (attrs.has(type(a)) or dataclasses.is_dataclass(a)):
        # result objects compare field by field: their own == may be identity (eq=False, the
        # usual choice for array fields) or raise on arrays
        names = (
            [f.name for f in attrs.fields(type(a))]
            if attrs.has(type(a))
            else [f.name for f in dataclasses.fields(a)]
        )
        return all(_same(getattr(a, n), getattr(b, n)) for n in names)
    if isinstance(a, float) and isinstance(b, float):
        return bool(np.isclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))
    try:
        return bool(a == b)
    except Exception:  # objects without a usable == (e.g. fitted sub-models): compare their state
        return _same(vars(a), vars(b)) if hasattr(a, "__dict__") and hasattr(b, "__dict__") else a is b


def estimator_checks(
    estimator: Any,
    *,
    fit_args: Sequence[Any] = (),
    fit_kwargs: dict[str, Any] | None = None,
    use: Callable[[Any], Any] | None = None,
) -> Iterator[tuple[str, Check]]:
    """Yield the named checks of the estimator contract for ``estimator``.

    Parameters
    ----------
    estimator
        An unfitted estimator (it is cloned; the instance itself is never fitted).
    fit_args, fit_kwargs
        What to pass to ``fit``.
    use
        A call that needs the fitted state (``lambda est: est.predict(2)``); it must raise
        ``NotFittedError`` before ``fit``. Without it, that check is not yielded.

    Examples
    --------
    >>> from distcrm.forecast import Naive
    >>> from distcrm.data import DemandPanel
    >>> panel = DemandPanel.from_array([[1.0, 2.0, 3.0]])
    >>> for name, check in estimator_checks(Naive(), fit_args=(panel,), use=lambda e: e.predict(1)):
    ...     check()
    """
    kwargs = dict(fit_kwargs or {})

    def init_stores_params_unchanged() -> None:
        sig = inspect.signature(type(estimator).__init__)
        names = [p for p in sig.parameters if p != "self"]
        for p in sig.parameters.values():
            assert p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD), f"__init__ takes *{p.name}"
        params = estimator.get_params(deep=False)
        assert sorted(names) == sorted(params), f"get_params() {sorted(params)} != __init__ {sorted(names)}"
        for name in names:
            default = sig.parameters[name].default
            if default is inspect.Parameter.empty:
                continue
            fresh = type(estimator)(**{k: v for k, v in params.items() if k != name})
            assert _same(default, getattr(fresh, name)), f"{name} is not stored unchanged"

    def init_learns_nothing() -> None:
        fresh = _fresh(estimator)
        assert {} == _learned(fresh), "__init__ set learned (_) attributes"

    def set_params_round_trips() -> None:
        fresh = _fresh(estimator)
        params = fresh.get_params(deep=False)
        assert fresh is fresh.set_params(**params)
        assert _same(params, fresh.get_params(deep=False))

    def set_params_rejects_unknown() -> None:
        try:
            _fresh(estimator).set_params(no_such_parameter=1)
        except ValidationError:
            return
        raise AssertionError("set_params(no_such_parameter=1) did not raise ValidationError")

    def fit_returns_self_and_learns() -> None:
        fresh = _fresh(estimator)
        out = fresh.fit(*fit_args, **kwargs)
        assert out is fresh, "fit() must return self"
        assert _learned(fresh), "fit() learned no attribute ending in '_'"

    def fit_does_not_change_params() -> None:
        fresh = _fresh(estimator)
        before = copy.deepcopy(fresh.get_params(deep=False))
        fresh.fit(*fit_args, **kwargs)
        assert _same(before, fresh.get_params(deep=False)), "fit() changed a hyper-parameter"

    def fit_is_deterministic() -> None:
        a = _seeded(estimator).fit(*fit_args, **kwargs)
        b = _seeded(estimator).fit(*fit_args, **kwargs)
        la, lb = _learned(a), _learned(b)
        assert la.keys() == lb.keys()
        for k in la:
            assert _same(la[k], lb[k]), f"learned {k} differs between two fits on the same data"

    def refit_replaces_state() -> None:
        once = _seeded(estimator).fit(*fit_args, **kwargs)
        twice = _seeded(estimator).fit(*fit_args, **kwargs).fit(*fit_args, **kwargs)
        for k, v in _learned(once).items():
            assert _same(v, getattr(twice, k)), f"refitting changed {k}"

    def repr_names_the_class() -> None:
        assert type(estimator).__name__ in repr(_fresh(estimator))

    yield "init_stores_params_unchanged", init_stores_params_unchanged
    yield "init_learns_nothing", init_learns_nothing
    yield "set_params_round_trips", set_params_round_trips
    yield "set_params_rejects_unknown", set_params_rejects_unknown
    yield "fit_returns_self_and_learns", fit_returns_self_and_learns
    yield "fit_does_not_change_params", fit_does_not_change_params
    yield "fit_is_deterministic", fit_is_deterministic
    yield "refit_replaces_state", refit_replaces_state
    yield "repr_names_the_class", repr_names_the_class

    if use is not None:
        user = use

        def unfitted_raises_not_fitted() -> None:
            try:
                user(_fresh(estimator))
            except NotFittedError:
                return
            raise AssertionError("using the estimator before fit() did not raise NotFittedError")

        def fitted_can_be_used() -> None:
            user(_fresh(estimator).fit(*fit_args, **kwargs))

        yield "unfitted_raises_not_fitted", unfitted_raises_not_fitted
        yield "fitted_can_be_used", fitted_can_be_used


def check_estimator(estimator: Any, **kwargs: Any) -> None:
    """Run every check of :func:`estimator_checks`; raise on the first that fails, naming it."""
    for name, check in estimator_checks(estimator, **kwargs):
        try:
            check()
        except AssertionError as exc:
            raise AssertionError(f"{type(estimator).__name__} fails {name}: {exc}") from exc
