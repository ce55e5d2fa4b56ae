# The mbiload image: the static binary `make build` makes (version stamped), alone on an empty
# base (FROM scratch) with CA certificates, running as user 65532. Time zones are compiled into
# the binary (time/tzdata). /tmp (downloads; mount a volume there for large exports) is
# writable by everyone, /reports by user 65532.
#
#   docker build -t mbiload .       # compiles in a golang stage, version from git describe
#   docker compose up --build sync  # the same, through docker-compose.yml
#   make image                      # podman, offline: the binary built on this machine
#
# BINARY says where the image's files come from: "build" (the default) compiles them in the
# golang stage below; "host" takes bin/image-root, which `make image-root` prepares on this
# machine (make image does), so that nothing is pulled. Both run `make image-root`, so both
# ship the same files. VERSION, when given, overrides git describe.
ARG BINARY=build

FROM golang:1.26-bookworm AS build
# The patched toolchain the Makefile builds with (see its top).
ENV GOTOOLCHAIN=go1.27.3
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION
RUN make image-root ${VERSION:+VERSION="$VERSION"} && mv bin/image-root /out

FROM scratch AS host
COPY bin/image-root/ /out/

FROM ${BINARY} AS files

FROM scratch
COPY --from=files /out/root/ /
COPY --from=files --chown=65532:65532 /out/user/ /
USER 65532:65532
WORKDIR /tmp
ENTRYPOINT ["/mbiload"]
CMD ["--help"]
