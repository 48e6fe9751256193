// Package artifacts writes dbt's target/ artifacts for a run:
// run_results.json (schema v6, field for field as dbt 1.12 writes it).
package artifacts

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"time"
	"unicode/utf8"
)

// RunResultsSchema is the schema URL dbt 1.12 writes.
const RunResultsSchema = "https://schemas.getdbt.com/dbt/run-results/v6.json"

// DBTVersion is the dbt version gdbt reports in artifacts.
const DBTVersion = "1.12.6"

// Timing is one phase of a node's execution.
type Timing struct {
	Name        string    `json:"name"`
	StartedAt   time.Time `json:"-"`
	CompletedAt time.Time `json:"-"`
}

// MarshalJSON writes dbt's timestamps (UTC, microseconds, "Z").
func (t Timing) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name        string `json:"name"`
		StartedAt   string `json:"started_at"`
		CompletedAt string `json:"completed_at"`
	}{t.Name, Timestamp(t.StartedAt), Timestamp(t.CompletedAt)})
}

// Timestamp formats t as dbt does in artifacts.
func Timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// AdapterResponse is dbt's adapter_response; empty for errors and skips.
type AdapterResponse struct {
	Message      string `json:"_message"`
	Code         string `json:"code"`
	RowsAffected any    `json:"rows_affected"` // an int, or the string a macro stored
}

// Result is one node's entry in results.
type Result struct {
	Status          string           `json:"status"`
	Timing          []Timing         `json:"timing"`
	ThreadID        string           `json:"thread_id"`
	ExecutionTime   float64          `json:"execution_time"`
	AdapterResponse *AdapterResponse `json:"-"`
	Message         *string          `json:"message"`
	Failures        *int64           `json:"failures"`
	UniqueID        string           `json:"unique_id"`
	Compiled        *bool            `json:"compiled"`
	CompiledCode    *string          `json:"compiled_code"`
	RelationName    *string          `json:"relation_name"`
	BatchResults    any              `json:"batch_results"`
	OverloadResults any              `json:"overload_results"`
}

// MarshalJSON writes adapter_response as {} when absent, as dbt does.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	var ar any = struct{}{}
	if r.AdapterResponse != nil {
		ar = r.AdapterResponse
	}
	if r.Timing == nil {
		r.Timing = []Timing{}
	}
	// Keep dbt's key order: adapter_response comes after execution_time.
	b, err := marshal(plain(r))
	if err != nil {
		return nil, err
	}
	arJSON, err := marshal(ar)
	if err != nil {
		return nil, err
	}
	key := []byte(`,"message":`)
	i := bytes.Index(b, key)
	out := make([]byte, 0, len(b)+len(arJSON)+24)
	out = append(out, b[:i]...)
	out = append(out, `,"adapter_response":`...)
	out = append(out, arJSON...)
	out = append(out, b[i:]...)
	return out, nil
}

// marshal is json.Marshal without HTML escaping (Python does none).
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Metadata is the artifact header.
type Metadata struct {
	DBTSchemaVersion    string            `json:"dbt_schema_version"`
	DBTVersion          string            `json:"dbt_version"`
	GeneratedAt         string            `json:"generated_at"`
	InvocationID        string            `json:"invocation_id"`
	InvocationStartedAt string            `json:"invocation_started_at"`
	Env                 map[string]string `json:"env"`
}

// RunResults is run_results.json.
type RunResults struct {
	Metadata    Metadata       `json:"metadata"`
	Results     []Result       `json:"results"`
	ElapsedTime float64        `json:"elapsed_time"`
	Args        map[string]any `json:"args"`
}

// NewMetadata fills the header; env holds DBT_ENV_CUSTOM_ENV_* variables
// (prefix stripped), as dbt records them.
func NewMetadata(invocationID string, started, generated time.Time, environ []string) Metadata {
	env := map[string]string{}
	const prefix = "DBT_ENV_CUSTOM_ENV_"
	for _, kv := range environ {
		if len(kv) > len(prefix) && kv[:len(prefix)] == prefix {
			for i := len(prefix); i < len(kv); i++ {
				if kv[i] == '=' {
					env[kv[len(prefix):i]] = kv[i+1:]
					break
				}
			}
		}
	}
	return Metadata{
		DBTSchemaVersion:    RunResultsSchema,
		DBTVersion:          DBTVersion,
		GeneratedAt:         Timestamp(generated),
		InvocationID:        invocationID,
		InvocationStartedAt: Timestamp(started),
		Env:                 env,
	}
}

// Write writes rr to dir/run_results.json atomically (temp file + rename),
// so an interrupted run never leaves half a file.
func (rr *RunResults) Write(dir string) error {
	if rr.Results == nil {
		rr.Results = []Result{}
	}
	if rr.Args == nil {
		rr.Args = map[string]any{}
	}
	b, err := PyJSON(rr)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".run_results-*.json")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, "run_results.json"))
}

// PyJSON encodes v as Python's json.dumps does by default (what dbt
// writes): ", " and ": " separators, non-ASCII escaped as \uXXXX, no HTML
// escaping.
func PyJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	out := make([]byte, 0, len(b)+len(b)/8)
	inStr := false
	for i := 0; i < len(b); {
		c := b[i]
		if inStr {
			switch {
			case c == '\\':
				out = append(out, b[i], b[i+1])
				i += 2
				continue
			case c == '"':
				inStr = false
			case c >= utf8.RuneSelf:
				r, size := utf8.DecodeRune(b[i:])
				if r >= 0x10000 {
					r -= 0x10000
					out = appendU(out, 0xD800+(r>>10))
					out = appendU(out, 0xDC00+(r&0x3FF))
				} else {
					out = appendU(out, r)
				}
				i += size
				continue
			}
			out = append(out, c)
			i++
			continue
		}
		out = append(out, c)
		switch c {
		case '"':
			inStr = true
		case ',', ':':
			out = append(out, ' ')
		}
		i++
	}
	return out, nil
}

func appendU(out []byte, r rune) []byte {
	h := strconv.FormatInt(int64(r), 16)
	for len(h) < 4 {
		h = "0" + h
	}
	return append(append(out, '\\', 'u'), h...)
}
