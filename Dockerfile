# syntax=docker/dockerfile:1
# Multi-stage build: compile with the bundled SQLite, libpq and OpenSSL; ship the binary alone
# on a distroless base (glibc, CA certificates, no shell, no package manager, nothing to
# apt-get or pin). Both bases are pinned to a release; pin them by digest as well where your
# registry policy asks for it. `tests/api/clients.rs` lints this file with hadolint.
FROM rust:1.95.0-bookworm AS build
WORKDIR /src
# The dependencies first, in a layer of their own: rebuilt only when Cargo.toml, Cargo.lock or
# the vendored crate change, not on every change to the sources. `.cargo/config.toml` holds
# the bundled SQLite's build flags.
COPY Cargo.toml Cargo.lock ./
COPY .cargo ./.cargo
COPY vendor ./vendor
RUN mkdir src \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && cargo build --release --locked \
 && rm -rf src
COPY src ./src
COPY migrations ./migrations
RUN touch src/main.rs src/lib.rs \
 && cargo build --release --locked \
 && strip target/release/coalition-registry \
 && mkdir -p /out/data

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/coalition-registry /usr/local/bin/coalition-registry
COPY --from=build --chown=65532:65532 /out/data /var/lib/coalition-registry
# distroless's `nonroot`, by number so that Kubernetes' runAsNonRoot can check it.
USER 65532:65532
WORKDIR /var/lib/coalition-registry
ENV BIND_ADDR=0.0.0.0:8080 \
    DATA_DIR=/var/lib/coalition-registry \
    RUST_LOG=info
EXPOSE 8080
# The binary checks its own readiness (GET /health/ready on BIND_ADDR's port): no curl needed.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/coalition-registry", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/coalition-registry"]
CMD ["serve"]
