#!/usr/bin/env bash
# make bench-scale: every row of the scale table (issue 13, doc/operations.md)
# measured as a user meets it — whole processes, wall time and peak resident
# memory (GNU time's %M), on the synthetic S and L estates — then the
# one-core engine benchmarks. Each figure is the median of RUNS runs (5 by
# default). "before" is what the same measurement gave before the scale
# work, on the same 2-core machine; it is printed for comparison, not
# measured again.
#
# Needs GNU time (/usr/bin/time), curl and wrk (apt-get install time curl wrk).
set -euo pipefail
runs=${RUNS:-5}
port=${PORT:-18098}
for tool in /usr/bin/time curl wrk; do
  command -v "$tool" >/dev/null || { echo "bench-scale needs $tool (apt-get install time curl wrk)" >&2; exit 2; }
done
root=$(pwd)
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
go build -o "$dir/remit" ./cmd/remit
cd "$dir"
remit=$dir/remit
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
$remit generate L --shape L >/dev/null
$remit generate S --shape S >/dev/null
system=s777

# median prints the middle of its arguments (numbers).
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# measure runs a command RUNS times and sets secs and mb to the medians of
# its wall time and peak resident memory.
measure() {
  local ts=() ms=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o time.out "$@" >/dev/null 2>&1
    read -r t m <time.out
    ts+=("$t") ms+=("$((m / 1024))")
  done
  secs=$(median "${ts[@]}") mb=$(median "${ms[@]}")
}

row() { printf '%-44s %-34s %s\n' "$1" "$2" "$3"; }
row "what" "before" "now (median of $runs)"

measure "$remit" validate L
row "remit validate L" "12.6 s, 3,700 MB" "$secs s, $mb MB"

measure "$remit" matrix L --system $system
row "remit matrix --system $system on L" "13.4 s, 3,760 MB" "$secs s, $mb MB"

# obligations: also the time to the first byte written.
for format in csv json; do
  ts=() ms=() firsts=()
  for _ in $(seq "$runs"); do
    start=$(date +%s.%N)
    /usr/bin/time -f '%e %M' -o time.out "$remit" obligations L --format $format |
      { head -c 1 >/dev/null; date +%s.%N >first.out; cat >/dev/null; }
    read -r t m <time.out
    ts+=("$t") ms+=("$((m / 1024))") firsts+=("$(echo "$(cat first.out) - $start" | bc)")
  done
  before="79 s, 12,700 MB"
  [ $format = json ] && before="79 s (CSV), out of memory at 8 GiB"
  row "remit obligations L --format $format" "$before" "$(median "${ts[@]}") s, $(median "${ms[@]}") MB, first byte $(printf '%.1f' "$(median "${firsts[@]}")") s"
done

imports=() importmb=()
for _ in $(seq "$runs"); do
  rm -f L.db
  /usr/bin/time -f '%e %M' -o time.out "$remit" import L --database L.db >/dev/null 2>&1
  read -r t m <time.out
  imports+=("$t") importmb+=("$((m / 1024))")
done
row "remit import L into SQLite" "41 s, 4,860 MB" "$(median "${imports[@]}") s, $(median "${importmb[@]}") MB"
rm -f S.db
"$remit" import S --database S.db >/dev/null
for db in L S; do
  echo "a long bench password" | "$remit" user add bench@example.gov.uk --role viewer --database $db.db >/dev/null
done

# serve starts the server on $1.db under GNU time and waits until it is
# ready; ready is the seconds that took.
serve() {
  local start
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o serve.out "$remit" serve --database "$1.db" --addr 127.0.0.1:$port >serve.log 2>&1 &
  until curl -sf -o /dev/null http://127.0.0.1:$port/healthz; do sleep 0.02; done
  ready=$(echo "$(date +%s.%N) - $start" | bc)
}
# stop ends the server gracefully; peak is its peak resident memory in MB.
stop() {
  pkill -TERM -f "^$remit serve --database $1.db" || true
  wait
  peak=$(($(cat serve.out) / 1024))
}

readies=()
for _ in $(seq "$runs"); do
  serve L
  readies+=("$ready")
  stop L
done
row "server start to ready on L" "5.4 s" "$(printf '%.2f' "$(median "${readies[@]}")") s"

# load: GET a random system's matrix from 50 connections for 15 s, RUNS
# times, once every system's matrix is kept (remit_matrix_cache_systems).
load() {
  local shape=$1 systems=$2 p99s=() rpss=() token out
  serve "$shape"
  local warm
  warm=$(date +%s.%N)
  until [ "$(curl -s http://127.0.0.1:$port/metrics | awk '/^remit_matrix_cache_systems/ {print $2}')" = "$systems" ]; do sleep 0.5; done
  warm=$(echo "$(date +%s.%N) - $warm" | bc)
  token=$(curl -s -X POST http://127.0.0.1:$port/api/v1/session -H 'Content-Type: application/json' \
    -d '{"email":"bench@example.gov.uk","password":"a long bench password"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  cat >matrix.lua <<LUA
math.randomseed(7)
request = function()
  return wrk.format("GET", "/api/v1/systems/s" .. math.random(0, $systems - 1) .. "/matrix",
    {["Authorization"] = "Bearer $token", ["Accept-Encoding"] = "gzip"})
end
done = function(summary, latency, requests)
  io.write(string.format("%.2f %.0f\n", latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
LUA
  for _ in $(seq "$runs"); do
    out=$(wrk -t2 -c50 -d15s -s matrix.lua http://127.0.0.1:$port | tail -n 1)
    p99s+=("${out% *}") rpss+=("${out#* }")
  done
  stop "$shape"
  p99=$(median "${p99s[@]}") rps=$(median "${rpss[@]}") warmed=$(printf '%.0f' "$warm")
}
load L 20000
row "API matrix, 50 clients, random system, L" "p99 511 ms, 678 req/s" "p99 $p99 ms, $rps req/s (kept all after ${warmed} s)"
row "server peak resident memory under that load" "2,560 MB" "$peak MB"
load S 300
row "API matrix, 50 clients, random system, S" "p99 205 ms, 11,390 req/s" "p99 $p99 ms, $rps req/s"

# The start of a command, as the mean of 20 (GNU time counts in 10 ms).
start=$(date +%s%N)
for _ in $(seq 20); do "$remit" --help >/dev/null; done
row "any CLI command's start (remit --help)" "~130 ms" "$(( ($(date +%s%N) - start) / 20000000 )) ms (mean of 20)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "one-core engine benchmarks (go test -bench . -cpu 1 ./internal/engine):"
cd "$root"
go test -run '^$' -bench . -benchmem -cpu 1 -count 1 ./internal/engine | grep '^Benchmark'
