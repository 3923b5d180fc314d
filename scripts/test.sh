#!/usr/bin/env bash
# Every check in one command: lint, format, types (router, ingestion), then the whole pytest
# suite against real services on SQLite, then its database-heavy part (row locks, the audit
# chain, budgets, ingestion by several workers, the API) again on a throwaway PostgreSQL
# server (scripts/postgres.sh). Arguments go to the SQLite run, and skip the PostgreSQL one.
set -uo pipefail
cd "$(dirname "$0")/.."
POSTGRES_PART=(
  tests/audit/test_concurrent_writers.py tests/audit/test_chain.py tests/audit/test_services.py
  tests/router/test_budget_concurrency.py tests/kb_assistant/test_api_tokens.py
  tests/ingestion/test_services.py tests/ingestion/test_worker.py tests/ingestion/test_workers_many.py
  tests/chat/test_openai_api.py
)

run_pytest() {
  .venv/bin/pytest "$@"
  local status=$?
  if [ $status -eq 5 ]; then
    echo "pytest collected no tests: that is a failure here"
    return 1
  fi
  return $status
}

.venv/bin/ruff check . || exit 1
.venv/bin/ruff format --check . || exit 1
.venv/bin/mypy || exit 1
run_pytest "$@"
status=$?
[ $# -eq 0 ] || exit $status

echo "The database-heavy part again, on PostgreSQL:"
pg_dir=$(mktemp -d /tmp/kb-pg.XXXXXX)
trap 'bash scripts/postgres.sh stop "$pg_dir"' EXIT
url=$(bash scripts/postgres.sh start "$pg_dir") || exit 1
KB_TEST_DATABASE_URL=$url run_pytest "${POSTGRES_PART[@]}" || status=1
exit $status
