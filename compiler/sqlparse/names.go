package sqlparse

import "strings"

// commandTag names a utility statement the way Postgres' command tags do
// ("DROP TABLE", "GRANT", "BEGIN"). attrs holds the statement's enum and
// flag fields that change the tag. Statements we have no rule for fall back
// to their node name split into words: AlterTableStmt -> "ALTER TABLE".
func commandTag(typ string, attrs map[string]string) string {
	obj := func(key string) string {
		v := strings.TrimPrefix(attrs[key], "OBJECT_")
		switch v {
		case "MATVIEW":
			return "MATERIALIZED VIEW"
		case "":
			return ""
		}
		return strings.ReplaceAll(v, "_", " ")
	}
	switch typ {
	case "DropStmt":
		if o := obj("removeType"); o != "" {
			return "DROP " + o
		}
		return "DROP"
	case "AlterTableStmt":
		if o := obj("objtype"); o != "" {
			return "ALTER " + o
		}
		return "ALTER TABLE"
	case "RenameStmt", "AlterObjectSchemaStmt", "AlterOwnerStmt":
		if o := obj("renameType"); o != "" {
			return "ALTER " + o
		}
		if o := obj("objectType"); o != "" {
			return "ALTER " + o
		}
		return "ALTER"
	case "IndexStmt":
		return "CREATE INDEX"
	case "GrantStmt":
		if attrs["is_grant"] == "true" {
			return "GRANT"
		}
		return "REVOKE"
	case "GrantRoleStmt":
		return "GRANT ROLE"
	case "VacuumStmt":
		if attrs["is_vacuumcmd"] == "true" {
			return "VACUUM"
		}
		return "ANALYZE"
	case "VariableSetStmt":
		if strings.HasPrefix(attrs["kind"], "VAR_RESET") {
			return "RESET"
		}
		return "SET"
	case "VariableShowStmt":
		return "SHOW"
	case "TransactionStmt":
		switch attrs["kind"] {
		case "TRANS_STMT_BEGIN":
			return "BEGIN"
		case "TRANS_STMT_START":
			return "START TRANSACTION"
		case "TRANS_STMT_COMMIT":
			return "COMMIT"
		case "TRANS_STMT_ROLLBACK", "TRANS_STMT_ROLLBACK_TO":
			return "ROLLBACK"
		case "TRANS_STMT_SAVEPOINT":
			return "SAVEPOINT"
		case "TRANS_STMT_RELEASE":
			return "RELEASE"
		case "TRANS_STMT_PREPARE":
			return "PREPARE TRANSACTION"
		case "TRANS_STMT_COMMIT_PREPARED":
			return "COMMIT PREPARED"
		case "TRANS_STMT_ROLLBACK_PREPARED":
			return "ROLLBACK PREPARED"
		}
		return "BEGIN"
	case "CreateSchemaStmt":
		return "CREATE SCHEMA"
	case "CreateFunctionStmt":
		return "CREATE FUNCTION"
	case "CreateSeqStmt":
		return "CREATE SEQUENCE"
	case "CreateExtensionStmt":
		return "CREATE EXTENSION"
	case "TruncateStmt":
		return "TRUNCATE TABLE"
	case "CommentStmt":
		return "COMMENT"
	case "DoStmt":
		return "DO"
	case "ExplainStmt":
		return "EXPLAIN"
	case "RefreshMatViewStmt":
		return "REFRESH MATERIALIZED VIEW"
	case "LockStmt":
		return "LOCK TABLE"
	case "CallStmt":
		return "CALL"
	}
	return splitCamel(strings.TrimSuffix(typ, "Stmt"))
}

// splitCamel turns "CreateRoleStmt"-style names into "CREATE ROLE".
func splitCamel(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i > 0 && c >= 'A' && c <= 'Z' && s[i-1] >= 'a' && s[i-1] <= 'z' {
			b.WriteByte(' ')
		}
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
