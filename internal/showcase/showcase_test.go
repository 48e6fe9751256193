package showcase_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gdbt/gdbt/internal/cli"
	"github.com/gdbt/gdbt/internal/pgtest"
	"github.com/gdbt/gdbt/internal/showcase"
	"github.com/gdbt/gdbt/runtime/extract/fixtureapi"
)

// TestShowcaseEndToEnd loads the showcase's CSV files and API data into a
// fresh database, builds the dbt project with gdbt, and checks the marts
// against figures computed from the fixture files by the generator.
func TestShowcaseEndToEnd(t *testing.T) {
	root := filepath.Join("..", "..")
	dbURL := pgtest.NewDatabase(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	api, err := fixtureapi.New(fixtureapi.Config{DataDir: filepath.Join(root, "fixtures", "showcase", "api"), Token: "test-token"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	defer srv.Close()

	// Work on a copy so target/ stays out of the source tree.
	work := filepath.Join(t.TempDir(), "dbt_project")
	if out, err := exec.Command("cp", "-r", filepath.Join(root, "dbt_project"), work).CombinedOutput(); err != nil {
		t.Fatalf("copy: %v %s", err, out)
	}
	if err := os.MkdirAll(filepath.Join(filepath.Dir(work), "fixtures"), 0o755); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(filepath.Join(root, "fixtures", "showcase"))
	if err := os.Symlink(abs, filepath.Join(filepath.Dir(work), "fixtures", "showcase")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GDBT_PG_HOST", u.Hostname())
	t.Setenv("GDBT_PG_PORT", u.Port())
	t.Setenv("GDBT_PG_DBNAME", strings.TrimPrefix(u.Path, "/"))
	t.Setenv("SHOWCASE_API_URL", srv.URL)
	t.Setenv("SHOWCASE_API_TOKEN", "test-token")

	gdbt := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		code := cli.Main(append(args, "--project-dir", work, "--profiles-dir", work), nil, &out, &out)
		if code != 0 {
			t.Fatalf("gdbt %s: exit %d\n%s", args[0], code, out.String())
		}
		return out.String()
	}
	gdbt("load")
	// Loading twice adds nothing (ledger by checksum, upsert by key).
	out := gdbt("load")
	if strings.Contains(out, "loaded ") && !strings.Contains(out, "up_to_date") {
		t.Errorf("second load wrote data again:\n%s", out)
	}
	out = gdbt("build")
	if !strings.Contains(out, "ERROR=0") || !strings.Contains(out, "SKIP=0") {
		t.Fatalf("build did not pass:\n%s", out)
	}

	e, err := showcase.LoadExpected(filepath.Join(root, "fixtures", "showcase", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	problems, err := showcase.Verify(ctx, conn, e)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	// Raw tables: CSV rows as in the files; API tables one row per key.
	for table, want := range map[string]int{"customers": e.RawRows["customers"], "products": e.RawRows["products"],
		"payments": e.RawRows["payments"], "orders": e.DistinctKeys["orders"], "order_items": e.DistinctKeys["order_items"]} {
		var n int
		if err := conn.QueryRow(ctx, "select count(*) from raw."+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("raw.%s: %d rows, want %d", table, n, want)
		}
	}
}
