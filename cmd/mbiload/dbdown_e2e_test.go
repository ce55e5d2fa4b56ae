package main

import (
	"context"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mbiload/mbiload/internal/simulator"
	"github.com/mbiload/mbiload/internal/testlog"
	"github.com/mbiload/mbiload/pipeline"
	"github.com/mbiload/mbiload/schema"
)

// dbProxy is a TCP proxy in front of the test's PostgreSQL that a test
// can take down (connections refused, the open ones cut, as when the
// server stops) and bring back on the same address.
type dbProxy struct {
	addr, target string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]bool
	downs        int // times it went down
}

func startDBProxy(t *testing.T, target string) *dbProxy {
	t.Helper()
	p := &dbProxy{target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *dbProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *dbProxy) pipe(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil { // went down meanwhile
		p.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	p.conns[c], p.conns[s] = true, true
	p.mu.Unlock()
	go func() { io.Copy(s, c); s.Close(); c.Close() }()
	io.Copy(c, s)
	c.Close()
	s.Close()
}

// down refuses new connections and cuts the open ones.
func (p *dbProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		return
	}
	p.ln.Close()
	p.ln = nil
	p.downs++
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// up listens again on the same address.
func (p *dbProxy) up(t *testing.T) {
	p.mu.Lock()
	if p.ln != nil {
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Errorf("proxy up again on %s: %v", p.addr, err)
		return
	}
	p.serve(ln)
}

// downTable is a small table whose export takes the database down as it
// is written (after the run's setup, before the table's load).
func downTable(id schema.ID, name string, p *dbProxy) simulator.Table {
	return simulator.Table{ID: id, Name: name, Rows: 2,
		Columns: []schema.Column{{ID: "1", Name: "id", Type: "Integer"}},
		WriteCSV: func(ctx context.Context, w io.Writer) error {
			p.down()
			_, err := io.WriteString(w, "id\n1\n2\n")
			return err
		}}
}

// TestDatabaseDownMidRun takes PostgreSQL down after the run's setup,
// before its loads, with the URL's default sslmode (prefer: pgx tries TLS,
// then plain text, and joins the attempts' errors on lines of their own).
// Each table's failure is one log line with the connection error said
// once, on one line, without the TLS attempt's noise. When the database
// comes back within the run, the failures are written to the ledger
// (history shows the night); when it does not, the run says once that
// the ledger could not be written and where the report is.
func TestDatabaseDownMidRun(t *testing.T) {
	for _, back := range []bool{true, false} {
		name := "stays down"
		if back {
			name = "back within the run"
		}
		t.Run(name, func(t *testing.T) {
			db := mustE2EDB(t)
			u, err := url.Parse(db.url)
			if err != nil {
				t.Fatal(err)
			}
			proxy := startDBProxy(t, u.Host)
			u.Host = proxy.addr
			q := u.Query()
			q.Del("sslmode")
			u.RawQuery = q.Encode()
			tables := []simulator.Table{downTable("61", "alpha", proxy), downTable("62", "beta", proxy)}
			var stderr testlog.Buffer
			if back {
				// A slow table: its export is written once the others
				// have failed (three attempts, 2 s and 4 s apart, after
				// their exports took the database down: the log says
				// so), then the database comes back and it loads.
				tables = append(tables, simulator.Table{ID: "63", Name: "gamma", Rows: 1,
					Columns: []schema.Column{{ID: "1", Name: "id", Type: "Integer"}},
					WriteCSV: func(ctx context.Context, w io.Writer) error {
						for deadline := time.Now().Add(time.Minute); strings.Count(stderr.String(), `msg="table failed"`) < 2; time.Sleep(10 * time.Millisecond) {
							if time.Now().After(deadline) {
								t.Errorf("alpha and beta did not fail within a minute; log:\n%s", stderr.String())
								break
							}
						}
						proxy.up(t)
						_, err := io.WriteString(w, "id\n1\n")
						return err
					}})
			}
			sim := mustCLISim(t, simulator.Config{Tables: tables})
			t.Setenv("DATABASE_URL", u.String())
			t.Setenv("MBILOAD_SCHEMA", db.target)
			t.Setenv("MBILOAD_LEDGER_SCHEMA", db.ledger)
			report := filepath.Join(t.TempDir(), "run.json")
			r := runCLITo(t.Context(), &stderr, sim.api("sync", "--concurrency", "3", "--poll-interval", "5ms", "--poll-max", "20ms",
				"--progress", "none", "--report", report)...)
			proxy.up(t)
			t.Logf("stderr:\n%s", r.stderr)
			proxy.mu.Lock()
			downs := proxy.downs
			proxy.mu.Unlock()
			if downs == 0 {
				t.Fatal("the database never went down: the test proved nothing")
			}
			want := exitFailure
			if back {
				want = exitPartial
			}
			if r.code != want {
				t.Fatalf("exit code %d, want %d\nstdout: %s\nstderr: %s", r.code, want, r.stdout, r.stderr)
			}
			checkNoSecret(t, "output", r.output(), cliKey, db.password)
			if strings.Contains(r.stderr, "tls error") || strings.Contains(r.stderr, `\n\t`) {
				t.Errorf("stderr: want no TLS fallback noise and no multi-line errors")
			}
			for _, table := range []string{"alpha", "beta"} {
				var lines []string
				for _, l := range strings.Split(r.stderr, "\n") {
					if strings.Contains(l, "table="+table+" ") && !strings.Contains(l, "level=INFO") {
						lines = append(lines, l)
					}
				}
				if len(lines) != 1 || !strings.Contains(lines[0], `msg="table failed"`) {
					t.Errorf("%s: want one warning or error line, its failure, got %q", table, lines)
					continue
				}
				if n := strings.Count(lines[0], "connection refused"); n != 1 {
					t.Errorf("%s: the connection error %d times in %q, want once", table, n, lines[0])
				}
			}
			rep := mustJSON[pipeline.Report](t, mustRead(t, report))
			for _, tr := range rep.Tables {
				if tr.Status == pipeline.StatusFailed && (strings.Contains(tr.Error, "\n") || strings.Contains(tr.Error, "tls error")) {
					t.Errorf("report: %s: error %q, want one line without the TLS attempt", tr.Source, tr.Error)
				}
			}
			hist := runCLI(t.Context(), "history", "--limit", "10")
			if back {
				failed := db.scalar(t, "SELECT string_agg(DISTINCT target_table, ',') FROM "+
					schema.Quote(db.ledger, "loads")+" WHERE status = 'failed' AND error LIKE '%cannot connect to PostgreSQL%' AND error NOT LIKE '%tls error%'")
				if failed != "alpha,beta" {
					t.Errorf("ledger: failed loads %q, want alpha and beta (written once the database came back)", failed)
				}
				if hist.code != 0 || !regexp.MustCompile(`(?m)^.*alpha.*failed`).MatchString(hist.stdout) {
					t.Errorf("history: exit %d, got %q, want alpha's failure", hist.code, hist.stdout)
				}
				if strings.Contains(r.stderr, "could not be written") {
					t.Errorf("stderr: says the ledger could not be written, but it was")
				}
			} else {
				want := regexp.MustCompile(`level=ERROR msg="the ledger could not be written: the failures of 2 table\(s\) are not in mbiload history" ` +
					`tables=\S+\.alpha,\S+\.beta err="[^"]*cannot connect to PostgreSQL[^"]*connection refused" report=` + regexp.QuoteMeta(report))
				if n := len(want.FindAllString(r.stderr, -1)); n != 1 {
					t.Errorf("stderr: %d lines saying the ledger could not be written, want one matching %s", n, want)
				}
			}
		})
	}
}
