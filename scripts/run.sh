#!/usr/bin/env bash
# Start the whole product on this machine: Redis, Chroma (as a server, because the web
# server and the worker both use the index), the Celery worker and the web server.
# Prepares the database, the demo users and the sample documents first; safe to run
# again (everything it creates is reused). Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
export KB_DATA_DIR="${KB_DATA_DIR:-$PWD/var}"
export REDIS_PORT="${REDIS_PORT:-6390}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:${REDIS_PORT}/0}"
export CHROMA_HOST="${CHROMA_HOST:-127.0.0.1}"
export CHROMA_PORT="${CHROMA_PORT:-8001}"
PORT="${PORT:-8000}"
PY=.venv/bin/python
mkdir -p "$KB_DATA_DIR/redis" "$KB_DATA_DIR/logs"

pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "Stopping…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

wait_for() {  # wait_for NAME COMMAND…: poll until the command succeeds (60 s)
  local name=$1; shift
  for _ in $(seq 120); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "$name did not start; see $KB_DATA_DIR/logs/" >&2; exit 1
}

if redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  echo "Redis already answers at $REDIS_URL; using it."
else
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$KB_DATA_DIR/redis" --appendonly yes \
    >"$KB_DATA_DIR/logs/redis.log" 2>&1 &
  pids+=($!)
  wait_for Redis redis-cli -u "$REDIS_URL" ping
fi

if curl -sf "http://$CHROMA_HOST:$CHROMA_PORT/api/v2/heartbeat" >/dev/null; then
  echo "Chroma already answers on port $CHROMA_PORT; using it."
else
  .venv/bin/chroma run --path "$KB_DATA_DIR/chroma" --host 127.0.0.1 --port "$CHROMA_PORT" \
    >"$KB_DATA_DIR/logs/chroma.log" 2>&1 &
  pids+=($!)
  wait_for Chroma curl -sf "http://$CHROMA_HOST:$CHROMA_PORT/api/v2/heartbeat"
fi

$PY manage.py migrate --no-input -v 0
$PY manage.py collectstatic --no-input -v 0
logins=$($PY manage.py seed_demo)

.venv/bin/celery -A kb_assistant worker --loglevel INFO --concurrency 1 \
  >"$KB_DATA_DIR/logs/worker.log" 2>&1 &
pids+=($!)

$PY manage.py reindex --if-model-changed  # an index of another EMBEDDING_MODEL is rebuilt first
echo "Ingesting the sample documents (already indexed ones are recognised and skipped)…"
$PY manage.py load_samples
echo "Warming the local models (the intent classifier trains once, then is reused)…"
$PY manage.py warm_models

WEB_WORKERS=2
rm -f "$KB_DATA_DIR"/run/web-*.ready
.venv/bin/gunicorn kb_assistant.wsgi -c kb_assistant/gunicorn_conf.py --bind "0.0.0.0:$PORT" --worker-class gthread --workers $WEB_WORKERS --threads 8 \
  --timeout 300 --access-logfile "$KB_DATA_DIR/logs/web-access.log" >"$KB_DATA_DIR/logs/web.log" 2>&1 &
pids+=($!)
# Each web worker warms its models and asks a first question before it accepts requests.
for _ in $(seq 600); do
  [ "$(ls "$KB_DATA_DIR"/run/web-*.ready 2>/dev/null | wc -l)" -ge $WEB_WORKERS ] && break
  kill -0 "${pids[-1]}" 2>/dev/null || { echo "The web server exited; see $KB_DATA_DIR/logs/web.log" >&2; exit 1; }
  sleep 0.5
done
wait_for "The web server" curl -sf "http://127.0.0.1:$PORT/login/"

cat <<MSG

Hybrid KB Assistant is running at  http://127.0.0.1:$PORT/
Logins (username / password):
$logins
Health: http://127.0.0.1:$PORT/healthz     Logs: $KB_DATA_DIR/logs/
Mode: $([ -n "${OPENAI_API_KEY:-}" ] && echo "hybrid (cloud: ${OPENAI_BASE_URL:-OpenAI})" || echo "offline — no OPENAI_API_KEY, every answer is local")
Press Ctrl-C to stop everything.
MSG
wait -n "${pids[@]}"
echo "A service exited; see $KB_DATA_DIR/logs/." >&2
