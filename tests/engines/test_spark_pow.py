"""Spark's power() goes through the C library's pow (engines/spark_engine.py POW_UDF, an Arrow
UDF): on eGFR-like arguments (CKD-EPI 2021: ratio ** exponent, 0.9938 ** age) every result
equals Python's math.pow (the C library's) bit for bit, NULL gives NULL, while Spark's own
power() (fdlibm) differs from it in the last bit for some of them."""

from __future__ import annotations

import math

import numpy as np


def test_spark_pow_is_the_c_librarys(spark):
    from prrt_rwe.engines.spark_engine import register_pow, with_c_pow

    register_pow(spark)
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(0.05, 8.0, 20_000), np.full(2_000, 0.9938)])
    y = np.concatenate([rng.choice([-0.241, -0.302, -1.2], 20_000), rng.uniform(18.0, 95.0, 2_000)])
    rows = [(float(a), float(b)) for a, b in zip(x, y)] + [(None, 1.0), (2.0, None)]
    frame = spark.createDataFrame(rows, "x double, y double")
    frame.createOrReplaceTempView("pow_args")
    got = spark.sql(with_c_pow("SELECT x, y, power(x, y) AS c, pow(x, y) AS spark_own FROM pow_args")
                    ).toPandas()
    # with_c_pow rewrites power( only; pow( stays Spark's own (fdlibm)
    expected = [math.pow(a, b) for a, b in rows[:-2]]
    c = got["c"].to_numpy()
    order = {(a, b): i for i, (a, b) in enumerate(zip(got["x"], got["y"])) if not (math.isnan(a) or math.isnan(b))}
    ours = np.array([c[order[r]] for r in rows[:-2]])
    assert np.array_equal(ours, np.array(expected))
    assert got["c"].isna().sum() == 2
    own = got["spark_own"].to_numpy()
    assert any(own[order[r]] != e for r, e in zip(rows[:-2], expected))
