//! The list contract shared by every collection: `limit`, keyset `cursor`, numbered `page`,
//! `sort` with an `id` tiebreak, `total`, and the RFC 8288 `Link: rel="next"` header.

use actix_web::{http::header, HttpRequest, HttpResponse};
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::deserialize::QueryableByName;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::sql::{CountRow, Sql, Value};
use crate::db::{DbConnection, MultiBackend};
use crate::error::ApiError;

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 25;
/// Largest page size.
pub const MAX_LIMIT: u32 = 100;
/// Deepest row numbered pages reach (`(page - 1) * limit`); beyond it, page with `cursor`.
pub const MAX_OFFSET: u32 = 10_000;

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
}

const PAGE_KEYS: [&str; 4] = ["limit", "cursor", "page", "count"];

/// Split a query string into the paging parameters and the rest (a resource's filters),
/// each parsed strictly.
pub fn parse_query<F: serde::de::DeserializeOwned>(
    query_string: &str,
) -> Result<(PageParams, F), ApiError> {
    let mut paging = Vec::new();
    let mut rest = Vec::new();
    for segment in query_string.split('&').filter(|s| !s.is_empty()) {
        let key = segment.split('=').next().unwrap_or("");
        if PAGE_KEYS.contains(&key) {
            paging.push(segment);
        } else {
            rest.push(segment);
        }
    }
    let page: PageParams = crate::extract::query(&paging.join("&"))?;
    let filters: F = crate::extract::query(&rest.join("&"))?;
    Ok((page, filters))
}

/// The type of a sortable column, for decoding cursor values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKind {
    /// text column
    Text,
    /// timestamp column
    Timestamp,
}

/// A field a resource can be sorted by.
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
}

impl Sort {
    /// Parse `sort` (e.g. `-updated_at,name`) against the allowed fields.
    pub fn parse(
        param: Option<&str>,
        allowed: &'static [SortField],
        default: &str,
    ) -> Result<Sort, ApiError> {
        let text = param
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(default);
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
                    format!(
                        "cannot sort by `{name}`; sortable fields: {}",
                        names.join(", ")
                    ),
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
        Ok(Sort { fields })
    }

    /// Canonical text of this sort, bound into cursors.
    fn key(&self) -> String {
        let parts: Vec<String> = self
            .fields
            .iter()
            .map(|(f, desc)| format!("{}{}", if *desc { "-" } else { "" }, f.name))
            .collect();
        parts.join(",")
    }

    fn order_by(&self, id_column: &str) -> String {
        let mut parts: Vec<String> = self
            .fields
            .iter()
            .map(|(f, desc)| format!("{} {}", f.column, if *desc { "DESC" } else { "ASC" }))
            .collect();
        parts.push(format!("{id_column} ASC"));
        parts.join(", ")
    }

    /// `(a > $1) OR (a = $1 AND b < $2) OR (a = $1 AND b = $2 AND id > $3)`
    fn after(&self, cursor: &Cursor, id_column: &str) -> Result<Sql, ApiError> {
        let mut values = Vec::new();
        for ((field, _), raw) in self.fields.iter().zip(&cursor.values) {
            values.push(decode_value(field.kind, raw)?);
        }
        let mut columns: Vec<(&str, bool, Value)> = self
            .fields
            .iter()
            .zip(values)
            .map(|((f, desc), v)| (f.column, *desc, v))
            .collect();
        columns.push((id_column, false, Value::Text(cursor.id.clone())));
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

fn encode_timestamp(ts: &NaiveDateTime) -> String {
    ts.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

fn decode_value(kind: SortKind, raw: &str) -> Result<Value, ApiError> {
    match kind {
        SortKind::Text => Ok(Value::Text(raw.to_string())),
        SortKind::Timestamp => NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.f")
            .map(Value::Timestamp)
            .map_err(|_| bad_cursor()),
    }
}

/// A row's value for a sort field, as stored in a cursor.
pub enum SortValue<'a> {
    /// text
    Text(&'a str),
    /// timestamp
    Timestamp(&'a NaiveDateTime),
}

/// Rows that can be listed: they expose their id and their sortable values.
pub trait Listable {
    /// The row's id (the final tiebreak).
    fn id(&self) -> &str;
    /// The row's value of sort field `name`.
    fn sort_value(&self, name: &str) -> SortValue<'_>;
}

#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    #[serde(rename = "s")]
    sort: String,
    #[serde(rename = "v")]
    values: Vec<String>,
    id: String,
}

fn bad_cursor() -> ApiError {
    ApiError::bad_param(
        "cursor",
        "invalid_cursor",
        "the cursor is not one this API issued",
    )
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
                return Err(ApiError::bad_param(
                    "page",
                    "out_of_range",
                    "pages are numbered from 1",
                ));
            }
            if (page as u64 - 1) * limit as u64 > MAX_OFFSET as u64 {
                return Err(ApiError::bad_param(
                    "page",
                    "too_deep",
                    format!(
                        "numbered pages reach {MAX_OFFSET} rows deep; page further with `cursor`"
                    ),
                ));
            }
        }
        let cursor = match &params.cursor {
            Some(text) => {
                let cursor = Cursor::decode(text)?;
                if cursor.sort != sort.key() || cursor.values.len() != sort.fields.len() {
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

/// The parts of a list query: `FROM` clause, id column, and filters (ANDed).
pub struct ListQuery<'a> {
    /// the selected columns, e.g. `c.*`
    pub select: &'a str,
    /// e.g. `coalitions c`
    pub from: &'a str,
    /// e.g. `c.id`
    pub id_column: &'a str,
    /// conditions, each a complete boolean expression
    pub filters: Vec<Sql>,
}

impl ListQuery<'_> {
    fn where_clause(&self, extra: Option<Sql>) -> Sql {
        let mut sql = Sql::default();
        let conditions: Vec<&Sql> = self.filters.iter().chain(extra.as_ref()).collect();
        for (i, condition) in conditions.iter().enumerate() {
            sql.push(if i == 0 { " WHERE " } else { " AND " });
            sql.push("(");
            sql.append(condition);
            sql.push(")");
        }
        sql
    }

    /// Fetch one page (one query, plus one for the total unless skipped).
    pub fn run<R>(
        &self,
        conn: &mut DbConnection,
        request: &ListRequest,
    ) -> Result<Listed<R>, ApiError>
    where
        R: QueryableByName<MultiBackend> + Listable + 'static,
    {
        let keyset = match &request.cursor {
            Some(cursor) => Some(request.sort.after(cursor, self.id_column)?),
            None => None,
        };
        let mut sql = Sql::new(&format!("SELECT {} FROM {}", self.select, self.from));
        sql.append(&self.where_clause(keyset));
        sql.push(&format!(
            " ORDER BY {} LIMIT ",
            request.sort.order_by(self.id_column)
        ));
        sql.bind(Value::Int(request.limit as i64 + 1));
        if let Some(page) = request.page {
            sql.push(" OFFSET ");
            sql.bind(Value::Int((page as i64 - 1) * request.limit as i64));
        }
        let mut rows: Vec<R> = sql.load(conn)?;
        let has_more = rows.len() > request.limit as usize;
        rows.truncate(request.limit as usize);
        let next_cursor = match rows.last() {
            Some(last) if has_more => Some(
                Cursor {
                    sort: request.sort.key(),
                    values: request
                        .sort
                        .fields
                        .iter()
                        .map(|(f, _)| match last.sort_value(f.name) {
                            SortValue::Text(t) => t.to_string(),
                            SortValue::Timestamp(ts) => encode_timestamp(ts),
                        })
                        .collect(),
                    id: last.id().to_string(),
                }
                .encode(),
            ),
            _ => None,
        };
        let total = if request.count {
            let mut count = Sql::new(&format!("SELECT count(*) AS count FROM {}", self.from));
            count.append(&self.where_clause(None));
            count.load::<CountRow>(conn)?.first().map(|r| r.count)
        } else {
            None
        };
        let next_page = match request.page {
            Some(page) if has_more => Some(page + 1),
            _ => None,
        };
        Ok(Listed {
            rows,
            page: PageInfo {
                limit: request.limit,
                next_cursor,
                total,
            },
            next_page,
        })
    }
}

impl<R> Listed<R> {
    /// Convert the rows (e.g. attach their sets), keeping the page.
    pub fn try_map<T, E>(
        self,
        f: impl FnOnce(Vec<R>) -> Result<Vec<T>, E>,
    ) -> Result<Listed<T>, E> {
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
        response.insert_header((
            header::LINK,
            format!("<{}>; rel=\"next\"", next_url(req, key, &value)),
        ));
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
    format!(
        "{}://{}{}?{}",
        info.scheme(),
        info.host(),
        req.path(),
        query.finish()
    )
}
