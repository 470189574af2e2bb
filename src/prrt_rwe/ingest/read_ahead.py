"""One call ahead on a worker thread (issue 17): the next CSV block parsed while this one is
staged (engine_reader), the next part read back while this one is checked (validation). The
work called ahead is mostly pyarrow's, without the GIL, so a second core works beside the
caller's thread where it had waited."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

_END = object()


def read_ahead(read, items, name: str):
    """``read(item)`` for every item in order, the next item's running on a worker thread (named
    ``name``) while the caller works on this one's; an error of ``read`` is raised where its
    result would have come. No reference to a result is kept here once it is handed over (one
    more result is held: the one being read); closing the generator waits for that read."""
    items = iter(items)
    with ThreadPoolExecutor(1, thread_name_prefix=name) as pool:
        item = next(items, _END)
        pending = None if item is _END else pool.submit(read, item)
        while pending is not None:
            done = [pending.result()]
            item = next(items, _END)
            pending = None if item is _END else pool.submit(read, item)
            yield done.pop()
