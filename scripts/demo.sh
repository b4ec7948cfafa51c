#!/usr/bin/env bash
# `make run` until the server exists: shows Basin's Delta storage layer on a table in the
# warehouse folder: create, append, time travel, history and vacuum.
# Usage: scripts/demo.sh BASIN_BINARY WAREHOUSE_DIR
set -euo pipefail
BASIN=$1
WAREHOUSE=$2
TABLE="$WAREHOUSE/demo/events"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$WAREHOUSE/demo"
rm -rf "$TABLE"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

cat > "$tmp/day1.csv" <<CSV
event_id,user,country,amount,ts
1,ana,PT,12.50,2026-01-01T10:00:00Z
2,bo,SE,3.20,2026-01-01T11:30:00Z
3,chen,CN,7.00,2026-01-01T12:45:00Z
CSV
cat > "$tmp/day2.csv" <<CSV
event_id,user,country,amount,ts
4,dara,IE,99.90,2026-01-02T09:15:00Z
5,ana,PT,1.10,2026-01-02T18:00:00Z
CSV

echo "Basin demo: a Delta table at $TABLE"
step "create the table, partitioned by country" "$BASIN" table write "$TABLE" --from "$tmp/day1.csv" --partition-by country
step "append a second day" "$BASIN" table write "$TABLE" --from "$tmp/day2.csv" --mode append
step "read the latest version" "$BASIN" table read "$TABLE" --format table
step "time travel to version 0" "$BASIN" table read "$TABLE" --version 0 --format table
step "history" "$BASIN" table history "$TABLE" --format table
step "detail" "$BASIN" table detail "$TABLE"
step "overwrite with day two only" "$BASIN" table write "$TABLE" --from "$tmp/day2.csv" --mode overwrite
step "vacuum, dry run with the default 7-day retention" "$BASIN" table vacuum "$TABLE" --dry-run
echo
echo "Done. The table stays in $TABLE; read it with: $BASIN table read $TABLE --format table"
