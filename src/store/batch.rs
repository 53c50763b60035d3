//! The data-modifying statements of one write, sent together: on PostgreSQL as one statement
//! (every statement but the last a `WITH` part; one round trip instead of one per table), on
//! SQLite one after another (in-process, a statement costs no round trip there).
//!
//! The parts of one PostgreSQL statement run on one snapshot and in no set order: a batch
//! must not hold two statements where one needs the other's effect (a `DELETE` of rows an
//! `INSERT` in the same batch would collide with belongs in an earlier batch).

use diesel::QueryResult;

use super::sql::{Sql, Value};
use super::DbConnection;

/// Bound values per statement: under SQLite's (32,766) and PostgreSQL's (65,535) limits.
const MAX_BINDS: usize = 30_000;

/// Insert many rows with multi-row `INSERT`s (valid SQL on both backends), in chunks that
/// stay under SQLite's and PostgreSQL's bound-parameter limits.
pub fn insert_rows(conn: &mut DbConnection, table: &str, columns: &[&str], rows: Vec<Vec<Value>>) -> QueryResult<()> {
    let mut batch = Batch::default();
    batch.insert(table, columns, rows);
    batch.execute(conn)
}

/// Statements to run together; see the module documentation.
#[derive(Default)]
pub struct Batch {
    statements: Vec<Sql>,
}

impl Batch {
    /// Add a statement.
    pub fn push(&mut self, sql: Sql) {
        self.statements.push(sql);
    }

    /// Add multi-row `INSERT`s of `rows` into `table` (valid SQL on both backends), in
    /// chunks that stay under the bound-parameter limits.
    pub fn insert(&mut self, table: &str, columns: &[&str], rows: Vec<Vec<Value>>) {
        let per_chunk = (MAX_BINDS / columns.len().max(1)).max(1);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut sql = Sql::new(&format!("INSERT INTO {table} ({}) VALUES ", columns.join(", ")));
            let mut count = 0;
            for (i, row) in rows.by_ref().take(per_chunk).enumerate() {
                sql.push(if i == 0 { "" } else { ", " });
                sql.bind_list(row);
                count += 1;
            }
            // The few-row inserts of single writes are kept prepared; bulk ones are not.
            if count > 8 {
                sql.once();
            }
            self.push(sql);
        }
    }

    /// Run the statements: on PostgreSQL as few statements as the bind limit allows.
    pub fn execute(self, conn: &mut DbConnection) -> QueryResult<()> {
        if !conn.is_postgres() {
            for sql in self.statements {
                sql.execute(conn)?;
            }
            return Ok(());
        }
        let mut group: Vec<Sql> = Vec::new();
        let mut binds = 0;
        for sql in self.statements {
            let n = sql.binds();
            if !group.is_empty() && binds + n > MAX_BINDS {
                combined(std::mem::take(&mut group)).execute(conn)?;
                binds = 0;
            }
            group.push(sql);
            binds += n;
        }
        if !group.is_empty() {
            combined(group).execute(conn)?;
        }
        Ok(())
    }
}

/// `WITH w0 AS (s0), w1 AS (s1), … sN`: one PostgreSQL statement of several.
fn combined(mut statements: Vec<Sql>) -> Sql {
    let Some(last) = statements.pop() else {
        return Sql::default();
    };
    if statements.is_empty() {
        return last;
    }
    let mut sql = Sql::new("WITH ");
    for (i, statement) in statements.iter().enumerate() {
        sql.push(&format!("{}w{i} AS (", if i == 0 { "" } else { ", " }));
        sql.append(statement);
        sql.push(")");
    }
    sql.push(" ");
    sql.append(&last);
    sql
}
