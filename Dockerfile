# Multi-stage build: compile with the bundled SQLite, libpq and OpenSSL, ship a slim image.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/coalition-registry

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /var/lib/coalition-registry --create-home registry
COPY --from=build /src/target/release/coalition-registry /usr/local/bin/coalition-registry
USER registry
WORKDIR /var/lib/coalition-registry
ENV BIND_ADDR=0.0.0.0:8080 \
    DATA_DIR=/var/lib/coalition-registry \
    RUST_LOG=info
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/api/v1/health || exit 1
ENTRYPOINT ["coalition-registry"]
CMD ["serve"]
