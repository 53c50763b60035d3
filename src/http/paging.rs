//! The list contract shared by every collection: `limit`, keyset `cursor`, numbered `page`,
//! `sort` with an `id` tiebreak, `total`, and the RFC 8288 `Link: rel="next"` header.

use actix_web::{http::header, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::deserialize::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::error::ApiError;
use crate::store::sql::{CountRow, Sql, Value};
use crate::store::{DbConnection, MultiBackend};

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 25;
/// Largest page size.
pub const MAX_LIMIT: u32 = 100;
/// Deepest row numbered pages reach (`(page - 1) * limit`); beyond it, page with `cursor`.
pub const MAX_OFFSET: u32 = 10_000;
/// Rows per query when exporting every row.
pub const EXPORT_BATCH: u32 = 500;

/// Paging parameters every list takes.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Rows per page, 1 to 100.
    #[param(minimum = 1, maximum = 100, default = 25)]
    pub limit: Option<u32>,
    /// Opaque keyset cursor from `page.next_cursor` (or the `Link` header) of the previous page.
    /// Stable under concurrent inserts. Not combinable with `page`.
    pub cursor: Option<String>,
    /// 1-based page number for numbered pagination, as long as `(page - 1) * limit` ≤ 10000;
    /// deeper, use `cursor`. Not combinable with `cursor`.
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// `false` skips counting matching rows (`page.total` is then null).
    #[param(default = true)]
    pub count: Option<bool>,
    /// Parsed here, documented by [`FormatParam`] (trainings document it with their own
    /// `format` filter, whose values differ).
    #[param(ignore)]
    pub format: Option<ListFormat>,
}

/// The representation parameter of lists (documentation only; parsed into [`PageParams`]).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatParam {
    /// `csv` answers with every matching row (not one page) as CSV, like `Accept: text/csv`;
    /// the paging parameters are then ignored.
    pub format: Option<ListFormat>,
}

/// Representation of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListFormat {
    /// `{"data": [...], "page": {...}}`
    Json,
    /// every matching row, streamed as CSV with a header row; sets joined with `;`
    Csv,
}

const PAGE_KEYS: [&str; 4] = ["limit", "cursor", "page", "count"];

/// Split a query string into the paging parameters and the rest (a resource's filters),
/// each parsed strictly. `format=json|csv` selects the representation; any other `format`
/// value belongs to the resource (trainings filter by event format).
pub fn parse_query<F: serde::de::DeserializeOwned>(query_string: &str) -> Result<(PageParams, F), ApiError> {
    let mut paging = Vec::new();
    let mut rest = Vec::new();
    for segment in query_string.split('&').filter(|s| !s.is_empty()) {
        let (key, value) = segment.split_once('=').unwrap_or((segment, ""));
        let representation = key == "format" && matches!(value, "json" | "csv");
        if PAGE_KEYS.contains(&key) || representation {
            paging.push(segment);
        } else {
            rest.push(segment);
        }
    }
    let page: PageParams = crate::http::extract::query(&paging.join("&"))?;
    let filters: F = crate::http::extract::query(&rest.join("&")).map_err(|e| match e {
        ApiError::BadRequest { errors, .. } if errors.first().is_some_and(|e| e.field == "format") => {
            ApiError::bad_param("format", "invalid_value", "expected `json` or `csv`")
        }
        other => other,
    })?;
    Ok((page, filters))
}

/// The type of a sortable column, for decoding cursor values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    /// text column
    Text,
    /// timestamp column
    Timestamp,
    /// date column
    Date,
}

/// A field a resource can be sorted by (a non-null column).
#[derive(Debug)]
pub struct SortField {
    /// name in the `sort` parameter
    pub name: &'static str,
    /// SQL column expression
    pub column: &'static str,
    /// column type
    pub kind: SortKind,
}

/// A parsed `sort` parameter.
#[derive(Debug, Clone)]
pub struct Sort {
    fields: Vec<(&'static SortField, bool)>,
    relevance: bool,
}

impl Sort {
    /// Parse `sort` (e.g. `-updated_at,name`) against the allowed fields.
    pub fn parse(param: Option<&str>, allowed: &'static [SortField], default: &str) -> Result<Sort, ApiError> {
        let text = param.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(default);
        Self::parse_fields(text, allowed)
    }

    /// Like [`Sort::parse`], also accepting `relevance` (best full-text match first), which
    /// needs a search query.
    pub fn parse_searchable(
        param: Option<&str>,
        allowed: &'static [SortField],
        default: &str,
        has_query: bool,
    ) -> Result<Sort, ApiError> {
        let text = param.map(str::trim).filter(|s| !s.is_empty()).unwrap_or(default);
        if text != "relevance" {
            return Self::parse_fields(text, allowed);
        }
        if !has_query {
            return Err(ApiError::bad_param(
                "sort",
                "relevance_needs_q",
                "sort=relevance needs a search query `q`",
            ));
        }
        Ok(Sort {
            fields: Vec::new(),
            relevance: true,
        })
    }

    /// Whether this is `sort=relevance`.
    pub fn is_relevance(&self) -> bool {
        self.relevance
    }

    fn parse_fields(text: &str, allowed: &'static [SortField]) -> Result<Sort, ApiError> {
        let mut fields: Vec<(&'static SortField, bool)> = Vec::new();
        for item in text.split(',') {
            let item = item.trim();
            let (name, desc) = match item.strip_prefix('-') {
                Some(name) => (name, true),
                None => (item.strip_prefix('+').unwrap_or(item), false),
            };
            if name == "id" {
                // `id` always ends the sort; asking for it explicitly changes nothing.
                continue;
            }
            let field = allowed.iter().find(|f| f.name == name).ok_or_else(|| {
                let names: Vec<&str> = allowed.iter().map(|f| f.name).collect();
                ApiError::bad_param(
                    "sort",
                    "unknown_sort_field",
                    format!("cannot sort by `{name}`; sortable fields: {}", names.join(", ")),
                )
            })?;
            if fields.iter().any(|(f, _)| f.name == field.name) {
                return Err(ApiError::bad_param(
                    "sort",
                    "duplicate_sort_field",
                    format!("`{name}` appears twice"),
                ));
            }
            fields.push((field, desc));
        }
        Ok(Sort {
            fields,
            relevance: false,
        })
    }

    /// Canonical text of this sort, bound into cursors.
    fn key(&self) -> String {
        if self.relevance {
            return "relevance".into();
        }
        let parts: Vec<String> = self
            .fields
            .iter()
            .map(|(f, desc)| format!("{}{}", if *desc { "-" } else { "" }, f.name))
            .collect();
        parts.join(",")
    }

    /// How many values a cursor of this sort carries.
    fn arity(&self) -> usize {
        if self.relevance {
            1
        } else {
            self.fields.len()
        }
    }

    /// The `id` tiebreak runs in the direction of the last field, so an index on
    /// `(…, field, id)` serves the whole order (forwards or backwards) without a sort.
    fn id_descending(&self) -> bool {
        self.fields.last().is_some_and(|(_, desc)| *desc)
    }

    fn order_by(&self, id_column: &str) -> String {
        let mut parts: Vec<String> = self
            .fields
            .iter()
            .map(|(f, desc)| format!("{} {}", f.column, if *desc { "DESC" } else { "ASC" }))
            .collect();
        parts.push(format!(
            "{id_column} {}",
            if self.id_descending() { "DESC" } else { "ASC" }
        ));
        parts.join(", ")
    }

    /// `(a > $1) OR (a = $1 AND b < $2) OR (a = $1 AND b = $2 AND id > $3)`
    fn after(&self, cursor: &Cursor, id_column: &str) -> Result<Sql, ApiError> {
        let mut columns: Vec<(&str, bool, Value)> = Vec::new();
        for ((field, desc), raw) in self.fields.iter().zip(&cursor.values) {
            columns.push((field.column, *desc, decode_value(field.kind, raw)?));
        }
        columns.push((id_column, self.id_descending(), Value::Text(cursor.id.clone())));
        let mut sql = Sql::new("(");
        for i in 0..columns.len() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("(");
            for (column, _, value) in &columns[..i] {
                sql.push(&format!("{column} = "));
                sql.bind(value.clone());
                sql.push(" AND ");
            }
            let (column, desc, value) = &columns[i];
            sql.push(&format!("{column} {} ", if *desc { "<" } else { ">" }));
            sql.bind(value.clone());
            sql.push(")");
        }
        sql.push(")");
        Ok(sql)
    }
}

fn decode_value(kind: SortKind, raw: &str) -> Result<Value, ApiError> {
    match kind {
        SortKind::Text => Ok(Value::Text(raw.to_string())),
        SortKind::Timestamp => NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f")
            .map(Value::Timestamp)
            .map_err(|_| bad_cursor()),
        SortKind::Date => chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(Value::Date)
            .map_err(|_| bad_cursor()),
    }
}

/// A row's value for a sort field, as stored in a cursor.
pub enum SortValue<'a> {
    /// text
    Text(&'a str),
    /// timestamp
    Timestamp(&'a NaiveDateTime),
    /// date
    Date(&'a chrono::NaiveDate),
}

impl SortValue<'_> {
    fn encode(&self) -> String {
        match self {
            SortValue::Text(t) => t.to_string(),
            SortValue::Timestamp(ts) => ts.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            SortValue::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// Rows that can be listed: they expose their id and their sortable values.
pub trait Listable {
    /// The row's id (the final tiebreak).
    fn id(&self) -> &str;
    /// The row's value of sort field `name`.
    fn sort_value(&self, name: &str) -> SortValue<'_>;
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cursor {
    #[serde(rename = "s")]
    sort: String,
    /// The last row's sort values; for `relevance`, the offset of the next page.
    #[serde(rename = "v")]
    values: Vec<String>,
    id: String,
}

fn bad_cursor() -> ApiError {
    ApiError::bad_param("cursor", "invalid_cursor", "the cursor is not one this API issued")
}

impl Cursor {
    fn decode(text: &str) -> Result<Cursor, ApiError> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| bad_cursor())?;
        serde_json::from_slice(&bytes).map_err(|_| bad_cursor())
    }

    fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }
}

/// A validated list request.
#[derive(Debug)]
pub struct ListRequest {
    /// rows per page
    pub limit: u32,
    cursor: Option<Cursor>,
    page: Option<u32>,
    sort: Sort,
    count: bool,
}

impl ListRequest {
    /// Validate paging parameters together with the resource's sort.
    pub fn new(params: &PageParams, sort: Sort) -> Result<ListRequest, ApiError> {
        let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad_param(
                "limit",
                "out_of_range",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        if params.cursor.is_some() && params.page.is_some() {
            return Err(ApiError::bad_param(
                "page",
                "conflicting_parameters",
                "use either `cursor` or `page`, not both",
            ));
        }
        if let Some(page) = params.page {
            if page == 0 {
                return Err(ApiError::bad_param("page", "out_of_range", "pages are numbered from 1"));
            }
            if (page as u64 - 1) * limit as u64 > MAX_OFFSET as u64 {
                return Err(ApiError::bad_param(
                    "page",
                    "too_deep",
                    format!("numbered pages reach {MAX_OFFSET} rows deep; page further with `cursor`"),
                ));
            }
        }
        let cursor = match &params.cursor {
            Some(text) => {
                let cursor = Cursor::decode(text)?;
                if cursor.sort != sort.key() || cursor.values.len() != sort.arity() {
                    return Err(ApiError::bad_param(
                        "cursor",
                        "cursor_sort_mismatch",
                        "the cursor was issued for another `sort`; keep the same sort while paging",
                    ));
                }
                Some(cursor)
            }
            None => None,
        };
        Ok(ListRequest {
            limit,
            cursor,
            page: params.page,
            sort,
            count: params.count.unwrap_or(true),
        })
    }

    /// A request for exporting every row: large pages, no count.
    pub fn export(sort: Sort) -> ListRequest {
        ListRequest {
            limit: EXPORT_BATCH,
            cursor: None,
            page: None,
            sort,
            count: false,
        }
    }

    /// Move past the page `listed`; false when it was the last.
    pub fn advance<R>(&mut self, listed: &Listed<R>) -> Result<bool, ApiError> {
        match &listed.page.next_cursor {
            Some(next) => {
                self.cursor = Some(Cursor::decode(next)?);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// The `page` object of a list response.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageInfo {
    /// Rows per page.
    pub limit: u32,
    /// Cursor of the next page, null on the last page.
    pub next_cursor: Option<String>,
    /// All matching rows (null when `count=false`).
    pub total: Option<i64>,
}

/// One page of rows.
pub struct Listed<R> {
    /// the rows
    pub rows: Vec<R>,
    /// the `page` object
    pub page: PageInfo,
    next_page: Option<u32>,
}

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
                    .map(|(f, _)| last.sort_value(f.name).encode())
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

impl<R> Listed<R> {
    /// Convert the rows (e.g. attach their sets), keeping the page.
    pub fn try_map<T, E>(self, f: impl FnOnce(Vec<R>) -> Result<Vec<T>, E>) -> Result<Listed<T>, E> {
        Ok(Listed {
            rows: f(self.rows)?,
            page: self.page,
            next_page: self.next_page,
        })
    }
}

#[derive(Serialize)]
struct ListBody<'a, T> {
    data: &'a [T],
    page: &'a PageInfo,
}

/// The JSON response of a list, with `Link: <…>; rel="next"` when there is a next page.
pub fn respond<T: Serialize>(req: &HttpRequest, listed: Listed<T>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    let next = match (listed.next_page, &listed.page.next_cursor) {
        (Some(page), _) => Some(("page", page.to_string())),
        (None, Some(cursor)) => Some(("cursor", cursor.clone())),
        (None, None) => None,
    };
    if let Some((key, value)) = next {
        response.insert_header((header::LINK, format!("<{}>; rel=\"next\"", next_url(req, key, &value))));
    }
    response.json(ListBody {
        data: &listed.rows,
        page: &listed.page,
    })
}

fn next_url(req: &HttpRequest, key: &str, value: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(req.query_string().as_bytes()) {
        if k != "cursor" && k != "page" {
            query.append_pair(&k, &v);
        }
    }
    query.append_pair(key, value);
    let info = req.connection_info();
    format!("{}://{}{}?{}", info.scheme(), info.host(), req.path(), query.finish())
}
