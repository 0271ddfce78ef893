# syntax=docker/dockerfile:1

# --- build ---------------------------------------------------------------
# SQLite, libpq and OpenSSL are compiled from bundled sources: the builder
# needs only the Rust toolchain, a C compiler, make and perl (all in this image).
FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p mdsc-gateway \
    && cp target/release/mdsc-gateway /usr/local/bin/mdsc-gateway

# --- run -----------------------------------------------------------------
FROM debian:bookworm-slim
# CA certificates for TLS to PostgreSQL (sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt)
# and to the SMTP server (found there by the TLS library); curl for the
# compose health check on /api/health/ready.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 mdsc \
    && useradd --system --uid 10001 --gid mdsc --home-dir /data --shell /usr/sbin/nologin mdsc \
    && mkdir -p /data \
    && chown mdsc:mdsc /data
COPY --from=builder /usr/local/bin/mdsc-gateway /usr/local/bin/mdsc-gateway

ENV BIND_ADDR=0.0.0.0:8080 \
    DATABASE_URL=sqlite:///data/mdsc.db \
    DATA_DIR=/data \
    RUST_LOG=info
# The SQLite database and the generated JWT secret (when JWT_SECRET is unset).
VOLUME /data
WORKDIR /data
USER mdsc
EXPOSE 8080
# Ready: the database answers, migrations are applied, the job worker runs
# (docs/deployment.md#health-check). Orchestrators probe the same routes.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/api/health/ready > /dev/null || exit 1
ENTRYPOINT ["/usr/local/bin/mdsc-gateway"]
CMD ["serve"]
