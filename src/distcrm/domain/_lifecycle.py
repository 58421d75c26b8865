"""One state-machine mechanism for every lifecycle (order, shipment, case, campaign).

A :class:`Lifecycle` is a table of named events, each with the states it may fire
from and the single state it leads to. Domain methods fire events; the same table
validates stored histories, so an object with an impossible history cannot be built.

Examples
--------
>>> import enum
>>> class Light(enum.Enum):
...     RED = "red"
...     GREEN = "green"
>>> lc = Lifecycle("light", {"go": ({Light.RED}, Light.GREEN), "stop": ({Light.GREEN}, Light.RED)})
>>> lc.fire("go", Light.RED)
<Light.GREEN: 'green'>
>>> lc.fire("go", Light.GREEN)
Traceback (most recent call last):
...
distcrm.errors.InvalidTransition: light cannot go from green to green: 'go' is allowed only from red
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Generic, TypeVar

import attrs

from distcrm.domain._validation import Record, err
from distcrm.errors import FieldError, InvalidTransition

__all__ = ["Lifecycle", "StatusChange"]

S = TypeVar("S", bound=enum.Enum)


@attrs.frozen(kw_only=True)
class StatusChange(Record, Generic[S]):
    """One step of a lifecycle's history: when, from which state, to which, and why.

    Examples
    --------
    >>> from datetime import datetime, timezone
    >>> from distcrm.domain import CaseStatus
    >>> StatusChange(at=datetime(2024, 5, 1, tzinfo=timezone.utc),
    ...              from_status=CaseStatus.OPEN, to_status=CaseStatus.ACKNOWLEDGED).to_status
    <CaseStatus.ACKNOWLEDGED: 'acknowledged'>
    """

    at: dt.datetime
    from_status: S
    to_status: S
    note: str = ""

    def _check(self) -> Iterator[FieldError]:
        if type(self.from_status) is not type(self.to_status):
            yield err("to_status", f"must be a {type(self.from_status).__name__}", self.to_status)


class Lifecycle(Generic[S]):
    """A named state machine: ``events`` maps an event name to (source states, target)."""

    def __init__(self, kind: str, events: Mapping[str, tuple[Iterable[S], S]]) -> None:
        self.kind = kind
        self.events: dict[str, tuple[frozenset[S], S]] = {
            name: (frozenset(src), dst) for name, (src, dst) in events.items()
        }
        self.pairs: frozenset[tuple[S, S]] = frozenset(
            (a, dst) for src, dst in self.events.values() for a in src
        )

    def target(self, event: str) -> S:
        """The state ``event`` leads to."""
        return self.events[event][1]

    def can_fire(self, event: str, state: S) -> bool:
        """Whether ``event`` may fire from ``state``."""
        return state in self.events[event][0]

    def fire(self, event: str, state: S) -> S:
        """The state after ``event`` fires in ``state``; raises :class:`InvalidTransition`."""
        sources, target = self.events[event]
        if state not in sources:
            allowed = ", ".join(sorted(str(s.value) for s in sources))
            raise InvalidTransition(self.kind, state, target, f"{event!r} is allowed only from {allowed}")
        return target

    def allows(self, from_state: S, to_state: S) -> bool:
        """Whether some event leads from ``from_state`` to ``to_state``."""
        return (from_state, to_state) in self.pairs

    def next_states(self, state: S) -> frozenset[S]:
        """Every state reachable in one step from ``state``."""
        return frozenset(b for a, b in self.pairs if a == state)

    def check_history(
        self,
        history: Sequence[StatusChange[S]],
        status: S,
        *,
        since: dt.datetime | None = None,
        field: str = "history",
    ) -> Iterator[FieldError]:
        """Problems with a stored history: illegal steps, broken chain, time going backwards."""
        prev_to: S | None = None
        prev_at = since
        for i, step in enumerate(history):
            if not self.allows(step.from_status, step.to_status):
                yield err(
                    f"{field}[{i}]",
                    f"{self.kind} cannot go from {step.from_status.value} to {step.to_status.value}",
                )
            if prev_to is not None and step.from_status != prev_to:
                yield err(
                    f"{field}[{i}].from_status",
                    f"must be {prev_to.value} (the previous step's to_status)",
                    step.from_status.value,
                )
            if prev_at is not None and step.at < prev_at:
                yield err(f"{field}[{i}].at", f"must not be before {prev_at.isoformat()}", step.at)
            prev_to, prev_at = step.to_status, step.at
        if prev_to is not None and prev_to != status:
            yield err("status", f"must be {prev_to.value} (the last step of the history)", status.value)
