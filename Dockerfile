# Remit's container image: the static binary (assets and migrations
# embedded), run as a non-root user, checked by HEALTHCHECK on /healthz.
# Build: docker build -t remit .   Run: see deploy/compose.yaml and
# doc/operations.md.

# 1. The GOV.UK Frontend and MOJ Frontend assets, pinned by package-lock.json.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json Makefile ./
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends make >/dev/null && make assets

# 2. The binary: pure Go (SQLite is modernc.org/sqlite), so static.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /src/internal/web/static/vendor internal/web/static/vendor
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags=-s -o /out/remit ./cmd/remit && \
    mkdir -p /out/data

# 3. Nothing but the binary, a non-root user and a place for a SQLite file.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/remit /usr/local/bin/remit
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
WORKDIR /data
ENV REMIT_DATABASE_URL=/data/remit.db
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["/usr/local/bin/remit", "health", "--url", "http://127.0.0.1:8080/healthz"]
ENTRYPOINT ["/usr/local/bin/remit"]
CMD ["serve", "--addr", "0.0.0.0:8080"]
