//! One typed settings struct: defaults, environment variables and flags. Secrets are wrapped
//! so they never print.

use rand::RngCore;
use std::fmt;
use std::path::PathBuf;

use clap::Args;

/// A secret value whose `Debug` output is redacted.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    /// Wrap a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself; use only where it is needed.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_string()))
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// readable lines
    Text,
    /// one JSON object per line
    Json,
}

/// Settings shared by every subcommand; each has a flag and an environment variable.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database: `postgres://…` selects PostgreSQL; anything else is a SQLite file path
    /// (optionally `sqlite://path`). Default: a SQLite file under the data directory.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Folder for the embedded database and the generated development JWT secret.
    #[arg(long, env = "DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Address and port to listen on.
    #[arg(long, env = "BIND_ADDR", default_value = "127.0.0.1:8080", global = true)]
    pub bind_addr: String,

    /// HS256 secret for bearer tokens. Without it, one is generated under the data directory.
    #[arg(long, env = "JWT_SECRET", global = true, hide_env_values = true)]
    pub jwt_secret: Option<Secret>,

    /// Required `iss` claim, when set.
    #[arg(long, env = "JWT_ISSUER", global = true)]
    pub jwt_issuer: Option<String>,

    /// Required `aud` claim, when set.
    #[arg(long, env = "JWT_AUDIENCE", global = true)]
    pub jwt_audience: Option<String>,

    /// The token signature algorithms accepted (comma-separated): `HS256` (tokens signed with
    /// JWT_SECRET: the `token` command, the client-credentials grant) and any of `RS256`,
    /// `RS384`, `RS512`, `PS256`, `PS384`, `PS512`, `ES256`, `ES384`, `EdDSA` (tokens of an
    /// identity provider, verified against its JWK set). Never taken from a token.
    #[arg(
        long,
        env = "JWT_ALGORITHMS",
        value_delimiter = ',',
        default_value = "HS256",
        global = true
    )]
    pub jwt_algorithms: Vec<String>,

    /// The identity provider's JWK set (`https://…`, or `http://` to a loopback address).
    /// Without it (and without JWT_JWKS_FILE), an asymmetric algorithm makes the service read
    /// the `jwks_uri` of `JWT_ISSUER/.well-known/openid-configuration`.
    #[arg(long, env = "JWT_JWKS_URL", global = true)]
    pub jwt_jwks_url: Option<String>,

    /// A JWK set in a file, instead of a URL (re-read every five minutes and on an unknown `kid`).
    #[arg(long, env = "JWT_JWKS_FILE", global = true)]
    pub jwt_jwks_file: Option<PathBuf>,

    /// The claim of an identity provider's token holding the role: a name, a dotted path
    /// (`realm_access.roles`) or a JSON pointer (`/realm_access/roles`); a string or an array.
    #[arg(long, env = "JWT_ROLE_CLAIM", default_value = "role", global = true)]
    pub jwt_role_claim: String,

    /// The role claim's value that makes an admin.
    #[arg(long, env = "JWT_ADMIN_ROLE", default_value = "admin", global = true)]
    pub jwt_admin_role: String,

    /// The role claim's value that makes an editor.
    #[arg(long, env = "JWT_EDITOR_ROLE", default_value = "editor", global = true)]
    pub jwt_editor_role: String,

    /// The claim of an identity provider's token holding the editor's coalition ids (same
    /// syntax as JWT_ROLE_CLAIM; an array of strings or one string).
    #[arg(long, env = "JWT_COALITIONS_CLAIM", default_value = "coalitions", global = true)]
    pub jwt_coalitions_claim: String,

    /// When set, only entries of the coalitions claim that start with it count, without it
    /// (e.g. `/coalitions/` for Keycloak group paths `/coalitions/<id>`).
    #[arg(long, env = "JWT_COALITION_PREFIX", default_value = "", global = true)]
    pub jwt_coalition_prefix: String,

    /// Origins (comma-separated) allowed to make authenticated cross-origin writes.
    /// Anonymous reads are open to every origin.
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_allowed_origins: Vec<String>,

    /// The languages translated text may be written in (comma-separated BCP 47 tags; default:
    /// the EU's 24 official languages, hy, az, be, ka, uk, ru).
    #[arg(long, env = "LANGUAGES", value_delimiter = ',', global = true)]
    pub languages: Vec<String>,

    /// Database connections in the pool.
    #[arg(long, env = "DB_POOL_SIZE", default_value_t = 10, global = true)]
    pub db_pool_size: u32,

    /// PostgreSQL: from how many rows (as the server estimates them) a table's filtered lists
    /// are planned for their values on every request, and find their page by its order's
    /// index; below, a list statement keeps its prepared plan. 0: every table.
    #[arg(long, env = "LARGE_TABLE_ROWS", default_value_t = crate::store::size::LARGE, global = true)]
    pub large_table_rows: i64,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 1_048_576, global = true)]
    pub max_body_bytes: usize,

    /// Seconds a client has to send a request's head, and then as many to send its body:
    /// beyond either, 408 and the connection is closed (slow or withheld requests hold nothing).
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", default_value_t = 10, global = true)]
    pub request_timeout_secs: u64,

    /// `Cache-Control: public, max-age=…` of anonymous reads, in seconds.
    #[arg(long, env = "CACHE_MAX_AGE", default_value_t = 60, global = true)]
    pub cache_max_age: u32,

    /// Memory for the response cache of anonymous reads, in MiB (0 turns it off).
    #[arg(long, env = "RESPONSE_CACHE_MB", default_value_t = 64, global = true)]
    pub response_cache_mb: u64,

    /// Reads (`GET`, `HEAD`, `OPTIONS`) per minute per caller (token `sub`, else client
    /// address); 0 turns the limit off.
    #[arg(long, env = "RATE_LIMIT_READS", default_value_t = 6000, global = true)]
    pub rate_limit_reads: u32,

    /// Writes per minute per caller; 0 turns the limit off.
    #[arg(long, env = "RATE_LIMIT_WRITES", default_value_t = 600, global = true)]
    pub rate_limit_writes: u32,

    /// The burst: how many seconds' worth of its rate a caller may use at once.
    #[arg(long, env = "RATE_LIMIT_BURST_SECONDS", default_value_t = 10, global = true)]
    pub rate_limit_burst_seconds: u32,

    /// Proxies (addresses or CIDR ranges, comma-separated) whose `X-Forwarded-For` names the
    /// client for rate limiting. Empty (the default): the peer address is the client.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',', global = true)]
    pub trusted_proxies: Vec<String>,

    /// Serve `GET /metrics` only on this address (e.g. `127.0.0.1:9090`, off the public
    /// network); unset: on the API's address.
    #[arg(long, env = "METRICS_ADDR", global = true)]
    pub metrics_addr: Option<String>,

    /// Log filter, `env_logger` syntax (e.g. `info`, `warn,access=info`).
    #[arg(long = "log", env = "RUST_LOG", default_value = "info", global = true)]
    pub rust_log: String,

    /// `text` (one readable line per event) or `json` (one JSON object per line: time, level,
    /// target, message, and for each request method, path, route, status, latency, request
    /// id, client address and the caller's `sub`).
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Lifetime of the tokens `POST /api/v1/oauth/token` issues to machine clients, in seconds.
    #[arg(long, env = "CLIENT_TOKEN_TTL_SECS", default_value_t = 900, global = true)]
    pub client_token_ttl_secs: i64,

    /// Failed client-credentials attempts per minute per client id before even the right
    /// secret waits (`429`); 0 turns the limit off.
    #[arg(long, env = "CLIENT_AUTH_FAILURES_PER_MINUTE", default_value_t = 10, global = true)]
    pub client_auth_failures_per_minute: u32,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "WORKERS", global = true)]
    pub workers: Option<usize>,
}

impl Settings {
    /// The database URL in force: the configured one, or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => url.clone(),
            _ => self
                .data_dir
                .join("coalition-registry.sqlite3")
                .to_string_lossy()
                .into_owned(),
        }
    }

    /// Settings for tests and tools: defaults plus the given database and secret.
    pub fn for_database(database_url: &str, data_dir: PathBuf, jwt_secret: &str) -> Settings {
        Settings {
            database_url: Some(database_url.to_string()),
            data_dir,
            bind_addr: "127.0.0.1:0".into(),
            jwt_secret: Some(Secret::new(jwt_secret)),
            jwt_issuer: None,
            jwt_audience: None,
            jwt_algorithms: vec!["HS256".into()],
            jwt_jwks_url: None,
            jwt_jwks_file: None,
            jwt_role_claim: "role".into(),
            jwt_admin_role: "admin".into(),
            jwt_editor_role: "editor".into(),
            jwt_coalitions_claim: "coalitions".into(),
            jwt_coalition_prefix: String::new(),
            cors_allowed_origins: Vec::new(),
            languages: Vec::new(),
            db_pool_size: 4,
            large_table_rows: crate::store::size::LARGE,
            max_body_bytes: 1_048_576,
            request_timeout_secs: 10,
            cache_max_age: 60,
            response_cache_mb: 64,
            // Tests send bursts of requests from one address; the limit's own tests set it.
            rate_limit_reads: 0,
            rate_limit_writes: 0,
            rate_limit_burst_seconds: 10,
            trusted_proxies: Vec::new(),
            metrics_addr: None,
            rust_log: "info".into(),
            log_format: LogFormat::Text,
            client_token_ttl_secs: 900,
            client_auth_failures_per_minute: 10,
            workers: Some(2),
        }
    }

    /// The HS256 secret: configured, or read from (or generated into) the data directory.
    pub fn resolve_jwt_secret(&self) -> anyhow::Result<Secret> {
        if let Some(secret) = &self.jwt_secret {
            if secret.expose().len() < 32 {
                anyhow::bail!("JWT_SECRET must be at least 32 characters long");
            }
            return Ok(secret.clone());
        }
        let path = self.data_dir.join("jwt-secret");
        if let Ok(existing) = std::fs::read_to_string(&path) {
            let existing = existing.trim().to_string();
            if existing.len() >= 32 {
                return Ok(Secret::new(existing));
            }
        }
        std::fs::create_dir_all(&self.data_dir)?;
        let secret = generate_secret();
        write_owner_only(&path, &secret)?;
        log::warn!(
            "no JWT_SECRET set: generated a development secret in {} (set JWT_SECRET in production)",
            path.display()
        );
        Ok(Secret::new(secret))
    }
}

#[cfg(unix)]
fn write_owner_only(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_owner_only(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

/// A fresh random secret for development use (64 hex characters).
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
