//! The SQL of one page: filters, keyset predicate or relevance order, `LIMIT n+1`, and the
//! total (counted up to [`TOTAL_CAP`]) in the same statement.

use diesel::deserialize::{self, QueryableByName};
use diesel::row::NamedRow;
use diesel::sql_types::{BigInt, Nullable};

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
    /// plan the statement for its values each time rather than keep it prepared (a large
    /// table, see [`crate::store::size`])
    pub plan_for_values: bool,
}

/// How to order by full-text relevance: an optional join that computes the score once per
/// query, the score of a row, and which way is best.
pub struct Relevance {
    /// e.g. `JOIN (SELECT rowid, bm25(…) … MATCH $1) f ON …`
    pub join: Option<Sql>,
    /// the score, e.g. `f.rank` or `ts_rank(i.search, …)`
    pub score: Sql,
    /// `DESC` when a higher score is better, `ASC` when lower is (SQLite's bm25)
    pub best_first: &'static str,
}

/// Totals are exact up to this many matching rows; above, `page.total` is this number and
/// `page.total_exact` false, so counting stays bounded at any size (a count reads every match).
pub const TOTAL_CAP: i64 = 10_000;

/// A page's row with the total of the query, computed once (an uncorrelated scalar subquery).
struct Counted<R> {
    row: R,
    total: Option<i64>,
}

impl<R: QueryableByName<MultiBackend>> QueryableByName<MultiBackend> for Counted<R> {
    fn build<'a>(row: &impl NamedRow<'a, MultiBackend>) -> deserialize::Result<Self> {
        Ok(Counted {
            row: R::build(row)?,
            total: NamedRow::get::<Nullable<BigInt>, Option<i64>>(row, "total")?,
        })
    }
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
            plan_for_values: false,
        }
    }

    fn where_clause(&self, extra: Option<Sql>) -> Sql {
        Sql::where_all(self.filters.iter().chain(extra.as_ref()))
    }

    /// `(SELECT count(*) FROM (SELECT 1 FROM … WHERE … LIMIT cap + 1) m)`: matching rows, up to
    /// one more than the cap.
    fn total(&self, cap: i64) -> Sql {
        let mut count = Sql::new(&format!("(SELECT count(*) FROM (SELECT 1 FROM {}", self.from));
        count.append(&self.where_clause(None));
        count.push(" LIMIT ");
        count.bind(Value::Int(cap + 1));
        count.push(") m)");
        count
    }

    /// The page by keyset (or `page=`): `SELECT … [, total] FROM … WHERE … ORDER BY … LIMIT n+1`.
    /// `keys_first` (see [`ListQuery::run`] for when): the page's keys are found first and its
    /// rows read by key after,
    /// `SELECT … FROM t JOIN (SELECT key FROM t WHERE … ORDER BY … LIMIT n+1) page ON …`. On a
    /// large PostgreSQL table, finding them can then be an index-only scan in the page's order
    /// that stops at its last row (the default orders' indexes carry the columns conditions
    /// read: see the `ordered_pages` migration) instead of reading every row it passes over;
    /// on SQLite, the rows a subquery gathered are sorted as keys, not documents. (On a small
    /// PostgreSQL table the planner gathers the matches through the `facets` index either
    /// way, and an unfiltered page reads no row it does not return: there, the join would
    /// only add 51 lookups by key.)
    fn keyset(&self, request: &ListRequest, keys_first: bool) -> Result<(Sql, i64), ApiError> {
        let mut sql = Sql::new(&format!("SELECT {}", self.select));
        if request.count {
            sql.push(", ");
            sql.append(&self.total(request.count_cap));
            sql.push(" AS total");
        }
        sql.push(&format!(" FROM {}", self.from));
        let keyset = match &request.cursor {
            Some(cursor) => Some(request.sort.after(cursor, self.id_column)?),
            None => None,
        };
        let order = format!(" ORDER BY {}", request.sort.order_by(self.id_column));
        let offset = request.page.map_or(0, |page| (page as i64 - 1) * request.limit as i64);
        if keys_first {
            sql.push(&format!(
                " JOIN (SELECT {} AS page_key FROM {}",
                self.id_column, self.from
            ));
        }
        sql.append(&self.where_clause(keyset));
        sql.push(&order);
        Self::limit(&mut sql, request, offset);
        if keys_first {
            sql.push(&format!(") page ON {} = page.page_key{order}", self.id_column));
        }
        Ok((sql, offset))
    }

    /// The page best match first. Relevance scores move as the corpus changes, so this order
    /// pages by offset (kept in the cursor). Every match is scored once, in a materialised
    /// `hits` table that also gives the total; only the page's rows are read for their
    /// columns:
    /// `WITH hits AS MATERIALIZED (SELECT key, score FROM … WHERE … LIMIT cap + 1)
    ///  SELECT …, (SELECT count(*) FROM hits) FROM (top n+1 of hits) page JOIN … ORDER BY score`.
    /// Like the total, the ranking stops at the cap: a query matching more than
    /// [`TOTAL_CAP`] records ranks the first cap + 1 matches the index yields and lists the
    /// best cap of them (`total` the cap, `total_exact` false), so a search scores at most
    /// that many rows at any size (two common words matched 400,639 of 2 million
    /// initiatives: scoring them all took about a second).
    fn ranked(&self, request: &ListRequest) -> Result<(Sql, i64), ApiError> {
        let relevance = self.relevance.as_ref().ok_or_else(|| {
            ApiError::bad_param("sort", "relevance_needs_q", "sort=relevance needs a search query `q`")
        })?;
        let offset = match (&request.cursor, request.page) {
            (Some(cursor), _) => cursor.values[0].parse::<i64>().map_err(|_| bad_cursor())?,
            (None, Some(page)) => (page as i64 - 1) * request.limit as i64,
            (None, None) => 0,
        };
        let best = relevance.best_first;
        let mut sql = Sql::new(&format!(
            "WITH hits AS MATERIALIZED (SELECT {} AS hit_key, ",
            self.id_column
        ));
        sql.append(&relevance.score);
        sql.push(&format!(" AS hit_score FROM {}", self.from));
        if let Some(join) = &relevance.join {
            sql.push(" ");
            sql.append(join);
        }
        sql.append(&self.where_clause(None));
        sql.push(" LIMIT ");
        sql.bind(Value::Int(request.count_cap + 1));
        sql.push(&format!(") SELECT {}", self.select));
        if request.count {
            sql.push(", (SELECT count(*) FROM hits) AS total");
        }
        sql.push(&format!(
            " FROM (SELECT hit_key, hit_score FROM hits ORDER BY hit_score {best}, hit_key ASC"
        ));
        Self::limit(&mut sql, request, offset);
        sql.push(&format!(
            ") page JOIN {} ON {} = page.hit_key ORDER BY page.hit_score {best}, page.hit_key ASC",
            self.from, self.id_column
        ));
        Ok((sql, offset))
    }

    /// ` LIMIT n+1 [OFFSET o]`
    fn limit(sql: &mut Sql, request: &ListRequest, offset: i64) {
        sql.push(" LIMIT ");
        sql.bind(Value::Int(request.limit as i64 + 1));
        if offset > 0 {
            sql.push(" OFFSET ");
            sql.bind(Value::Int(offset));
        }
    }

    /// Fetch one page: one statement, its rows carrying the total unless `count=false`. (A
    /// page without rows past the first has no row to carry it: the total is then counted
    /// apart.)
    pub fn run<R>(&self, conn: &mut DbConnection, request: &ListRequest) -> Result<Listed<R>, ApiError>
    where
        R: QueryableByName<MultiBackend> + Listable + 'static,
    {
        // Conditions on a large table: plan for the values, and find the keys first. On
        // SQLite, a condition that gathers its rows through a subquery's list (set filters,
        // full text) makes the page sort what it found: sorting keys rather than documents
        // and reading the page's documents by key after took B's statement from 0.54 to 0.41
        // ms; on a condition an index walks in the page's order, it would only add lookups.
        let for_values = self.plan_for_values && !self.filters.is_empty();
        let keys_first = match conn {
            DbConnection::Postgresql(_) => for_values,
            DbConnection::Sqlite(_) => self.filters.iter().any(Sql::gathered_on_sqlite),
        };
        let (mut sql, offset) = if request.sort.relevance {
            self.ranked(request)?
        } else {
            self.keyset(request, keys_first)?
        };
        if for_values {
            sql.once();
        }
        let (mut rows, total): (Vec<R>, Option<i64>) = if request.count {
            let counted: Vec<Counted<R>> = sql.load(conn)?;
            let total = match counted.first() {
                Some(first) => first.total,
                None if offset == 0 && request.cursor.is_none() => Some(0),
                None => {
                    let mut count = Sql::new("SELECT ");
                    count.append(&self.total(request.count_cap));
                    count.push(" AS count");
                    count.load::<CountRow>(conn)?.first().map(|r| r.count)
                }
            };
            (counted.into_iter().map(|c| c.row).collect(), total)
        } else {
            (sql.load(conn)?, None)
        };
        if request.sort.relevance {
            // The ranking lists no more than the cap: the match past it only says there are more.
            rows.truncate(usize::try_from(request.count_cap - offset).unwrap_or(0));
        }
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
                total: total.map(|t| t.min(request.count_cap)),
                total_exact: total.is_some_and(|t| t <= request.count_cap),
            },
            next_page,
        })
    }
}
