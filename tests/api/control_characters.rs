//! Control characters and undecodable bytes, anywhere a client can put text: every string
//! field of every write route's body (422 naming the field), every query parameter of every
//! read route and every path parameter (400 naming it) — enumerated from the served OpenAPI
//! document, so a new route or field is covered without touching this file. None of them
//! may reach the database (PostgreSQL refuses NUL in text, which was a 500) or change data.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{Fixture, TestApp};

const BAD: &str = "a\u{0}b";

/// Bodies that put [`BAD`] at one string leaf of `schema`, each with the leaf's path.
fn leaves(schema: &Value, doc: &Value, path: &str, depth: usize, out: &mut Vec<(Value, String)>) {
    if depth > 4 {
        return;
    }
    if let Some(target) = schema["$ref"].as_str() {
        let resolved = doc.pointer(target.trim_start_matches('#')).expect("resolvable $ref");
        return leaves(resolved, doc, path, depth + 1, out);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema[key].as_array() {
            for option in options {
                leaves(option, doc, path, depth + 1, out);
            }
            return;
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if types.contains(&"string") {
        out.push((json!(BAD), path.to_string()));
    } else if types.contains(&"array") {
        let mut inner = Vec::new();
        leaves(&schema["items"], doc, &format!("{path}[0]"), depth + 1, &mut inner);
        out.extend(inner.into_iter().map(|(v, p)| (json!([v]), p)));
    } else if let Some(properties) = schema["properties"].as_object() {
        for (name, property) in properties {
            let inner_path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            let mut inner = Vec::new();
            leaves(property, doc, &inner_path, depth + 1, &mut inner);
            out.extend(inner.into_iter().map(|(v, p)| (json!({ name: v }), p)));
        }
    }
}

/// Every list's records, as an administrator sees them: what must not change.
async fn snapshot(app: &TestApp) -> Vec<Value> {
    let mut all = Vec::new();
    for list in [
        "/countries?limit=100",
        "/coalitions",
        "/organisations",
        "/initiatives",
        "/trainings",
    ] {
        all.push(app.get_as(list, &app.admin()).await.ok(200)["data"].clone());
    }
    all
}

async fn no_text_reaches_the_database_with_a_control_character(app: TestApp) {
    let fixture = Fixture::new(&app).await;
    let (lv, initiative) = (fixture.coalition.clone(), fixture.initiative.clone());
    let before = snapshot(&app).await;
    let doc = app.get("/openapi.json").await.ok(200).clone();
    let fill = |template: &str, bad: Option<&str>| fixture.fill(template, bad);
    let admin = app.admin();
    let mut checked = (0, 0, 0);
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            // Every string leaf of a JSON body: 422 naming it. (The token endpoint's form stores
            // no text: a control character there is just a wrong credential.)
            let content = operation["requestBody"]["content"]
                .as_object()
                .filter(|c| !c.contains_key("application/x-www-form-urlencoded"));
            if let Some(schema) = content.and_then(|c| c.values().next()).map(|c| &c["schema"]) {
                let mut bodies = Vec::new();
                leaves(schema, &doc, "", 0, &mut bodies);
                for (body, field) in bodies {
                    let path = fill(template, None);
                    let reply = app
                        .request(method.clone(), &path, Some(&admin), Some(body.clone()))
                        .await;
                    reply.problem(422);
                    assert!(
                        reply.error_fields().contains(&field),
                        "{method} {path} {body}: expected an error for `{field}`, got {}",
                        reply.text
                    );
                    checked.0 += 1;
                }
            }
            // Every query parameter and path parameter: 400 naming it.
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                let (path, field) = match parameter["in"].as_str() {
                    Some("query") => (format!("{}?{name}=a%00b", fill(template, None)), name),
                    Some("path") => (fill(template, Some("a%00b")), "path"),
                    _ => continue,
                };
                let reply = app.request(method.clone(), &path, Some(&admin), None).await;
                reply.problem(400);
                assert_eq!(reply.error_fields(), vec![field.to_string()], "{method} {path}");
                if parameter["in"] == "query" {
                    checked.1 += 1;
                } else {
                    checked.2 += 1;
                }
            }
        }
    }
    eprintln!("checked: {checked:?} (body string fields, query parameters, path parameters)");
    assert!(checked.0 > 100, "string fields of write bodies: {}", checked.0);
    assert!(checked.1 > 60, "query parameters: {}", checked.1);
    assert!(checked.2 > 20, "path parameters: {}", checked.2);
    // Other control characters, undecodable bytes, and names; tab and line breaks are text.
    for query in ["q=%01", "q=%7F", "q=%C2%85", "q=%ff%fe", "%00=1", "country=L%0AV"] {
        let reply = app.get(&format!("/initiatives?{query}")).await;
        reply.problem(400);
    }
    app.get("/organisations/external/%ff%fe").await.problem(400);
    let reply = app
        .patch(
            &format!("/initiatives/{initiative}"),
            Some(&admin),
            json!({"description": "one\n\ttwo\r\nthree"}),
        )
        .await;
    assert_eq!(reply.ok(200)["description"]["en"], "one\n\ttwo\r\nthree");
    let reply = app
        .patch(
            &format!("/initiatives/{initiative}"),
            Some(&admin),
            json!({"title": "a\u{1b}[31mred"}),
        )
        .await;
    assert_eq!(reply.problem(422)["errors"][0]["field"], "title.en");
    let reply = app
        .post(
            "/initiatives",
            Some(&admin),
            json!({"coalition_id": lv, "bad\u{0}name": 1}),
        )
        .await;
    reply.problem(422);
    // Nothing changed but the one accepted description.
    let mut after = snapshot(&app).await;
    for list in after.iter_mut() {
        for record in list.as_array_mut().unwrap() {
            if record["id"] == initiative.as_str() {
                record["description"] = Value::Null;
                record["display"] = Value::Null;
                record["version"] = json!(1);
                record["updated_at"] = Value::Null;
            }
        }
    }
    let mut before = before;
    for list in before.iter_mut() {
        for record in list.as_array_mut().unwrap() {
            if record["id"] == initiative.as_str() {
                record["description"] = Value::Null;
                record["display"] = Value::Null;
                record["updated_at"] = Value::Null;
            }
        }
    }
    assert_eq!(after, before);
}

async fn a_parameter_takes_at_most_fifty_values(app: TestApp) {
    let fifty = vec!["country=AM"; 50].join("&");
    app.get(&format!("/initiatives?{fifty}")).await.ok(200);
    let reply = app.get(&format!("/initiatives?{fifty}&country=GE")).await;
    assert_eq!(reply.problem(400)["errors"][0]["code"], "too_many_values");
    assert_eq!(reply.body["errors"][0]["field"], "country");
    let many = vec!["AM"; 5800].join("&country=");
    app.get(&format!("/initiatives?country={many}")).await.problem(400);
}

crate::backend_tests!(
    no_text_reaches_the_database_with_a_control_character,
    a_parameter_takes_at_most_fifty_values,
    head_mirrors_every_get,
    empty_parameters_are_refused_or_absent_as_documented
);

/// Every query parameter of every `GET` in the served document, sent empty (`name=`): a 400
/// naming it (`empty`) when the document refuses the empty string (`minLength: 1`, an enum,
/// a number, a flag), and otherwise the answer the request gets without it — `cursor=`,
/// `after=`, `sort=`, `q=` and `include=` mean "absent". Not only `page=`: the class.
async fn empty_parameters_are_refused_or_absent_as_documented(app: TestApp) {
    let fixture = Fixture::new(&app).await;
    let admin = app.admin();
    let doc = app.get("/openapi.json").await.ok(200).clone();
    let (mut refused, mut absent) = (0, 0);
    for (template, item) in doc["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let path = fixture.fill(template, None);
        let base = if path.starts_with("/changes") {
            format!("{path}?wait=0&")
        } else {
            format!("{path}?")
        };
        for parameter in get["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] != "query" || parameter["name"] == "wait" {
                continue;
            }
            let name = parameter["name"].as_str().unwrap();
            let mut schema = &parameter["schema"];
            if schema["type"] == "array" {
                schema = &schema["items"];
            }
            let empty_allowed = schema["type"] == "string"
                && schema.get("enum").is_none()
                && schema.get("$ref").is_none()
                && schema.get("minLength").is_none();
            let reply = app.get_as(&format!("{base}{name}="), &admin).await;
            if empty_allowed {
                let without = app.get_as(base.trim_end_matches(['?', '&']), &admin).await;
                assert_eq!(reply.status, without.status, "GET {base}{name}=: {}", reply.text);
                absent += 1;
            } else {
                let problem = reply.problem(400);
                assert_eq!(problem["errors"][0]["field"], name, "GET {base}{name}=");
                assert_eq!(problem["errors"][0]["code"], "empty", "GET {base}{name}=");
                refused += 1;
            }
        }
    }
    // `wait=` on the change feed is refused too (it would otherwise long-poll the default).
    let reply = app.get("/changes?wait=").await;
    assert_eq!(reply.problem(400)["errors"][0]["field"], "wait");
    assert!(refused >= 100 && absent >= 20, "refused {refused}, absent {absent}");
}

/// `HEAD` on every `GET` route of the document: the `GET`'s status and headers, no body.
async fn head_mirrors_every_get(app: TestApp) {
    let fixture = Fixture::new(&app).await;
    let doc = app.get("/openapi.json").await.ok(200).clone();
    let mut checked = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        let mut path = fixture.fill(template, None);
        if path.starts_with("/changes") {
            path.push_str("?wait=0");
        }
        for token in [None, Some(app.admin())] {
            let get = app.request(Method::GET, &path, token.as_deref(), None).await;
            let head = app.request(Method::HEAD, &path, token.as_deref(), None).await;
            assert_eq!(head.status, get.status, "HEAD {path}");
            assert_eq!(head.text, "", "HEAD {path} has no body");
            for header in ["content-type", "etag", "cache-control"] {
                if header == "etag" && (path.starts_with("/changes") || path == "/health") {
                    continue;
                }
                assert_eq!(head.header(header), get.header(header), "HEAD {path}: {header}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "GET routes: {checked}");
    // Allow names HEAD beside GET.
    let reply = app
        .request(Method::DELETE, "/vocabularies", Some(&app.admin()), None)
        .await;
    reply.problem(405);
    assert!(
        reply.header("allow").unwrap().contains("HEAD"),
        "{:?}",
        reply.header("allow")
    );
}
