"""Late effects of the synthetic registry: MDS/AML at 1-3 % by 5 years in expectation (death
competing), renal decline with realistic timing, and labs that continue after the first year
(synth/late_effects.py)."""

from __future__ import annotations

import numpy as np
import pytest

from prrt_rwe.synth.generator import simulate
from prrt_rwe.synth.late_effects import LATE_START_DAYS

FIVE_YEARS = 5 * 365.25


@pytest.fixture(scope="module")
def sim():
    _, _, sim = next(simulate(20_000, 33, 11))
    return sim


def test_mds_aml_cumulative_incidence_at_5_years_in_range(sim):
    # expectation of the Aalen-Johansen CIF at 5 years without censoring: onset within 5
    # years and before death (the generator's latent times, before follow-up ends)
    onset = sim["labs"].late.marrow_day
    death = sim["series"].death_day
    with np.errstate(invalid="ignore"):
        cif5 = np.mean((onset <= FIVE_YEARS) & (onset < death))
    assert 0.01 <= cif5 <= 0.03
    # latency: MDS/AML appears years, not weeks, after PRRT (median ~2.5 years)
    seen = onset[~np.isnan(onset)]
    assert 18 * 30.4375 <= np.median(seen) <= 42 * 30.4375 and np.quantile(seen, 0.05) > 180


def test_recorded_mds_aml_follow_the_latent_onset(sim):
    aes, fu = sim["aes"], sim["followup"]
    onset = sim["labs"].late.marrow_day
    rows = np.isin(aes.term, (6, 7))
    np.testing.assert_array_equal(aes.day[rows], onset[aes.patient[rows]])
    assert (aes.day[rows] <= fu.end[aes.patient[rows]]).all()       # before death / end of follow-up
    with np.errstate(invalid="ignore"):
        assert rows.sum() == np.sum(onset <= fu.end)


def test_renal_decline_starts_after_six_months(sim):
    late = sim["labs"].late
    onset = late.renal_onset[~np.isnan(late.renal_onset)]
    assert 0.02 <= onset.size / late.renal_onset.size <= 0.04
    assert onset.min() >= 180 and onset.max() <= 1100


def test_labs_continue_to_the_end_of_follow_up(sim):
    labs, tx = sim["labs"], sim["treatment"]
    late_rows = labs.day > tx.last_day[labs.patient] + LATE_START_DAYS + 60
    assert late_rows.any()
    assert (labs.day <= sim["followup"].end[labs.patient]).all()
    order = np.lexsort((labs.test, labs.day, labs.patient))
    np.testing.assert_array_equal(order, np.arange(labs.day.size))   # rows in patient, day, test order
