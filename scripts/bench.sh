#!/usr/bin/env bash
# scripts/bench.sh [--short] [BENCH ARGS...] — the benchmark command (issue 6).
#
# Builds the bench in release (cargo's bench profile inherits [profile.release]),
# then runs it under scripts/with-services.sh (a throwaway PostgreSQL and Redis on
# free loopback ports) on both backends, and writes target/bench.json.
# `--short` is the CI mode (under 3 minutes). Other arguments go to the bench:
#   --backend embedded|production|both   --scopes COMMUNITIES   --records N
#   --screens N   --phases batch,single,latency,fanout,rebuild,slow,tickets,projection,reads   --tickets N   --city [--days N]
#   --markdown   --perf DIR
# `--durable` (taken here, not passed on) keeps PostgreSQL's fsync and
# synchronous_commit on, as in production; by default the throwaway server has
# them off, so the figures measure CPU rather than this machine's disk.
# `--locale L` (taken here too) creates the throwaway cluster with locale L
# (default C), e.g. zh_CN.UTF-8 as a Chinese Debian system's default cluster has.
# See docs/benchmarks.md for what each figure and baseline means.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cockpit-target}"

# 10,000 screens are 10,000 sockets in the bench and 10,000 in the server.
want=65536
hard=$(ulimit -Hn)
if [[ $hard != unlimited ]] && ((hard < want)); then
    want=$hard
fi
ulimit -n "$want" 2>/dev/null || echo "bench.sh: cannot raise the open-files limit to $want (it is $(ulimit -n))" >&2

locked=()
if [[ -f Cargo.lock ]]; then locked=(--locked); fi

# Build before the services start, so nothing compiles while the bench measures
# (with the build setting with-services.sh gives: build.rs reads it, see cfg(services)).
COCKPIT_REQUIRE_SERVICES=1 cargo bench --bench pipeline "${locked[@]}" --no-run

backend=(--backend both)
args=()
while (($#)); do
    case $1 in
        --durable) export WITH_SERVICES_DURABLE=1 ;;
        --locale)
            if (($# < 2)); then
                echo "bench.sh: --locale needs a locale name, e.g. --locale zh_CN.UTF-8" >&2
                exit 2
            fi
            export WITH_SERVICES_LOCALE=$2
            shift
            ;;
        *)
            if [[ $1 == --backend ]]; then backend=(); fi
            args+=("$1")
            ;;
    esac
    shift
done

exec scripts/with-services.sh cargo bench --bench pipeline "${locked[@]}" -- \
    "${backend[@]}" --json target/bench.json "${args[@]}"
