package postgres

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/gdbt/gdbt/compiler/dbtctx"
	"github.com/gdbt/gdbt/compiler/jinja"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// table converts a text-format result into the values dbt's agate tables
// hold (dbt-postgres reads rows through psycopg2, then agate's type tester
// with dbt's Integer type first):
//
//   - integer columns → int64 (big integers → *big.Int)
//   - numeric, float4, float8 → Decimal (floats through their Python
//     repr, so 0.1 stays "0.1"), as agate's Number does
//   - boolean → bool
//   - date → date; timestamp → naive datetime; timestamptz → aware
//     datetime (Python's str() prints "2024-01-02 03:04:05+00:00")
//   - json/jsonb and one-dimensional int/bool/text arrays → the text
//     json.dumps gives (dbt turns containers back into JSON strings)
//   - interval → str() of Python's timedelta; everything else → its text
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
		if d, ok := jinja.ParseDecimal(s); ok {
			return d
		}
		return parseFloat(s)
	case pgtype.Float4OID, pgtype.Float8OID:
		f := parseFloat(s)
		if x, ok := f.(float64); ok && !math.IsInf(x, 0) && !math.IsNaN(x) {
			if d, ok := jinja.ParseDecimal(jinja.ToString(x)); ok {
				return d
			}
		}
		return f
	case pgtype.BoolOID:
		return s == "t"
	case pgtype.DateOID:
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return dbtctx.Date(t)
		}
	case pgtype.TimestampOID:
		if t, err := time.Parse("2006-01-02 15:04:05.999999", s); err == nil {
			return dbtctx.DateTime(t, false)
		}
	case pgtype.TimestamptzOID:
		for _, layout := range []string{"2006-01-02 15:04:05.999999-07", "2006-01-02 15:04:05.999999-07:00", "2006-01-02 15:04:05.999999-07:00:00"} {
			if t, err := time.Parse(layout, s); err == nil {
				_, off := t.Zone() // psycopg2 gives a fixed-offset timezone
				return dbtctx.DateTime(t.In(time.FixedZone("", off)), true)
			}
		}
		return pyOffset(s)
	case pgtype.IntervalOID:
		if text, ok := interval(s); ok {
			return text
		}
	case pgtype.Int2ArrayOID, pgtype.Int4ArrayOID, pgtype.Int8ArrayOID, pgtype.TextArrayOID, pgtype.VarcharArrayOID, pgtype.BoolArrayOID:
		if text, ok := array(oid, s); ok {
			return text
		}
	case pgtype.JSONOID, pgtype.JSONBOID:
		if v, err := dbtctx.DecodeJSON(s); err == nil {
			if text, err := jinja.DumpJSON(v, false); err == nil {
				return text
			}
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

// interval turns Postgres's interval text ("1 year 2 mons 3 days
// -04:05:06.5") into the text dbt's table holds: psycopg2 reads a
// timedelta (a month is 30 days, a year 365), agate keeps its str().
func interval(s string) (string, bool) {
	f := strings.Fields(s)
	var us int64
	for i := 0; i < len(f); i++ {
		if strings.Contains(f[i], ":") {
			neg := strings.HasPrefix(f[i], "-")
			hms := strings.Split(strings.TrimLeft(f[i], "+-"), ":")
			if len(hms) != 3 {
				return "", false
			}
			h, err1 := strconv.ParseInt(hms[0], 10, 64)
			m, err2 := strconv.ParseInt(hms[1], 10, 64)
			sec, err3 := strconv.ParseFloat(hms[2], 64)
			if err1 != nil || err2 != nil || err3 != nil {
				return "", false
			}
			t := (h*3600+m*60)*1_000_000 + int64(math.Round(sec*1e6))
			if neg {
				t = -t
			}
			us += t
			continue
		}
		if i+1 >= len(f) {
			return "", false
		}
		n, err := strconv.ParseInt(f[i], 10, 64)
		if err != nil {
			return "", false
		}
		var days int64
		switch strings.TrimSuffix(f[i+1], "s") {
		case "year":
			days = 365
		case "mon":
			days = 30
		case "day":
			days = 1
		default:
			return "", false
		}
		us += n * days * 86_400_000_000
		i++
	}
	return jinja.ToString(dbtctx.Timedelta(us)), true
}

// array turns a one-dimensional int, bool or text array into the JSON text
// dbt's table holds (psycopg2 reads a list, dbt dumps it as JSON).
func array(oid uint32, s string) (string, bool) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return "", false
	}
	body := s[1 : len(s)-1]
	items := []any{}
	for len(body) > 0 {
		var elem string
		quoted := false
		if body[0] == '"' {
			var b strings.Builder
			i := 1
			for ; i < len(body) && body[i] != '"'; i++ {
				if body[i] == '\\' && i+1 < len(body) {
					i++
				}
				b.WriteByte(body[i])
			}
			if i >= len(body) {
				return "", false
			}
			elem, quoted, body = b.String(), true, body[i+1:]
		} else {
			end := strings.IndexByte(body, ',')
			if end < 0 {
				end = len(body)
			}
			elem, body = body[:end], body[end:]
			if strings.HasPrefix(elem, "{") {
				return "", false // multidimensional
			}
		}
		body = strings.TrimPrefix(body, ",")
		switch {
		case !quoted && elem == "NULL":
			items = append(items, nil)
		case oid == pgtype.TextArrayOID || oid == pgtype.VarcharArrayOID:
			items = append(items, elem)
		case oid == pgtype.BoolArrayOID:
			items = append(items, elem == "t")
		default:
			n, ok := parseInt(elem).(int64)
			if !ok {
				return "", false
			}
			items = append(items, n)
		}
	}
	text, err := jinja.DumpJSON(&jinja.List{Items: items}, false)
	return text, err == nil
}
