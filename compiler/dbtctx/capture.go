package dbtctx

// CaptureUndefined implements jinja.CaptureUndefined: at parse time an
// undefined name can be called (a macro that does not exist), as dbt's
// parse-time rendering allows; the node fails when it is compiled.
func (c *NodeContext) CaptureUndefined() bool { return c.Phase == Parse }
