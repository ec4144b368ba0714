"""Work spread over a process pool, results in input order, memory flat on any input.

Pool.imap would read its whole input ahead (its feeder thread does not wait for results), so
a corpus would end up in the pool's queue; here at most two items per worker are in flight.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import Pool
from typing import Any, TypeVar

Result = TypeVar("Result")


def ordered_map(
    pool: Pool, function: Callable[[Any], Result], items: Iterable[Any], *, workers: int
) -> Iterator[Result]:
    """``function(item)`` for every item, computed in ``pool``, yielded in input order."""
    pending: deque[Any] = deque()
    for item in items:
        pending.append(pool.apply_async(function, (item,)))
        if len(pending) >= 2 * workers:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()
