//! The OpenAPI document's shared parts: info, security scheme, the problem responses every
//! operation references, and the list envelope. Paths are registered with their routes
//! (see `app::routes`), so the document cannot miss one.

mod describe;
mod patterns;
mod refine;

use std::collections::BTreeMap;

use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{IntoResponses, Modify, OpenApi};

use crate::http::error::{FieldError, Problem};

/// Declare the response type of a list: `{"data": [...], "page": {...}}`.
#[macro_export]
macro_rules! list_type {
    ($name:ident, $item:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// The rows of this page.
            pub data: Vec<$item>,
            /// Paging information.
            pub page: $crate::http::paging::PageInfo,
        }
    };
}

/// The base document that route registration fills in.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Coalition Registry API",
        description = "System of record for the National Coalitions for Digital Skills and Jobs: \
coalitions of the EU member states and the Eastern Partnership countries, their member organisations, \
and the countries themselves.\n\nPublic reads are anonymous. Writes need a bearer JWT whose `role` \
(`admin` or `editor`) and `coalitions` claims scope them. Errors are RFC 9457 `application/problem+json`. \
Lists return `{\"data\": [...], \"page\": {\"limit\", \"next_cursor\", \"total\", \"total_exact\"}}` (totals exact up to 10,000 matches, then capped) and a `Link: rel=\"next\"` header. `HEAD` is answered on every `GET` route (the same status and headers, no body)."
    ),
    // Types only parameters refer to (utoipa collects the ones bodies refer to by itself);
    // `contract::every_reference_resolves` fails on any schema left out.
    components(schemas(Problem, FieldError, crate::store::journal::RecordType, crate::store::journal::FeedType)),
    modifiers(&SharedComponents),
)]
pub struct ApiDoc;

/// The tags, in the order the documentation shows them: `(name, description)`.
const TAGS: &[(&str, &str)] = &[
    ("service", "Service information and health"),
    ("reference data", "Countries and controlled vocabularies"),
    ("coalitions", "National coalitions"),
    ("organisations", "Member organisations"),
    ("memberships", "Links between coalitions and organisations"),
    ("initiatives", "Initiatives of the coalitions, with drafts"),
    (
        "trainings",
        "Trainings, workshops, webinars, conferences and study visits, with drafts",
    ),
    ("statistics", "Counts for dashboards and maps"),
    ("audit", "Who changed what, when (administrators)"),
    ("changes", "The change feed replicas follow"),
    ("oauth", "Tokens for machine clients (OAuth 2.0 client credentials)"),
    ("clients", "Machine clients and their credentials (administrators)"),
];

/// `(component name, status, description)` of every problem response.
const PROBLEMS: &[(&str, &str, &str)] = &[
    ("BadRequest", "400", "Unknown query parameter, bad parameter value (including a control character or undecodable bytes in the path or a parameter, or more than 50 values for one parameter), or a body that is not valid JSON"),
    ("Unauthorized", "401", "A write without a bearer token, or any request with an invalid one (see `WWW-Authenticate`)"),
    ("Forbidden", "403", "The token is valid but does not allow this action"),
    ("NotFound", "404", "No record with this id"),
    ("Conflict", "409", "The write conflicts with the current state: a uniqueness rule, a record still referenced, or a concurrent edit"),
        ("PreconditionFailed", "412", "`If-Match` does not name the record's current version: fetch it again; nothing was written"),
    ("PayloadTooLarge", "413", "The body is larger than the configured limit"),
    ("UnsupportedMediaType", "415", "The body is not sent as `application/json` (or `application/merge-patch+json` for PATCH)"),
    ("RequestTimeout", "408", "The request's head or body did not arrive within the configured time (10 s by default); the connection is closed"),
    ("TooManyRequests", "429", "This caller (token `sub`, else client address) has used its read or write budget (`RateLimit-Policy`): retry after `Retry-After` seconds"),
    ("ServiceUnavailable", "503", "The database is not reachable at the moment (the answer comes at once, not after a timeout): retry after `Retry-After` seconds"),
    ("UnprocessableEntity", "422", "The body is valid JSON but not a valid record (including text with control characters other than tab and line breaks); `errors` names each field"),
];

struct SharedComponents;

impl Modify for SharedComponents {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.tags = Some(
            TAGS.iter()
                .map(|(name, description)| {
                    utoipa::openapi::tag::TagBuilder::new()
                        .name(*name)
                        .description(Some(*description))
                        .build()
                })
                .collect(),
        );
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT: from `POST /api/v1/oauth/token` (machine clients) or the `token` command (HS256, claims `sub`, `role` (`admin` | `editor`), `coalitions` (ids, for editors), `exp`), or from the identity provider the deployment trusts (RS256, ES256 or EdDSA per `JWT_ALGORITHMS`, verified against its JWK set; role and coalitions from the configured claims)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "client_basic",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "A machine client's `client_id:client_secret` (token endpoint only; RFC 6749 §2.3.1)",
                    ))
                    .build(),
            ),
        );
        for (name, _, description) in PROBLEMS {
            components
                .responses
                .insert(name.to_string(), RefOr::T(problem_response(description)));
        }
    }
}

fn problem_response(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            crate::http::error::PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

fn refs(statuses: &[&str]) -> BTreeMap<String, RefOr<Response>> {
    PROBLEMS
        .iter()
        .filter(|(_, status, _)| statuses.contains(status))
        .map(|(name, status, _)| (status.to_string(), RefOr::Ref(Ref::from_response_name(*name))))
        .collect()
}

macro_rules! problem_set {
    ($(#[$meta:meta])* $name:ident, [$($status:literal),*]) => {
        $(#[$meta])*
        pub struct $name;
        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                refs(&[$($status),*])
            }
        }
    };
}

problem_set!(
    /// Errors of the token endpoint besides its RFC 6749 ones.
    TokenProblems, ["413"]
);
problem_set!(
    /// Errors of the client administration's reads.
    ClientReadProblems, ["400", "401", "403", "404"]
);
problem_set!(
    /// Errors of registering a client.
    ClientCreateProblems, ["400", "401", "403", "413", "415", "422"]
);
problem_set!(
    /// Errors of list operations.
    ListProblems, ["400", "401"]
);
problem_set!(
    /// Errors of the audit trail (administrators only).
    AuditProblems, ["400", "401", "403"]
);
problem_set!(
    /// Errors of single-record reads.
    ReadProblems, ["400", "401", "404"]
);
problem_set!(
    /// Errors of reads of sub-collections (bad query, unknown parent).
    SubListProblems, ["400", "401", "404"]
);
problem_set!(
    /// Errors of creates.
    CreateProblems, ["400", "401", "403", "409", "413", "415", "422"]
);
problem_set!(
    /// Errors of creates under a parent record.
    NestedCreateProblems, ["400", "401", "403", "404", "409", "413", "415", "422"]
);
problem_set!(
    /// Errors of PUT and PATCH.
    UpdateProblems, ["400", "401", "403", "404", "409", "413", "415", "422"]
);
problem_set!(
    /// Errors of deletes.
    DeleteProblems, ["401", "403", "404", "409"]
);

fn string_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .build()
}

fn header_parameter(name: &str, description: &str) -> RefOr<utoipa::openapi::path::Parameter> {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    RefOr::T(
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Header)
            .required(utoipa::openapi::Required::False)
            .description(Some(description))
            .schema(Some(string_schema()))
            .build(),
    )
}

fn add_header(response: &mut RefOr<Response>, name: &str, description: &str) {
    if let RefOr::T(response) = response {
        let header = utoipa::openapi::HeaderBuilder::new()
            .schema(Some(string_schema()))
            .description(Some(description))
            .build();
        response.headers.insert(name.to_string(), RefOr::T(header));
    }
}

/// Document conditional requests and caching on every operation, as the middleware in
/// `http_cache` implements them (applied to the generated document, served and committed).
pub fn finish(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    for (path, item) in api.paths.paths.iter_mut() {
        if let Some(get) = item.get.as_mut() {
            // Reads are anonymous, and a token shows more (drafts): the bearer scheme is
            // optional, so Swagger UI and generated SDKs send the token when they have one.
            if get.security.is_none() {
                get.security = Some(vec![
                    SecurityRequirement::default(),
                    SecurityRequirement::new("bearer", Vec::<String>::new()),
                ]);
            }
            get.parameters.get_or_insert_with(Vec::new).push(header_parameter(
                "If-None-Match",
                "An `ETag` from an earlier response: 304 with no body while it is still current",
            ));
            if let Some(ok) = get.responses.responses.get_mut("200") {
                add_header(
                    ok,
                    "ETag",
                    "Strong tag: the record's version, or derived from a list's content",
                );
                add_header(
                    ok,
                    "Cache-Control",
                    "`public, max-age=<CACHE_MAX_AGE>` for anonymous callers, `private, no-cache` with a token",
                );
            }
            get.responses.responses.insert(
                "304".into(),
                RefOr::T(
                    ResponseBuilder::new()
                        .description("Not modified: the `If-None-Match` tag is current")
                        .build(),
                ),
            );
        }
        let remembered = crate::http::idempotency::rememberable(path);
        if let Some(post) = item.post.as_mut().filter(|_| remembered) {
            post.parameters.get_or_insert_with(Vec::new).push(header_parameter(
                "Idempotency-Key",
                "Your unique key for this request (1–255 visible ASCII characters): a retry with the same key and \
                 request gets the first response instead of a second write (kept 24 hours; 422 if reused for a \
                 different request; 409 while the first is still running)",
            ));
            for success in ["200", "201"] {
                if let Some(ok) = post.responses.responses.get_mut(success) {
                    add_header(
                        ok,
                        "Idempotent-Replayed",
                        "`true` when this is the stored first response to a retry",
                    );
                }
            }
            if let Some(created) = post.responses.responses.get_mut("201") {
                add_header(created, "ETag", "The new record's version tag");
                add_header(created, "Location", "The new record's URL");
            }
        }
        for write in [item.put.as_mut(), item.patch.as_mut(), item.delete.as_mut()]
            .into_iter()
            .flatten()
        {
            write.parameters.get_or_insert_with(Vec::new).push(header_parameter(
                "If-Match",
                "The `ETag` the change is based on: 412 if the record changed since. Without it the write proceeds.",
            ));
            write
                .responses
                .responses
                .insert("412".into(), RefOr::Ref(Ref::from_response_name("PreconditionFailed")));
        }
    }
    refine::refine(api)
}
