"""Several iterative fits (Newton-Raphson of two Cox models, IRLS of the logistic model) asking
the network in lockstep: each fit runs the pooled driver in its own thread, and every round
carries one part per fit still running, so a network round trip serves all of them.

``send(parts)`` sends one round and returns ``{node: {part id: reply}}``; a fit's ``ask``
returns the replies to its own part, ``{node: reply}``.  A failure of ``send`` reaches every
fit waiting in that round.  The order of parts in a round is the fits' name order, so the
rounds are the same on every run.
"""

from __future__ import annotations

import itertools
import threading

from prrt_rwe.federated.protocol import Part

__all__ = ["run_lockstep"]


def run_lockstep(send, fits: dict) -> dict:
    """Run ``fits`` (name -> callable(ask) -> result); returns name -> result or exception."""
    cond = threading.Condition()
    pending: dict = {}   # name -> [part, reply or None]
    alive = set(fits)
    results: dict = {}

    def asker(name):
        counter = itertools.count()

        def ask(analysis: str, params: dict):
            with cond:
                pending[name] = [Part(f"{name}:{next(counter)}", analysis, params), None]
                cond.notify_all()
                cond.wait_for(lambda: pending[name][1] is not None)
                reply = pending.pop(name)[1]
            if isinstance(reply, BaseException):
                raise reply
            return reply
        return ask

    def runner(name, fit):
        try:
            results[name] = fit(asker(name))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            results[name] = exc
        finally:
            with cond:
                alive.discard(name)
                cond.notify_all()

    threads = [threading.Thread(target=runner, args=(n, f), daemon=True, name=f"fit-{n}")
               for n, f in sorted(fits.items())]
    for t in threads:
        t.start()
    while True:
        with cond:
            cond.wait_for(lambda: all(n in pending and pending[n][1] is None for n in alive))
            if not alive:
                break
            batch = {n: pending[n][0] for n in sorted(alive)}
        try:
            replies = send(list(batch.values()))
        except BaseException as exc:  # noqa: BLE001 - every waiting fit learns it
            replies = exc
        with cond:
            for n, part in batch.items():
                pending[n][1] = replies if isinstance(replies, BaseException) else \
                    {node: r[part.id] for node, r in replies.items() if part.id in r}
            cond.notify_all()
    for t in threads:
        t.join()
    return results
