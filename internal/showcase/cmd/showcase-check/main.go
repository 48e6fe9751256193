// Command showcase-check verifies the showcase marts (used by just demo).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/jackc/pgx/v5"

	"github.com/gdbt/gdbt/internal/showcase"
)

func main() {
	db := flag.String("db", "", "database URL")
	expected := flag.String("expected", "fixtures/showcase/expected.json", "expected figures")
	flag.Parse()
	ctx := context.Background()
	e, err := showcase.LoadExpected(*expected)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	conn, err := pgx.Connect(ctx, *db)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer conn.Close(ctx)
	problems, err := showcase.Verify(ctx, conn, e)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for _, p := range problems {
		fmt.Println("MISMATCH", p)
	}
	if len(problems) > 0 {
		os.Exit(1)
	}
	fmt.Printf("showcase: %d of %d checks match the figures computed from the fixture files\n", len(e.Checks), len(e.Checks))
}
