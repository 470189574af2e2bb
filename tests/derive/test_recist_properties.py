"""Invariants of the BOR rules (hypothesis), derivations.md "Tumour response".

1. Confirmation can only lower the response: CBOR is never better than BOR.
2. Rows after the first PD and rows on/after next therapy change nothing.
3. A longer confirmation interval or a later SD minimum day never improves CBOR.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from prrt_rwe.derive import recist

RANK = {v: i for i, v in enumerate(recist.BOR_VALUES)}  # 0 = CR (best) .. 4 = NE
series = st.lists(st.tuples(st.integers(1, 300), st.sampled_from(recist.RESPONSE_CODES)),
                  max_size=8).map(lambda s: sorted(s, key=lambda r: r[0]))


def _best(rows, nth=None, conf=28, sdmin=42):
    frame = pd.DataFrame({"pidx": np.zeros(len(rows), dtype=np.int64),
                          "date": [float(d) for d, _ in rows],
                          "overall_response": pd.Series([r for _, r in rows], dtype=object),
                          "source_line": np.arange(len(rows))})
    ovr = recist.ovr_rows(frame, np.zeros(1), np.array([np.nan if nth is None else float(nth)]))
    out = recist.best_responses(ovr, 1, conf, sdmin)
    return out["CBOR"][0][0], out["BOR"][0][0]


@settings(max_examples=150, deadline=None)
@given(series)
def test_cbor_never_better_than_bor(rows):
    cbor, bor = _best(rows)
    assert RANK[cbor] >= RANK[bor]


@settings(max_examples=150, deadline=None)
@given(series, series)
def test_rows_after_first_pd_change_nothing(rows, extra):
    pd_day = 150
    before = [r for r in rows if r[0] < pd_day] + [(pd_day, "PD")]
    after = [(pd_day + d, r) for d, r in extra]
    assert _best(before) == _best(before + after)


@settings(max_examples=150, deadline=None)
@given(series, series)
def test_rows_on_or_after_next_therapy_change_nothing(rows, extra):
    nth = 150
    before = [r for r in rows if r[0] < nth]
    after = [(nth + d - 1, r) for d, r in extra]   # day >= nth
    assert _best(before, nth) == _best(before + after, nth)


@settings(max_examples=150, deadline=None)
@given(series, st.integers(1, 60), st.integers(0, 60), st.integers(1, 80), st.integers(0, 40))
def test_stricter_rules_never_improve_cbor(rows, conf, more_conf, sdmin, more_sd):
    loose, _ = _best(rows, conf=conf, sdmin=sdmin)
    strict, _ = _best(rows, conf=conf + more_conf, sdmin=sdmin + more_sd)
    assert RANK[strict] >= RANK[loose]
