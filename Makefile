# Remit. `make run` starts the service on a fresh SQLite file loaded with the
# example estate; `make test` runs the whole test suite. Both work from a
# fresh clone with Go and Node (npm fetches the pinned front-end assets).
GO ?= go
EXAMPLE := examples/justice

.PHONY: run tour test check bench bench-api bench-scale bench-policy fuzz build clean assets

VENDOR := internal/web/static/vendor

# assets installs the pinned npm packages (package-lock.json) and copies
# GOV.UK Frontend's and MOJ Frontend's built CSS, JS, fonts and images into
# the embedded static folder. The copies are generated and git-ignored; the
# stamp makes this a no-op until the lock file changes.
assets: $(VENDOR)/.stamp

$(VENDOR)/.stamp: package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/fonts $(VENDOR)/images
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(VENDOR)/
	cp node_modules/govuk-frontend/dist/govuk/assets/manifest.json $(VENDOR)/
	cp node_modules/govuk-frontend/dist/govuk/assets/fonts/* $(VENDOR)/fonts/
	cp node_modules/govuk-frontend/dist/govuk/assets/images/* $(VENDOR)/images/
	cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.css $(VENDOR)/
	cp node_modules/@ministryofjustice/frontend/moj/assets/images/* $(VENDOR)/images/
	touch $@

run: assets
	$(GO) run ./cmd/remit serve --demo

# tour runs the CLI on the example estate, no database needed.
tour:
	$(GO) run ./cmd/remit validate $(EXAMPLE)
	@echo
	$(GO) run ./cmd/remit graph $(EXAMPLE)
	@echo
	$(GO) run ./cmd/remit matrix $(EXAMPLE) --system prison-visits
	@echo
	$(GO) run ./cmd/remit obligations $(EXAMPLE) --system prison-visits

build: assets
	$(GO) build -buildvcs=auto -o bin/remit ./cmd/remit

# test runs every test with the race detector on, then the tests that
# measure memory, which the race detector would distort.
test: assets
	$(GO) test -race -timeout 30m ./...
	$(GO) test -run 'MemoryIsBounded' ./internal/xlsx

# check is what CI runs besides the tests: formatting, vet and a tidy go.mod.
check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff

# bench runs every benchmark on one core over the synthetic S and L estates
# and prints a table (name, time per op, bytes and allocations, custom metrics).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 -count 1 -timeout 30m ./internal/... | tee /tmp/remit-bench.txt | \
		awk '/^Benchmark/ { printf "%-48s", $$1; for (i = 3; i <= NF; i += 2) printf " %14s %-10s", $$i, $$(i+1); printf "\n"; next } /^(ok|PASS|FAIL|goos|goarch|pkg|cpu)/ { next } { print }'

# bench-api loads the L estate into SQLite and measures the API over loopback
# TCP: one system's matrix from 50 concurrent clients (p50, p99, req/s),
# obligation status updates per second (with the audit record), and one-system
# edits (PUT system, attach an offering, a statement) on S and on L, whose
# allocation must not grow with the estate; then the same GETs with Debian's
# wrk as a separate load generator, on S and on L.
bench-api:
	REMIT_BENCH_SHAPE=L $(GO) test ./internal/web -run '^$$' -bench 'MatrixGet|TrackingUpdate' -benchtime 5000x -timeout 30m
	$(GO) test ./internal/web -run '^$$' -bench 'SystemPut|UseAttach|StatementPut' -benchtime 200x -benchmem -cpu 1
	REMIT_BENCH_SHAPE=L $(GO) test ./internal/web -run '^$$' -bench 'SystemPut|UseAttach|StatementPut' -benchtime 200x -benchmem -cpu 1 -timeout 30m
	SHAPE=S bench/wrk.sh
	SHAPE=L SPREAD=600 bench/wrk.sh
	SHAPE=L bench/wrk.sh

# bench-scale measures what a user meets at scale, as whole processes (wall
# time and peak memory, median of RUNS=5 runs): validate, matrix, the whole
# estate's obligations, import, server start, and the API under 50 clients
# on L and S; then the one-core engine benchmarks. It prints each figure
# beside the one measured before the scale work (doc/operations.md).
bench-scale: assets
	bench/scale.sh

# bench-policy runs remit checks run and conftest (built here from the Go
# module proxy) side by side on the example policies and a 10,000-resource
# Terraform plan (median of RUNS=5 whole processes), after checking that
# they give the same answer; then hands 100,000 SARIF results in on the L
# estate (doc/checks.md).
bench-policy:
	bench/policy.sh
	REMIT_BENCH_SHAPE=L $(GO) test ./internal/service -run '^$$' -bench 'IngestChecks' -benchtime 5x -benchmem -cpu 1 -timeout 30m

# fuzz runs each fuzz target for a short while. New inputs are minimised for
# at most 5 s, so a large workbook cannot stall a run.
FUZZ = -run '^$$' -fuzztime 30s -fuzzminimizetime 5s
fuzz:
	$(GO) test ./internal/remit $(FUZZ) -fuzz '^FuzzParseIDs$$'
	$(GO) test ./internal/workspace $(FUZZ) -fuzz '^FuzzLoad$$'
	$(GO) test ./internal/sqlite $(FUZZ) -fuzz '^FuzzSearch$$'
	$(GO) test ./internal/service $(FUZZ) -fuzz '^FuzzExcerpt$$'
	$(GO) test ./internal/workspace $(FUZZ) -fuzz '^FuzzQuickParse$$'
	$(GO) test ./internal/web $(FUZZ) -fuzz '^FuzzRequestParts$$'
	$(GO) test ./internal/web $(FUZZ) -fuzz '^FuzzObligationID$$'
	$(GO) test ./internal/web $(FUZZ) -fuzz '^FuzzSafeNext$$'
	$(GO) test ./internal/web $(FUZZ) -fuzz '^FuzzCompareControls$$'
	$(GO) test ./internal/web $(FUZZ) -fuzz '^FuzzRiskForm$$'
	$(GO) test ./internal/report $(FUZZ) -fuzz '^FuzzReadSATWorkbook$$'
	$(GO) test ./internal/report $(FUZZ) -fuzz '^FuzzObligationJSON$$'
	$(GO) test ./internal/oscal $(FUZZ) -fuzz '^FuzzReadCatalog$$'
	$(GO) test ./internal/oscal $(FUZZ) -fuzz '^FuzzResolve$$'
	$(GO) test ./internal/oscal $(FUZZ) -fuzz '^FuzzReadOSCAL$$'
	$(GO) test ./internal/oscal $(FUZZ) -fuzz '^FuzzReadMapping$$'
	$(GO) test ./internal/oscal $(FUZZ) -fuzz '^FuzzFromYAML$$'
	$(GO) test ./internal/oscal $(FUZZ) -fuzz '^FuzzReadMeasured$$'
	$(GO) test ./internal/oscal $(FUZZ) -fuzz '^FuzzFromXML$$'
	$(GO) test ./internal/oscal $(FUZZ) -fuzz '^FuzzMarkup$$'
	$(GO) test ./internal/matrixin $(FUZZ) -fuzz '^FuzzReadCSV$$'
	$(GO) test ./internal/matrixin $(FUZZ) -fuzz '^FuzzReadXLSX$$'
	$(GO) test ./internal/xlsx $(FUZZ) -fuzz '^FuzzRead$$'
	$(GO) test ./internal/checks $(FUZZ) -fuzz '^FuzzRead$$'
	$(GO) test ./internal/checks $(FUZZ) -fuzz '^FuzzReadMappings$$'
	$(GO) test ./internal/policy $(FUZZ) -fuzz '^FuzzJSONToValue$$'
	$(GO) test ./internal/policy $(FUZZ) -fuzz '^FuzzParseInput$$'
	$(GO) test ./internal/accounts $(FUZZ) -fuzz '^FuzzGroupMapping$$'

clean:
	rm -rf bin node_modules $(VENDOR)
