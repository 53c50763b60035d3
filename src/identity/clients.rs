//! Machine clients: registered by an admin (API or command line), each with a secret shown
//! once and stored as an Argon2id hash, a role and, for editors, the coalitions it may write.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::sql_types::{Nullable, Text, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::Role;
use crate::http::error::{ApiError, FieldError};
use crate::http::paging::{ListQuery, ListRequest, Listed};
use crate::kernel::records::{utc, References};
use crate::resources::validation::Referenced;
use crate::store::batch::insert_rows;
use crate::store::journal::{self, Action, Actor, Entry, RecordType};
use crate::store::new_id;
use crate::store::sql::{Sql, Value};
use crate::store::{now, DbConnection};

/// Longest client name.
const NAME_MAX: usize = 100;
/// Most coalitions one editor client may write.
const COALITIONS_MAX: usize = 100;

/// A registered machine client (never its secret).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Client {
    /// The `client_id` of the client-credentials grant, and the `sub` of its tokens.
    #[schema(format = "uuid")]
    pub id: String,
    /// What the client is (e.g. `eu4digital`).
    pub name: String,
    /// The role its tokens carry.
    #[schema(value_type = String, pattern = "^(admin|editor)$")]
    pub role: Role,
    /// For an editor: the coalitions its tokens may write.
    pub coalitions: Vec<String>,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// Who registered it (`sub`, or `cli`).
    pub created_by: String,
    /// When it was revoked: it gets no token since.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A client to register.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    /// What the client is, 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// `admin` or `editor`.
    #[schema(value_type = String, pattern = "^(admin|editor)$")]
    pub role: Role,
    /// For an editor, the ids of the coalitions it may write (at least one); none for an admin.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub coalitions: Vec<String>,
}

/// A newly registered client with its secret: the only time the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedClient {
    /// The client.
    #[serde(flatten)]
    pub client: Client,
    /// The secret for `POST /api/v1/oauth/token`; stored only as a hash, so keep it now.
    pub client_secret: String,
}

#[derive(diesel::QueryableByName)]
struct ClientRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = Text)]
    coalitions: String,
    #[diesel(sql_type = Text)]
    secret_hash: String,
    #[diesel(sql_type = Timestamp)]
    created_at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    created_by: String,
    #[diesel(sql_type = Nullable<Timestamp>)]
    revoked_at: Option<NaiveDateTime>,
}

impl ClientRow {
    fn client(self) -> (Client, String) {
        let client = Client {
            id: self.id,
            name: self.name,
            role: if self.role == "admin" {
                Role::Admin
            } else {
                Role::Editor
            },
            coalitions: serde_json::from_str(&self.coalitions).unwrap_or_default(),
            created_at: utc(self.created_at),
            created_by: self.created_by,
            revoked_at: self.revoked_at.map(utc),
        };
        (client, self.secret_hash)
    }
}

crate::sortable!(ClientRow, key id, alias "c": created_at Timestamp, name Text);

const COLUMNS: &str = "id, name, role, coalitions, secret_hash, created_at, created_by, revoked_at";

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Editor => "editor",
    }
}

/// Check a client to register: the name, and the coalitions the role calls for (which must
/// exist). Returns it normalised (name trimmed, ids lowercase and each once).
fn validate(conn: &mut DbConnection, mut new: NewClient) -> Result<NewClient, ApiError> {
    let mut errors = Vec::new();
    new.name = new.name.trim().to_string();
    if new.name.is_empty() {
        errors.push(FieldError::new("name", "blank", "must not be blank"));
    } else if new.name.chars().count() > NAME_MAX {
        errors.push(FieldError::new(
            "name",
            "too_long",
            format!("at most {NAME_MAX} characters"),
        ));
    }
    let mut ids: Vec<String> = Vec::new();
    for (i, raw) in new.coalitions.iter().enumerate() {
        match uuid::Uuid::parse_str(raw.trim()) {
            Ok(id) => {
                let id = id.hyphenated().to_string();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            Err(_) => errors.push(FieldError::new(
                format!("coalitions[{i}]"),
                "invalid_value",
                "a coalition id (a UUID)",
            )),
        }
    }
    match new.role {
        Role::Editor if new.coalitions.is_empty() => errors.push(FieldError::new(
            "coalitions",
            "required",
            "an editor client writes for at least one coalition",
        )),
        Role::Admin if !new.coalitions.is_empty() => errors.push(FieldError::new(
            "coalitions",
            "invalid_value",
            "an admin client may write everything: give it no coalitions",
        )),
        _ if new.coalitions.len() > COALITIONS_MAX => errors.push(FieldError::new(
            "coalitions",
            "too_many",
            format!("at most {COALITIONS_MAX} coalitions"),
        )),
        _ => {}
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let mut references = References::default();
    for (i, id) in ids.iter().enumerate() {
        references.coalition(&format!("coalitions[{i}]"), id);
    }
    references.finish(conn)?;
    new.coalitions = ids;
    Ok(new)
}

/// A new random secret: 32 bytes from `rand`'s thread generator (ChaCha, seeded by the OS), base64url (43 characters).
fn new_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The Argon2id hash (PHC string) of a secret, with the crate's default cost (19 MiB, two
/// passes: OWASP's first recommendation).
fn hash(secret: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(format!("hashing a client secret: {e}")))
}

/// Whether `secret` matches the stored hash (constant time in the secret).
pub fn secret_matches(secret: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok())
}

/// Register a client (in the caller's transaction, audited); its secret is returned once.
pub fn add(conn: &mut DbConnection, actor: &Actor, new: NewClient) -> Result<IssuedClient, ApiError> {
    let new = validate(conn, new)?;
    let secret = new_secret();
    let client = Client {
        id: new_id(),
        name: new.name,
        role: new.role,
        coalitions: new.coalitions,
        created_at: utc(now()),
        created_by: actor.sub.clone(),
        revoked_at: None,
    };
    insert_rows(
        conn,
        "api_clients",
        &[
            "id",
            "name",
            "role",
            "coalitions",
            "secret_hash",
            "created_at",
            "created_by",
        ],
        vec![vec![
            Value::text(&client.id),
            Value::text(&client.name),
            Value::text(role_name(client.role)),
            Value::Text(serde_json::to_string(&client.coalitions).unwrap_or_else(|_| "[]".into())),
            Value::Text(hash(&secret)?),
            Value::Timestamp(client.created_at.naive_utc()),
            Value::text(&client.created_by),
        ]],
    )?;
    let mut changed = vec!["name".to_string(), "role".to_string()];
    if !client.coalitions.is_empty() {
        changed.push("coalitions".into());
    }
    journal::record(
        conn,
        actor,
        vec![Entry {
            record_type: RecordType::CLIENT,
            record_id: client.id.clone(),
            action: Action::Created,
            version: None,
            changed,
            new_key: true,
        }],
    )?;
    Ok(IssuedClient {
        client,
        client_secret: secret,
    })
}

/// One page of clients, revoked ones included.
pub fn page(conn: &mut DbConnection, request: &ListRequest) -> Result<Listed<Client>, ApiError> {
    ListQuery::new("c.*", "api_clients c", "c.id", Vec::new())
        .run::<ClientRow>(conn, request)?
        .try_map(|rows| Ok(rows.into_iter().map(|r| r.client().0).collect()))
}

/// Every client, revoked ones included, oldest first (the command line's list).
pub fn list(conn: &mut DbConnection) -> Result<Vec<Client>, ApiError> {
    let rows: Vec<ClientRow> =
        Sql::new(&format!("SELECT {COLUMNS} FROM api_clients ORDER BY created_at, id")).load(conn)?;
    Ok(rows.into_iter().map(|r| r.client().0).collect())
}

/// One client and its secret's hash.
pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<(Client, String)>, ApiError> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM api_clients WHERE id = "));
    sql.bind(Value::text(id));
    let rows: Vec<ClientRow> = sql.load(conn)?;
    Ok(rows.into_iter().next().map(ClientRow::client))
}

/// Revoke a client (audited the first time; revoking again changes nothing). `None`: no
/// such client.
pub fn revoke(conn: &mut DbConnection, actor: &Actor, id: &str) -> Result<Option<Client>, ApiError> {
    let mut sql = Sql::new("UPDATE api_clients SET revoked_at = ");
    sql.bind(Value::Timestamp(now()));
    sql.push(" WHERE revoked_at IS NULL AND id = ");
    sql.bind(Value::text(id));
    if sql.execute(conn)? > 0 {
        journal::record(
            conn,
            actor,
            vec![Entry {
                record_type: RecordType::CLIENT,
                record_id: id.to_string(),
                action: Action::Updated,
                version: None,
                changed: vec!["revoked_at".into()],
                new_key: false,
            }],
        )?;
    }
    Ok(find(conn, id)?.map(|(client, _)| client))
}
