//! The SQL of one page: filters, keyset predicate or relevance order, `LIMIT n+1`, count.

use diesel::deserialize::QueryableByName;

use super::sort::{bad_cursor, Cursor};
use super::{ListRequest, Listable, Listed, PageInfo};
use crate::http::error::ApiError;
use crate::store::sql::{CountRow, Sql, Value};
use crate::store::{DbConnection, MultiBackend};

/// The parts of a list query: `FROM` clause, id column, filters (ANDed), and for
/// `sort=relevance` the ordering expression.
pub struct ListQuery<'a> {
    /// the selected columns, e.g. `c.*`
    pub select: &'a str,
    /// e.g. `coalitions c`
    pub from: &'a str,
    /// e.g. `c.id`
    pub id_column: &'a str,
    /// conditions, each a complete boolean expression
    pub filters: Vec<Sql>,
    /// best match first, for `sort=relevance`
    pub relevance: Option<Relevance>,
}

/// How to order by full-text relevance: an optional join that computes the score once per
/// query, and the ordering expression.
pub struct Relevance {
    /// e.g. `JOIN (SELECT rowid, bm25(…) … MATCH $1) f ON …`
    pub join: Option<Sql>,
    /// best first, e.g. `f.rank ASC`
    pub order: Sql,
}

impl ListQuery<'_> {
    /// A query over `from` with these filters and no relevance order.
    pub fn new<'a>(select: &'a str, from: &'a str, id_column: &'a str, filters: Vec<Sql>) -> ListQuery<'a> {
        ListQuery {
            select,
            from,
            id_column,
            filters,
            relevance: None,
        }
    }

    fn where_clause(&self, extra: Option<Sql>) -> Sql {
        Sql::where_all(self.filters.iter().chain(extra.as_ref()))
    }

    fn total(&self, conn: &mut DbConnection, request: &ListRequest) -> Result<Option<i64>, ApiError> {
        if !request.count {
            return Ok(None);
        }
        let mut count = Sql::new(&format!("SELECT count(*) AS count FROM {}", self.from));
        count.append(&self.where_clause(None));
        Ok(count.load::<CountRow>(conn)?.first().map(|r| r.count))
    }

    /// Fetch one page: one query for the rows, plus one for the total unless skipped.
    pub fn run<R>(&self, conn: &mut DbConnection, request: &ListRequest) -> Result<Listed<R>, ApiError>
    where
        R: QueryableByName<MultiBackend> + Listable + 'static,
    {
        let mut sql = Sql::new(&format!("SELECT {} FROM {}", self.select, self.from));
        // Relevance scores move as the corpus changes, so that order pages by offset (kept in
        // the cursor); every other order pages by keyset.
        let offset = if request.sort.relevance {
            let order = self.relevance.as_ref().ok_or_else(|| {
                ApiError::bad_param("sort", "relevance_needs_q", "sort=relevance needs a search query `q`")
            })?;
            if let Some(join) = &order.join {
                sql.push(" ");
                sql.append(join);
            }
            sql.append(&self.where_clause(None));
            sql.push(" ORDER BY ");
            sql.append(&order.order);
            sql.push(&format!(", {} ASC", self.id_column));
            match (&request.cursor, request.page) {
                (Some(cursor), _) => cursor.values[0].parse::<i64>().map_err(|_| bad_cursor())?,
                (None, Some(page)) => (page as i64 - 1) * request.limit as i64,
                (None, None) => 0,
            }
        } else {
            let keyset = match &request.cursor {
                Some(cursor) => Some(request.sort.after(cursor, self.id_column)?),
                None => None,
            };
            sql.append(&self.where_clause(keyset));
            sql.push(&format!(" ORDER BY {}", request.sort.order_by(self.id_column)));
            request.page.map_or(0, |page| (page as i64 - 1) * request.limit as i64)
        };
        sql.push(" LIMIT ");
        sql.bind(Value::Int(request.limit as i64 + 1));
        if offset > 0 {
            sql.push(" OFFSET ");
            sql.bind(Value::Int(offset));
        }
        let mut rows: Vec<R> = sql.load(conn)?;
        let has_more = rows.len() > request.limit as usize;
        rows.truncate(request.limit as usize);
        let next_cursor = match rows.last() {
            Some(_) if has_more && request.sort.relevance => Some(Cursor {
                sort: "relevance".into(),
                values: vec![(offset + request.limit as i64).to_string()],
                id: String::new(),
            }),
            Some(last) if has_more => Some(Cursor {
                sort: request.sort.key(),
                values: request
                    .sort
                    .fields
                    .iter()
                    .map(|(f, _)| last.sort_value(f).encode())
                    .collect(),
                id: last.id().to_string(),
            }),
            _ => None,
        };
        let next_page = match request.page {
            Some(page) if has_more => Some(page + 1),
            _ => None,
        };
        Ok(Listed {
            rows,
            page: PageInfo {
                limit: request.limit,
                next_cursor: next_cursor.map(|c| c.encode()),
                total: self.total(conn, request)?,
            },
            next_page,
        })
    }
}
