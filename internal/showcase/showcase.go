// Package showcase checks the showcase marts against the figures the
// fixture generator computed from the fixture files (expected.json), so
// the end-to-end test and `just demo` assert the same things.
package showcase

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Expected is fixtures/showcase/expected.json.
type Expected struct {
	RawRows      map[string]int `json:"raw_rows"`
	DistinctKeys map[string]int `json:"distinct_keys"`
	Checks       []Check        `json:"checks"`
}

// Check is one read-only query and the rows it must return, as text.
type Check struct {
	Name string     `json:"name"`
	SQL  string     `json:"sql"`
	Rows [][]string `json:"rows"`
}

// LoadExpected reads expected.json.
func LoadExpected(path string) (*Expected, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var e Expected
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &e, nil
}

// Verify runs every check and returns one line per mismatch.
func Verify(ctx context.Context, conn *pgx.Conn, e *Expected) ([]string, error) {
	var problems []string
	for _, c := range e.Checks {
		rows, err := conn.Query(ctx, c.SQL)
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", c.Name, err)
		}
		var got [][]string
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
				rows.Close()
				return nil, err
			}
			row := make([]string, len(vals))
			for i, v := range vals {
				if v == nil {
					row[i] = ""
				} else {
					row[i] = fmt.Sprint(v)
				}
			}
			got = append(got, row)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("check %s: %w", c.Name, err)
		}
		if !equalRows(got, c.Rows) {
			problems = append(problems, fmt.Sprintf("%s: got %v, want %v", c.Name, got, c.Rows))
		}
	}
	return problems, nil
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}
