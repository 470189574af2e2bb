"""The committed R fixtures are what the committed R scripts produce today.

Each script under tests/validation/r/ (the statistics-engine ones listed below) is rerun into
a temporary folder and every file it writes is compared with the committed copy: same
columns, same labels, numbers equal to 1e-9 relative (printing is 15 significant digits, so
platform rounding may touch the last digit).  Skipped only where Rscript or a package the
script needs is absent; CI installs R (scripts/install-system-deps.sh).
"""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

HERE = Path(__file__).parent
SCRIPTS = {"km_logrank.R": ["survival"], "glm.R": ["survival", "MASS"],
           "proportions.R": [], "bootstrap.R": ["boot", "survival"],
           "frailty.R": ["survival"], "meta_analysis.R": ["metafor"], "mice_pool.R": ["mice", "survival"],
           "iptw.R": ["survival", "survey"],
           "maic.R": ["survival"],
           "efficacy.R": ["survival", "sandwich"],
           "km_logrank_extras.R": ["survival"],
           "competing_risks.R": ["survival", "cmprsk"], "mixed_model.R": ["nlme"]}

pytestmark = pytest.mark.r


def _has_packages(packages) -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = "; ".join(f"library({p})" for p in packages) or "invisible(0)"
    return subprocess.run(["Rscript", "-e", probe], capture_output=True).returncode == 0


def _same_table(fresh: Path, committed: Path) -> None:
    a, b = pd.read_csv(fresh), pd.read_csv(committed)
    assert list(a.columns) == list(b.columns), f"{committed.name}: columns differ"
    assert a.shape == b.shape, f"{committed.name}: {a.shape} rows/cols now, {b.shape} committed"
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y):
            np.testing.assert_allclose(x.to_numpy(float), y.to_numpy(float), rtol=1e-9, atol=0,
                                       equal_nan=True, err_msg=f"{committed.name}:{col}")
        else:
            assert x.astype(str).tolist() == y.astype(str).tolist(), f"{committed.name}:{col}"


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_r_script_reproduces_committed_fixtures(script, tmp_path):
    if not _has_packages(SCRIPTS[script]):
        pytest.skip(f"Rscript with {SCRIPTS[script]} not available")
    run = subprocess.run(["Rscript", str(HERE / "r" / script), str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    written = sorted(tmp_path.glob("*.csv"))
    assert written, f"{script} wrote nothing"
    for fresh in written:
        committed = HERE / "fixtures" / fresh.name
        assert committed.exists(), f"{fresh.name} is produced by {script} but not committed"
        _same_table(fresh, committed)
