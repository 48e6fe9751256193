package jinja

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Operand lets a host value take part in arithmetic. BinaryOp returns the
// result of `value op other` (or `other op value` when right is true) and
// false when it does not handle the pair, so the engine's own rules (and
// its TypeError) apply. Errors inside (division by zero) go through s.Throw.
type Operand interface {
	BinaryOp(s *State, op string, other any, right bool) (any, bool)
}

// Comparer lets a host value take part in <, <=, >, >=: Compare returns
// -1, 0 or 1 for `value ? other`, and false when the pair is not ordered.
type Comparer interface {
	Compare(other any) (int, bool)
}

// Decimal is Python's decimal.Decimal as dbt templates meet it: every number
// in an agate table (run_query, load_result) is one, so a numeric(10,2)
// value prints "1.50", not "1.5". Value = Coef × 10^Exp, exactly; arithmetic
// rounds to Python's default context (28 significant digits, half-even).
type Decimal struct {
	Coef *big.Int
	Exp  int
}

const decimalPrec = 28

// ParseDecimal reads Postgres's numeric text (or Python's Decimal input:
// "1.50", "-3", "1e-7"); false for NaN, Infinity and malformed text.
func ParseDecimal(s string) (*Decimal, bool) {
	s = strings.TrimSpace(s)
	exp := 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(s[i+1:])
		if err != nil {
			return nil, false
		}
		exp, s = e, s[:i]
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		exp -= len(s) - i - 1
		s = s[:i] + s[i+1:]
	}
	if s == "" || s == "-" || s == "+" {
		return nil, false
	}
	c, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, false
	}
	return &Decimal{Coef: c, Exp: exp}, true
}

// DecimalFromInt is Decimal(n).
func DecimalFromInt(n int64) *Decimal { return &Decimal{Coef: big.NewInt(n)} }

func toDecimal(v any) (*Decimal, bool) {
	switch x := v.(type) {
	case *Decimal:
		return x, true
	case int64:
		return DecimalFromInt(x), true
	case *big.Int:
		return &Decimal{Coef: new(big.Int).Set(x)}, true
	case bool:
		if x {
			return DecimalFromInt(1), true
		}
		return DecimalFromInt(0), true
	}
	return nil, false
}

func (d *Decimal) TypeName() string { return "Decimal" }
func (d *Decimal) Truth() bool      { return d.Coef.Sign() != 0 }
func (d *Decimal) Repr() string     { return "Decimal('" + d.String() + "')" }

// Float is float(d).
func (d *Decimal) Float() float64 {
	f, _ := strconv.ParseFloat(d.Coef.String()+"e"+strconv.Itoa(d.Exp), 64)
	return f
}

// Int is int(d): truncation toward zero.
func (d *Decimal) Int() any {
	if d.Exp >= 0 {
		return normBig(new(big.Int).Mul(d.Coef, pow10(d.Exp)))
	}
	return normBig(new(big.Int).Quo(d.Coef, pow10(-d.Exp)))
}

// String is Python's str(Decimal): plain notation unless the exponent is
// positive or the number is very small, then scientific ("1E+2", "1E-7").
func (d *Decimal) String() string {
	sign := ""
	digits := d.Coef.String()
	if digits[0] == '-' {
		sign, digits = "-", digits[1:]
	}
	adjusted := d.Exp + len(digits) - 1
	if d.Exp <= 0 && adjusted >= -6 {
		if d.Exp == 0 {
			return sign + digits
		}
		point := len(digits) + d.Exp
		if point <= 0 {
			return sign + "0." + strings.Repeat("0", -point) + digits
		}
		return sign + digits[:point] + "." + digits[point:]
	}
	s := sign + digits[:1]
	if len(digits) > 1 {
		s += "." + digits[1:]
	}
	if adjusted >= 0 {
		return s + "E+" + strconv.Itoa(adjusted)
	}
	return s + "E" + strconv.Itoa(adjusted)
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// aligned returns both coefficients scaled to the smaller exponent.
func aligned(a, b *Decimal) (*big.Int, *big.Int, int) {
	switch {
	case a.Exp == b.Exp:
		return a.Coef, b.Coef, a.Exp
	case a.Exp < b.Exp:
		return a.Coef, new(big.Int).Mul(b.Coef, pow10(b.Exp-a.Exp)), a.Exp
	default:
		return new(big.Int).Mul(a.Coef, pow10(a.Exp-b.Exp)), b.Coef, b.Exp
	}
}

// round keeps at most 28 significant digits, half-even, as Python's
// default context does after every operation.
func (d *Decimal) round() *Decimal {
	digits := len(new(big.Int).Abs(d.Coef).String())
	if digits <= decimalPrec {
		return d
	}
	drop := digits - decimalPrec
	return &Decimal{Coef: divRoundHalfEven(d.Coef, pow10(drop)), Exp: d.Exp + drop}
}

func divRoundHalfEven(n, m *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(n, m, new(big.Int))
	twice := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
	if c := twice.Cmp(m); c > 0 || (c == 0 && q.Bit(0) == 1) {
		if n.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// Quantize rounds d half-even to exponent exp (Python's round(d, n) with
// exp = -n).
func (d *Decimal) Quantize(exp int) *Decimal {
	if d.Exp >= exp {
		return &Decimal{Coef: new(big.Int).Mul(d.Coef, pow10(d.Exp-exp)), Exp: exp}
	}
	return &Decimal{Coef: divRoundHalfEven(d.Coef, pow10(exp-d.Exp)), Exp: exp}
}

func (d *Decimal) Compare(other any) (int, bool) {
	if o, ok := toDecimal(other); ok {
		x, y, _ := aligned(d, o)
		return x.Cmp(y), true
	}
	if f, ok := other.(float64); ok {
		if math.IsNaN(f) {
			return 0, false
		}
		if math.IsInf(f, 0) {
			return -int(math.Copysign(1, f)), true
		}
		r, _ := new(big.Rat).SetString(d.String())
		return r.Cmp(new(big.Rat).SetFloat64(f)), true
	}
	return 0, false
}

func (d *Decimal) Equal(other any) bool {
	c, ok := d.Compare(other)
	return ok && c == 0
}

func (d *Decimal) BinaryOp(s *State, op string, other any, right bool) (any, bool) {
	o, ok := toDecimal(other)
	if !ok {
		if _, isFloat := other.(float64); isFloat && op != "%" {
			l, r := typeName(d), typeName(other)
			if right {
				l, r = r, l
			}
			s.Throw("TypeError", "unsupported operand type(s) for %s: '%s' and '%s'", op, l, r)
		}
		return nil, false
	}
	a, b := d, o
	if right {
		a, b = o, d
	}
	switch op {
	case "+", "-":
		x, y, exp := aligned(a, b)
		if op == "+" {
			return (&Decimal{Coef: new(big.Int).Add(x, y), Exp: exp}).round(), true
		}
		return (&Decimal{Coef: new(big.Int).Sub(x, y), Exp: exp}).round(), true
	case "*":
		return (&Decimal{Coef: new(big.Int).Mul(a.Coef, b.Coef), Exp: a.Exp + b.Exp}).round(), true
	case "/":
		if b.Coef.Sign() == 0 {
			s.Throw("InvalidOperation", "[<class 'decimal.DivisionByZero'>]")
		}
		return divide(a, b), true
	case "//", "%":
		if b.Coef.Sign() == 0 {
			s.Throw("InvalidOperation", "[<class 'decimal.DivisionUndefined'>]")
		}
		x, y, exp := aligned(a, b)
		q, r := new(big.Int).QuoRem(x, y, new(big.Int)) // truncates, as Decimal does
		if op == "//" {
			return &Decimal{Coef: q}, true
		}
		return &Decimal{Coef: r, Exp: exp}, true
	}
	return nil, false
}

// divide is Decimal division: the exact quotient at the ideal exponent
// (a.Exp - b.Exp) when it fits in 28 digits, else 28 digits half-even.
func divide(a, b *Decimal) *Decimal {
	ideal := a.Exp - b.Exp
	// Scale the dividend so the integer quotient carries prec+1 digits.
	shift := decimalPrec + 1 + len(b.Coef.String()) - len(a.Coef.String())
	if shift < 0 {
		shift = 0
	}
	var q, r *big.Int
	for {
		n := new(big.Int).Mul(a.Coef, pow10(shift))
		q, r = new(big.Int).QuoRem(n, b.Coef, new(big.Int))
		if r.Sign() == 0 || len(new(big.Int).Abs(q).String()) > decimalPrec {
			break
		}
		shift++
	}
	exp := ideal - shift
	if r.Sign() == 0 {
		// Exact: strip trailing zeros back toward the ideal exponent.
		ten := big.NewInt(10)
		m := new(big.Int)
		for exp < ideal {
			qq, rr := new(big.Int).QuoRem(q, ten, m)
			if rr.Sign() != 0 {
				break
			}
			q, exp = qq, exp+1
		}
		return (&Decimal{Coef: q, Exp: exp}).round()
	}
	// Inexact: a sticky digit makes half-even rounding see "more than half".
	q.Mul(q, big.NewInt(10))
	if q.Sign() < 0 {
		q.Sub(q, big.NewInt(1))
	} else {
		q.Add(q, big.NewInt(1))
	}
	return (&Decimal{Coef: q, Exp: exp - 1}).round()
}

// Neg is -d.
func (d *Decimal) Neg() any { return &Decimal{Coef: new(big.Int).Neg(d.Coef), Exp: d.Exp} }

func (d *Decimal) abs() *Decimal { return &Decimal{Coef: new(big.Int).Abs(d.Coef), Exp: d.Exp} }
