package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// maskDebug hides the lines that describe the machine (versions, paths,
// port).
func maskDebug(f *cmdFixture, s string) string {
	s = regexp.MustCompile(`(?m)^(HH:MM:SS  (gdbt version|go version|go path|os info|  port)): .*$`).ReplaceAllString(s, "$1: X")
	return s
}

func TestDebug(t *testing.T) {
	f := newCmdFixture(t)
	code, out := f.gdbt("debug")
	if code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	golden(t, "debug_ok", maskDebug(f, out))

	// The bad target points at a closed port: the connection check fails.
	code, out = f.gdbt("debug", "--target", "bad")
	if code != 1 {
		t.Errorf("bad target: exit %d, want 1", code)
	}
	for _, want := range []string{"  Connection test: [ERROR]\n", "1 check failed:", "dbt was unable to connect to the specified database.",
		"  >Database Error\n", "Check your database credentials and try again."} {
		if !strings.Contains(out, want) {
			t.Errorf("bad target: output lacks %q:\n%s", want, out)
		}
	}
}

// TestDebugMissingFiles: no profiles.yml, then no dbt_project.yml.
func TestDebugMissingFiles(t *testing.T) {
	f := newCmdFixture(t)
	empty := t.TempDir()
	var buf bytes.Buffer
	code := Main([]string{"debug", "--project-dir", f.dir, "--profiles-dir", empty}, nil, &buf, &buf)
	out := strings.ReplaceAll(maskDebug(f, f.mask(buf.String())), empty, "<empty>")
	if code != 1 {
		t.Errorf("no profiles.yml: exit %d, want 1", code)
	}
	golden(t, "debug_no_profile", out)

	buf.Reset()
	code = Main([]string{"debug", "--project-dir", empty, "--profiles-dir", f.dir}, nil, &buf, &buf)
	out = strings.ReplaceAll(maskDebug(f, f.mask(buf.String())), empty, "<empty>")
	if code != 1 {
		t.Errorf("no dbt_project.yml: exit %d, want 1", code)
	}
	golden(t, "debug_no_project", out)

	// A project whose dbt_project.yml is broken but whose profile is fine.
	if err := os.WriteFile(filepath.Join(empty, "dbt_project.yml"), []byte("name: [oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	code = Main([]string{"debug", "--project-dir", empty, "--profiles-dir", f.dir}, nil, &buf, &buf)
	out = buf.String()
	if code != 1 || !strings.Contains(out, "dbt_project.yml file [ERROR invalid]") || !strings.Contains(out, "profiles.yml file [OK found and valid]") {
		t.Errorf("broken project: exit %d\n%s", code, out)
	}
}
