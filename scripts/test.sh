#!/usr/bin/env bash
# Run the test suite: make sure the machine is set up, then hand every
# argument to pytest (e.g. bash scripts/test.sh -x -k login, or -n auto).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
exec python3 -m pytest "$@"
