//! The list contract shared by every collection: `limit`, keyset `cursor`, numbered `page`,
//! `sort` with an `id` tiebreak, `total`, and the RFC 8288 `Link: rel="next"` header.
//! Sorting and cursors live in [`sort`], the SQL of a page in [`query`].

mod query;
mod sort;

use actix_web::{http::header, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use query::{ListQuery, Relevance};
use sort::Cursor;
pub use sort::{Listable, Sort, SortField, SortKind, SortValue};

use crate::http::error::ApiError;

/// Default page size.
pub const DEFAULT_LIMIT: u32 = 25;
/// Largest page size.
pub const MAX_LIMIT: u32 = 100;
/// Deepest row numbered pages reach (`(page - 1) * limit`); beyond it, page with `cursor`.
pub const MAX_OFFSET: u32 = 10_000;
/// Deepest numbered page, whatever the page size: `MAX_OFFSET` rows at the largest one.
pub const MAX_PAGE: u32 = MAX_OFFSET / MAX_LIMIT + 1;
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
    /// 1-based page number for numbered pagination, up to page 101; deeper, use `cursor`.
    /// Not combinable with `cursor`.
    #[param(minimum = 1, maximum = 101)]
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
        ApiError::BadRequest { errors, .. }
            if errors.first().is_some_and(|e| e.field == "format" && e.code != "empty") =>
        {
            ApiError::bad_param("format", "invalid_value", "expected `json` or `csv`")
        }
        other => other,
    })?;
    Ok((page, filters))
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
    count_cap: i64,
}

impl ListRequest {
    /// Count matching rows up to `cap` instead of [`query::TOTAL_CAP`] (tests).
    pub fn count_up_to(mut self, cap: i64) -> ListRequest {
        self.count_cap = cap;
        self
    }

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
        // An empty `cursor=` is no cursor (`extract::EMPTY_IS_ABSENT`).
        let cursor_text = params.cursor.as_deref().filter(|c| !c.is_empty());
        if cursor_text.is_some() && params.page.is_some() {
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
            if page > MAX_PAGE {
                return Err(ApiError::bad_param(
                    "page",
                    "too_deep",
                    format!("numbered pages go up to page {MAX_PAGE}; page further with `cursor`"),
                ));
            }
        }
        let cursor = match cursor_text {
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
            count_cap: query::TOTAL_CAP,
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
            count_cap: query::TOTAL_CAP,
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
    /// All matching rows, exact up to 10,000; above, 10,000 with `total_exact` false (null
    /// when `count=false`).
    pub total: Option<i64>,
    /// Whether `total` is the exact number of matching rows (false above 10,000 matches, where
    /// counting stops, and when `count=false`).
    pub total_exact: bool,
}

/// One page of rows.
pub struct Listed<R> {
    /// the rows
    pub rows: Vec<R>,
    /// the `page` object
    pub page: PageInfo,
    next_page: Option<u32>,
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
    linked(req, &listed).json(ListBody {
        data: &listed.rows,
        page: &listed.page,
    })
}

/// [`respond`] for rows that are JSON texts already (stored documents): the body is written
/// around them, `{"data":[…],"page":{…}}`, without parsing them.
pub fn respond_documents(req: &HttpRequest, listed: Listed<String>) -> HttpResponse {
    let page = match serde_json::to_string(&listed.page) {
        Ok(page) => page,
        Err(e) => {
            return actix_web::ResponseError::error_response(&crate::http::error::ApiError::Internal(format!(
                "serialising a page: {e}"
            )))
        }
    };
    let size = listed.rows.iter().map(|r| r.len() + 1).sum::<usize>() + page.len() + 20;
    let mut body = String::with_capacity(size);
    body.push_str("{\"data\":[");
    for (i, row) in listed.rows.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(row);
    }
    body.push_str("],\"page\":");
    body.push_str(&page);
    body.push('}');
    linked(req, &listed)
        .content_type(actix_web::http::header::ContentType::json())
        .body(body)
}

/// A 200 response with `Link: <…>; rel="next"` when there is a next page.
fn linked<T>(req: &HttpRequest, listed: &Listed<T>) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    let next = match (listed.next_page, &listed.page.next_cursor) {
        (Some(page), _) => Some(("page", page.to_string())),
        (None, Some(cursor)) => Some(("cursor", cursor.clone())),
        (None, None) => None,
    };
    if let Some((key, value)) = next {
        response.insert_header((header::LINK, format!("<{}>; rel=\"next\"", next_url(req, key, &value))));
    }
    response
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
