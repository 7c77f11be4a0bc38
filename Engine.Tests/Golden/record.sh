#!/usr/bin/env bash
# Records Valgrind 3.19's report for every case in cases.txt as <name>.valgrind, the golden files
# GoldenReportTests compares memcheck's reports with. Compiles each fixture the way the tests'
# FixtureCompiler does (gcc FLAGS -o OUT SRC -lm), so both run identical binaries. A .py case builds
# libNAME.so from NAME.c and runs /usr/bin/python3 NAME.py beside it, as the tests do.
# In the options, {fixtures} stands for the fixtures folder (suppression files) and {xml} for the file
# --xml-file writes, kept as <name>.xml; a case's stdin column is fed to valgrind through printf.
# Only the pid and the program's, fixtures' and XML file's paths are replaced here; ReportNormaliser
# does the rest on both sides.
# Usage: Engine.Tests/Golden/record.sh [name-filter]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../Fixtures"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
valgrind --version | grep -q '^valgrind-3\.19\.' || { echo "record.sh: needs valgrind 3.19" >&2; exit 1; }

trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; echo "${s%"${s##*[![:space:]]}"}"; }

while IFS='|' read -r name source flags options status stdin; do
    [[ "$name" =~ ^[[:space:]]*# ]] && continue
    name=$(trim "$name")
    [[ -z "$name" ]] && continue
    [[ -n "${1:-}" && "$name" != *"$1"* ]] && continue
    source=$(trim "$source")
    src="$fixtures/$source"
    dir="$work/$name"
    xml="$work/$name.xml"
    options="${options//\{fixtures\}/$fixtures}"
    options="${options//\{xml\}/$xml}"
    input=$(trim "${stdin:-}")
    mkdir -p "$dir"
    if [[ "$src" == *.py ]]; then
        base=$(basename "${source%.py}")
        # shellcheck disable=SC2086
        gcc $flags -o "$dir/lib$base.so" "${src%.py}.c" -lm
        cp "$src" "$dir/"
        command=(/usr/bin/python3 "$base.py")
        program=""
    else
        compiler=gcc; [[ "$src" == *.cpp || "$src" == *.cc ]] && compiler=g++
        program="$dir/$(basename "${source%.*}")"
        # shellcheck disable=SC2086
        $compiler $flags -o "$program" "$src" -lm
        command=("$program")
    fi
    set +e
    # The subshell's own stderr carries only the shell's "Segmentation fault" notes for cases that die of a signal;
    # without pipefail its status is valgrind's even when valgrind leaves some of its input unread.
    # shellcheck disable=SC2086,SC2059
    (set +o pipefail; cd "$dir" && printf "$input" | valgrind $options "${command[@]}" >/dev/null 2>"$work/stderr") 2>/dev/null
    actual=$?
    set -e
    expected=$(trim "$status")
    [[ "$actual" == "$expected" ]] || { echo "record.sh: $name exited $actual under valgrind, cases.txt says $expected" >&2; exit 1; }
    paths=(-e "s#$fixtures/#FIXTURES/#g" -e "s#$xml#XMLFILE#g")
    [[ -n "$program" ]] && paths+=(-e "s#$program#PROGRAM#g")
    sed -e 's/^==[0-9]*==/==PID==/' -e 's/^--[0-9]*--/--PID--/' "${paths[@]}" "$work/stderr" > "$here/$name.valgrind"
    if [[ -f "$xml" ]]; then sed "${paths[@]}" "$xml" > "$here/$name.xml"; fi
    echo "recorded $name"
done < "$here/cases.txt"
