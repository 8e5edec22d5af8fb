"""Feeding worker processes from a stream: results in input order, with bounded memory."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def in_order(submit: Callable[[Item], Future[Result]], items: Iterable[Item],
             in_flight: int) -> Iterator[tuple[Item, Result]]:
    """(item, submit(item)'s result) in input order, with at most ``in_flight`` items submitted and not yet
    yielded: memory stays bounded however large the input (``Pool.imap`` reads its input ahead without bound)."""
    pending: deque[tuple[Item, Future[Result]]] = deque()
    for item in items:
        pending.append((item, submit(item)))
        if len(pending) >= in_flight:
            done, future = pending.popleft()
            yield done, future.result()
    while pending:
        done, future = pending.popleft()
        yield done, future.result()
