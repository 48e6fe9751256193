package postgres

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// table converts a text-format result into the values templates see. dbt
// hands templates agate tables; the closest Go values are:
//
//   - integers → int64 (big integers → *big.Int)
//   - numeric without a fractional part in its text → int64 or *big.Int;
//     with one → float64 (agate's Decimal prints exactly, "1.50"; our
//     float prints "1.5": the one visible difference, since the Jinja
//     engine has no decimal type)
//   - float4/float8 → float64; boolean → bool
//   - date, timestamp, timestamptz → their Python str() text
//     ("2024-01-02", "2024-01-02 03:04:05", "2024-01-02 03:04:05+00:00")
//   - json/jsonb → decoded values; everything else → its text
func table(res *pgconn.Result) *dbtctx.Table {
	names := make([]string, len(res.FieldDescriptions))
	for i, f := range res.FieldDescriptions {
		names[i] = f.Name
	}
	rows := make([][]any, len(res.Rows))
	for i, raw := range res.Rows {
		r := make([]any, len(raw))
		for j, b := range raw {
			if b == nil {
				continue
			}
			r[j] = convert(res.FieldDescriptions[j].DataTypeOID, string(b))
		}
		rows[i] = r
	}
	return dbtctx.NewTable(names, rows)
}

func convert(oid uint32, s string) any {
	switch oid {
	case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.OIDOID:
		return parseInt(s)
	case pgtype.NumericOID:
		return parseNumeric(s)
	case pgtype.Float4OID, pgtype.Float8OID:
		return parseFloat(s)
	case pgtype.BoolOID:
		return s == "t"
	case pgtype.TimestamptzOID:
		return pyOffset(s)
	case pgtype.JSONOID, pgtype.JSONBOID:
		var v any
		if err := json.Unmarshal([]byte(s), &v); err == nil {
			return jsonValue(v)
		}
	}
	return s
}

func parseInt(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if b, ok := new(big.Int).SetString(s, 10); ok {
		return b
	}
	return s
}

func parseNumeric(s string) any {
	if !strings.ContainsAny(s, ".eEN") { // NaN, Infinity have letters
		return parseInt(s)
	}
	return parseFloat(s)
}

func parseFloat(s string) any {
	switch s {
	case "NaN":
		return math.NaN()
	case "Infinity":
		return math.Inf(1)
	case "-Infinity":
		return math.Inf(-1)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return s
}

// pyOffset turns Postgres's "+00" zone suffix into Python's "+00:00".
func pyOffset(s string) string {
	n := len(s)
	if n >= 3 && (s[n-3] == '+' || s[n-3] == '-') && isDigits(s[n-2:]) {
		return s + ":00"
	}
	return s
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	case []any:
		for i := range x {
			x[i] = jsonValue(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = jsonValue(x[k])
		}
	}
	return v
}
