#!/usr/bin/env bash
# Records the stack at the fatal signal of each case in stack-cases.txt, from each oracle it names:
#   gdb:      <name>.gdb, gdb's `bt` one frame a line as "function file:line" (file without directory)
#   valgrind: <name>.valgrind, Valgrind 3.19's "at"/"by" lines, pid prefix dropped, program as PROGRAM
# Cases whose oracles include "inline" are recorded with --read-inline-info=yes (memcheck's default);
# the others with the none tool's default, no.
# Compiles as the tests' FixtureCompiler does (compiler FLAGS -o OUT SRC -lm), so all see one binary.
# Usage: Engine.Tests/DebugInfo/record-stacks.sh [name-filter]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
valgrind --version | grep -q '^valgrind-3\.19\.' || { echo "record-stacks.sh: needs valgrind 3.19" >&2; exit 1; }

while IFS='|' read -r name source flags oracles; do
    [[ "$name" == \#* ]] && continue
    name=$(echo "$name" | xargs)
    [[ -z "$name" ]] && continue
    [[ -n "${1:-}" && "$name" != *"$1"* ]] && continue
    src="$here/Fixtures/$(echo "$source" | xargs)"
    compiler=gcc; [[ "$src" == *.cpp ]] && compiler=g++
    program="$work/$name"
    # shellcheck disable=SC2086
    $compiler $flags -o "$program" "$src" -lm
    if [[ "$oracles" == *gdb* ]]; then
        gdb -q -batch -ex run -ex bt "$program" </dev/null 2>/dev/null \
            | perl -ne 'print "$1 $2:$3\n" if /^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(.*\) at (?:.*\/)?([^\/\s]+):(\d+)$/' \
            > "$here/$name.gdb"
        [[ -s "$here/$name.gdb" ]] || { echo "record-stacks.sh: no gdb backtrace for $name" >&2; exit 1; }
    fi
    if [[ "$oracles" == *valgrind* ]]; then
        inline=no; [[ "$oracles" == *inline* ]] && inline=yes
        (cd "$work" && valgrind --tool=none --read-inline-info=$inline "$program" >/dev/null 2>"$work/stderr" </dev/null) || true
        grep -E '^==[0-9]+==    (at|by) 0x' "$work/stderr" | sed -e 's/^==[0-9]*== //' -e "s#$program#PROGRAM#g" > "$here/$name.valgrind"
        [[ -s "$here/$name.valgrind" ]] || { echo "record-stacks.sh: no valgrind stack for $name" >&2; exit 1; }
    fi
    echo "recorded $name"
done < "$here/stack-cases.txt"
