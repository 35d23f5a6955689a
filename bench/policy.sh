#!/usr/bin/env bash
# make bench-policy: remit checks run against conftest, side by side, as a
# user meets them — whole processes, wall time and peak resident memory
# (GNU time) — on the same policies (examples/policy) and a synthetic
# Terraform plan of N resource changes (10,000 by default, bench/plan).
# conftest is built here from the Go module proxy (CONFTEST_VERSION), never
# vendored. Each figure is the median of RUNS runs (5 by default); the two
# tools' answers are compared line by line first.
set -euo pipefail
runs=${RUNS:-5}
n=${N:-10000}
version=${CONFTEST_VERSION:-v0.71.1}
command -v /usr/bin/time >/dev/null || { echo "bench-policy needs GNU time (apt-get install time)" >&2; exit 2; }
root=$(pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/remit" ./cmd/remit
echo "building conftest $version from the Go module proxy..."
GOBIN="$dir" GOFLAGS=-mod=mod go install "github.com/open-policy-agent/conftest@$version"
go run ./bench/plan -n "$n" > "$dir/plan.json"
cd "$root/examples/policy"
echo "machine: $(nproc) cores; plan: $n resource changes, $(du -k "$dir/plan.json" | cut -f1) KB; conftest: $("$dir/conftest" --version | tr '\n' ' ')"

# The same answer, first.
"$dir/conftest" test --all-namespaces --no-color -p policy "$dir/plan.json" | sort > "$dir/conftest.out" || true
"$dir/remit" checks run --all-namespaces -p policy "$dir/plan.json" 2>/dev/null | sort > "$dir/remit.out" || true
if ! cmp -s "$dir/conftest.out" "$dir/remit.out"; then
  echo "the answers differ:" >&2
  diff "$dir/conftest.out" "$dir/remit.out" | head -20 >&2
  exit 1
fi
echo "same answer: $(grep -c '^FAIL' "$dir/remit.out") failures; $(tail -1 "$dir/remit.out")"

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
measure() { # name, command...: median wall seconds and peak KB
  local name=$1; shift
  local walls=() peaks=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$dir/t" "$@" > /dev/null 2>&1 || true
    read -r wall peak < "$dir/t"
    walls+=("$wall"); peaks+=("$peak")
  done
  local w p
  w=$(median "${walls[@]}"); p=$(median "${peaks[@]}")
  printf '%-9s %6.2f s  %6.0f MB\n' "$name" "$w" "$((p / 1024))"
  eval "${name}_wall=$w"
}
measure conftest "$dir/conftest" test --all-namespaces --no-color -p policy "$dir/plan.json"
measure remit "$dir/remit" checks run --all-namespaces -p policy "$dir/plan.json"
awk -v c="$conftest_wall" -v r="$remit_wall" 'BEGIN { printf "remit is %.1fx faster than conftest\n", c / r }'
