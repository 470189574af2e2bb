#!/usr/bin/env bash
# `make bench`: every benchmarks/bench_*.py writes a Markdown section into bench-out/;
# the sections, in file-name order, become benchmarks/RESULTS.md.
# The comparisons with lifelines/scikit-survival run in .venv-bench (lifelines pins pandas < 3,
# so it never enters .venv); our own pipeline is timed in .venv, the environment users run.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-out
COMPARATOR_BENCHES="bench_stats.py bench_cox.py bench_cox_counting.py"
bash benchmarks/make_bench_env.sh
for script in benchmarks/bench_*.py; do
  python=.venv/bin/python
  case " $COMPARATOR_BENCHES " in *" $(basename "$script") "*) python=.venv-bench/bin/python ;; esac
  echo "== $script ($python)"
  "$python" "$script" --out bench-out
done
{
  echo "# Benchmarks"
  echo
  echo "Measured by \`make bench\` on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m), $(date -u +%Y-%m-%d)."
  echo "Our pipeline (ingest, derive, analyze, synth) runs in .venv (pandas $(.venv/bin/python -c 'import pandas; print(pandas.__version__)'));"
  echo "the engine comparisons run in .venv-bench beside lifelines (pandas $(.venv-bench/bin/python -c 'import pandas; print(pandas.__version__)'))."
  echo
  for section in bench-out/*.md; do cat "$section"; echo; done
} > benchmarks/RESULTS.md
echo "wrote benchmarks/RESULTS.md"
