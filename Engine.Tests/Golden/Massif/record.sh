#!/usr/bin/env bash
# Records Valgrind 3.19's massif run of every case in cases.txt: the output file as <name>.massif, ms_print's
# rendering of it as <name>.ms_print and the commentary as <name>.valgrind, the golden files MassifGoldenTests
# compares memcheck --tool=massif with. Compiles each C/C++ fixture the way the tests' FixtureCompiler does
# (gcc FLAGS -o OUT SRC -lm), so both run identical binaries. Only the pid and the paths of the program, the
# fixtures and the output file are replaced here; MassifFileNormaliser does the rest on both sides.
# Usage: Engine.Tests/Golden/Massif/record.sh [name-filter]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../../Fixtures"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
valgrind --version | grep -q '^valgrind-3\.19\.' || { echo "record.sh: needs valgrind 3.19" >&2; exit 1; }

trim() { local s="$1"; s="${s#"${s%%[![:space:]]*}"}"; echo "${s%"${s##*[![:space:]]}"}"; }

while IFS='|' read -r name source flags options status compared arguments; do
    [[ "$name" =~ ^[[:space:]]*# ]] && continue
    name=$(trim "$name")
    [[ -z "$name" ]] && continue
    [[ -n "${1:-}" && "$name" != *"$1"* ]] && continue
    source=$(trim "$source")
    dir="$work/$name"
    mkdir -p "$dir"
    program=""
    if [[ "$source" == /* ]]; then
        command=("$source")
    elif [[ "$source" == *.py ]]; then
        cp "$fixtures/$source" "$dir/"
        command=(/usr/bin/python3 "$(basename "$source")")
    else
        src="$fixtures/$source"
        compiler=gcc; [[ "$src" == *.cpp ]] && compiler=g++
        program="$dir/$(basename "${source%.*}")"
        # shellcheck disable=SC2086
        $compiler $flags -o "$program" "$src" -lm
        command=("$program")
    fi
    for argument in ${arguments:-}; do command+=("$fixtures/$argument"); done
    out="$dir/massif.out"
    set +e
    # shellcheck disable=SC2086
    (cd "$dir" && valgrind --tool=massif $options --massif-out-file="$out" "${command[@]}" >/dev/null 2>"$work/stderr" </dev/null)
    actual=$?
    set -e
    expected=$(trim "$status")
    [[ "$actual" == "$expected" ]] || { echo "record.sh: $name exited $actual under valgrind, cases.txt says $expected" >&2; exit 1; }
    paths=(-e "s#$out#OUTFILE#g" -e "s#$fixtures/#FIXTURES/#g")
    [[ -n "$program" ]] && paths+=(-e "s#$program#PROGRAM#g")
    sed -e 's/^==[0-9]*==/==PID==/' "${paths[@]}" "$work/stderr" > "$here/$name.valgrind"
    sed "${paths[@]}" "$out" > "$here/$name.massif"
    ms_print "$out" | sed "${paths[@]}" > "$here/$name.ms_print"
    echo "recorded $name"
done < "$here/cases.txt"
