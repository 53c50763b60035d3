//! CSV for every list: `GET <list>.csv` (its own operation in the OpenAPI document, so typed
//! JSON clients never meet CSV), or on the list's own URL `Accept: text/csv` or `format=csv`,
//! answers with all matching rows (not one page), streamed in batches from a blocking thread,
//! with a header row. Sets are joined with `;`; nested records are written as compact JSON.
//! A translated field is one column per language present in the resource's data (`title.en`,
//! `title.lv`, …), and `display.*` columns give the texts in the request's languages (`lang`,
//! else `Accept-Language`, as in JSON).

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use base64::Engine;
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::http::error::ApiError;
use crate::http::paging::{ListFormat, ListRequest, Listed, PageParams};
use crate::store::sql::{Sql, TextRow};
use crate::store::tables::Table;
use crate::store::{Database, DbConnection};
use crate::texts;

/// Whether the client asked for CSV: by the `.csv` path, else `format` (which wins over
/// `Accept`).
pub fn wanted(req: &HttpRequest, params: &PageParams) -> bool {
    if req.extensions().contains::<CsvPath>() {
        return true;
    }
    match params.format {
        Some(ListFormat::Csv) => true,
        Some(ListFormat::Json) => false,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.split(',').any(|m| m.trim().starts_with("text/csv"))),
    }
}

/// Marks a request that came as `<list>.csv`.
#[derive(Debug, Clone, Copy)]
struct CsvPath;

/// The `.csv` paths of the document (`/api/v1/initiatives.csv`, `/api/v1/coalitions/{id}/members.csv`, …).
#[derive(Clone, Default)]
pub struct CsvRoutes(pub std::sync::Arc<Vec<actix_router::ResourceDef>>);

impl CsvRoutes {
    /// The `.csv` paths of `api`.
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> CsvRoutes {
        CsvRoutes(std::sync::Arc::new(
            api.paths
                .paths
                .keys()
                .filter(|path| path.ends_with(".csv"))
                .map(|path| actix_router::ResourceDef::new(path.as_str()))
                .collect(),
        ))
    }
}

/// Middleware: route `GET <list>.csv` to the list's handler, marked to answer with CSV. It runs
/// inside the response cache and the conditional-request layers, which so key on the `.csv` URL.
pub async fn by_path(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<actix_web::body::BoxBody>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let csv = req.method() == actix_web::http::Method::GET
        && req.path().ends_with(".csv")
        && req
            .app_data::<actix_web::web::Data<CsvRoutes>>()
            .is_some_and(|routes| routes.0.iter().any(|def| def.is_match(req.path())));
    if csv {
        let path = req.path().trim_end_matches(".csv").to_string();
        let target = match req.query_string() {
            "" => path,
            query => format!("{path}?{query}"),
        };
        if let Ok(uri) = target.parse::<actix_web::http::Uri>() {
            req.match_info_mut().get_mut().update(&uri);
            req.head_mut().uri = uri;
            req.extensions_mut().insert(CsvPath);
        }
    }
    next.call(req).await
}

/// A tag for an export that is streamed, so cannot be hashed first: every write (through any
/// replica) appends to the change feed, so the newest feed number, the request and the
/// caller's credentials identify the content. Results that move with the clock get none.
async fn entity_tag(req: &HttpRequest, db: &Database, export: &Export) -> Result<Option<String>, ApiError> {
    if export.clock_dependent {
        return Ok(None);
    }
    let newest = db.read(crate::store::feed::newest).await?;
    let mut hasher = Sha256::new();
    for part in newest {
        hasher.update(part.to_le_bytes());
    }
    hasher.update(req.uri().to_string());
    if let Some(languages) = req.headers().get(header::ACCEPT_LANGUAGE) {
        hasher.update(b"\0");
        hasher.update(languages.as_bytes());
    }
    if let Some(credentials) = req.headers().get(header::AUTHORIZATION) {
        hasher.update(credentials.as_bytes());
    }
    let digest = hasher.finalize();
    Ok(Some(format!(
        "\"csv-{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
    )))
}

fn if_none_match_hits(req: &HttpRequest, tag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| crate::http::caching::none_match_hits(v, tag))
}

/// A column's value: `a.b` is `b` of the object `a` (a translated field's language, `display.*`).
fn column<'a>(value: &'a Value, column: &str) -> &'a Value {
    match column.split_once('.') {
        Some((field, key)) => &value[field][key],
        None => &value[column],
    }
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(";"),
        other => other.to_string(),
    }
}

fn encode<T: Serialize>(
    rows: &[T],
    columns: &[String],
    header_row: bool,
    languages: Option<&[String]>,
) -> Result<Bytes, ApiError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::Internal(format!("writing CSV: {e}"));
    if header_row {
        writer.write_record(columns).map_err(fail)?;
    }
    for row in rows {
        let mut value = serde_json::to_value(row).map_err(|e| ApiError::Internal(format!("serialising a row: {e}")))?;
        if let Some(languages) = languages {
            crate::texts::display::decorate(&mut value, languages);
        }
        let record: Vec<String> = columns.iter().map(|c| cell(column(&value, c))).collect();
        writer.write_record(&record).map_err(fail)?;
    }
    writer
        .into_inner()
        .map(Bytes::from)
        .map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))
}

/// What an export is: its file name, its columns, and whether its rows move with the clock.
pub struct Export {
    /// the file is `<name>.csv`
    pub name: &'static str,
    /// columns, in order
    pub columns: &'static [&'static str],
    /// the filters depend on the current time (e.g. `upcoming`): no `ETag`
    pub clock_dependent: bool,
    /// the table of a resource with translated fields: each is a column per language present
    /// in it, and `display.*` columns are added
    pub texts_of: Option<&'static Table>,
}

/// The columns of an export: each translated field of `columns` as one column per language
/// present in the table (in the accepted list's order), and the `display` columns at the end.
fn expanded(conn: &mut DbConnection, columns: &[&str], table: &Table) -> Result<Vec<String>, ApiError> {
    let sql = if conn.is_postgres() {
        format!(
            "SELECT DISTINCT l AS value FROM {0}, jsonb_each({0}.texts::jsonb) f(k, v), jsonb_object_keys(f.v) l",
            table.name
        )
    } else {
        format!(
            "SELECT DISTINCT l.key AS value FROM {0}, json_each({0}.texts) f, json_each(f.value) l",
            table.name
        )
    };
    let present: Vec<String> = Sql::new(&sql)
        .load::<TextRow>(conn)?
        .into_iter()
        .map(|r| r.value)
        .collect();
    let accepted = texts::accepted();
    let mut languages: Vec<String> = accepted
        .tags()
        .iter()
        .filter(|t| present.contains(t))
        .cloned()
        .collect();
    // Languages no longer accepted but still in the data are kept, after the others.
    let mut others: Vec<String> = present.into_iter().filter(|t| !languages.contains(t)).collect();
    others.sort();
    languages.extend(others);
    let mut expanded = Vec::new();
    let mut display = vec!["display.language".to_string()];
    for column in columns {
        if texts::FIELDS.contains(column) {
            expanded.extend(languages.iter().map(|l| format!("{column}.{l}")));
            display.push(format!("display.{column}"));
        } else {
            expanded.push(column.to_string());
        }
    }
    expanded.extend(display);
    Ok(expanded)
}

/// Stream every row `fetch` yields, page after page, as CSV named `<name>.csv`.
pub async fn respond<T, F>(
    req: &HttpRequest,
    db: &Database,
    export: Export,
    mut request: ListRequest,
    mut fetch: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + 'static,
    F: FnMut(&mut DbConnection, &ListRequest) -> Result<Listed<T>, ApiError> + Send + 'static,
{
    let Export {
        name,
        columns,
        texts_of,
        ..
    } = export;
    let languages = texts_of.map(|_| {
        req.extensions()
            .get::<crate::http::language::Requested>()
            .map(|r| r.chain.clone())
            .unwrap_or_default()
    });
    let tag = match entity_tag(req, db, &export).await? {
        Some(tag) if if_none_match_hits(req, &tag) => {
            return Ok(HttpResponse::NotModified().insert_header((header::ETAG, tag)).finish());
        }
        tag => tag,
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, ApiError>>(2);
    let db = db.clone();
    // The export holds a connection for as long as it streams: it takes its turn like every
    // database job, so it never leaves a permitted job without a connection.
    let turn = db.turn().await?;
    actix_web::rt::task::spawn_blocking(move || {
        let _turn = turn;
        let mut conn = match db.conn() {
            Ok(conn) => conn,
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        let columns: Vec<String> = match texts_of.map(|table| expanded(&mut conn, columns, table)) {
            None => columns.iter().map(|c| c.to_string()).collect(),
            Some(Ok(columns)) => columns,
            Some(Err(e)) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        let mut first = true;
        loop {
            let batch = fetch(&mut conn, &request).and_then(|listed| {
                let bytes = encode(&listed.rows, &columns, first, languages.as_deref())?;
                Ok((bytes, listed))
            });
            first = false;
            let (bytes, listed) = match batch {
                Ok(batch) => batch,
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            };
            // A closed channel means the client went away: stop querying.
            if tx.blocking_send(Ok(bytes)).is_err() {
                return;
            }
            match request.advance(&listed) {
                Ok(true) => continue,
                Ok(false) => return,
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
    });
    // The first batch decides the status: an error before any row is still a problem response.
    let first = rx.recv().await.unwrap_or_else(|| {
        Err(ApiError::Internal(
            "the CSV export stopped before its first batch".into(),
        ))
    })?;
    let rest =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) }).map(|item| {
            item.map_err(|e| {
                log::error!("CSV export failed mid-stream: {e}");
                actix_web::error::ErrorInternalServerError("CSV export failed")
            })
        });
    let body = futures_util::stream::once(async move { Ok::<Bytes, actix_web::Error>(first) }).chain(rest);
    let mut response = HttpResponse::Ok();
    if let Some(tag) = tag {
        response.insert_header((header::ETAG, tag));
    }
    Ok(response
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .streaming(body))
}
