package postgres

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"
)

// cleanupTimeout bounds rollbacks and drops run after the run's context is
// gone (Ctrl-C), so leftovers are removed without hanging.
const cleanupTimeout = 10 * time.Second

// cache knows, per schema, which relations exist. A schema is read with
// one catalog query the first time it is asked about; materializations
// then keep it current. Keys are lower-cased, as dbt's cache does.
type cache struct {
	mu      sync.Mutex
	schemas map[string]*schemaEntry
}

type schemaEntry struct {
	name   string
	exists bool
	rels   map[string]cachedRel
	ready  chan struct{} // closed once loaded
	err    error
}

type cachedRel struct{ name, typ string }

func newCache() *cache { return &cache{schemas: map[string]*schemaEntry{}} }

func key(s string) string { return strings.ToLower(s) }

// load reads every schema in schemas not yet cached, in one query.
func (c *cache) load(ctx context.Context, a *Adapter, schemas []string) error {
	c.mu.Lock()
	var todo []*schemaEntry
	var wait []*schemaEntry
	for _, s := range schemas {
		e, ok := c.schemas[key(s)]
		if ok {
			wait = append(wait, e)
			continue
		}
		e = &schemaEntry{name: s, rels: map[string]cachedRel{}, ready: make(chan struct{})}
		c.schemas[key(s)] = e
		todo = append(todo, e)
	}
	c.mu.Unlock()
	if len(todo) > 0 {
		err := c.fetch(ctx, a, todo)
		c.mu.Lock()
		for _, e := range todo {
			e.err = err
			if err != nil {
				delete(c.schemas, key(e.name)) // retry next time
			}
			close(e.ready)
		}
		c.mu.Unlock()
		if err != nil {
			return err
		}
	}
	for _, e := range wait {
		select {
		case <-e.ready:
			if e.err != nil {
				return e.err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (c *cache) fetch(ctx context.Context, a *Adapter, entries []*schemaEntry) error {
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = Literal(e.name)
	}
	list := strings.Join(names, ", ")
	sql := `select n.nspname, c.relname, case c.relkind when 'v' then 'view' when 'm' then 'materialized_view' else 'table' end
from pg_namespace n left join pg_class c on c.relnamespace = n.oid and c.relkind in ('r', 'p', 'v', 'm', 'f')
where n.nspname in (` + list + `)`
	var t [][]any
	err := a.withConn(ctx, func(cn *Conn) error {
		_, tbl, err := cn.Query(ctx, sql)
		if err == nil {
			t = tbl.Rows
		}
		return err
	})
	if err != nil {
		return err
	}
	byName := map[string]*schemaEntry{}
	for _, e := range entries {
		byName[e.name] = e
	}
	for _, r := range t {
		e := byName[r[0].(string)]
		if e == nil {
			continue
		}
		e.exists = true
		if name, ok := r[1].(string); ok {
			e.rels[key(name)] = cachedRel{name: name, typ: r[2].(string)}
		}
	}
	return nil
}

func (c *cache) entry(ctx context.Context, a *Adapter, schema string) (*schemaEntry, error) {
	if err := c.load(ctx, a, []string{schema}); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.schemas[key(schema)], nil
}

func (c *cache) lookup(ctx context.Context, a *Adapter, schema, name string) (string, bool, error) {
	e, err := c.entry(ctx, a, schema)
	if err != nil || e == nil {
		return "", false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := e.rels[key(name)]
	return r.typ, ok, nil
}

func (c *cache) list(ctx context.Context, a *Adapter, schema string) ([]cachedRel, error) {
	e, err := c.entry(ctx, a, schema)
	if err != nil || e == nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]cachedRel, 0, len(e.rels))
	for _, r := range e.rels {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// schemaKnown reports whether schema is cached and, if so, whether it exists.
func (c *cache) schemaKnown(schema string) (known, exists bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.schemas[key(schema)]
	if !ok {
		return false, false, nil
	}
	select {
	case <-e.ready:
	default:
		return false, false, nil
	}
	return true, e.exists, e.err
}

// loaded returns the entry if it is cached and loaded (callers hold mu).
func (c *cache) loaded(schema string) *schemaEntry {
	e, ok := c.schemas[key(schema)]
	if !ok {
		return nil
	}
	select {
	case <-e.ready:
		if e.err == nil {
			return e
		}
	default:
	}
	return nil
}

func (c *cache) add(schema, name, typ string) {
	if schema == "" {
		return // temporary
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.loaded(schema); e != nil {
		e.exists = true
		e.rels[key(name)] = cachedRel{name: name, typ: typ}
	}
}

func (c *cache) remove(schema, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.loaded(schema); e != nil {
		delete(e.rels, key(name))
	}
}

func (c *cache) addSchema(schema string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.loaded(schema); e != nil {
		e.exists = true
		return
	}
	// Not cached: it may have existed with relations; the next lookup
	// reads it.
}

func (c *cache) dropSchema(schema string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.loaded(schema); e != nil {
		e.exists = false
		e.rels = map[string]cachedRel{}
	}
}

func (c *cache) forget(schema string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.loaded(schema); e != nil {
		delete(c.schemas, key(schema))
	}
}
