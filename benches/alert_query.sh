#!/usr/bin/env bash
# The open-alerts read at one million events: the old `LIKE '%.alert'` scan against the
# query that names each alert action through the (action, seq) index (src/ledger/events.rs).
# Needs sqlite3. Usage: benches/alert_query.sh [events]
set -euo pipefail
n="${1:-1000000}"
here="$(cd "$(dirname "$0")/.." && pwd)"
db="$(mktemp -d)/events.db"
cat "$here"/schemas/0*.sql | sqlite3 "$db"
sqlite3 "$db" "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM k WHERE i < $n - 1)
  INSERT INTO events (seq, time, actor, action, subject, level, item, canonical)
  SELECT i, '2026-12-07T00:00:00.000Z', 'alice',
         CASE WHEN i % 100000 = 7 THEN 'auth.lockout' WHEN i % 2 = 0 THEN 'item.import' ELSE 'item.export' END,
         'SR-2026-000001', 2, NULL, CAST('{\"details\":{},\"pad\":\"' || hex(randomblob(100)) || '\"}' AS BLOB) FROM k;"
alerts="'auth.lockout','user.recover','recovery.reissue','sweep.alert','ledger.alert','custody.alert'"
for round in 1 2 3; do
  sqlite3 "$db" <<SQL
.timer on
SELECT 'scan (before)', COUNT(*) FROM (SELECT seq FROM events WHERE seq >= 0 AND (action IN ('auth.lockout', 'user.recover') OR action LIKE '%.alert') ORDER BY seq DESC);
SELECT 'index (now)', COUNT(*) FROM (SELECT seq FROM events WHERE action IN ($alerts) AND seq >= 0 ORDER BY seq DESC);
SQL
done 2>&1 | grep -E "Run Time|\|"
rm -rf "$(dirname "$db")"
