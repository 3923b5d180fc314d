#!/usr/bin/env bash
# Start the whole product on this machine: Redis, Chroma (as a server, because the web
# server and the worker both use the index), the Celery worker and the web server.
# Prepares the database, the demo users and the sample documents first; safe to run
# again (everything it creates is reused). Ctrl-C or SIGTERM stops everything it started
# and exits 0. The console gets one line per service and the logins; the services' own
# output goes to $KB_DATA_DIR/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
export KB_DATA_DIR="${KB_DATA_DIR:-$PWD/var}"
export REDIS_PORT="${REDIS_PORT:-6390}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT}/0}"
export CHROMA_HOST="${CHROMA_HOST:-127.0.0.1}"
export CHROMA_PORT="${CHROMA_PORT:-8001}"
PORT="${PORT:-8000}"
PY=.venv/bin/python
LOGS="$KB_DATA_DIR/logs"
mkdir -p "$KB_DATA_DIR/redis" "$LOGS"
# No progress bars, in the console or in the logs.
export TQDM_DISABLE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 TRANSFORMERS_VERBOSITY=error

pids=()
step_pid=""  # the set-up step running, if any
stop_services() {
  trap - INT TERM EXIT
  echo; echo "Stopping…"
  for pid in $step_pid "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
on_signal() {  # asked to stop (Ctrl-C, SIGTERM): a normal end
  stop_services
  echo "Hybrid KB Assistant stopped."
  exit 0
}
on_exit() {  # a step failed or a service exited: stop the rest, keep the failure's status
  local status=$?
  stop_services
  exit "$status"
}
trap on_signal INT TERM
trap on_exit EXIT

say() { printf '%-9s %s\n' "$1" "$2"; }  # say SERVICE WHAT: the one console line per service

step() {  # step LOG COMMAND…: run quietly, output in logs/LOG; on failure, show its end
  local log="$LOGS/$1"; shift
  # Waited for in the background: bash runs a trap only once a foreground command has ended,
  # so SIGTERM would otherwise wait for a long step (warming models) before stopping.
  "$@" >"$log" 2>&1 &
  step_pid=$!
  if ! wait "$step_pid"; then
    tail -n 15 "$log" >&2
    echo "Failed: $*; the whole output is in $log" >&2
    exit 1
  fi
  step_pid=""
}

wait_for() {  # wait_for NAME COMMAND…: poll until the command succeeds (60 s)
  local name=$1; shift
  for _ in $(seq 120); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "$name did not start; see $KB_DATA_DIR/logs/" >&2; exit 1
}

if redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  say Redis "already running at $REDIS_URL; using it"
else
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$KB_DATA_DIR/redis" --appendonly yes \
    >"$LOGS/redis.log" 2>&1 &
  pids+=($!)
  wait_for Redis redis-cli -u "$REDIS_URL" ping
  say Redis "ready at $REDIS_URL"
fi

if curl -sf "http://$CHROMA_HOST:$CHROMA_PORT/api/v2/heartbeat" >/dev/null; then
  say Chroma "already running on port $CHROMA_PORT; using it"
else
  .venv/bin/chroma run --path "$KB_DATA_DIR/chroma" --host 127.0.0.1 --port "$CHROMA_PORT" \
    >"$LOGS/chroma.log" 2>&1 &
  pids+=($!)
  wait_for Chroma curl -sf "http://$CHROMA_HOST:$CHROMA_PORT/api/v2/heartbeat"
  say Chroma "ready on port $CHROMA_PORT"
fi

step setup.log $PY manage.py migrate --no-input -v 0
step static.log $PY manage.py collectstatic --no-input -v 0
logins=$($PY manage.py seed_demo)
say Database "ready, demo users in place"

.venv/bin/celery -A kb_assistant worker --loglevel INFO --concurrency 1 \
  >"$LOGS/worker.log" 2>&1 &
pids+=($!)
say Worker "started (Celery, one process)"

step reindex.log $PY manage.py reindex --if-model-changed  # an index of another EMBEDDING_MODEL is rebuilt first
step titles.log $PY manage.py refresh_titles  # documents indexed before titles were parsed get theirs
step samples.log $PY manage.py load_samples  # already indexed ones are recognised and skipped
say Samples "$(awk '$3 == "chunks" {n[$1]++} END {for (s in n) printf "%s%d %s", (i++ ? ", " : ""), n[s], s}' "$LOGS/samples.log")"
step models.log $PY manage.py warm_models
say Models "$(grep '^ready' "$LOGS/models.log" | tail -n 1)"

WEB_WORKERS=2
rm -f "$KB_DATA_DIR"/run/web-*.ready
.venv/bin/gunicorn kb_assistant.wsgi -c kb_assistant/gunicorn_conf.py --bind "0.0.0.0:$PORT" --worker-class gthread --workers $WEB_WORKERS \
  --timeout 300 --access-logfile "$LOGS/web-access.log" >"$LOGS/web.log" 2>&1 &
pids+=($!)
# Each web worker warms its models and asks a first question before it accepts requests.
for _ in $(seq 600); do
  [ "$(ls "$KB_DATA_DIR"/run/web-*.ready 2>/dev/null | wc -l)" -ge $WEB_WORKERS ] && break
  kill -0 "${pids[-1]}" 2>/dev/null || { echo "The web server exited; see $LOGS/web.log" >&2; exit 1; }
  sleep 0.5
done
wait_for "The web server" curl -sf "http://127.0.0.1:$PORT/login/"
say Web "$WEB_WORKERS workers ready, models loaded"

cat <<MSG

Hybrid KB Assistant is running at  http://127.0.0.1:$PORT/
Logins (username / password):
$logins
Health: http://127.0.0.1:$PORT/healthz     Logs: $LOGS/
Mode: $([ -n "${OPENAI_API_KEY:-}" ] && echo "hybrid (cloud: ${OPENAI_BASE_URL:-OpenAI})" || echo "offline — no OPENAI_API_KEY, every answer is local")
Press Ctrl-C to stop everything.
MSG
wait -n "${pids[@]}"
echo "A service exited; see $LOGS/." >&2
exit 1
