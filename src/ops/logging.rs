//! The logger: `env_logger` with the filter from `RUST_LOG` (or `--log`), writing readable
//! lines or, with `LOG_FORMAT=json`, one JSON object per line — `time` (RFC 3339, UTC,
//! microseconds), `level`, `target`, `message`, plus every structured field of the event (the
//! access log's `method`, `path`, `route`, `status`, `latency_ms`, `request_id`, `peer`, `sub`).
//! No event carries a header's value, so no token or secret reaches the log.

use std::io::Write;

use log::kv::{Error, Key, Value, VisitSource};
use serde_json::{Map, Value as Json};

use crate::config::LogFormat;

/// Install the process's logger (once; later calls are ignored).
pub fn init(filter: &str, format: LogFormat) {
    let mut builder = env_logger::Builder::new();
    builder.parse_filters(filter);
    if format == LogFormat::Json {
        builder.format(|buf, record| {
            let mut line = Map::new();
            line.insert(
                "time".into(),
                Json::String(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)),
            );
            line.insert("level".into(), Json::String(record.level().to_string()));
            line.insert("target".into(), Json::String(record.target().to_string()));
            line.insert("message".into(), Json::String(record.args().to_string()));
            let mut fields = Fields(&mut line);
            let _ = record.key_values().visit(&mut fields);
            writeln!(buf, "{}", Json::Object(line))
        });
    }
    let _ = builder.try_init();
}

/// Copies an event's key-values into the JSON line, numbers as numbers.
struct Fields<'a>(&'a mut Map<String, Json>);

impl<'kvs> VisitSource<'kvs> for Fields<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: Value<'kvs>) -> Result<(), Error> {
        let json = if let Some(n) = value.to_u64() {
            Json::from(n)
        } else if let Some(n) = value.to_i64() {
            Json::from(n)
        } else if let Some(x) = value.to_f64() {
            Json::from(x)
        } else {
            Json::String(value.to_string())
        };
        self.0.insert(key.as_str().to_string(), json);
        Ok(())
    }
}
