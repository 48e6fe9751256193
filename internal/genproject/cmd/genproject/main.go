// Command genproject writes a synthetic dbt project for benchmarks.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gdbt/gdbt/internal/genproject"
)

func main() {
	models := flag.Int("models", 10000, "number of models")
	tests := flag.Int("tests", 1, "generic tests per model (0-2)")
	views := flag.Bool("views", false, "materialize every model as a view")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: genproject [-models N] [-tests N] [-views] DIR")
		os.Exit(2)
	}
	if err := genproject.Write(flag.Arg(0), genproject.Options{Models: *models, TestsPerModel: *tests, Views: *views}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
