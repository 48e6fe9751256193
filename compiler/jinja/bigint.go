package jinja

import (
	"math"
	"math/big"
)

// Python ints are unbounded. Values stay int64 and only results that
// overflow become *big.Int; big results that fit are turned back into
// int64, so the fast path never allocates.

func toBig(v any) (*big.Int, bool) {
	switch x := v.(type) {
	case *big.Int:
		return x, true
	case int64:
		return big.NewInt(x), true
	case bool:
		if x {
			return big.NewInt(1), true
		}
		return big.NewInt(0), true
	}
	return nil, false
}

func normBig(b *big.Int) any {
	if b.IsInt64() {
		return b.Int64()
	}
	return b
}

func bigFloat(b *big.Int) float64 {
	f, _ := new(big.Float).SetInt(b).Float64()
	return f
}

// bigOp evaluates an integer operation exactly when either side is big or
// the int64 result would overflow. ok is false for non-integers.
func (s *State) bigOp(op string, l, r any) (any, bool) {
	a, ok1 := toBig(l)
	b, ok2 := toBig(r)
	if !ok1 || !ok2 {
		return nil, false
	}
	z := new(big.Int)
	switch op {
	case "+":
		z.Add(a, b)
	case "-":
		z.Sub(a, b)
	case "*":
		z.Mul(a, b)
	case "//", "%":
		if b.Sign() == 0 {
			s.Throw("ZeroDivisionError", "integer division or modulo by zero")
		}
		q, m := new(big.Int), new(big.Int)
		q.DivMod(a, b, m) // Euclidean: m >= 0
		if m.Sign() != 0 && b.Sign() < 0 {
			q.Add(q, big.NewInt(1))
			m.Add(m, b)
		}
		if op == "//" {
			return normBig(q), true
		}
		return normBig(m), true
	case "**":
		if b.Sign() < 0 {
			return math.Pow(bigFloat(a), bigFloat(b)), true
		}
		if b.BitLen() > 32 {
			s.Throw("OverflowError", "exponent too large")
		}
		z.Exp(a, b, nil)
	default:
		return nil, false
	}
	return normBig(z), true
}

func mulOverflows(a, b int64) bool {
	if a == 0 || b == 0 {
		return false
	}
	c := a * b
	return c/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64)
}

func powOverflows(a, b int64) bool {
	if a == 0 || a == 1 || a == -1 {
		return false
	}
	r := int64(1)
	for i := int64(0); i < b; i++ {
		if mulOverflows(r, a) {
			return true
		}
		r *= a
	}
	return false
}
