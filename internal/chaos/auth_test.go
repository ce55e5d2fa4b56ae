//go:build chaos

package chaos

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mbiload/mbiload/schema"
)

// TestAuth runs sync with a wrong API key, from an address the key does
// not allow, and with a wrong client id: each must fail at once with the
// 403 explained, leave the published tables intact, and never show the key
// in stdout, stderr, the text or JSON debug log, the --report file, the
// --metrics-file or the ledger. The next run with the right credentials
// succeeds.
func TestAuth(t *testing.T) {
	wrongKey := "wrong-KEY-" + randomHex(12)
	cases := []struct {
		name, fault string
		key         string   // the key mbiload is given ("" = the right one)
		clientID    string   // "" = the right one
		simFlags    []string // of the simulator the bad run meets
		want        []string
	}{
		{name: "wrong_key", fault: "wrong API key (403)", key: wrongKey,
			want: []string{"403", "invalid API key", "the API refused the request", "base URL"}},
		{name: "ip_not_allowed", fault: "IP address not allowed (403)", simFlags: []string{"--allow", "10.0.0.0/8"},
			want: []string{"403", "127.0.0.1 is not allowed", "allow-list"}},
		{name: "wrong_client_id", fault: "wrong client id (403)", clientID: "99",
			want: []string{"403", "not valid for client 99", "client id"}},
	}
	scale := st.cfg.scale
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := newScn(t, kindSecurity, tc.fault)
			seed := st.cfg.seed*10000 + 8000 + int64(i)
			vA := st.generated(t, scale, seed)
			good := sc.startSim(simArgs{scale: scale, seed: seed})
			sc.expectOK(sc.sync(good))
			sc.expectVersion(vA)

			bad := good
			if tc.simFlags != nil {
				bad = sc.startSim(simArgs{scale: scale, seed: seed, flags: tc.simFlags})
			}
			key := st.key
			if tc.key != "" {
				key = tc.key
			}
			for _, format := range []string{"text", "json"} {
				env := sc.env(bad)
				env["MBILOAD_API_KEY"] = key
				if tc.clientID != "" {
					env["MBILOAD_CLIENT_ID"] = tc.clientID
				}
				env["MBILOAD_LOG_FORMAT"] = format
				outs := sc.outputFiles()
				start := time.Now()
				r := sc.run(env, "sync", "--progress", "plain", "--report", outs.report, "--metrics-file", outs.metrics)
				sc.expectFailure(r, tc.want...)
				if r.dur > 30*time.Second || time.Since(start) > 30*time.Second {
					t.Errorf("a 403 took %v to fail, want it at once (no retries)", r.dur)
				}
				sc.expectSecretAbsent(key, r, outs)
				sc.expectFileWritten(outs.report)
				sc.expectFileWritten(outs.metrics)
			}
			sc.expectPrevOrNew(vA, vA)
			sc.expectNoDebris()
			sc.expectNoTempFiles()
			sc.expectOK(sc.sync(good))
			sc.expectVersion(vA)
		})
	}
}

// TestSecretsOnSuccess runs a successful sync with debug logs (text and
// JSON), a report and a metrics file, and the key from --api-key-file:
// the key appears in none of them nor in the ledger.
func TestSecretsOnSuccess(t *testing.T) {
	sc := newScn(t, kindSecurity, "API key absent from every output of a successful debug run (--api-key-file)")
	scale := st.cfg.scale
	seed := st.cfg.seed*10000 + 8100
	v := st.generated(t, scale, seed)
	s := sc.startSim(simArgs{scale: scale, seed: seed, flags: []string{"--drop-rate", "0.3", "--fault-rate", "0.1"}})
	keyFile := filepath.Join(sc.dir, "api-key")
	if err := os.WriteFile(keyFile, []byte(st.key+"\n"), 0o600); err != nil {
		t.Fatalf("write key file: %v", err)
	}
	for _, format := range []string{"text", "json"} {
		env := sc.env(s)
		delete(env, "MBILOAD_API_KEY")
		env["MBILOAD_LOG_FORMAT"] = format
		outs := sc.outputFiles()
		r := sc.run(env, "sync", "--progress", "plain", "--force", "--api-key-file", keyFile,
			"--report", outs.report, "--metrics-file", outs.metrics)
		sc.expectOK(r)
		sc.expectSecretAbsent(st.key, r, outs)
		// The search finds what is there: the run id is in every output.
		runID := regexpRunID.FindString(r.stderr)
		if where := sc.secretPlaces(runID, r, outs); runID == "" || len(where) < 3 {
			t.Errorf("the run id %q was found only in %v: the secret search does not work", runID, where)
		}
	}
	sc.expectVersion(v)
	sc.expectNoDebris()
	sc.expectNoTempFiles()

	// Both the variable and the file: refused, and the key still not shown.
	env := sc.env(s)
	r := sc.run(env, "sync", "--progress", "plain", "--api-key-file", keyFile)
	sc.expectFailure(r, "not both")
	sc.expectSecretAbsent(st.key, r, outputs{})
	// A missing key file: a clear error.
	delete(env, "MBILOAD_API_KEY")
	r = sc.run(env, "sync", "--progress", "plain", "--api-key-file", filepath.Join(sc.dir, "no-such-file"))
	sc.expectFailure(r, "--api-key-file")
}

// outputs are the files a run writes besides stdout and stderr.
type outputs struct {
	report, metrics string
}

// outputFiles names a fresh report and metrics file in the scenario dir.
func (sc *scn) outputFiles() outputs {
	n := sc.seq.next(false)
	return outputs{
		report:  filepath.Join(sc.dir, fmt.Sprintf("report-%02d.json", n)),
		metrics: filepath.Join(sc.dir, fmt.Sprintf("metrics-%02d.prom", n)),
	}
}

var regexpRunID = regexp.MustCompile(`\d{8}T\d{6}Z-[0-9a-f]{8}`)

// expectSecretAbsent fails the test if secret (or its URL-encoded form)
// appears in the run's stdout or stderr, in the report or metrics file, or
// anywhere in the scenario's ledger tables read as text.
func (sc *scn) expectSecretAbsent(secret string, r result, outs outputs) {
	sc.t.Helper()
	for _, where := range sc.secretPlaces(secret, r, outs) {
		sc.t.Errorf("the secret appears in %s", where)
	}
}

// secretPlaces lists where secret (or its URL-encoded form) appears.
func (sc *scn) secretPlaces(secret string, r result, outs outputs) []string {
	sc.t.Helper()
	places := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	for name, path := range map[string]string{"--report": outs.report, "--metrics-file": outs.metrics} {
		if path == "" {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			continue // whether it must exist is the caller's check
		}
		places[name] = string(data)
	}
	places["ledger"] = sc.ledgerText()
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret)}
	var found []string
	for where, text := range places {
		for _, f := range forms {
			if strings.Contains(text, f) {
				found = append(found, where)
				break
			}
		}
	}
	sort.Strings(found)
	return found
}

// ledgerText is every row of the scenario's ledger tables as text.
func (sc *scn) ledgerText() string {
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	var b strings.Builder
	for _, tbl := range []string{"loads", "rejects"} {
		q := schema.Quote(sc.ledger, tbl)
		var exists bool
		if err := st.db.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", q).Scan(&exists); err != nil || !exists {
			continue
		}
		var text string
		if err := st.db.QueryRow(ctx, "SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM "+q+" t").Scan(&text); err != nil {
			sc.t.Errorf("read %s: %v", q, err)
			continue
		}
		b.WriteString(text)
	}
	return b.String()
}
