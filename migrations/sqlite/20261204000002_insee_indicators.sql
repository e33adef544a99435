-- INSEE socio-economic indicators per circonscription législative, 2022 edition (SQLite
-- dialect; keep in step with migrations/postgres). Written by src/insee.rs, which replaces the
-- whole data set on each import.

-- The dictionary: one row per indicator column of the file, in the file's order.
CREATE TABLE insee_variables (
    key TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    source TEXT NOT NULL,
    position INTEGER NOT NULL
);

-- One value per circonscription and indicator. `territory_code` is the canonical
-- circonscription code (`34-01`), or 'FR' for the file's national reference row ("00000").
-- No foreign key to territories: the indicators import on a database without territories, and
-- the file names one circonscription (978-01, Saint-Barthélemy et Saint-Martin) that the
-- territorial reference files as 977-01. Cells the file gives as "nd" or empty are absent.
CREATE TABLE insee_indicators (
    territory_code TEXT NOT NULL,
    key TEXT NOT NULL REFERENCES insee_variables (key),
    value REAL NOT NULL,
    PRIMARY KEY (territory_code, key)
);
