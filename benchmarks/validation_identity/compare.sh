#!/bin/bash
# compare.sh REG TAG [--keep-extra-columns]: `prrt-rwe validate` (stdout, --json) and `ingest` (stdout,
# --json, the sha256 of every table of the database in stored order) of REG by two checkouts, byte
# for byte. MAIN and BRANCH: checkouts with a .venv (default /work/main and this one); OUT: where
# the outputs go (MAIN's are kept and reused: MAIN does not change). Registries: `prrt-rwe synth`,
# then inject_faults.py (errors of many codes and every staging path, or warnings only).
REG=$1; TAG=$2; EXTRA=$3; H=$(cd "$(dirname "$0")" && pwd)
MAIN=${MAIN:-/work/main}; BRANCH=${BRANCH:-$(cd "$H/../.." && pwd)}; O=${OUT:-/tmp/validation_identity}/$TAG; rm -rf $O/branch; mkdir -p $O
for side in main branch; do
  if [ $side = main ] && [ -f $O/main/done ]; then continue; fi   # main does not change: once
  mkdir -p $O/$side; cd $O/$side
  if [ $side = main ]; then CLI=$MAIN/.venv/bin/prrt-rwe; PY=$MAIN/.venv/bin/python; else CLI=$BRANCH/.venv/bin/prrt-rwe; PY=$BRANCH/.venv/bin/python; fi
  nice -n 5 $CLI validate $REG --json validate.json > validate.txt 2>&1; echo "rc $?" >> validate.txt
  nice -n 5 $CLI ingest $REG --db r.duckdb --json ingest.json $EXTRA > ingest.txt 2>&1; echo "rc $?" >> ingest.txt
  if [ -f r.duckdb ]; then $PY $H/table_hashes.py r.duckdb > dbhash; else echo "no db" > dbhash; fi
  touch done
done
ok=1
for f in validate.json validate.txt ingest.json ingest.txt dbhash; do
  if cmp -s $O/main/$f $O/branch/$f; then echo "$TAG $f identical"; else echo "$TAG $f DIFFER"; ok=0; fi
done
echo "$TAG: $(grep -c . $O/main/validate.txt) report lines; $(tail -1 $O/main/validate.txt) db: $(cat $O/main/dbhash | awk '{print $1":"$2}' | tr '\n' ' ')"
[ $ok = 1 ]
