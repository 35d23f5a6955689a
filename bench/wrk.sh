#!/usr/bin/env bash
# Measure the API with Debian's wrk as the load generator (a separate
# process, as real clients are): generate the synthetic estate (SHAPE=S or
# L), import it into a fresh SQLite file, serve it, warm the matrix cache,
# then GET random systems' matrices from 50 connections for 15 seconds.
# SPREAD=N picks the systems from the first N only (a working set), rather
# than from all of them.
set -euo pipefail
shape=${SHAPE:-S}
port=${PORT:-18099}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 2; }
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/remit" ./cmd/remit
cd "$dir"
./remit generate estate --shape "$shape" >/dev/null
./remit import estate --database bench.db | tail -n 1
echo "a long bench password" | ./remit user add bench@example.gov.uk --role viewer --database bench.db >/dev/null
./remit serve --database bench.db --addr 127.0.0.1:$port >/dev/null 2>&1 &
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:$port/readyz >/dev/null && break; sleep 0.2; done
token=$(curl -s -X POST http://127.0.0.1:$port/api/v1/session -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.gov.uk","password":"a long bench password"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
systems=$(ls estate/systems | wc -l)
systems=${SPREAD:-$systems}
cat > matrix.lua <<LUA
math.randomseed(7)
request = function()
  return wrk.format("GET", "/api/v1/systems/s" .. math.random(0, $systems - 1) .. "/matrix",
    {["Authorization"] = "Bearer $token", ["Accept-Encoding"] = "gzip"})
end
LUA
# Warm the cache of encoded matrices, as a running service's is (it holds
# 256 MB: all of S, a part of L).
for s in $(seq 0 $((systems < 600 ? systems - 1 : 599))); do
  curl -s -o /dev/null -H "Authorization: Bearer $token" -H "Accept-Encoding: gzip" http://127.0.0.1:$port/api/v1/systems/s$s/matrix
done
echo "GET /api/v1/systems/{random of $systems}/matrix, 50 connections, 15 s:"
wrk -t2 -c50 -d15s --latency -s matrix.lua http://127.0.0.1:$port | sed -n '/Latency Distribution/,$p'
