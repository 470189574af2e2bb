"""ingest/read_ahead.py (issue 17): the results of calling one item ahead on a worker thread
are those of calling in turn, in order; an error comes where its result would have; a result
handed over is not held by the generator."""

from __future__ import annotations

import threading
import weakref

import pytest

from prrt_rwe.ingest.read_ahead import read_ahead


class Box:
    def __init__(self, value, thread):
        self.value, self.thread = value, thread


def test_results_in_order_from_a_worker_thread():
    got = list(read_ahead(lambda i: Box(i * i, threading.current_thread().name), range(50), "ahead"))
    assert [b.value for b in got] == [i * i for i in range(50)]
    assert {b.thread.split("_")[0] for b in got} == {"ahead"}
    assert list(read_ahead(lambda i: i, [], "ahead")) == []


def test_an_error_comes_where_its_result_would_have():
    def read(i):
        if i == 3:
            raise ValueError("item 3")
        return i

    got = []
    with pytest.raises(ValueError, match="item 3"):
        for value in read_ahead(read, range(10), "ahead"):
            got.append(value)
    assert got == [0, 1, 2]


def test_a_result_handed_over_is_not_held():
    ahead = read_ahead(lambda i: Box(i, ""), range(5), "ahead")
    first = next(ahead)
    gone = weakref.ref(first)
    del first
    assert gone() is None   # the generator, suspended, holds only the next item's read
    assert [b.value for b in ahead] == [1, 2, 3, 4]


def test_closing_waits_for_the_read_under_way():
    started, finished = threading.Event(), []

    def read(i):
        if i == 1:
            started.set()
            threading.Event().wait(0.2)
            finished.append(i)
        return i

    ahead = read_ahead(read, range(3), "ahead")
    assert next(ahead) == 0
    started.wait(5)
    ahead.close()
    assert finished == [1]
