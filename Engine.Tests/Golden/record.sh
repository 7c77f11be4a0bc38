#!/usr/bin/env bash
# Records Valgrind 3.19's report for every case in cases.txt as <name>.valgrind, the golden files
# GoldenReportTests compares memcheck's reports with. Compiles each fixture the way the tests'
# FixtureCompiler does (gcc FLAGS -o OUT SRC -lm), so both run identical binaries. A .py case builds
# libNAME.so from NAME.c and runs /usr/bin/python3 NAME.py beside it, as the tests do; a .pl case runs
# /usr/bin/perl reading NAME.pl from stdin in /. Every case runs in exactly the environment environment.txt
# holds, with SIGPIPE at its default action whatever the recording shell does with it (the engine starts its
# guest so, the runtime ignoring SIGPIPE itself). In the options, {fixtures} stands for the fixtures folder
# (suppression files) and {xml} for the file --xml-file writes, kept as <name>.xml; a case's stdin column is
# fed to valgrind through printf.
# Only the pid (of ==PID==, --PID-- and **PID** lines) and the program's, fixtures' and XML file's paths are
# replaced here; ReportNormaliser does the rest on both sides.
# Usage: Engine.Tests/Golden/record.sh [name-filter]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../Fixtures"
# Python's heap depends on the length of its working directory's path: GoldenRunner runs the .py cases in a
# directory of this shape too.
work=$(mktemp -d /tmp/memcheck-golden.XXXXXXXXXXXX)
trap 'rm -rf "$work"' EXIT
valgrind --version | grep -q '^valgrind-3\.19\.' || { echo "record.sh: needs valgrind 3.19" >&2; exit 1; }

mapfile -t environment < <(grep -v '^#' "$here/environment.txt")

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
    elif [[ "$src" == *.pl ]]; then
        # From stdin in /: neither the script's path nor the directory reach perl's own allocations.
        dir=/
        command=(/usr/bin/perl -)
        program=""
    else
        compiler=gcc; [[ "$src" == *.cpp || "$src" == *.cc ]] && compiler=g++
        program="$dir/$(basename "${source%.*}")"
        # shellcheck disable=SC2086
        $compiler $flags -o "$program" "$src" -lm
        command=("$program")
    fi
    # What the program reads: a .pl case's script, else the stdin column (printf's escapes).
    # shellcheck disable=SC2059
    feed() { if [[ "$src" == *.pl ]]; then cat "$src"; else printf "$input"; fi; }
    set +e
    # stdin, stdout and stderr are pipes, as the tests give them (python's buffering, and so its heap, depends on
    # what they are); the exit status is valgrind's, even when valgrind leaves some of its input unread. The
    # subshells' own stderr carries only the shell's "Segmentation fault" notes for cases that die of a signal.
    # shellcheck disable=SC2086
    ( (cd "$dir" && feed | env -i --default-signal=PIPE "${environment[@]}" valgrind $options "${command[@]}" 2>&1 1>&3 3>&- | cat >"$work/stderr"
       exit "${PIPESTATUS[1]}") 3>&1 | cat >/dev/null
      exit "${PIPESTATUS[0]}") 2>/dev/null
    actual=$?
    set -e
    expected=$(trim "$status")
    [[ "$actual" == "$expected" ]] || { echo "record.sh: $name exited $actual under valgrind, cases.txt says $expected" >&2; exit 1; }
    paths=(-e "s#$fixtures/#FIXTURES/#g" -e "s#$xml#XMLFILE#g")
    [[ -n "$program" ]] && paths+=(-e "s#$program#PROGRAM#g")
    sed -e 's/^==[0-9]*==/==PID==/' -e 's/^--[0-9]*--/--PID--/' -e 's/^\*\*[0-9]*\*\*/**PID**/' "${paths[@]}" "$work/stderr" > "$here/$name.valgrind"
    if [[ -f "$xml" ]]; then sed "${paths[@]}" "$xml" > "$here/$name.xml"; fi
    echo "recorded $name"
done < "$here/cases.txt"
