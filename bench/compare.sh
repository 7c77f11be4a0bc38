#!/usr/bin/env bash
# Times whole runs natively, under valgrind and under memcheck, and prints a table of wall times and
# slow-downs at the end. The programs: the CPU-bound fixtures in bench/fixtures (gcc -O2, static and
# dynamic) and the real programs of issue 3 (ls, sort, gzip, sqlite3, perl, python3, python3 + ctypes).
#   bench/compare.sh                         --tool=none: native, valgrind, memcheck
#   MODE=memcheck bench/compare.sh           --tool=memcheck against valgrind's, without and with
#                                            --track-origins=yes
#   RUNS=3 bench/compare.sh sieve sort       some programs, best of three runs each (default: one run)
# A run that fails or prints something other than the native stdout shows as "fail"/"wrong".
# The ratio columns are memcheck's time over valgrind's for the same tool (the goal is at most 1.00x);
# the last line is their geometric mean. The machine's load shows in the numbers: run it on a quiet one.
set -euo pipefail
export LC_ALL=C  # awk and printf agree on the decimal point
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-1}
mode=${MODE:-none}
case $mode in none | memcheck) ;; *) echo "MODE is none or memcheck, not '$mode'" >&2; exit 2 ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/memcheck-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Published ReadyToRun (precompiled engine): start-up is most of a short run, and measured 1.1 s vs
# 1.5 s for a program that only exits on a loaded machine against the JIT-only build.
memcheck=$("$root/bench/publish.sh")
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }

# The real programs' inputs, as in Engine.Tests/Threads/RealProgramsMatchNativeTests.
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "%d line %d\n", (i * 7919) % 20011, i }' >"$work/lines"
cat >"$work/sqlite.sql" <<'EOF'
create table t(k integer primary key, v text);
with recursive n(i) as (select 1 union all select i + 1 from n where i < 500) insert into t select i, 'v' || i from n;
select count(*), sum(k), max(v) from t where k % 3 = 0;
EOF
gcc -O2 -shared -fPIC -o "$work/libdlopen.so" "$root/Engine.Tests/Fixtures/c/dlopen_library.c"

# Each case: a name, the file its stdin reads, then the command (the fixtures are added below).
declare -A stdin_of command_of
add() { local name=$1 input=$2; shift 2; stdin_of[$name]=$input; command_of[$name]=$(printf '%q ' "$@"); order+=("$name"); }
order=()
for source in "$root"/bench/fixtures/*.c; do
    fixture=$(basename "$source" .c)
    for linking in static dynamic; do
        flags=(-O2); [ "$linking" = static ] && flags+=(-static)
        gcc "${flags[@]}" -o "$work/$fixture-$linking" "$source" -lm
        add "$fixture-$linking" /dev/null "$work/$fixture-$linking"
    done
done
add ls /dev/null /bin/ls -la /usr/include/valgrind
add sort "$work/lines" /usr/bin/sort
add gzip "$work/lines" /usr/bin/gzip -9 -c
add sqlite3 "$work/sqlite.sql" /usr/bin/sqlite3 :memory:
add perl /dev/null /usr/bin/perl -e \
    'my %h; $h{$_ % 1000} += $_ for 1..200000; print join(",", map { $h{$_} } sort { $a <=> $b } keys %h), "\n";'
add python3-json /dev/null /usr/bin/python3 -c \
    'import json; d = {str(i): list(range(i % 7)) for i in range(500)}; s = json.dumps(d, sort_keys=True); print(len(s), json.loads(s) == d)'
add python3-ctypes /dev/null /usr/bin/python3 -c \
    "import ctypes; lib = ctypes.CDLL('$work/libdlopen.so'); print(lib.scaled_sum(20, 22))"

if [ $# -gt 0 ]; then
    selected=()
    for want in "$@"; do
        found=no
        for name in "${order[@]}"; do
            if [ "$name" = "$want" ] || [[ $name == "$want"-static || $name == "$want"-dynamic ]]; then selected+=("$name"); found=yes; fi
        done
        [ $found = yes ] || { echo "no program named '$want' (have: ${order[*]})" >&2; exit 2; }
    done
    order=("${selected[@]}")
fi

calc() { awk "BEGIN { print $1 }"; }

# best_of NAME EXPECTED_STDOUT_FILE PREFIX...: the best wall time in seconds of PREFIX followed by the
# case's command, or fail/wrong.
best_of() {
    local name=$1 expected=$2; shift 2
    local best="" start end elapsed
    eval "local command=(${command_of[$name]})"
    for ((i = 0; i < runs; i++)); do
        start=$EPOCHREALTIME
        if ! "$@" "${command[@]}" >"$work/stdout" 2>/dev/null <"${stdin_of[$name]}"; then echo fail; return; fi
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

# versus MEMCHECK_SECONDS VALGRIND_SECONDS: "0.93x" (and kept for the mean), or "-".
ratios=()
versus() {
    if [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]]; then printf '%.2fx' "$(calc "$1 / $2")"; else printf -- -; fi
}

if [ "$mode" = none ]; then
    configurations=("--tool=none")
else
    configurations=("--tool=memcheck" "--tool=memcheck --track-origins=yes")
fi
header=$(printf '%-18s %8s' program native)
for configuration in "${configurations[@]}"; do
    label=${configuration#--tool=}; label=${label/ --track-origins=yes/+origins}
    header+=$(printf '  %-15s %-15s %-7s' "valgrind $label" "memcheck $label" ratio)
done
rows=()
for name in "${order[@]}"; do
    echo "timing $name..." >&2
    best_of "$name" "" >/dev/null  # warms the page cache; its stdout is the expected one
    cp "$work/stdout" "$work/expected"
    native=$(best_of "$name" "$work/expected")
    row=$(printf '%-18s %7.2fs' "$name" "$native")
    for configuration in "${configurations[@]}"; do
        read -r -a options <<<"$configuration"
        valgrind_time=$(best_of "$name" "$work/expected" valgrind -q "${options[@]}")
        memcheck_time=$(best_of "$name" "$work/expected" "$memcheck" -q "${options[@]}")
        ratio=$(versus "$memcheck_time" "$valgrind_time")
        [ "$ratio" != - ] && ratios+=("${ratio%x}")
        row+=$(printf '  %-15s %-15s %-7s' "$(cell "$valgrind_time" "$native")" "$(cell "$memcheck_time" "$native")" "$ratio")
    done
    rows+=("$row")
done

echo "$header"
printf '%s\n' "${rows[@]}"
if [ ${#ratios[@]} -gt 0 ]; then
    printf 'geometric mean of memcheck/valgrind (%s): %.2fx over %d runs\n' "$mode" \
        "$(printf '%s\n' "${ratios[@]}" | awk '{ s += log($1) } END { print exp(s / NR) }')" "${#ratios[@]}"
fi
