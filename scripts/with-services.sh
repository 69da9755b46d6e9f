#!/usr/bin/env bash
# with-services.sh CMD [ARGS...]
#
# Runs CMD with a throwaway PostgreSQL and Redis, each on a free loopback
# port, and exports:
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PGPORT/postgres
#   TEST_REDIS_URL=redis://127.0.0.1:REDISPORT/
#   COCKPIT_REQUIRE_SERVICES=1
# Both servers live in a fresh temp dir and are stopped and deleted when CMD
# ends (success, failure or Ctrl-C); the script exits with CMD's exit code.
#
# Why throwaway servers: tests create, truncate and drop things. They must
# never touch data we did not create, so we never use a system or developer
# PostgreSQL/Redis (e.g. on 5432/6379), only servers this script started.
# Several runs can go on at once: each one gets its own ports and directory.
#
# PostgreSQL runs as a test server (fsync, synchronous_commit and
# full_page_writes off) unless WITH_SERVICES_DURABLE=1, which keeps its
# defaults: every commit then waits for its WAL flush, as in production.
# Its cluster's locale is C unless WITH_SERVICES_LOCALE names another (such as
# zh_CN.UTF-8, to measure a cluster created with a language's collation).
#
# Missing binaries are installed with apt-get when running as root; otherwise
# the script says what to install. It also makes sure Chromium (and a CJK font)
# is there for the wall-screen browser test, tests/browser.rs.
set -euo pipefail

say() { printf 'with-services: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

if [[ $# -eq 0 ]]; then
    echo "usage: $0 CMD [ARGS...]" >&2
    exit 2
fi

# --- locate (or install) the servers --------------------------------------

find_binaries() {
    REDIS_SERVER=$(command -v redis-server || true)
    PGBIN=""
    local dir
    if have pg_config; then
        dir=$(pg_config --bindir 2>/dev/null || true)
        # pg_config may come from libpq-dev only, without a server next to it.
        [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]] && PGBIN=$dir
    fi
    if [[ -z $PGBIN ]]; then
        dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
        [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]] && PGBIN=$dir
    fi
    return 0
}

find_binaries
if [[ -z $REDIS_SERVER || -z $PGBIN ]]; then
    missing=""
    [[ -z $REDIS_SERVER ]] && missing+="redis-server "
    [[ -z $PGBIN ]] && missing+="postgresql"
    if [[ $EUID -eq 0 ]] && have apt-get; then
        say "installing missing packages: $missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update >&2 || die "apt-get update failed"
        apt-get install -y --no-install-recommends redis-server postgresql >&2 \
            || die "apt-get install failed"
        find_binaries
    fi
    [[ -n $REDIS_SERVER ]] || die "redis-server not found; install it (Debian/Ubuntu: sudo apt-get install redis-server)"
    [[ -n $PGBIN ]] || die "PostgreSQL server (initdb, pg_ctl, postgres) not found; install it (Debian/Ubuntu: sudo apt-get install postgresql)"
fi

# --- Chromium for the wall-screen browser test ---------------------------------
# tests/browser.rs drives the real page in headless Chromium and, under this
# script (COCKPIT_REQUIRE_SERVICES=1), fails without one. A CJK font makes its
# screenshots legible: the page uses the system's fonts, never web fonts.

find_chromium() {
    CHROMIUM=${COCKPIT_CHROMIUM:-}
    [[ -n $CHROMIUM ]] || CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
}
have_cjk_font() { have fc-list && [[ -n $(fc-list :lang=zh family 2>/dev/null | head -n 1) ]]; }

find_chromium
if [[ -z $CHROMIUM ]] || ! have_cjk_font; then
    if [[ $EUID -eq 0 ]] && have apt-get; then
        pkgs=()
        [[ -z $CHROMIUM ]] && pkgs+=(chromium)
        have_cjk_font || pkgs+=(fonts-noto-cjk)
        say "installing for the browser test: ${pkgs[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update >&2 || die "apt-get update failed"
        apt-get install -y "${pkgs[@]}" >&2 || die "apt-get install ${pkgs[*]} failed"
        find_chromium
    fi
    [[ -n $CHROMIUM ]] || die "chromium not found; the browser test needs it (Debian/Ubuntu: sudo apt-get install chromium; or set COCKPIT_CHROMIUM=/path/to/chrome)"
    have_cjk_font || say "warning: no CJK font; screenshots will show boxes for Chinese (Debian/Ubuntu: sudo apt-get install fonts-noto-cjk)"
fi

PG_ISREADY=$PGBIN/pg_isready
[[ -x $PG_ISREADY ]] || PG_ISREADY=$(command -v pg_isready || true)

# initdb and postgres refuse to run as root: then use the `postgres` OS user.
PG_USER=""
if [[ $EUID -eq 0 ]]; then
    PG_USER=postgres
    id -u "$PG_USER" >/dev/null 2>&1 \
        || die "running as root but there is no 'postgres' OS user to run PostgreSQL as (create one: useradd --system postgres)"
fi

# Call it as `(as_pg ...) >file`: redirecting a function call would also
# redirect our own stderr while it runs, hiding the cleanup messages if a
# Ctrl-C arrives then.
as_pg() {
    if [[ -z $PG_USER ]]; then
        "$@"
    elif have runuser; then
        runuser -u "$PG_USER" -- "$@"
    elif have setpriv; then
        setpriv --reuid="$(id -u "$PG_USER")" --regid="$(id -g "$PG_USER")" --init-groups -- "$@"
    else
        su -s /bin/bash "$PG_USER" -c "$(printf '%q ' "$@")"
    fi
}

# --- free ports --------------------------------------------------------------

USED_PORTS=" "
pick_port() { # VAR: set VAR to a free port not handed out before
    local p="" i
    for i in 1 2 3 4 5 6 7 8 9 10; do
        p=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) || p=""
        if [[ -z $p ]]; then
            # No python3: probe random ports until nothing answers.
            p=$((20000 + RANDOM % 30000))
            if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
        fi
        [[ $USED_PORTS == *" $p "* ]] && continue
        USED_PORTS+="$p "
        printf -v "$1" '%s' "$p"
        return 0
    done
    die "could not find a free loopback port"
}

# --- temp dir and cleanup ----------------------------------------------------

# PostgreSQL's unix socket lives in TMP, and socket paths are limited to 107
# bytes: fall back to /tmp when TMPDIR is long.
tmpbase=${TMPDIR:-/tmp}
[[ ${#tmpbase} -le 60 ]] || tmpbase=/tmp
TMP=$(mktemp -d "$tmpbase/with-services.XXXXXX")
PGDATA_DIR=$TMP/pg/data
PG_LOG=$TMP/pg/postgres.log
REDIS_LOG=$TMP/redis/redis.log
REDIS_PID=""

PG_STARTED=""
stop_postgres() {
    local i
    [[ -n $PG_STARTED ]] || return 0
    # Interrupted during pg_ctl start: give the postmaster a moment to appear.
    for i in $(seq 20); do
        [[ -f $PGDATA_DIR/postmaster.pid ]] && break
        sleep 0.1
    done
    [[ -f $PGDATA_DIR/postmaster.pid ]] || return 0
    (as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 10 stop) >/dev/null 2>&1 && return 0
    (as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m immediate -w -t 10 stop) >/dev/null 2>&1 && return 0
    local pid
    pid=$(head -n 1 "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] && kill -KILL "$pid" 2>/dev/null
    return 0
}

stop_redis() {
    [[ -n $REDIS_PID ]] || return 0
    local i
    kill -TERM "$REDIS_PID" 2>/dev/null || true
    for i in $(seq 50); do
        kill -0 "$REDIS_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    REDIS_PID=""
}

cleanup() {
    local rc=$?
    trap '' INT TERM HUP    # a second Ctrl-C must not interrupt the cleanup
    cd "$TMP" 2>/dev/null || true
    stop_postgres
    stop_redis
    cd /
    rm -rf "$TMP"
    say "stopped services, removed $TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

show_log() { # FILE: print the end of a server log
    say "--- last lines of $1 ---"
    tail -n 30 "$1" >&2 2>/dev/null || true
}

mkdir -p "$TMP/pg/run" "$TMP/redis"
if [[ -n $PG_USER ]]; then
    chmod 755 "$TMP"
    chown -R "$PG_USER:" "$TMP/pg"
    as_pg /bin/sh -c '[ -w "$1" ]' sh "$TMP/pg" \
        || die "user '$PG_USER' cannot write to $TMP/pg (set TMPDIR to a directory it can reach)"
fi
# Work from inside TMP: the postgres user may not be able to see our cwd.
ORIG_PWD=$PWD
cd "$TMP"

# --- Redis -------------------------------------------------------------------

# setsid keeps a terminal Ctrl-C away from the servers: cleanup stops them.
SETSID=(); have setsid && SETSID=(setsid)

start_redis() {
    local attempt i
    for attempt in 1 2 3; do
        pick_port REDIS_PORT
        say "starting redis on 127.0.0.1:$REDIS_PORT"
        "${SETSID[@]}" "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 \
            --save '' --appendonly no --dir "$TMP/redis" --daemonize no \
            </dev/null >"$REDIS_LOG" 2>&1 &
        REDIS_PID=$!
        for i in $(seq 300); do
            if ! kill -0 "$REDIS_PID" 2>/dev/null; then
                wait "$REDIS_PID" 2>/dev/null || true
                REDIS_PID=""
                break
            fi
            # Our own log must say ready: a PING alone could be answered by
            # some other server that took the port meanwhile.
            if grep -qi 'ready to accept connections' "$REDIS_LOG" 2>/dev/null && redis_ping; then
                return 0
            fi
            sleep 0.1
        done
        if [[ -n $REDIS_PID ]]; then
            show_log "$REDIS_LOG"; die "redis did not answer PING within 30 s"
        fi
        if grep -q 'Address already in use' "$REDIS_LOG" 2>/dev/null; then
            say "port $REDIS_PORT was taken meanwhile, trying another"
            continue
        fi
        break
    done
    show_log "$REDIS_LOG"
    die "redis-server failed to start"
}

redis_ping() {
    if have redis-cli; then
        [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
    else
        local reply
        reply=$(exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" &&
            printf 'PING\r\n' >&3 && read -r -t 2 line <&3 && echo "$line") || true
        [[ $reply == +PONG* ]]
    fi
}

start_redis

# --- PostgreSQL --------------------------------------------------------------

say "initdb in $PGDATA_DIR"
(as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -A trust -U postgres -E UTF8 --locale="${WITH_SERVICES_LOCALE:-C}" --no-sync) \
    >"$TMP/initdb.log" 2>&1 || { show_log "$TMP/initdb.log"; die "initdb failed"; }

# Settings that do not depend on the port go into postgresql.conf; the port is
# passed on the pg_ctl command line so a retry can choose another.
sockdir=${TMP//\'/\'\'}/pg/run
cat >>"$PGDATA_DIR/postgresql.conf" <<EOF

# with-services.sh: throwaway test server
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sockdir'
max_connections = 300
EOF
if [[ ${WITH_SERVICES_DURABLE:-0} != 1 ]]; then
    printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n' >>"$PGDATA_DIR/postgresql.conf"
else
    say "durable PostgreSQL: fsync, synchronous_commit and full_page_writes at their defaults"
fi

start_postgres() {
    local attempt i
    for attempt in 1 2 3; do
        pick_port PG_PORT
        say "starting postgres on 127.0.0.1:$PG_PORT"
        PG_STARTED=1
        rm -f "$PG_LOG"
        if (as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$PG_LOG" -o "-p $PG_PORT" -w -t 30 start) \
            >"$TMP/pg_ctl.log" 2>&1; then
            for i in $(seq 300); do
                if [[ -z $PG_ISREADY ]] ||
                    "$PG_ISREADY" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -t 1; then
                    return 0
                fi
                sleep 0.1
            done
            show_log "$PG_LOG"; die "postgres did not become ready within 30 s"
        fi
        if grep -q 'could not bind\|Address already in use' "$PG_LOG" 2>/dev/null; then
            say "port $PG_PORT was taken meanwhile, trying another"
            continue
        fi
        break
    done
    show_log "$TMP/pg_ctl.log"
    show_log "$PG_LOG"
    die "postgres failed to start"
}

start_postgres

# --- run the command ---------------------------------------------------------

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
export TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/"
export COCKPIT_REQUIRE_SERVICES=1

cd "$ORIG_PWD"
cmd_desc=$(printf '%s ' "$@" | tr -s ' \n\t' ' ')
[[ ${#cmd_desc} -le 100 ]] || cmd_desc="${cmd_desc:0:97}..."
say "postgres on 127.0.0.1:$PG_PORT, redis on 127.0.0.1:$REDIS_PORT; running: $cmd_desc"
rc=0
"$@" || rc=$?
say "command exited with $rc"
exit "$rc"
