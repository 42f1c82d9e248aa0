#!/usr/bin/env bash
# Runs the pipeline's parts that exist today on this machine: Azurite (Table Storage), the local SignalR Service and
# the function app, then ingests a demo batch as the Functions host would and shows the stored log. Ctrl+C stops
# everything; data stays in .local/ for the next run.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v node >/dev/null 2>&1 || { echo "Node.js is needed for Azurite: apt-get install nodejs npm"; exit 1; }
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

port=7071
for p in 10002 8888 $port; do
  if (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "Port $p is already in use; stop what uses it first."; exit 1; fi
done

mkdir -p .local/azurite
[ -f functions/local.settings.json ] || cp local.settings.sample.json functions/local.settings.json

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT INT TERM
node_modules/.bin/azurite-table --tableHost 127.0.0.1 --tablePort 10002 --location .local/azurite \
  --skipApiVersionCheck --disableProductStyleUrl --disableTelemetry --silent &
pids+=($!)
dotnet build functions -nologo -v:q -clp:NoSummary
dotnet build emulators/SignalRService -nologo -v:q -clp:NoSummary
dotnet emulators/SignalRService/bin/Debug/net10.0/Serverless.SignalRService.dll --port 8888 &
pids+=($!)
(cd functions && exec dotnet bin/Debug/net10.0/Serverless.Functions.dll) &
pids+=($!)

for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
  sleep 0.5
done

channel="prices.demo"
events=$(for i in 1 2 3 4 5; do
  printf '{"specversion":"1.0","id":"%s","source":"/demo/prices","type":"com.example.price.changed","subject":"%s","entitykey":"EURUSD","entityversion":%d,"data":{"bid":1.08%d,"ask":1.09%d}}\n' \
    "$(date +%s%N)-$i" "$channel" "$(date +%s%N)" "$i" "$i"
done | node -e 'const lines=require("fs").readFileSync(0,"utf8").trim().split("\n");process.stdout.write(JSON.stringify(JSON.stringify(lines)))')
invocation="{\"Data\":{\"events\":$events},\"Metadata\":{}}"

echo; echo "POST /Ingest (5 demo updates to $channel):"
curl -fsS -X POST "http://127.0.0.1:$port/Ingest" -H 'Content-Type: application/json' -d "$invocation"; echo
echo; echo "GET /api/channels/$channel/updates?after=0:"
curl -fsS "http://127.0.0.1:$port/api/channels/$channel/updates?after=0"; echo
echo; echo "GET /api/health:"
curl -sS "http://127.0.0.1:$port/api/health"; echo
echo; echo "The function app listens on http://127.0.0.1:$port (Ctrl+C to stop)."
echo "SignalR clients negotiate at http://127.0.0.1:$port/api and subscribe with POST /api/subscriptions."
wait
