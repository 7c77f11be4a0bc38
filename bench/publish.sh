#!/usr/bin/env bash
# Publishes the memcheck command for timing and prints the path of the executable on stdout.
# Native AOT: no JIT at start-up, measured ~3x faster start than ReadyToRun (README, Build). When the
# AOT publish fails (no ILCompiler package on the NuGet feed, no native linker), it falls back to
# ReadyToRun, which needs only the runtime pack.
#   memcheck=$(bench/publish.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
project="$root/Frontend/Frontend.csproj"
log=$(mktemp "${TMPDIR:-/tmp}/memcheck-publish.XXXXXX")
trap 'rm -f "$log"' EXIT

aot="$root/Frontend/bin/Release/publish-aot"
echo "Publishing memcheck (Release, Native AOT)..." >&2
if dotnet publish "$project" -c Release -r linux-x64 -p:PublishAot=true -o "$aot" -nologo -v quiet >"$log" 2>&1; then
    echo "$aot/memcheck"
    exit 0
fi
echo "Native AOT publish failed, falling back to ReadyToRun:" >&2
grep -E "error" "$log" | head -5 >&2 || true

r2r="$root/Frontend/bin/Release/publish-r2r"
echo "Publishing memcheck (Release, ReadyToRun)..." >&2
dotnet publish "$project" -c Release -r linux-x64 --self-contained false -o "$r2r" -nologo -v quiet >&2
echo "$r2r/memcheck"
