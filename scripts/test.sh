#!/usr/bin/env bash
# Run the test suite: make sure the machine is set up, then hand every
# argument to pytest (e.g. bash scripts/test.sh -x -k login).
# Tests run in parallel, one pytest-xdist worker per core (each worker starts
# its own throwaway PostgreSQL); TIXI_TEST_WORKERS=0 runs them in one process.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
exec python3 -m pytest -n "${TIXI_TEST_WORKERS:-auto}" "$@"
