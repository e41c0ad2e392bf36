# chatemu: one static binary on a distroless, non-root base.
#
#   docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t chatemu .
#   docker run --rm -p 8080:8080 chatemu
#   docker run --rm -p 8080:8080 -v "$PWD/my.yaml:/my.yaml:ro" chatemu --scenario /my.yaml
#
# The server listens on 0.0.0.0:8080 inside the container; links it writes use
# http://127.0.0.1:8080 unless CHATEMU_PUBLIC_URL says how clients reach it.

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
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/chatemu", "health", "--addr", "127.0.0.1:8080"]
ENTRYPOINT ["/chatemu"]
