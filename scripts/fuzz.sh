#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS_PER_TARGET] — runs every cargo-fuzz target in fuzz/ for
# SECONDS_PER_TARGET seconds each (default 60) and exits non-zero if any of them
# found a crash (a panic, a failed property, a sanitizer report, a timeout or OOM).
#
# Works on the stable toolchain: RUSTC_BOOTSTRAP=1 lets stable rustc take the -Z
# flags cargo-fuzz needs. Installs cargo-fuzz from crates.io if it is missing;
# libfuzzer-sys compiles libFuzzer with the system C++ compiler (g++ or clang++).
#
# Environment:
#   FUZZ_SANITIZER   address (default) | none — none is still coverage-guided
#   FUZZ_TARGETS     space-separated subset of targets (default: all in fuzz/fuzz_targets)
#   CARGO_TARGET_DIR defaults to ~/.cache/cockpit-fuzz-target, apart from the main build
#
# Findings land in fuzz/artifacts/<target>/ (crash-*, timeout-*, oom-*); reproduce
# one with `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/crash-…`.
# The growing corpus is kept in fuzz/corpus/<target>/ (ignored by git).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

secs="${1:-60}"
if ! [[ "$secs" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]" >&2
    exit 2
fi
sanitizer="${FUZZ_SANITIZER:-address}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cockpit-fuzz-target}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
if ! command -v c++ >/dev/null && ! command -v g++ >/dev/null && ! command -v clang++ >/dev/null; then
    echo "== installing a C++ compiler for libFuzzer"
    apt-get update -qq && apt-get install -y -qq g++
fi

targets="${FUZZ_TARGETS:-$(cd fuzz/fuzz_targets && ls -- *.rs | sed 's/\.rs$//' | tr '\n' ' ')}"

# Seeds, so the first minute is not spent rediscovering the JSON shape of a record.
# The first byte of a parse_record input is the kind: 0 event, 1 attendance, 2 ticket,
# 3 transition (+4: the ticket comes from the URL; +8: the JSON object is merged over
# a valid record of that kind, see fuzz/fuzz_targets/parse_record.rs).
seed() { # seed TARGET NAME KIND-BYTE-OCTAL TEXT
    mkdir -p "fuzz/corpus/$1"
    [[ -e "fuzz/corpus/$1/$2" ]] || printf "\\$3%s" "$4" >"fuzz/corpus/$1/$2"
}
at='"2024-11-26T14:00:00+08:00"'
seed parse_record event 000 '{"id":"e1","scope":"nanan.nanping.zhengjie","category":"health","title":"健康大讲堂","starts_at":'"$at"',"status":"held"}'
seed parse_record attendance 001 '{"id":"a1","event_id":"e1","scope":"nanan.nanping.zhengjie.g03","at":'"$at"',"count":3,"person":"p7"}'
seed parse_record ticket 002 '{"id":"k1","scope":"nanan.nanping.zhengjie.g03","category":"street_light","reported_at":'"$at"',"description":"路灯不亮","location":{"lat":29.5,"lng":106.5}}'
seed parse_record transition 003 '{"id":"s1","ticket_id":"k1","to":"dispatched","at":'"$at"',"assignee":"w3","note":"派单"}'
seed parse_record transition-url 007 '{"id":"s2","to":"resolved","at":'"$at"'}'
for k in 0 1 2 3 7; do seed parse_record "merge-$k" "01$k" '{}'; done
mkdir -p fuzz/corpus/scope_parse
[[ -e fuzz/corpus/scope_parse/pair ]] || printf 'nanan.nanping.zhengjie.g03\0nanan.nanping' >fuzz/corpus/scope_parse/pair

declare -A dict=([parse_record]=fuzz/dict/parse_record.dict)

echo "== building fuzz targets (sanitizer: $sanitizer, target dir: $CARGO_TARGET_DIR)"
cargo fuzz build --sanitizer "$sanitizer"

failed=()
summary=()
mkdir -p fuzz/artifacts
for t in $targets; do
    log="fuzz/artifacts/$t.log"
    extra=()
    if [[ -n "${dict[$t]:-}" ]]; then extra+=("-dict=${dict[$t]}"); fi
    echo "== fuzzing $t for ${secs}s (log: $log)"
    # -timeout: one input running over 10 s is a finding; the outer timeout bounds
    # the whole run even if libFuzzer itself wedges.
    rc=0
    timeout --kill-after=30 "$((secs + 300))" \
        cargo fuzz run --sanitizer "$sanitizer" "$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 "${extra[@]}" \
        >"$log" 2>&1 || rc=$?
    stats="$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)"
    summary+=("$t: ${stats:-no stats (see $log)}")
    if [[ $rc -ne 0 ]]; then
        failed+=("$t")
        echo "!! $t failed (exit $rc); last lines of $log:"
        tail -n 40 "$log"
        echo "!! artifacts: $(pwd)/fuzz/artifacts/$t/"
        ls -l "fuzz/artifacts/$t/" 2>/dev/null || true
    fi
done

echo "== summary (${secs}s per target, sanitizer: $sanitizer)"
printf '   %s\n' "${summary[@]}"
echo "   corpus: $(pwd)/fuzz/corpus/, artifacts and logs: $(pwd)/fuzz/artifacts/"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
echo "no crash found"
