// Package magentogen generates a Magento-like data warehouse deterministically,
// for the Export API simulator, for benchmarks that need big inputs and for
// tests that need to know the expected value of any cell.
//
// [Warehouse] returns the tables of a warehouse at a scale (the number of
// sales_order rows) and a seed: sales_order, sales_order_item,
// customer_entity, catalog_product_entity and the hostile
// "orders_~_line_items-mps". Their column metadata is in the Export API's
// shape and mixes the platform's type names ("Integer", "Decimal Number",
// "Date & Time", ...) with source-database names ("int(10) unsigned",
// "decimal(20,4)", "json", ...), and includes the hostile column names real
// warehouses have ("Customer's lifetime revenue", "Variant ID [pk]", a name
// with a trailing space, two names equal after snake-casing, ...).
//
// # Determinism
//
// Every row is computed on its own from a hash of the seed, the table and the
// row number, so [Table.Row] gives any row without generating the others and
// the same (scale, seed) gives byte-identical CSV on any machine: generation
// uses integer arithmetic only (no floating-point arithmetic whose rounding
// could differ between architectures) and no map iteration. A different seed
// gives different values with the same metadata and row counts, which is how
// the simulator stands for a warehouse that was updated overnight.
//
// # Streaming
//
// [Table.WriteCSV] and [Table.WriteZip] stream: they hold one row and a write
// buffer of about 1 MiB, never the table, so a 10-million-row table costs no
// more memory than a 10-row one. The CSV is RFC 4180 with LF line ends; NULL
// is an empty unquoted field and an empty string is "".
//
// # Values
//
// Foreign keys stay within the range of the table they point to
// (sales_order_item.order_id is a sales_order entity_id, customer ids are
// customer_entity ids, product ids are catalog_product_entity ids), and a
// sales order's grand_total is its subtotal plus tax and shipping plus its
// (negative) discount, with created_at rising with entity_id across 2019-2025,
// so a report of revenue by month looks plausible. A small fraction of rows
// carries the expensive variety: text with commas, doubled quotes, LF and CRLF
// line breaks, HTML, accents, CJK and emoji, JSON documents, empty strings.
package magentogen
