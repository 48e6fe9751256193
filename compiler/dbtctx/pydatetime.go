package dbtctx

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // pytz.timezone(name) must not depend on the host's zoneinfo

	"github.com/gdbt/gdbt/compiler/jinja"
)

// Python's datetime module as dbt templates use it (modules.datetime,
// modules.pytz, run_started_at, dates and timestamps read by run_query):
// date, datetime (naive or aware), timedelta and their arithmetic,
// comparisons, str/repr, strftime and isoformat.

// Date returns a Python date for t's calendar day.
func Date(t time.Time) any {
	return datetimeValue{t: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), dateOnly: true}
}

// DateTime returns a Python datetime: aware keeps t's zone (printed as
// "+HH:MM"), naive prints no zone.
func DateTime(t time.Time, aware bool) any { return datetimeValue{t: t, aware: aware} }

// datetimeValue is a Python datetime, or a date when dateOnly.
type datetimeValue struct {
	t        time.Time
	dateOnly bool
	aware    bool
}

// Timedelta returns a Python timedelta of us microseconds.
func Timedelta(us int64) any { return timedelta{us: us} }

// timedelta is Python's datetime.timedelta, in microseconds.
type timedelta struct{ us int64 }

const (
	usPerSec = int64(1_000_000)
	usPerDay = 86_400 * usPerSec
)

type datetimeModule struct{}

func (datetimeModule) Attr(name string) (any, bool) {
	switch name {
	case "datetime":
		return datetimeClass{}, true
	case "date":
		return dateClass{}, true
	case "timedelta":
		return timedeltaClass{}, true
	}
	return nil, false
}

func (datetimeModule) TypeName() string { return "module" }

// pytzModule is modules.pytz: timezone(name) and utc.
type pytzModule struct{}

func (pytzModule) TypeName() string { return "module" }

func (pytzModule) Attr(name string) (any, bool) {
	switch name {
	case "utc":
		return tzValue{time.UTC}, true
	case "timezone":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "timezone", "zone")
			loc, err := time.LoadLocation(jinja.ToString(v[0]))
			if err != nil || jinja.IsMissing(v[0]) {
				return nil, &CompilationError{"pytz.exceptions.UnknownTimeZoneError: " + jinja.Repr(v[0])}
			}
			return tzValue{loc}, nil
		}), true
	}
	return nil, false
}

// tzValue is a tzinfo (pytz zone or datetime.timezone.utc).
type tzValue struct{ loc *time.Location }

func (z tzValue) TypeName() string { return "tzinfo" }
func (z tzValue) String() string   { return z.loc.String() }

// Repr is pytz's "<UTC>" for time.UTC (pytz.utc, run_started_at), the
// datetime.timezone repr for fixed offsets (values read from timestamptz
// columns) and pytz's zone repr, shortened, for named zones.
func (z tzValue) Repr() string {
	switch name := z.loc.String(); {
	case z.loc == time.UTC:
		return "<UTC>"
	case name == "":
		_, off := time.Date(2000, 1, 1, 0, 0, 0, 0, z.loc).Zone()
		if off == 0 {
			return "datetime.timezone.utc"
		}
		return "datetime.timezone(" + timedelta{us: int64(off) * usPerSec}.Repr() + ")"
	default:
		return "<DstTzInfo '" + name + "'>"
	}
}
func (z tzValue) Attr(name string) (any, bool) {
	switch name {
	case "zone":
		return z.loc.String(), true
	case "localize":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "localize", "dt", "is_dst")
			d, ok := v[0].(datetimeValue)
			if !ok || d.dateOnly {
				return nil, &CompilationError{"localize() expects a datetime"}
			}
			t := d.t
			return datetimeValue{t: time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), z.loc), aware: true}, nil
		}), true
	}
	return nil, false
}

// tzArg reads an optional tz/tzinfo argument.
func tzArg(v any) (*time.Location, error) {
	if jinja.IsMissing(v) || v == nil {
		return nil, nil
	}
	z, ok := v.(tzValue)
	if !ok {
		return nil, &CompilationError{"tzinfo argument must be None or of a tzinfo subclass, not type " + typeOf(v)}
	}
	return z.loc, nil
}

func typeOf(v any) string {
	if t, ok := v.(interface{ TypeName() string }); ok {
		return t.TypeName()
	}
	return fmt.Sprintf("%T", v)
}

func intArg(s *jinja.State, fnName, name string, v any, def int) int {
	if jinja.IsMissing(v) {
		return def
	}
	n, ok := v.(int64)
	if !ok {
		s.Throw("TypeError", "%s(): %s must be an integer, not %s", fnName, name, typeOf(v))
	}
	return int(n)
}

type datetimeClass struct{}

func (datetimeClass) TypeName() string { return "type" }

// Call is datetime(year, month, day, hour=0, minute=0, second=0,
// microsecond=0, tzinfo=None).
func (datetimeClass) Call(s *jinja.State, a *jinja.Args) any {
	v := a.Bind(s, "datetime", "year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo")
	for i, n := range []string{"year", "month", "day"} {
		if jinja.IsMissing(v[i]) {
			s.Throw("TypeError", "function missing required argument '%s' (pos %d)", n, i+1)
		}
	}
	loc, err := tzArg(v[7])
	if err != nil {
		s.Throw("TypeError", "%s", err.Error())
	}
	y, mo, d := intArg(s, "datetime", "year", v[0], 0), intArg(s, "datetime", "month", v[1], 0), intArg(s, "datetime", "day", v[2], 0)
	h, mi, sec, us := intArg(s, "datetime", "hour", v[3], 0), intArg(s, "datetime", "minute", v[4], 0), intArg(s, "datetime", "second", v[5], 0), intArg(s, "datetime", "microsecond", v[6], 0)
	checkFields(s, y, mo, d, h, mi, sec, us)
	z := loc
	if z == nil {
		z = time.UTC
	}
	return datetimeValue{t: time.Date(y, time.Month(mo), d, h, mi, sec, us*1000, z), aware: loc != nil}
}

func checkFields(s *jinja.State, y, mo, d, h, mi, sec, us int) {
	switch {
	case y < 1 || y > 9999:
		s.Throw("ValueError", "year %d is out of range", y)
	case mo < 1 || mo > 12:
		s.Throw("ValueError", "month must be in 1..12")
	case d < 1 || d > time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day():
		s.Throw("ValueError", "day is out of range for month")
	case h < 0 || h > 23:
		s.Throw("ValueError", "hour must be in 0..23")
	case mi < 0 || mi > 59:
		s.Throw("ValueError", "minute must be in 0..59")
	case sec < 0 || sec > 59:
		s.Throw("ValueError", "second must be in 0..59")
	case us < 0 || us > 999999:
		s.Throw("ValueError", "microsecond must be in 0..999999")
	}
}

func (datetimeClass) Attr(name string) (any, bool) {
	switch name {
	case "now", "utcnow", "today":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, name, "tz")
			loc, err := tzArg(v[0])
			if err != nil {
				return nil, err
			}
			t := time.Now()
			switch {
			case loc != nil:
				return datetimeValue{t: t.In(loc), aware: true}, nil
			case name == "utcnow":
				t = t.UTC()
			}
			// Naive local time: keep the wall clock, print no zone.
			return datetimeValue{t: time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)}, nil
		}), true
	case "strptime":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "strptime", "date_string", "format")
			return strptime(jinja.ToString(v[0]), jinja.ToString(v[1]))
		}), true
	case "fromisoformat":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "fromisoformat", "date_string")
			return fromISO(jinja.ToString(v[0]), false)
		}), true
	case "fromtimestamp", "utcfromtimestamp":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, name, "timestamp", "tz")
			f, ok := toFloat(v[0])
			if !ok {
				return nil, &CompilationError{"fromtimestamp() expects a number"}
			}
			t := time.UnixMicro(int64(math.Round(f * 1e6))).UTC()
			loc, err := tzArg(v[1])
			if err != nil {
				return nil, err
			}
			if loc != nil {
				return datetimeValue{t: t.In(loc), aware: true}, nil
			}
			return datetimeValue{t: t}, nil
		}), true
	case "min":
		return datetimeValue{t: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)}, true
	case "max":
		return datetimeValue{t: time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)}, true
	}
	return nil, false
}

type dateClass struct{}

func (dateClass) TypeName() string { return "type" }

func (dateClass) Call(s *jinja.State, a *jinja.Args) any {
	v := a.Bind(s, "date", "year", "month", "day")
	for i, n := range []string{"year", "month", "day"} {
		if jinja.IsMissing(v[i]) {
			s.Throw("TypeError", "function missing required argument '%s' (pos %d)", n, i+1)
		}
	}
	y, mo, d := intArg(s, "date", "year", v[0], 0), intArg(s, "date", "month", v[1], 0), intArg(s, "date", "day", v[2], 0)
	checkFields(s, y, mo, d, 0, 0, 0, 0)
	return Date(time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC))
}

func (dateClass) Attr(name string) (any, bool) {
	switch name {
	case "today":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			return Date(time.Now()), nil
		}), true
	case "fromisoformat":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "fromisoformat", "date_string")
			return fromISO(jinja.ToString(v[0]), true)
		}), true
	}
	return nil, false
}

type timedeltaClass struct{}

func (timedeltaClass) TypeName() string { return "type" }

// Call is timedelta(days=0, seconds=0, microseconds=0, milliseconds=0,
// minutes=0, hours=0, weeks=0); each may be an int or a float.
func (timedeltaClass) Call(s *jinja.State, a *jinja.Args) any {
	v := a.Bind(s, "timedelta", "days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
	unit := []float64{float64(usPerDay), float64(usPerSec), 1, 1000, 60 * float64(usPerSec), 3600 * float64(usPerSec), 7 * float64(usPerDay)}
	var total int64
	var frac float64
	for i, x := range v {
		if jinja.IsMissing(x) {
			continue
		}
		switch n := x.(type) {
		case int64:
			total += n * int64(unit[i])
		case float64:
			frac += n * unit[i]
		default:
			s.Throw("TypeError", "unsupported type for timedelta %s component: %s", []string{"days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks"}[i], typeOf(x))
		}
	}
	return timedelta{us: total + int64(math.RoundToEven(frac))}
}

func (timedeltaClass) Attr(name string) (any, bool) { return nil, false }

// ---------------------------------------------------------------------------
// datetime and date values

func (d datetimeValue) TypeName() string {
	if d.dateOnly {
		return "date"
	}
	return "datetime"
}

func (d datetimeValue) String() string {
	if d.dateOnly {
		return d.t.Format("2006-01-02")
	}
	return d.isoformat(" ")
}

func (d datetimeValue) isoformat(sep string) string {
	if d.dateOnly {
		return d.t.Format("2006-01-02")
	}
	s := d.t.Format("2006-01-02") + sep + d.t.Format("15:04:05")
	if us := d.t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	if d.aware {
		s += d.t.Format("-07:00")
	}
	return s
}

func (d datetimeValue) Repr() string {
	t := d.t
	if d.dateOnly {
		return fmt.Sprintf("datetime.date(%d, %d, %d)", t.Year(), t.Month(), t.Day())
	}
	parts := []int{t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute()}
	if us := t.Nanosecond() / 1000; t.Second() != 0 || us != 0 {
		parts = append(parts, t.Second())
		if us != 0 {
			parts = append(parts, us)
		}
	}
	strs := make([]string, len(parts))
	for i, p := range parts {
		strs[i] = strconv.Itoa(p)
	}
	s := "datetime.datetime(" + strings.Join(strs, ", ")
	if d.aware {
		s += ", tzinfo=" + tzValue{d.t.Location()}.Repr()
	}
	return s + ")"
}

func (d datetimeValue) Attr(name string) (any, bool) {
	t := d.t
	switch name {
	case "year":
		return int64(t.Year()), true
	case "month":
		return int64(t.Month()), true
	case "day":
		return int64(t.Day()), true
	}
	if !d.dateOnly {
		switch name {
		case "hour":
			return int64(t.Hour()), true
		case "minute":
			return int64(t.Minute()), true
		case "second":
			return int64(t.Second()), true
		case "microsecond":
			return int64(t.Nanosecond() / 1000), true
		case "tzinfo":
			if d.aware {
				return tzValue{t.Location()}, true
			}
			return nil, true
		case "date":
			return fn(func(s *jinja.State, a *jinja.Args) (any, error) { return Date(t), nil }), true
		case "timestamp":
			// Naive datetimes count as UTC (Python would use the host's zone).
			return fn(func(s *jinja.State, a *jinja.Args) (any, error) { return float64(t.UnixMicro()) / 1e6, nil }), true
		case "astimezone":
			return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
				v := a.Bind(s, "astimezone", "tz")
				loc, err := tzArg(v[0])
				if err != nil {
					return nil, err
				}
				if loc == nil {
					loc = time.UTC
				}
				return datetimeValue{t: t.In(loc), aware: true}, nil
			}), true
		}
	}
	switch name {
	case "strftime":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "strftime", "format")
			return strftime(d, jinja.ToString(v[0])), nil
		}), true
	case "isoformat":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) {
			v := a.Bind(s, "isoformat", "sep")
			sep := "T"
			if !jinja.IsMissing(v[0]) {
				sep = jinja.ToString(v[0])
			}
			return d.isoformat(sep), nil
		}), true
	case "weekday":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) { return int64((t.Weekday() + 6) % 7), nil }), true
	case "isoweekday":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) { return int64((t.Weekday()+6)%7 + 1), nil }), true
	case "replace":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) { return d.replace(s, a), nil }), true
	}
	return nil, false
}

func (d datetimeValue) replace(s *jinja.State, a *jinja.Args) any {
	t := d.t
	if d.dateOnly {
		v := a.Bind(s, "replace", "year", "month", "day")
		y, mo, dd := intArg(s, "replace", "year", v[0], t.Year()), intArg(s, "replace", "month", v[1], int(t.Month())), intArg(s, "replace", "day", v[2], t.Day())
		checkFields(s, y, mo, dd, 0, 0, 0, 0)
		return Date(time.Date(y, time.Month(mo), dd, 0, 0, 0, 0, time.UTC))
	}
	v := a.Bind(s, "replace", "year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo")
	y, mo, dd := intArg(s, "replace", "year", v[0], t.Year()), intArg(s, "replace", "month", v[1], int(t.Month())), intArg(s, "replace", "day", v[2], t.Day())
	h, mi, sec := intArg(s, "replace", "hour", v[3], t.Hour()), intArg(s, "replace", "minute", v[4], t.Minute()), intArg(s, "replace", "second", v[5], t.Second())
	us := intArg(s, "replace", "microsecond", v[6], t.Nanosecond()/1000)
	checkFields(s, y, mo, dd, h, mi, sec, us)
	loc, aware := t.Location(), d.aware
	if !jinja.IsMissing(v[7]) {
		l, err := tzArg(v[7])
		if err != nil {
			s.Throw("TypeError", "%s", err.Error())
		}
		loc, aware = l, l != nil
		if l == nil {
			loc = time.UTC
		}
	}
	return datetimeValue{t: time.Date(y, time.Month(mo), dd, h, mi, sec, us*1000, loc), aware: aware}
}

// Compare orders two dates, or two datetimes of the same awareness.
func (d datetimeValue) Compare(other any) (int, bool) {
	o, ok := other.(datetimeValue)
	if !ok || o.dateOnly != d.dateOnly || (!d.dateOnly && o.aware != d.aware) {
		return 0, false
	}
	return d.t.Compare(o.t), true
}

func (d datetimeValue) Equal(other any) bool {
	c, ok := d.Compare(other)
	return ok && c == 0
}

// shift adds us microseconds (whole days for a date).
func (d datetimeValue) shift(us int64) datetimeValue {
	if d.dateOnly {
		return datetimeValue{t: d.t.AddDate(0, 0, int(floorDiv(us, usPerDay))), dateOnly: true}
	}
	t := d.t
	if d.aware { // Python adds to the wall clock, keeping the tzinfo
		w := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC).Add(time.Duration(us) * time.Microsecond)
		return datetimeValue{t: time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), t.Location()), aware: true}
	}
	return datetimeValue{t: t.Add(time.Duration(us) * time.Microsecond)}
}

func (d datetimeValue) BinaryOp(s *jinja.State, op string, other any, right bool) (any, bool) {
	switch o := other.(type) {
	case timedelta:
		switch {
		case op == "+":
			return d.shift(o.us), true
		case op == "-" && !right:
			return d.shift(-o.us), true
		}
	case datetimeValue:
		if op != "-" || o.dateOnly != d.dateOnly {
			return nil, false
		}
		if !d.dateOnly && o.aware != d.aware {
			s.Throw("TypeError", "can't subtract offset-naive and offset-aware datetimes")
		}
		a, b := d, o
		if right {
			a, b = o, d
		}
		return timedelta{us: a.t.Sub(b.t).Microseconds()}, true
	}
	return nil, false
}

// ---------------------------------------------------------------------------
// timedelta values

func (td timedelta) TypeName() string { return "timedelta" }

func (td timedelta) parts() (days, secs, us int64) {
	days = floorDiv(td.us, usPerDay)
	rest := td.us - days*usPerDay
	return days, rest / usPerSec, rest % usPerSec
}

// String is str(timedelta): "1 day, 2:03:04", "-1 day, 23:59:59.500000".
func (td timedelta) String() string {
	days, secs, us := td.parts()
	s := fmt.Sprintf("%d:%02d:%02d", secs/3600, secs/60%60, secs%60)
	if us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	if days != 0 {
		unit := "days"
		if days == 1 || days == -1 {
			unit = "day"
		}
		s = fmt.Sprintf("%d %s, %s", days, unit, s)
	}
	return s
}

func (td timedelta) Repr() string {
	days, secs, us := td.parts()
	var parts []string
	if days != 0 {
		parts = append(parts, fmt.Sprintf("days=%d", days))
	}
	if secs != 0 {
		parts = append(parts, fmt.Sprintf("seconds=%d", secs))
	}
	if us != 0 {
		parts = append(parts, fmt.Sprintf("microseconds=%d", us))
	}
	if len(parts) == 0 {
		parts = []string{"0"}
	}
	return "datetime.timedelta(" + strings.Join(parts, ", ") + ")"
}

func (td timedelta) Truth() bool { return td.us != 0 }

// Neg is -td.
func (td timedelta) Neg() any { return timedelta{us: -td.us} }

func (td timedelta) Attr(name string) (any, bool) {
	days, secs, us := td.parts()
	switch name {
	case "days":
		return days, true
	case "seconds":
		return secs, true
	case "microseconds":
		return us, true
	case "total_seconds":
		return fn(func(s *jinja.State, a *jinja.Args) (any, error) { return float64(td.us) / 1e6, nil }), true
	}
	return nil, false
}

func (td timedelta) Compare(other any) (int, bool) {
	o, ok := other.(timedelta)
	if !ok {
		return 0, false
	}
	switch {
	case td.us < o.us:
		return -1, true
	case td.us > o.us:
		return 1, true
	}
	return 0, true
}

func (td timedelta) Equal(other any) bool {
	c, ok := td.Compare(other)
	return ok && c == 0
}

func (td timedelta) BinaryOp(s *jinja.State, op string, other any, right bool) (any, bool) {
	switch o := other.(type) {
	case timedelta:
		a, b := td.us, o.us
		if right {
			a, b = b, a
		}
		switch op {
		case "+":
			return timedelta{us: a + b}, true
		case "-":
			return timedelta{us: a - b}, true
		case "/":
			if b == 0 {
				s.Throw("ZeroDivisionError", "division by zero")
			}
			return float64(a) / float64(b), true
		case "//":
			if b == 0 {
				s.Throw("ZeroDivisionError", "integer division or modulo by zero")
			}
			return floorDiv(a, b), true
		}
	case int64:
		switch {
		case op == "*":
			return timedelta{us: td.us * o}, true
		case op == "//" && !right:
			if o == 0 {
				s.Throw("ZeroDivisionError", "integer division or modulo by zero")
			}
			return timedelta{us: floorDiv(td.us, o)}, true
		case op == "/" && !right:
			if o == 0 {
				s.Throw("ZeroDivisionError", "division by zero")
			}
			return timedelta{us: int64(math.RoundToEven(float64(td.us) / float64(o)))}, true
		}
	case float64:
		switch {
		case op == "*":
			return timedelta{us: int64(math.RoundToEven(float64(td.us) * o))}, true
		case op == "/" && !right:
			return timedelta{us: int64(math.RoundToEven(float64(td.us) / o))}, true
		}
	}
	return nil, false
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case *jinja.Decimal:
		return x.Float(), true
	}
	return 0, false
}

// ---------------------------------------------------------------------------
// strftime, strptime, fromisoformat

var weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

func strftime(d datetimeValue, f string) string {
	t := d.t
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			fmt.Fprintf(&b, "%02d", (t.Hour()+11)%12+1)
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'A':
			b.WriteString(weekdays[(t.Weekday()+6)%7])
		case 'a':
			b.WriteString(weekdays[(t.Weekday()+6)%7][:3])
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'u':
			fmt.Fprintf(&b, "%d", int(t.Weekday()+6)%7+1)
		case 'B':
			b.WriteString(t.Month().String())
		case 'b':
			b.WriteString(t.Month().String()[:3])
		case 'V':
			_, w := t.ISOWeek()
			fmt.Fprintf(&b, "%02d", w)
		case 'G':
			y, _ := t.ISOWeek()
			fmt.Fprintf(&b, "%04d", y)
		case 'z':
			if d.aware {
				b.WriteString(t.Format("-0700"))
			}
		case 'Z':
			if d.aware {
				b.WriteString(t.Format("MST"))
			}
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}

// strptime supports the directives dbt projects use: %Y %m %d %H %M %S
// %f %z %y %j %b %B %p %I and literal text.
func strptime(value, format string) (any, error) {
	var layout strings.Builder
	aware := false
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 >= len(format) {
			layout.WriteByte(format[i])
			continue
		}
		i++
		switch format[i] {
		case 'Y':
			layout.WriteString("2006")
		case 'm':
			layout.WriteString("01")
		case 'd':
			layout.WriteString("02")
		case 'H':
			layout.WriteString("15")
		case 'I':
			layout.WriteString("03")
		case 'p':
			layout.WriteString("PM")
		case 'M':
			layout.WriteString("04")
		case 'S':
			layout.WriteString("05")
		case 'f':
			layout.WriteString(".000000")
		case 'y':
			layout.WriteString("06")
		case 'j':
			layout.WriteString("002")
		case 'b':
			layout.WriteString("Jan")
		case 'B':
			layout.WriteString("January")
		case 'z':
			layout.WriteString("-0700")
			aware = true
		case '%':
			layout.WriteByte('%')
		default:
			return nil, &CompilationError{fmt.Sprintf("ValueError: unsupported strptime directive %%%c in %q", format[i], format)}
		}
	}
	l := layout.String()
	v := value
	if strings.Contains(l, ".000000") {
		// Go wants the dot inside the layout; Python's %f follows a literal dot.
		l = strings.Replace(l, "..000000", ".000000", 1)
	}
	t, err := time.Parse(l, v)
	if err != nil {
		return nil, &CompilationError{fmt.Sprintf("ValueError: time data %s does not match format %s", jinja.Repr(value), jinja.Repr(format))}
	}
	return datetimeValue{t: t, aware: aware}, nil
}

func fromISO(s string, dateOnly bool) (any, error) {
	if dateOnly {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return nil, &CompilationError{"ValueError: Invalid isoformat string: " + jinja.Repr(s)}
		}
		return Date(t), nil
	}
	for _, l := range []string{"2006-01-02T15:04:05.999999-07:00", "2006-01-02 15:04:05.999999-07:00"} {
		if t, err := time.Parse(l, s); err == nil {
			return datetimeValue{t: t, aware: true}, nil
		}
	}
	for _, l := range []string{"2006-01-02T15:04:05.999999", "2006-01-02 15:04:05.999999", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(l, s); err == nil {
			return datetimeValue{t: t}, nil
		}
	}
	return nil, &CompilationError{"ValueError: Invalid isoformat string: " + jinja.Repr(s)}
}
