# Shared by deploy/local/up, down and roll; sourced, not run.
# Every setting has a default and can be overridden from the environment (see docs/deploy.md).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN_DIR=${NEXUS_LOCAL_RUN_DIR:-$ROOT/deploy/local/.run}
VENV=${NEXUS_LOCAL_VENV:-$ROOT/.venv}

NGINX_PORT=${NEXUS_LOCAL_NGINX_PORT:-8180}
NGINX_TLS_PORT=${NEXUS_LOCAL_NGINX_TLS_PORT:-8443}
WEB1_PORT=${NEXUS_LOCAL_WEB1_PORT:-8101}
WEB2_PORT=${NEXUS_LOCAL_WEB2_PORT:-8102}
WEB_WORKERS=${NEXUS_LOCAL_WEB_WORKERS:-2}
# The local CA and nginx's certificate (deploy/local/tls.sh); the CA's key stays in ca/.
TLS_DIR=$RUN_DIR/tls

# Backing services. A *_URL override points at a server someone else runs: up then neither
# starts nor provisions it. Otherwise up uses (and, if needed, starts) the Debian packages'
# servers on this machine, with a role, database and vhost of its own so the topology never
# shares data or queues with the test suite.
PG_VERSION=${NEXUS_LOCAL_PG_VERSION:-15}
PG_CLUSTER=${NEXUS_LOCAL_PG_CLUSTER:-main}
PG_PORT=${NEXUS_LOCAL_PG_PORT:-5432}
REDIS_PORT=${NEXUS_LOCAL_REDIS_PORT:-6379}
AMQP_PORT=5672
LOCAL_NAME=nexus_local  # role and database in PostgreSQL, user and vhost in RabbitMQ
DATABASE_URL_LOCAL=${NEXUS_LOCAL_DATABASE_URL:-postgres://$LOCAL_NAME:$LOCAL_NAME@127.0.0.1:$PG_PORT/$LOCAL_NAME}
# Redis database 15: the test suite's workers take 1-14 (tests/conftest.py) and flush theirs
# between tests, which would empty a topology that shares a database with one of them.
REDIS_URL_LOCAL=${NEXUS_LOCAL_REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/15}
BROKER_URL_LOCAL=${NEXUS_LOCAL_BROKER_URL:-amqp://$LOCAL_NAME:$LOCAL_NAME@127.0.0.1:$AMQP_PORT/$LOCAL_NAME}

WORKER_NODE="nexus-local@$(hostname)"

log() { printf '[nexus-local] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

port_open() {  # port_open PORT: something listens on 127.0.0.1:PORT
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_for SECONDS DESCRIPTION COMMAND...: retry COMMAND every half second until it succeeds.
wait_for() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || { log "gave up after ${seconds}s waiting for $what"; return 1; }
        sleep 0.5
    done
}

# pid_alive NAME: the process recorded in RUN_DIR/NAME.pid runs (and is not a recycled pid).
pid_alive() {
    local pidfile=$RUN_DIR/$1.pid pid
    [[ -s $pidfile ]] || return 1
    pid=$(<"$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    grep -qaE "gunicorn|celery|nginx" "/proc/$pid/cmdline" 2>/dev/null
}

# stop_pid NAME: TERM the recorded process (a graceful stop for gunicorn, celery and nginx),
# wait up to 30 s for it to go, then KILL it.
stop_pid() {
    local name=$1 pid
    pid_alive "$name" || { rm -f "$RUN_DIR/$name.pid"; return 0; }
    pid=$(<"$RUN_DIR/$name.pid")
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name did not stop in 30s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN_DIR/$name.pid"
}

APP_PROCESSES=(nginx beat worker web-2 web-1)  # in the order down stops them

stop_app_processes() {
    local name
    for name in "${APP_PROCESSES[@]}"; do stop_pid "$name"; done
}

# --- App processes (up and roll fill app_env, the NAME=value settings of every app process) ---

# Processes start with this environment only, so nothing leaks in from the caller's shell
# (a test run's CELERY_TASK_ALWAYS_EAGER, say, would silently bypass the broker).
run_app() {
    env -i PATH="$VENV/bin:/usr/local/bin:/usr/bin:/bin" HOME="${HOME:-/root}" LANG=C.UTF-8 \
        "${app_env[@]}" "$@"
}

healthz_ok() {  # healthz_ok URL: GET URL answers 200 (over HTTPS, verified with the local CA)
    "$VENV/bin/python" - "$1" "$TLS_DIR/ca/ca.pem" <<'PY'
import ssl, sys, urllib.request
context = ssl.create_default_context(cafile=sys.argv[2])
with urllib.request.urlopen(sys.argv[1], timeout=3, context=context) as response:
    sys.exit(response.status != 200)
PY
}

start_web() {  # start_web NAME PORT
    local name=$1 port=$2
    if pid_alive "$name"; then
        log "$name already runs (pid $(<"$RUN_DIR/$name.pid"))"
        return
    fi
    if port_open "$port"; then
        die "port $port is taken by another process; set NEXUS_LOCAL_WEB${name#web-}_PORT"
    fi
    log "starting $name on 127.0.0.1:$port"
    run_app NEXUS_REPLICA="$name" "$VENV/bin/gunicorn" nexus.wsgi:application \
        --chdir "$ROOT" --bind "127.0.0.1:$port" --workers "$WEB_WORKERS" \
        --forwarded-allow-ips 127.0.0.1 --daemon --pid "$RUN_DIR/$name.pid" \
        --control-socket "$RUN_DIR/$name.ctl" \
        --access-logfile "$RUN_DIR/$name-access.log" --error-logfile "$RUN_DIR/$name.log" \
        --capture-output
}
