//go:build chaos

package chaos

import (
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
)

// TestTLSVerification serves the API over HTTPS with a self-signed
// certificate: `mbiload tables list` must refuse it with a certificate
// error before sending any request, and accept it once the certificate is
// trusted (SSL_CERT_FILE), which shows the refusal was about the
// certificate alone.
func TestTLSVerification(t *testing.T) {
	sc := newScn(t, kindSecurity, "TLS verified by default (self-signed certificate refused)")
	srv, err := simulator.New(simulator.Config{Key: st.key, ClientID: "12", Tables: simulator.Generated(50, 1), WorkDir: sc.dir})
	if err != nil {
		t.Fatalf("simulator: %v", err)
	}
	defer srv.Close()
	var requests atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		srv.ServeHTTP(w, r)
	}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	defer ts.Close()

	env := sc.env(nil)
	env["MBILOAD_API_URL"], env["MBILOAD_API_KEY"], env["MBILOAD_CLIENT_ID"] = ts.URL+"/0.1", st.key, "12"
	r := sc.run(env, "tables", "list")
	sc.expectFailure(r, "certificate")
	if n := requests.Load(); n != 0 {
		t.Errorf("the server got %d requests through an unverified connection, want 0", n)
	}

	certFile := filepath.Join(sc.dir, "cert.pem")
	pemData := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(certFile, pemData, 0o644); err != nil {
		t.Fatalf("write certificate: %v", err)
	}
	env["SSL_CERT_FILE"] = certFile
	r = sc.run(env, "tables", "list")
	sc.expectOK(r)
	sc.expectMessage(r, "sales_order")
}

// TestPlainHTTP: an http:// API URL to a non-loopback address is refused
// without --insecure-http (nothing is sent), and works with it; loopback
// needs no flag.
func TestPlainHTTP(t *testing.T) {
	sc := newScn(t, kindSecurity, "plain HTTP only to loopback or with --insecure-http")
	ip := nonLoopbackIPv4()
	if ip == "" {
		// No other interface: the refusal still needs no server.
		r := sc.run(sc.envURL("http://192.0.2.1:8089/0.1"), "tables", "list")
		sc.expectFailure(r, "--insecure-http")
		sc.note("no non-loopback IPv4 address on this machine: only the refusal was checked")
		return
	}
	addr := net.JoinHostPort(ip, strconv.Itoa(freePort(t)))
	remote := sc.startSim(simArgs{scale: 50, seed: 1, listen: addr, flags: []string{"--allow", ip + "/32"}})
	r := sc.run(sc.envURL(remote.url), "tables", "list")
	sc.expectFailure(r, "--insecure-http")
	time.Sleep(100 * time.Millisecond)
	if n := remote.requests(); n != 0 {
		t.Errorf("the server at %s got %d requests without --insecure-http, want 0", addr, n)
	}
	r = sc.run(sc.envURL(remote.url), "tables", "list", "--insecure-http")
	sc.expectOK(r)
	sc.expectMessage(r, "sales_order")

	local := sc.startSim(simArgs{scale: 50, seed: 1})
	r = sc.run(sc.envURL(strings.Replace(local.url, "127.0.0.1", "localhost", 1)), "tables", "list")
	sc.expectOK(r)
	sc.expectMessage(r, "sales_order")
}

// envURL is the scenario's environment with the API at url.
func (sc *scn) envURL(u string) map[string]string {
	env := sc.env(nil)
	env["MBILOAD_API_URL"], env["MBILOAD_API_KEY"], env["MBILOAD_CLIENT_ID"] = u, st.key, "12"
	return env
}

// nonLoopbackIPv4 returns an IPv4 address of this machine that is not
// loopback, or "".
func nonLoopbackIPv4() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

// TestDatabasePassword connects as roles with passwords (SCRAM over TCP):
// a successful sync, a wrong password, an unreachable server, a role
// without rights, a malformed URL and the history command; the password
// must appear in no output, report, metrics file or ledger row.
func TestDatabasePassword(t *testing.T) {
	base := newBase(t)
	ctx, cancel := withTimeout(time.Minute)
	defer cancel()
	pw := "pw-" + randomHex(8) + "@:/%S3cr3t"
	pwWeak := "pw2-" + randomHex(8) + "#?&"
	wrong := "wrong-" + randomHex(8) + "@x"
	for _, sql := range []string{
		"DROP ROLE IF EXISTS chaos_pw", "DROP ROLE IF EXISTS chaos_pw_weak",
		"CREATE ROLE chaos_pw LOGIN PASSWORD " + quoteLit(pw),
		"CREATE ROLE chaos_pw_weak LOGIN PASSWORD " + quoteLit(pwWeak),
		"GRANT CREATE ON DATABASE postgres TO chaos_pw",
	} {
		st.mustExec(t, ctx, sql)
	}
	hba := filepath.Join(st.pg.Dir, "data", "pg_hba.conf")
	old, err := os.ReadFile(hba)
	if err != nil {
		t.Fatalf("read pg_hba.conf: %v", err)
	}
	rule := "host all chaos_pw,chaos_pw_weak 127.0.0.1/32 scram-sha-256\n"
	if err := os.WriteFile(hba, append([]byte(rule), old...), 0o600); err != nil {
		t.Fatalf("write pg_hba.conf: %v", err)
	}
	t.Cleanup(func() {
		os.WriteFile(hba, old, 0o600)
		st.db.Exec(ctx, "SELECT pg_reload_conf()")
	})
	st.mustExec(t, ctx, "SELECT pg_reload_conf()")

	scale := st.cfg.scale
	seed := st.cfg.seed*10000 + 8200
	v := st.generated(t, scale, seed)
	s := base.startSim(simArgs{scale: scale, seed: seed})
	dbURL := func(user, pass, hostport string) string {
		u := url.URL{Scheme: "postgres", User: url.UserPassword(user, pass), Host: hostport, Path: "/postgres", RawQuery: "sslmode=disable"}
		return u.String()
	}
	here := "127.0.0.1:" + strconv.Itoa(st.pg.Port)
	cases := []struct {
		name, url, secret string
		args              []string
		ok                bool
		want              []string
	}{
		{name: "success", url: dbURL("chaos_pw", pw, here), secret: pw, ok: true},
		{name: "history", url: dbURL("chaos_pw", pw, here), secret: pw, ok: true, args: []string{"history"}},
		{name: "wrong_password", url: dbURL("chaos_pw", wrong, here), secret: wrong, want: []string{"password authentication failed"}},
		{name: "unreachable", url: dbURL("chaos_pw", pw, "127.0.0.1:"+strconv.Itoa(freePort(t))), secret: pw, want: []string{"connect"}},
		{name: "no_rights", url: dbURL("chaos_pw_weak", pwWeak, here), secret: pwWeak, want: []string{"permission denied"}},
		{name: "malformed_url", url: "postgres://chaos_pw:" + pw + "@127.0.0.1:notaport/postgres", secret: pw, want: []string{"DATABASE_URL"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc := base.sub(t, kindSecurity, "database password never printed")
			env := sc.env(s)
			env["DATABASE_URL"] = tc.url
			outs := sc.outputFiles()
			args := tc.args
			if args == nil {
				args = []string{"sync", "--progress", "plain", "--report", outs.report, "--metrics-file", outs.metrics}
			} else {
				outs = outputs{}
			}
			r := sc.run(env, args...)
			if tc.ok {
				sc.expectOK(r)
			} else {
				sc.expectFailure(r, tc.want...)
			}
			sc.expectSecretAbsent(tc.secret, r, outs)
			switch {
			case outs.report == "":
			case tc.ok:
				sc.expectFileWritten(outs.report)
				sc.expectFileWritten(outs.metrics)
			default:
				t.Run("outputs", func(t *testing.T) {
					// A failed run, even one that never reached a table (no
					// database, wrong password, no rights on the ledger),
					// writes both files, so monitoring sees tonight's failure.
					so := sc.sub(t, kindFailSafe, "--report and --metrics-file written when the run fails")
					so.expectFileWritten(outs.report)
					so.expectFileWritten(outs.metrics)
				})
			}
			if tc.name == "success" {
				sc.expectVersion(v)
			}
			if tc.secret != pw {
				sc.expectSecretAbsent(pw, r, outputs{})
			}
		})
	}
}

// expectFileWritten fails the test unless path exists.
func (sc *scn) expectFileWritten(path string) {
	sc.t.Helper()
	if _, err := os.Stat(path); err != nil {
		sc.t.Errorf("%s was not written: %v", filepath.Base(path), err)
	}
}

func quoteLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
