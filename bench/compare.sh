#!/usr/bin/env bash
# Times whole runs of the CPU-bound programs in bench/fixtures (gcc -O2, static and dynamic):
# natively, under valgrind and under memcheck, with --tool=none and --tool=memcheck, best of
# RUNS (default 3), and prints a table of seconds and slow-downs relative to the native run.
#   bench/compare.sh                      all fixtures
#   RUNS=1 bench/compare.sh sieve nbody   some, once each
# A run that fails or prints something other than the native stdout shows as "fail"/"wrong".
# The last column is the issue-2 ratio: memcheck --tool=none time over valgrind --tool=none time
# (at most 1.00x is the goal); the last line is its geometric mean.
set -euo pipefail
export LC_ALL=C  # awk and printf agree on the decimal point
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/memcheck-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Published ReadyToRun (precompiled engine): start-up is most of a short run, and measured 1.1 s vs
# 1.5 s for a program that only exits on a loaded machine against the JIT-only build.
echo "Publishing memcheck (Release, ReadyToRun)..." >&2
publish="$root/Frontend/bin/Release/publish-r2r"
dotnet publish "$root/Frontend/Frontend.csproj" -c Release -r linux-x64 --self-contained false -o "$publish" -nologo -v quiet >&2
memcheck="$publish/memcheck"
have_valgrind=$(command -v valgrind >/dev/null && echo yes || echo no)

if [ $# -gt 0 ]; then names=("$@"); else
    names=(); for source in "$root"/bench/fixtures/*.c; do names+=("$(basename "$source" .c)"); done
fi

calc() { awk "BEGIN { print $1 }"; }

# best_of EXPECTED_STDOUT_FILE COMMAND...: prints the best wall time in seconds, or fail/wrong.
best_of() {
    local expected=$1; shift
    local best="" start end elapsed
    for ((i = 0; i < runs; i++)); do
        start=$EPOCHREALTIME
        if ! "$@" >"$work/stdout" 2>/dev/null </dev/null; then echo fail; return; fi
        end=$EPOCHREALTIME
        if [ -n "$expected" ] && ! cmp -s "$work/stdout" "$expected"; then echo wrong; return; fi
        elapsed=$(calc "$end - $start")
        if [ -z "$best" ] || [ "$(calc "$elapsed < $best")" = 1 ]; then best=$elapsed; fi
    done
    printf '%.2f\n' "$best"
}

# cell SECONDS NATIVE_SECONDS: "12.34s 5.6x", or the failure word.
cell() {
    case $1 in
        fail | wrong | -) printf '%s' "$1" ;;
        *) printf '%.2fs %5.1fx' "$1" "$(calc "$1 / $2")" ;;
    esac
}

printf '%-20s %8s  %-14s %-14s %-14s %-14s %s\n' program native "valgrind none" "memcheck none" \
    "valgrind mc" "memcheck mc" "memcheck/valgrind none"
ratios=()
for name in "${names[@]}"; do
    source="$root/bench/fixtures/$name.c"
    for linking in static dynamic; do
        binary="$work/$name-$linking"
        flags=(-O2); [ "$linking" = static ] && flags+=(-static)
        gcc "${flags[@]}" -o "$binary" "$source" -lm
        "$binary" >"$work/expected" </dev/null

        native=$(best_of "$work/expected" "$binary")
        vg_none=-; vg_mc=-
        if [ "$have_valgrind" = yes ]; then
            vg_none=$(best_of "$work/expected" valgrind -q --tool=none "$binary")
            vg_mc=$(best_of "$work/expected" valgrind -q --tool=memcheck "$binary")
        fi
        mc_none=$(best_of "$work/expected" "$memcheck" -q --tool=none "$binary")
        mc_mc=$(best_of "$work/expected" "$memcheck" -q --tool=memcheck "$binary")

        versus=-
        if [[ $mc_none =~ ^[0-9.]+$ && $vg_none =~ ^[0-9.]+$ ]]; then
            versus=$(printf '%.2fx' "$(calc "$mc_none / $vg_none")")
        fi
        printf '%-20s %7.2fs  %-14s %-14s %-14s %-14s %s\n' "$name-$linking" "$native" \
            "$(cell "$vg_none" "$native")" "$(cell "$mc_none" "$native")" \
            "$(cell "$vg_mc" "$native")" "$(cell "$mc_mc" "$native")" "$versus"
        [ "$versus" != - ] && ratios+=("${versus%x}")
    done
done
if [ ${#ratios[@]} -gt 0 ]; then
    printf 'geometric mean of memcheck/valgrind (--tool=none): %.2fx over %d runs\n' \
        "$(printf '%s\n' "${ratios[@]}" | awk '{ s += log($1) } END { print exp(s / NR) }')" "${#ratios[@]}"
fi
