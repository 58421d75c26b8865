"""The scikit-learn estimator contract, without importing scikit-learn.

Statistical engines subclass :class:`BaseEstimator`: hyper-parameters are keyword
arguments of ``__init__`` stored unchanged under the same name; ``fit`` validates,
learns state whose names end in ``_`` and returns ``self``; anything that needs the
learned state calls :func:`check_is_fitted` first.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, Self

from distcrm.errors import NotFittedError, ValidationError

__all__ = ["BaseEstimator", "check_is_fitted", "clone"]


class BaseEstimator:
    """Mixin giving ``get_params``, ``set_params`` and a readable ``repr``."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        sig = inspect.signature(init)
        names = []
        for p in sig.parameters.values():
            if p.name == "self":
                continue
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(f"{cls.__name__}.__init__ must not take *args or **kwargs")
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Hyper-parameters as given to ``__init__`` (nested ones as ``outer__inner`` when deep)."""
        out: dict[str, Any] = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for k, v in value.get_params().items():
                    out[f"{name}__{k}"] = v
            out[name] = value
        return out

    def set_params(self, **params: Any) -> Self:
        """Set hyper-parameters; unknown names raise ``ValidationError``."""
        valid = self._get_param_names()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, _, sub = key.partition("__")
            if name not in valid:
                raise ValidationError.single(
                    key, value, f"is not a parameter of {type(self).__name__} (valid: {', '.join(valid)})"
                )
            if sub:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        params = []
        for name in self._get_param_names():
            value = getattr(self, name, None)
            default = inspect.signature(type(self).__init__).parameters[name].default
            try:
                same = bool(value == default)
            except Exception:  # array-valued params compare elementwise
                same = False
            if not same:
                params.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(params)})"

    def __sklearn_is_fitted__(self) -> bool:
        return any(k.endswith("_") and not k.startswith("__") for k in vars(self))


def check_is_fitted(
    estimator: object, attributes: str | tuple[str, ...] | None = None, method: str = ""
) -> None:
    """Raise :class:`NotFittedError` unless ``estimator`` has been fitted.

    With ``attributes``, those learned attributes must exist; otherwise any attribute
    ending in ``_`` counts.
    """
    method = method or "this method"
    if attributes is not None:
        names = (attributes,) if isinstance(attributes, str) else attributes
        if not all(hasattr(estimator, a) for a in names):
            raise NotFittedError(estimator, method)
        return
    fitted = getattr(estimator, "__sklearn_is_fitted__", None)
    if fitted is not None:
        if not fitted():
            raise NotFittedError(estimator, method)
        return
    if not any(k.endswith("_") and not k.startswith("__") for k in vars(estimator)):
        raise NotFittedError(estimator, method)


def clone(estimator: BaseEstimator) -> BaseEstimator:
    """A new unfitted estimator with the same hyper-parameters."""
    params = {k: copy.deepcopy(v) for k, v in estimator.get_params(deep=False).items()}
    return type(estimator)(**params)
