#!/usr/bin/env bash
# scripts/test.sh [CARGO TEST ARGS...] — the project's one test command.
#
# Checks formatting, runs clippy with warnings as errors, runs all tests, then
# fuzzes the live HTTP API against its OpenAPI document (scripts/schemathesis.sh).
# Everything runs under scripts/with-services.sh, which starts a throwaway
# PostgreSQL and Redis on free loopback ports and removes them afterwards:
# tests must never touch data we did not create (no system 5432/6379).
# Extra arguments go to `cargo test`, e.g. `scripts/test.sh my_test -- --nocapture`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cockpit-target}"
# The reconnect test holds 1,000 screens on each side of a loopback connection.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec scripts/with-services.sh bash -c '
    set -euo pipefail
    locked=()
    if [[ -f Cargo.lock ]]; then locked=(--locked); fi
    cargo fmt --all -- --check
    cargo clippy --all-targets "${locked[@]}" -- -D warnings
    cargo test --all-targets "${locked[@]}" "$@"
    # The contract against a live server: schemathesis fuzzes every documented route.
    if [[ $# -eq 0 ]]; then scripts/schemathesis.sh; fi
    if [[ $# -eq 0 ]]; then scripts/deploy-check.sh; fi  # deploy/ with real nginx, Prometheus, promtool, linters
' test.sh "$@"
