package pgtest

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func connect(t *testing.T, connURL string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		t.Fatalf("connect %s: %v", connURL, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func dbOf(t *testing.T, connURL string) string {
	t.Helper()
	u, err := url.Parse(connURL)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(u.Path, "/")
}

func TestURLSelectOne(t *testing.T) {
	conn := connect(t, URL(t))
	var one int
	if err := conn.QueryRow(context.Background(), "select 1").Scan(&one); err != nil {
		t.Fatalf("select 1: %v", err)
	}
	if one != 1 {
		t.Fatalf("select 1 returned %d", one)
	}
}

func TestNewDatabaseIsolated(t *testing.T) {
	ctx := context.Background()
	urlA, urlB := NewDatabase(t), NewDatabase(t)
	if urlA == urlB {
		t.Fatalf("two NewDatabase calls returned the same URL %s", urlA)
	}
	a, b := connect(t, urlA), connect(t, urlB)

	var nameA, nameB string
	if err := a.QueryRow(ctx, "select current_database()").Scan(&nameA); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow(ctx, "select current_database()").Scan(&nameB); err != nil {
		t.Fatal(err)
	}
	if nameA == nameB || dbOf(t, urlA) != nameA || dbOf(t, urlB) != nameB {
		t.Fatalf("databases %q (%s) and %q (%s) are not distinct or do not match their URLs", nameA, urlA, nameB, urlB)
	}

	if _, err := a.Exec(ctx, "create table only_in_a (x int); insert into only_in_a values (42)"); err != nil {
		t.Fatal(err)
	}
	var x int
	if err := a.QueryRow(ctx, "select x from only_in_a").Scan(&x); err != nil || x != 42 {
		t.Fatalf("read back from a: x=%d err=%v", x, err)
	}
	var found *string
	if err := b.QueryRow(ctx, "select to_regclass('only_in_a')::text").Scan(&found); err != nil {
		t.Fatal(err)
	}
	if found != nil {
		t.Fatalf("table created in %s is visible in %s as %s", nameA, nameB, *found)
	}
}

func TestNewDatabaseDroppedAfterTest(t *testing.T) {
	var name string
	t.Run("inner", func(t *testing.T) {
		conn := connect(t, NewDatabase(t))
		if err := conn.QueryRow(context.Background(), "select current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		// Left open on purpose: the drop must force it closed.
	})
	if name == "" {
		t.Fatal("inner test did not report its database")
	}
	var exists bool
	err := connect(t, URL(t)).QueryRow(context.Background(),
		"select exists(select 1 from pg_database where datname = $1)", name).Scan(&exists)
	if err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatalf("database %s still exists after its test ended", name)
	}
}

var identRE = regexp.MustCompile(`^t(_[a-z0-9_]*)?_[0-9a-f]{8}$`)

func TestDatabaseName(t *testing.T) {
	tests := []struct {
		test, prefix string
	}{
		{"TestFoo", "t_testfoo_"},
		{"TestFoo/sub_case#01", "t_testfoo_sub_case_01_"},
		{"Test  Spaces--and--Dashes", "t_test_spaces_and_dashes_"},
		{"TestÜnïcode/Ω", "t_test_n_code_"},
		{strings.Repeat("TestVeryLong", 20), "t_testverylongtestverylong"},
		{"", "t_"},
	}
	for _, tt := range tests {
		got, err := databaseName(tt.test)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > maxIdent || !identRE.MatchString(got) || !strings.HasPrefix(got, tt.prefix) {
			t.Errorf("databaseName(%q) = %q (len %d): want prefix %q, <= %d bytes, matching %s",
				tt.test, got, len(got), tt.prefix, maxIdent, identRE)
		}
		again, _ := databaseName(tt.test)
		if again == got {
			t.Errorf("databaseName(%q) returned %q twice: suffix is not random", tt.test, got)
		}
	}
}

func TestWithDatabase(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"postgres://postgres@127.0.0.1:54320/postgres?sslmode=disable", "postgres://postgres@127.0.0.1:54320/t_x?sslmode=disable", false},
		{"postgresql://u:p@h/", "postgresql://u:p@h/t_x", false},
		{"host=localhost dbname=x", "", true},
		{"mysql://h/db", "", true},
	}
	for _, tt := range tests {
		got, err := withDatabase(tt.in, "t_x")
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("withDatabase(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
