package transform

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mbiload/mbiload/internal/pgtest"
)

// jsonCases are JSON texts around the edges of what PostgreSQL's jsonb
// input accepts: syntax, \u escapes (U+0000, lone and paired surrogates),
// numbers at numeric's limits, nesting depth.
func jsonCases() []string {
	cases := []string{
		`{"a":1}`, ` {"a":[1,2,{"b":null}]} `, "\t1\n", `true`, `false`, `null`, `""`, `"é"`, `[]`, `{}`, `[{}]`,
		`{"a":1,"a":2}`, `"\/"`, `"a\tb"`, `"\b\f\n\r\t\"\\"`, `"\u00e9"`, `"\uD834\uDD1E"`, `"\ud834\udd1e"`,
		`{"a":"\ud800"}`, `{"a":"\udc00"}`, `"\ud800\udc00"`, `"\ud800x"`, `"\ud800\u0041"`, `"\ud800\ud800"`,
		`"\udbff\udfff"`, `"x\ud800"`, `"\ud800\"`, `"\ud800\u"`, `"\u0000"`, `"\\u0000"`, `"a\u0000b"`, `{"\u0000":1}`,
		`"\u00"`, `"\uZZZZ"`, `"\x"`, "\"a\nb\"", "\"\x01\"", `"unterminated`, `"`,
		`1e1000000`, `1e-1000000`, `0e1000000`, `0e-1000000`, `0e2000000000`, `-0e-99999999999999999999`,
		`1e131071`, `1e131072`, `9e131071`, `9.999e131071`, `1e-16383`, `1e-16384`, `0.0e-16383`, `0.0e-16384`,
		`1.5e-16382`, `1.5e-16383`, `12345e131067`, `12345e131068`, `0.00001e131077`, `0.00001e131076`,
		`1e1073741822`, `1e1073741823`, `0e1073741822`, `0e1073741823`, `-0`, `1E+2`, `1e-2`, `-1.5E-3`,
		`01`, `1.`, `.5`, `-`, `+1`, `1e`, `1e+`, `--1`, `0x10`, `1 2`, `[1,]`, `[,1]`, `{"a"}`, `{"a":}`, `{a:1}`,
		`{"a":1,}`, `nul`, `truex`, `NaN`, `Infinity`, ``, `  `, `[`, `]`, `{"a":[}`, `[1}`, `{"a":1]`,
		"[" + strings.Repeat("0", 16384) + "]", "0." + strings.Repeat("0", 16383) + "1", "0." + strings.Repeat("0", 16382) + "1",
		strings.Repeat("9", 131072), strings.Repeat("9", 131073), "0." + strings.Repeat("5", 16384),
	}
	for _, d := range []int{100, 9999, maxJSONDepth} {
		cases = append(cases, strings.Repeat("[", d)+strings.Repeat("]", d),
			strings.Repeat(`{"a":`, d)+"1"+strings.Repeat("}", d))
	}
	// Numbers around the weight and scale limits, with leading zeros and
	// fractions moving the first non-zero digit.
	for _, mant := range []string{"1", "9", "12", "1234", "12345", "0.1", "0.0001", "0.00001", "100", "10.5", "0.000"} {
		for _, e := range []int{131068, 131069, 131070, 131071, 131072, 131073, 131074, 131075, 131076, 131077, -16381, -16382, -16383, -16384, -16385} {
			cases = append(cases, fmt.Sprintf("%se%d", mant, e), fmt.Sprintf("-%sE%+d", mant, e))
		}
	}
	return cases
}

// TestCheckJSONMatchesServer compares checkJSON with PostgreSQL's own jsonb
// input over jsonCases: each text the server accepts is accepted, and each
// it refuses is refused. Nesting is the one documented difference: the
// server's limit is its stack, checkJSON's maxJSONDepth levels, which the
// server accepts at its default max_stack_depth.
func TestCheckJSONMatchesServer(t *testing.T) {
	conn := pgtest.Conn(t)
	ctx := context.Background()
	var enc string
	if err := conn.QueryRow(ctx, "SHOW server_encoding").Scan(&enc); err != nil || enc != "UTF8" {
		t.Fatalf("server_encoding: got %q (%v), want UTF8", enc, err)
	}
	for _, v := range jsonCases() {
		var n int
		serverErr := conn.QueryRow(ctx, "SELECT octet_length($1::text::jsonb::text)", v).Scan(&n)
		var pgErr *pgconn.PgError
		if serverErr != nil && !errors.As(serverErr, &pgErr) {
			t.Fatalf("query %q: %v", shorten(v, 40), serverErr)
		}
		got := checkJSON([]byte(v))
		if (got == nil) != (serverErr == nil) {
			t.Errorf("checkJSON(%q): got %v, want the server's verdict %v", shorten(v, 60), got, serverErr)
		}
	}
	for _, v := range []string{
		strings.Repeat("[", maxJSONDepth+1) + strings.Repeat("]", maxJSONDepth+1),
		strings.Repeat(`{"a":`, maxJSONDepth+1) + "1" + strings.Repeat("}", maxJSONDepth+1),
	} {
		if err := checkJSON([]byte(v)); err == nil || !strings.Contains(err.Error(), "nested more than 10000 levels deep") {
			t.Errorf("checkJSON(%d levels): got %v, want nested more than 10000 levels deep", maxJSONDepth+1, err)
		}
	}
}
