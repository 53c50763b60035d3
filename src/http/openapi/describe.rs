//! Every operation's description and responses: its own words, then what its kind of
//! operation means in this API; 503, 408, `X-Request-Id` and `Link` where they apply.

use serde_json::{json, Value};

/// Give the operation a description: its doc comment beyond the first sentence, then what
/// operations of its kind do here. A summary longer than one sentence is cut to the first.
pub(super) fn describe(path: &str, method: &str, operation: &mut Value) {
    let summary = operation["summary"].as_str().unwrap_or_default().replace('\n', " ");
    let (first, rest) = first_sentence(&summary);
    operation["summary"] = Value::String(first.to_string());
    let lists = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .is_some_and(|r| r.ends_with("List"));
    let one = path.ends_with('}');
    // The feeds page their own way (`after=`, `wait=`; administrators only for the audit trail).
    let lists = lists && !path.ends_with("/changes") && !path.ends_with("/audit");
    let feed = path.ends_with("/changes") || path.ends_with("/audit");
    let kind = match method {
        // Client administration and the token endpoint say what they need themselves.
        _ if path.starts_with("/api/v1/clients") => "Needs an administrator's bearer token.",
        _ if path == "/api/v1/oauth/token" => "",
        "get" if lists => {
            "Anonymous; a bearer token also shows what it may see that the public may not (drafts). One page at a \
             time, in the requested order: pass `page.next_cursor` as `cursor` for the next page (also in the \
             `Link: rel=\"next\"` header); `page.total` counts every match up to 10,000. Repeat a filter to match any \
             of its values (at most 50 per parameter). The `ETag` changes with the page's content: send it in \
             `If-None-Match` to get 304 while nothing changed."
        }
        "get" if one => {
            "Anonymous; a bearer token also shows what it may see that the public may not (drafts). The `ETag` is \
             the record's version: send it in `If-None-Match` to get 304 while it is unchanged, or in `If-Match` \
             when writing to write only over this version."
        }
        "get" if feed => "",
        "get" => "The `ETag` changes with the content: send it in `If-None-Match` to get 304 while nothing changed.",
        "post" if path.ends_with("/batch") => {
            "Needs a bearer token. The items are validated first and written in one transaction: any invalid item \
             and nothing is written. Send `Idempotency-Key` to make a retry return the first response."
        }
        "post" => {
            "Needs a bearer token. Answers 201 with the record, its `Location` and its `ETag`. Send \
             `Idempotency-Key` to make a retry return the first response instead of writing twice."
        }
        "put" if path.contains("/external/") => {
            "Needs a bearer token. Keyed by your system's id, so a replica can send its records as often as it \
             likes: 201 when created, 200 when replaced; a repeat that changes nothing keeps the version."
        }
        "put" => {
            "Needs a bearer token. Replaces the whole record: optional fields left out are cleared. Send the `ETag` \
             you read in `If-Match` to be refused (412) instead of overwriting someone else's change."
        }
        "patch" => {
            "Needs a bearer token. A JSON Merge Patch (RFC 7396, `Content-Type: application/merge-patch+json`): \
             only the fields present change, `null` clears an optional field, a set is replaced whole. `If-Match` \
             as for PUT."
        }
        "delete" => {
            "Needs a bearer token. Answers 204. `If-Match` with the `ETag` you read refuses the delete (412) if the \
             record changed since."
        }
        _ => "",
    };
    let own = operation["description"].as_str().unwrap_or_default().trim().to_string();
    let text = [rest.trim(), own.as_str(), kind]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let text = if text.is_empty() { first.to_string() } else { text };
    operation["description"] = Value::String(text);
}

/// `(first sentence, the rest)`: split after the first `. ` outside backticks.
fn first_sentence(text: &str) -> (&str, &str) {
    let mut in_code = false;
    for (i, c) in text.char_indices() {
        match c {
            '`' => in_code = !in_code,
            '.' if !in_code && text[i + 1..].starts_with(' ') => {
                return (text[..=i].trim(), text[i + 1..].trim());
            }
            _ => {}
        }
    }
    (text.trim(), "")
}

pub(super) fn responses(path: &str, method: &str, operation: &mut Value) {
    let Some(responses) = operation["responses"].as_object_mut() else {
        return;
    };
    let root = path == "/api/v1";
    // Every route screens its path and query (control characters, too many values).
    if !responses.contains_key("400") {
        responses.insert("400".into(), json!({"$ref": "#/components/responses/BadRequest"}));
    }
    if !root {
        responses.insert(
            "503".into(),
            json!({"$ref": "#/components/responses/ServiceUnavailable"}),
        );
    }
    // Every route but the health check is rate-limited (`http::rate_limit`).
    let limited = path != "/api/v1/health";
    if limited {
        responses.insert("429".into(), json!({"$ref": "#/components/responses/TooManyRequests"}));
    }
    if ["post", "put", "patch"].contains(&method) {
        responses.insert("408".into(), json!({"$ref": "#/components/responses/RequestTimeout"}));
    }
    for (status, response) in responses.iter_mut() {
        if response.get("$ref").is_some() {
            continue;
        }
        response["headers"]["X-Request-Id"] = json!({"$ref": "#/components/headers/X-Request-Id"});
        if limited {
            response["headers"]["RateLimit"] = json!({"$ref": "#/components/headers/RateLimit"});
            response["headers"]["RateLimit-Policy"] = json!({"$ref": "#/components/headers/RateLimit-Policy"});
        }
        if status == "200"
            && method == "get"
            && response["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .is_some_and(|r| r.ends_with("List"))
        {
            response["headers"]["Link"] = json!({
                "description": "`<url>; rel=\"next\"`: the next page, when there is one",
                "schema": {"type": "string"}
            });
        }
    }
}
