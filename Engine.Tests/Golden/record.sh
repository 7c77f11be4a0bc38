#!/usr/bin/env bash
# Records Valgrind 3.19's report for every case in cases.txt as <name>.valgrind, the golden files
# GoldenReportTests compares memcheck's reports with. Compiles each fixture the way the tests'
# FixtureCompiler does (gcc FLAGS -o OUT SRC -lm), so both run identical binaries.
# Usage: Engine.Tests/Golden/record.sh [name-filter]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../Fixtures"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
valgrind --version | grep -q '^valgrind-3\.19\.' || { echo "record.sh: needs valgrind 3.19" >&2; exit 1; }

while IFS='|' read -r name source flags options status; do
    name=$(echo "$name" | xargs)
    [[ -z "$name" || "$name" == \#* ]] && continue
    [[ -n "${1:-}" && "$name" != *"$1"* ]] && continue
    source=$(echo "$source" | xargs)
    src="$fixtures/$source"
    compiler=gcc; [[ "$src" == *.cpp || "$src" == *.cc ]] && compiler=g++
    program="$work/$(basename "${source%.*}")"
    # shellcheck disable=SC2086
    $compiler $flags -o "$program" "$src" -lm
    set +e
    # shellcheck disable=SC2086
    (cd "$work" && valgrind $options "$program" >/dev/null 2>"$work/stderr" </dev/null)
    actual=$?
    set -e
    expected=$(echo "$status" | xargs)
    [[ "$actual" == "$expected" ]] || { echo "record.sh: $name exited $actual under valgrind, cases.txt says $expected" >&2; exit 1; }
    # Normalise what differs run to run: the pid and where the binary was built.
    sed -e 's/^==[0-9]*==/==PID==/' -e "s#$program#PROGRAM#g" "$work/stderr" > "$here/$name.valgrind"
    echo "recorded $name"
done < "$here/cases.txt"
