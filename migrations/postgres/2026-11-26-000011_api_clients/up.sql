-- Machine clients of the OAuth 2.0 client-credentials grant (`POST /api/v1/oauth/token`).
-- The secret is stored only as an Argon2id hash (PHC string); a revoked client keeps its row.
CREATE TABLE api_clients (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'editor')),
    coalitions  TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  TIMESTAMP
);
CREATE INDEX api_clients_created ON api_clients (created_at, id);
