#!/usr/bin/env bash
# Every check in one command: lint, format, types (router, ingestion), then the whole pytest
# suite against real services.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check . || exit 1
.venv/bin/ruff format --check . || exit 1
.venv/bin/mypy || exit 1
.venv/bin/pytest "$@"
status=$?
if [ $status -eq 5 ]; then
  echo "pytest collected no tests: that is a failure here"
  exit 1
fi
exit $status
