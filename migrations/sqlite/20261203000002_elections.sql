-- Elections and official results (SQLite dialect; keep in step with migrations/postgres).
CREATE TABLE elections (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    name TEXT NOT NULL
);

-- One imported file: an election, a round, a level, and the file's digest.
CREATE TABLE result_sets (
    id INTEGER PRIMARY KEY,
    election_id TEXT NOT NULL REFERENCES elections (id),
    round INTEGER NOT NULL,
    level TEXT NOT NULL,
    layout TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    UNIQUE (election_id, round, level, source_sha256)
);

CREATE TABLE territory_results (
    result_set_id INTEGER NOT NULL REFERENCES result_sets (id) ON DELETE CASCADE,
    territory_code TEXT NOT NULL,
    circonscription_code TEXT,
    line INTEGER NOT NULL,
    inscrits INTEGER NOT NULL,
    abstentions INTEGER NOT NULL,
    votants INTEGER NOT NULL,
    blancs INTEGER,
    nuls INTEGER,
    exprimes INTEGER NOT NULL,
    PRIMARY KEY (result_set_id, territory_code)
);
CREATE INDEX territory_results_territory ON territory_results (territory_code);

CREATE TABLE candidate_results (
    result_set_id INTEGER NOT NULL REFERENCES result_sets (id) ON DELETE CASCADE,
    territory_code TEXT NOT NULL,
    position INTEGER NOT NULL,
    panel INTEGER,
    sex TEXT,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    nuance TEXT,
    votes INTEGER NOT NULL,
    elected INTEGER,
    PRIMARY KEY (result_set_id, territory_code, position)
);

-- Nuance codes of the Interior ministry (2017–2024) → political blocs; admins edit it.
CREATE TABLE nuance_blocs (
    nuance TEXT PRIMARY KEY,
    bloc TEXT NOT NULL,
    label TEXT NOT NULL
);
INSERT INTO nuance_blocs (nuance, bloc, label) VALUES
    ('EXG', 'extreme_gauche', 'Extrême gauche'),
    ('DXG', 'extreme_gauche', 'Divers extrême gauche'),
    ('FI', 'gauche', 'La France insoumise'),
    ('NUP', 'gauche', 'Nouvelle union populaire écologique et sociale'),
    ('UG', 'gauche', 'Union de la gauche'),
    ('COM', 'gauche', 'Parti communiste français'),
    ('SOC', 'gauche', 'Parti socialiste'),
    ('RDG', 'gauche', 'Parti radical de gauche'),
    ('DVG', 'gauche', 'Divers gauche'),
    ('ECO', 'ecologistes', 'Écologistes'),
    ('VEC', 'ecologistes', 'Les Verts'),
    ('REM', 'centre', 'La République en marche'),
    ('ENS', 'centre', 'Ensemble'),
    ('MDM', 'centre', 'Mouvement démocrate'),
    ('HOR', 'centre', 'Horizons'),
    ('UDI', 'centre', 'Union des démocrates et indépendants'),
    ('DVC', 'centre', 'Divers centre'),
    ('LR', 'droite', 'Les Républicains'),
    ('DVD', 'droite', 'Divers droite'),
    ('DSV', 'droite', 'Droite souverainiste'),
    ('UXD', 'extreme_droite', 'Union de l''extrême droite'),
    ('RN', 'extreme_droite', 'Rassemblement national'),
    ('FN', 'extreme_droite', 'Front national'),
    ('REC', 'extreme_droite', 'Reconquête'),
    ('EXD', 'extreme_droite', 'Extrême droite'),
    ('DXD', 'extreme_droite', 'Divers extrême droite'),
    ('REG', 'divers', 'Régionaliste'),
    ('DIV', 'divers', 'Divers');
