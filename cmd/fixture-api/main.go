// Command fixture-api serves fixtures/showcase/api/<resource>.json as a
// paginated JSON API with bearer auth, for `just demo` and manual testing of
// `gdbt load`. See runtime/extract/fixtureapi and docs/load-spec.md.
//
//	fixture-api -addr 127.0.0.1:8765 -data fixtures/showcase/api -token secret
//	fixture-api -fail-500 2 -throttle-429 1 -retry-after 1s -malformed-page 3
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gdbt/gdbt/runtime/extract/fixtureapi"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fixture-api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		addr      = fs.String("addr", "127.0.0.1:8765", "listen address")
		data      = fs.String("data", "fixtures/showcase/api", "directory of <resource>.json files")
		token     = fs.String("token", os.Getenv("SHOWCASE_API_TOKEN"), "required bearer token (default $SHOWCASE_API_TOKEN; empty disables auth)")
		pageSize  = fs.Int("page-size", 100, "default per_page")
		rate      = fs.Float64("rate", 0, "rate limit in requests/second (0: none); excess requests get 429")
		fail500   = fs.Int("fail-500", 0, "answer the first N requests with 500")
		thr429    = fs.Int("throttle-429", 0, "answer the N requests after those with 429")
		retryAft  = fs.Duration("retry-after", time.Second, "Retry-After sent with injected 429s")
		retryDate = fs.Bool("retry-after-date", false, "send Retry-After as an HTTP date")
		malformed = fs.Int("malformed-page", 0, "answer page K with malformed JSON")
		malTimes  = fs.Int("malformed-times", 1, "... this many times")
		slowPages = fs.String("slow-pages", "", "comma-separated pages that answer slowly")
		slowDelay = fs.Duration("slow-delay", 2*time.Second, "delay of slow pages")
		quiet     = fs.Bool("q", false, "do not log requests")
	)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var slow []int
	for _, p := range strings.Split(*slowPages, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "fixture-api: -slow-pages: expected page numbers like 2,3, found %q\n", p)
			return 2
		}
		slow = append(slow, n)
	}
	cfg := fixtureapi.Config{
		DataDir: *data, Token: *token, PageSize: *pageSize, RateLimit: *rate,
		Faults: fixtureapi.Faults{
			Fail500: *fail500, Throttle429: *thr429, RetryAfter: *retryAft, RetryAfterDate: *retryDate,
			MalformedPage: *malformed, MalformedTimes: *malTimes, SlowPages: slow, SlowDelay: *slowDelay,
		},
	}
	if !*quiet {
		cfg.Log = stderr
	}
	h, err := fixtureapi.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "fixture-api:", err)
		return 1
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "fixture-api:", err)
		return 1
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "fixture-api listening on http://%s (data %s, auth %v)\n", ln.Addr(), *data, *token != "")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = srv.Shutdown(sctx)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(stderr, "fixture-api:", err)
		return 1
	}
	return 0
}
