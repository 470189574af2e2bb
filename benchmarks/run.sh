#!/usr/bin/env bash
# `make bench`: every benchmarks/bench_*.py writes a Markdown section into bench-out/;
# the sections, in file-name order, become benchmarks/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-out
# competitors (lifelines pins pandas<3) live in their own env, never in .venv
bash benchmarks/make_bench_env.sh
for script in benchmarks/bench_*.py; do
  echo "== $script"
  .venv-bench/bin/python "$script" --out bench-out
done
{
  echo "# Benchmarks"
  echo
  echo "Measured by \`make bench\` on $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m), $(date -u +%Y-%m-%d)."
  echo
  for section in bench-out/*.md; do cat "$section"; echo; done
} > benchmarks/RESULTS.md
echo "wrote benchmarks/RESULTS.md"
