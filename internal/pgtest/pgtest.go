// Package pgtest gives tests a real PostgreSQL server: never a mock, and never a
// skip when the server is missing — a database test that cannot reach Postgres fails.
//
// URL returns the server's URL: $GDBT_TEST_DATABASE_URL if set, otherwise the
// throwaway cluster that scripts/pg.sh starts (once per test binary). NewDatabase
// creates a fresh, uniquely named database for one test and drops it afterwards, so
// tests can run in parallel without seeing each other's tables.
//
// This is the one package outside runtime/adapter/postgres allowed to import pgx.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable that points tests at an existing server.
const EnvURL = "GDBT_TEST_DATABASE_URL"

// startTimeout bounds scripts/pg.sh start, which may apt-get install PostgreSQL.
const startTimeout = 10 * time.Minute

var (
	startOnce sync.Once
	startURL  string
	startErr  error
)

// URL returns the URL of the test server, starting the throwaway cluster if needed.
func URL(t testing.TB) string {
	t.Helper()
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	startOnce.Do(func() { startURL, startErr = startCluster() })
	if startErr != nil {
		t.Fatalf("pgtest: no PostgreSQL for tests: %v", startErr)
	}
	return startURL
}

// NewDatabase creates an empty database for this test, drops it (closing any
// connections left open) when the test ends, and returns its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	base := URL(t)
	name, err := databaseName(t.Name())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	dbURL, err := withDatabase(base, name)
	if err != nil {
		t.Fatalf("pgtest: %s=%q: %v", EnvURL, base, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// template0 is never connected to, so concurrent CREATE DATABASE calls cannot
	// fail with "source database is being accessed by other users".
	if err := execOn(ctx, base, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := execOn(ctx, base, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return dbURL
}

func execOn(ctx context.Context, connURL, sql string) error {
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// startCluster runs <module root>/scripts/pg.sh start and returns the URL it prints.
func startCluster() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	script := filepath.Join(root, "scripts", "pg.sh")
	cmd := exec.CommandContext(ctx, "bash", script, "start")
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s start: %v\n%s", script, err, strings.TrimSpace(stderr.String()))
	}
	lines := strings.Fields(stdout.String())
	if len(lines) == 0 {
		return "", fmt.Errorf("%s start printed no URL\n%s", script, strings.TrimSpace(stderr.String()))
	}
	return lines[len(lines)-1], nil
}

// moduleRoot walks up from the working directory (the package directory under
// go test) to the directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory; set " + EnvURL)
		}
		dir = parent
	}
}

// maxIdent is PostgreSQL's identifier limit (NAMEDATALEN-1 bytes); longer names are
// silently truncated, which would make two tests' databases collide.
const maxIdent = 63

// databaseName turns a test name into a unique, valid, unquoted-safe identifier:
// "t_" + the name in lower case with runs of other characters as "_", cut to fit,
// + "_" + 8 random hex digits.
func databaseName(testName string) (string, error) {
	var suffix [4]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return "", err
	}
	tail := "_" + hex.EncodeToString(suffix[:])

	var b strings.Builder
	b.WriteString("t_")
	underscore := true
	for _, r := range strings.ToLower(testName) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			underscore = false
		} else if !underscore {
			b.WriteByte('_')
			underscore = true
		}
	}
	head := strings.TrimRight(b.String(), "_")
	if len(head) > maxIdent-len(tail) {
		head = strings.TrimRight(head[:maxIdent-len(tail)], "_")
	}
	return head + tail, nil
}

// withDatabase returns connURL with its database replaced by name.
func withDatabase(connURL, name string) (string, error) {
	u, err := url.Parse(connURL)
	if err != nil {
		return "", err
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", fmt.Errorf("want a postgres:// URL, found scheme %q", u.Scheme)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}
