#!/usr/bin/env bash
# The test command: installs what the tests need (Node.js, npm packages such as Azurite, Chromium) and runs every test.
# Works on a fresh machine with the .NET SDK; installs Node.js and Chromium from Debian when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Installing Node.js and npm (needed for Azurite)..."
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq nodejs npm
fi

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
if [ ! -x /usr/bin/chromium ] && [ -z "${CHROMIUM_PATH:-}" ]; then
  echo "Installing Chromium (for the browser tests)..."
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium
fi

# npm packages pinned by package-lock.json; installed again only when the lock file changed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (Azurite, @microsoft/signalr, @azure/event-hubs)..."
  npm ci --no-audit --no-fund --loglevel=error
fi

# NU1603 stays a warning: the Functions SDK restores its generated WorkerExtensions project with versions the feed
# does not serve exactly, and that project is not ours to pin.
dotnet build Serverless.sln -warnaserror -warnnotaserror:NU1603 -nologo -clp:NoSummary -v:q

results=$(mktemp -d)
status=0
dotnet test Serverless.sln --no-build -nologo --logger trx --results-directory "$results" || status=$?

# One closing line in the plain form CI reads: "N passed, N failed", summed over the test projects' results.
summary=$(grep -ho '<Counters [^>]*>' "$results"/*.trx 2>/dev/null || true)
passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$summary" | awk '{ n += $1 } END { print n + 0 }')
failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$summary" | awk '{ n += $1 } END { print n + 0 }')
rm -rf "$results"
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
exit $status
