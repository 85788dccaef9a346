#!/usr/bin/env bash
# Set up everything and start Tixi on the embedded default database (SQLite in
# ./instance) with the demo companies and data, on http://127.0.0.1:5000.
#   PORT=8000 bash scripts/run.sh     another port
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -f instance/config.toml ]; then
  python3 -m core.cli init --demo --admin-password tixi-admin
else
  python3 -m core.cli db upgrade
fi
echo "Tixi: http://127.0.0.1:${PORT:-5000}  (admin / tixi-admin; demo salesperson wangwei / tixi-demo-1)"
exec python3 -m core.cli run --port "${PORT:-5000}"
