#!/usr/bin/env bash
# Records gdb's backtrace at the fatal signal of each case in stack-cases.txt as <name>.gdb, one
# frame a line: "function file:line" (file without its directory, as Valgrind prints it).
# Compiles as the tests' FixtureCompiler does (compiler FLAGS -o OUT SRC -lm), so both see one binary.
# Usage: Engine.Tests/DebugInfo/record-gdb.sh [name-filter]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

while IFS='|' read -r name source flags; do
    [[ "$name" == \#* ]] && continue
    name=$(echo "$name" | xargs)
    [[ -z "$name" ]] && continue
    [[ -n "${1:-}" && "$name" != *"$1"* ]] && continue
    src="$here/Fixtures/$(echo "$source" | xargs)"
    compiler=gcc; [[ "$src" == *.cpp ]] && compiler=g++
    program="$work/$name"
    # shellcheck disable=SC2086
    $compiler $flags -o "$program" "$src" -lm
    gdb -q -batch -ex run -ex bt "$program" </dev/null 2>/dev/null \
        | perl -ne 'print "$1 $2:$3\n" if /^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(.*\) at (?:.*\/)?([^\/\s]+):(\d+)$/' \
        > "$here/$name.gdb"
    [[ -s "$here/$name.gdb" ]] || { echo "record-gdb.sh: no backtrace for $name" >&2; exit 1; }
    echo "recorded $name"
done < "$here/stack-cases.txt"
