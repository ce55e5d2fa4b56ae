package load

import "github.com/mbiload/mbiload/schema"

// PostgreSQL 18 keeps each NOT NULL as a named constraint in
// pg_constraint, named after the table it was made on unless given a
// name ("orders_id_not_null"), and possibly NOT VALID or NO INHERIT. A
// swap builds the new table under a staging name, so each NOT NULL of the
// staging table is named as the published table had it (the owner's name
// and flags kept), or, new, as PostgreSQL names it on a table of the
// target's name. Before 18 the catalog has no such rows (NotNullName is
// ""), and a name given to a column's NOT NULL is accepted and ignored.

// notNullDef returns the column constraint that makes column col of a
// staging table for target NOT NULL, old being the column as the old table
// has it (nil: new). A NOT VALID one cannot be written in a column
// definition: def is then "" and add the ALTER TABLE action that adds it.
func notNullDef(target, col string, old *tableColumn) (def, add string) {
	name := notNullName(target, col)
	if old != nil && old.NotNullName != "" {
		name = old.NotNullName
	}
	noInherit := ""
	if old != nil && old.NotNullNoInherit {
		noInherit = " NO INHERIT"
	}
	if old != nil && old.NotNullName != "" && old.NotNullNotValid {
		return "", "ADD CONSTRAINT " + schema.Quote(name) + " NOT NULL " + schema.Quote(col) + noInherit + " NOT VALID"
	}
	return " CONSTRAINT " + schema.Quote(name) + " NOT NULL" + noInherit, ""
}

// notNullName is the name PostgreSQL 18 gives the NOT NULL constraint of
// column col of table table: makeObjectName(table, col, "not_null"),
// which shortens the longer of the two names, a byte at a time, until the
// whole fits in 63 bytes, never cutting a character.
func notNullName(table, col string) string {
	const label = "not_null"
	avail := 63 - len(label) - 2
	n1, n2 := len(table), len(col)
	for n1+n2 > avail {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	return cutBytes(table, n1) + "_" + cutBytes(col, n2) + "_" + label
}
