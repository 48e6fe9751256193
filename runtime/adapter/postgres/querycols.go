package postgres

import "context"

// QueryColumn is one result column of a query: its name and the type
// OID the server described it with.
type QueryColumn struct {
	Name string
	OID  uint32
}

// QueryColumns runs sql and returns the columns of its last result (dbt's
// get_column_schema_from_query reads the cursor description).
func (c *Conn) QueryColumns(ctx context.Context, sql string) ([]QueryColumn, error) {
	res, err := c.run(ctx, sql)
	if err != nil {
		return nil, err
	}
	out := make([]QueryColumn, len(res.FieldDescriptions))
	for i, f := range res.FieldDescriptions {
		out[i] = QueryColumn{Name: f.Name, OID: f.DataTypeOID}
	}
	return out, nil
}
