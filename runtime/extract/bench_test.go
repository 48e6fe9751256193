package extract

import (
	"fmt"
	"io"
	"strings"
	"testing"
)

func BenchmarkCSVReader(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&sb, "%d,SKU-%05d,\"Mug, ceramic\",kitchen,19.99,2024-08-28 21:51:00+00,true\n", i, i)
	}
	in := sb.String()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		cr := newCSVReader(strings.NewReader(in), "b.csv", ',', '"')
		for {
			if _, err := cr.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
