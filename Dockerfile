# chatemu: one static binary on a distroless, non-root base.
#
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t chatemu .
#   docker run --rm -p 8080:8080 chatemu
#   docker run --rm -p 8080:8080 -v "$PWD/my.yaml:/my.yaml:ro" chatemu --scenario /my.yaml
#
# The server listens on 0.0.0.0:8080 inside the container; links it writes use
# http://127.0.0.1:8080 unless CHATEMU_PUBLIC_URL says how clients reach it
# (http://chatemu:8080 for a client container of a compose file whose service
# is named chatemu; docs/docker.md). Every flag has its CHATEMU_* twin:
# CHATEMU_ACCESS_LOG=1 makes `docker logs` show each request and why one was
# refused.

# Both bases are pinned by digest (the tag is only a label), so a rebuild of
# the same commit uses the same toolchain and runtime files. To move them on,
# look each tag's digest up (e.g. crane digest golang:1.26.8-bookworm, or
# docker buildx imagetools inspect) and replace both.
# golang:1.26.8-bookworm, multi-platform index digest as recorded in
# github.com/docker-library/repo-info (repos/golang/remote/1.26.8-bookworm.md).
FROM golang:1.26.8-bookworm@sha256:f4191582e1522dfc5980a6bdc0309a756f9697f3e7d0f199c7e26fc82ab324fd AS build
WORKDIR /src
# Modules first, so that a source change does not re-download them.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=0
# The build context has no .git (see .dockerignore), so the go command cannot
# stamp a revision: VERSION is linked in instead and reported by
# `chatemu version` and /_chatemu/health. Without it the image says "devel".
ARG VERSION=
RUN go build -trimpath -buildvcs=false -ldflags="-s -w -X main.buildVersion=${VERSION}" -o /chatemu ./cmd/chatemu \
    && /chatemu version

# gcr.io/distroless/static-debian12:nonroot as of 2026-08-26.
FROM gcr.io/distroless/static-debian12:nonroot@sha256:afa5c872c891853ca7fcf1f12c3edb23f7eeef36189728842dd51042ff57f7ab
COPY --from=build /chatemu /chatemu
# nonroot is uid 65532; the base image already sets it, stated here so that
# the image stays non-root whatever the base does.
USER 65532:65532
ENV CHATEMU_ADDR=0.0.0.0:8080
# The health check gives up before Docker's --timeout kills it, so that the
# container's health log says why.
ENV CHATEMU_HEALTH_TIMEOUT=2s
EXPOSE 8080
# `chatemu health` reads the server's own environment: CHATEMU_ADDR (a
# wildcard host is asked on 127.0.0.1), CHATEMU_TLS or CHATEMU_TLS_CERT
# (https, the certificate not verified), so `docker run -e CHATEMU_ADDR=:9090
# -e CHATEMU_TLS=1` stays healthy. It asks /_chatemu/readyz, which is open
# like health: a control token changes nothing; it fails while the server
# drains on shutdown.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/chatemu", "health"]
ENTRYPOINT ["/chatemu"]
