-- Territories, accounts and the audit log (SQLite dialect; keep in step with migrations/postgres).
CREATE TABLE territories (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    population INTEGER,
    departement_code TEXT,
    postcodes TEXT NOT NULL DEFAULT '',
    geometry TEXT
);
CREATE INDEX territories_search_name ON territories (search_name);
CREATE INDEX territories_kind ON territories (kind);

CREATE TABLE territory_links (
    parent_code TEXT NOT NULL REFERENCES territories (code),
    child_code TEXT NOT NULL REFERENCES territories (code),
    partial INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (parent_code, child_code)
);
CREATE INDEX territory_links_child ON territory_links (child_code);

CREATE TABLE former_communes (
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    search_name TEXT NOT NULL,
    successor_code TEXT NOT NULL REFERENCES territories (code),
    PRIMARY KEY (code, kind, successor_code)
);
CREATE INDEX former_communes_search_name ON former_communes (search_name);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_code TEXT REFERENCES territories (code),
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);

CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_code TEXT REFERENCES territories (code),
    invited_by INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    accepted_at INTEGER
);

CREATE TABLE sign_in_attempts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    succeeded INTEGER NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts (email, at);
CREATE INDEX sign_in_attempts_ip ON sign_in_attempts (ip, at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_user_id INTEGER,
    actor_email TEXT,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    ip TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
