package jinja

import (
	"os"
	"testing"
)

// benchContext is what dbt gives a model at compile time, reduced to the
// calls the benchmark template makes.
func benchContext() Vars {
	rel := func(s *State, args *Args) (any, error) {
		name := ToString(args.Pos[len(args.Pos)-1])
		return `"analytics"."dbt"."` + name + `"`, nil
	}
	return Vars{
		"ref":    Func(rel),
		"source": Func(rel),
		"config": Func(func(s *State, args *Args) (any, error) { return "", nil }),
		"var": Func(func(s *State, args *Args) (any, error) {
			if args.Len() > 1 {
				return args.Pos[1], nil
			}
			return nil, nil
		}),
		"is_incremental": Func(func(s *State, args *Args) (any, error) { return false, nil }),
		"target":         map[string]any{"name": "dev", "schema": "dbt"},
	}
}

func benchTemplate(b *testing.B) string {
	src, err := os.ReadFile("testdata/bench/model.sql")
	if err != nil {
		b.Fatal(err)
	}
	return string(src)
}

func BenchmarkParse(b *testing.B) {
	src := benchTemplate(b)
	env := NewEnvironment()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := env.Parse("model.sql", src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	src := benchTemplate(b)
	env := NewEnvironment()
	tmpl, err := env.Parse("model.sql", src)
	if err != nil {
		b.Fatal(err)
	}
	ctx := benchContext()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tmpl.Execute(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRender(b *testing.B) {
	src := benchTemplate(b)
	env := NewEnvironment()
	ctx := benchContext()
	b.ReportAllocs()
	for b.Loop() {
		tmpl, err := env.Parse("model.sql", src)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tmpl.Execute(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
}
