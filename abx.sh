#!/bin/sh
for U in postgres://postgres@127.0.0.1:55722/scale_400000 sqlite:////work/wt/s8pages/var/s4pages-400k.sqlite3; do
export DATABASE_URL=$U
for i in 1 2; do
(cd /tmp/s8main && PYTHONPATH=/tmp/s8main /work/wt/s8exp2/.venv/bin/python bench/report_exports.py --runs 15 --org TU --label main 2>&1 | grep -E "^#|reports")
(cd /work/wt/s8exp2 && .venv/bin/python bench/report_exports.py --runs 15 --org TU --label branch 2>&1 | grep -E "^#|reports")
done; done
