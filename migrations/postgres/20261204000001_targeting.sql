-- The priority score's settings: one row, edited by admins (see src/targeting.rs). PostgreSQL dialect.
CREATE TABLE targeting_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    bloc TEXT NOT NULL,
    weight_reserve BIGINT NOT NULL,
    weight_persuadables BIGINT NOT NULL,
    weight_size BIGINT NOT NULL
);
INSERT INTO targeting_settings (id, bloc, weight_reserve, weight_persuadables, weight_size)
VALUES (1, 'gauche', 50, 30, 20);
