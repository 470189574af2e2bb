#!/usr/bin/env bash
# Creates .venv-bench: our package plus the Python tools we compare against (lifelines,
# statsmodels, scikit-survival).  lifelines pins pandas < 3, so it lives here and is never a
# runtime dependency of prrt-rwe.  Idempotent: only refreshes our package when the env is complete.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
ENV=.venv-bench
if [ -x "$ENV/bin/python" ] && "$ENV/bin/python" -c "import prrt_rwe, lifelines, statsmodels" 2>/dev/null; then
  "$ENV/bin/pip" install -q -e .   # picks up dependencies added since the env was made
  exit 0
fi
"$PYTHON" -m venv "$ENV"
"$ENV/bin/pip" install -q --upgrade pip
"$ENV/bin/pip" install -q lifelines statsmodels
# scikit-survival is optional: wheels may be missing for this Python; the benchmark skips it then.
"$ENV/bin/pip" install -q scikit-survival || echo "scikit-survival not installable here; skipped"
"$ENV/bin/pip" install -q -e .
"$ENV/bin/python" -c "import prrt_rwe, lifelines, statsmodels; print('bench env ready:', lifelines.__version__)"
