#!/usr/bin/env bash
# scripts/schemathesis.sh — fuzz the running HTTP API against its own OpenAPI
# document with schemathesis (PyPI), every check: no 5xx, no response that breaks
# its schema, no undocumented status or content type, every request the document
# calls valid accepted and every one it calls invalid refused (scripts/schemathesis.toml). Starts a throwaway embedded server on a free
# loopback port from the debug binary (build it first), bounded in examples and time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
target="${CARGO_TARGET_DIR:-$HOME/.cache/cockpit-target}"
bin="$target/debug/cockpit"
[[ -x "$bin" ]] || { echo "schemathesis.sh: build first ($bin missing)" >&2; exit 1; }
venv="$HOME/.cache/cockpit-schemathesis"
if [[ ! -x "$venv/bin/schemathesis" ]]; then
    if ! python3 -m venv "$venv" 2>/dev/null; then
        [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null || { echo "schemathesis.sh: install python3-venv" >&2; exit 1; }
        apt-get install -y --no-install-recommends python3-venv >/dev/null
        python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet "schemathesis==4.32.5"
fi
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
COCKPIT_BIND="127.0.0.1:$port" COCKPIT_DATA_DIR="$work" COCKPIT_SCOPES_FILE=deploy/nanan-scopes.json RUST_LOG=warn \
    "$bin" serve >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
timeout 300 "$venv/bin/schemathesis" --config-file scripts/schemathesis.toml \
    run "http://127.0.0.1:$port/api/v1/openapi.json" --checks all \
    --exclude-path /api/v1/ws --max-examples 25 --seed 1
