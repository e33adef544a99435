//! Imports the territorial reference: `@etalab/decoupage-administratif` (régions, départements,
//! communes, EPCI), the INSEE commune → circonscription table and the GeoJSON boundaries.
//!
//! Everything is read and checked first, then written in one transaction with upserts, so a bad
//! file changes nothing and importing the same files twice leaves the database as it was.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyPool, Transaction};
use territory_codes::{BureauCode, CircoCode, CommuneCode, DepartementCode, EpciCode, RegionCode};

use crate::store::{Value, insert_batched};
use crate::territories::{Kind, normalise_name};

/// The INSEE table, relative to the open-data folder.
pub const CIRCONSCRIPTIONS_CSV: &str = "reference/insee-communes-circonscriptions-legislatives.csv";

/// Files mapping bureaux de vote to circonscriptions (`{"34172_0001": 3401, …}`), found as
/// `elections/*/bureaux-vers-circonscriptions-*.json` in the open-data folder.
const BUREAUX_PREFIX: &str = "bureaux-vers-circonscriptions-";

/// Boundary files, relative to the open-data folder, in the order they are applied (a later
/// file replaces the geometry an earlier one gave: the simplified metropolitan départements
/// replace the detailed ones, the Hérault files refine the national ones).
const GEOMETRY_FILES: &[(&str, GeoKey)] = &[
    (
        "geo/regions-version-simplifiee.geojson",
        GeoKey::Region("code"),
    ),
    (
        "geo/departements-avec-outre-mer.geojson",
        GeoKey::Departement("code"),
    ),
    (
        "geo/departements-version-simplifiee.geojson",
        GeoKey::Departement("code"),
    ),
    (
        "geo/circonscriptions-legislatives-2012.geojson",
        GeoKey::Circonscription("ID"),
    ),
    (
        "geo/circonscriptions-34-herault.geojson",
        GeoKey::Circonscription("codeCirconscription"),
    ),
    ("geo/communes-34-herault.geojson", GeoKey::Commune("code")),
];

#[derive(Clone, Copy)]
enum GeoKey {
    Region(&'static str),
    Departement(&'static str),
    Circonscription(&'static str),
    Commune(&'static str),
}

/// A refused input: which file, where in it, and what was wrong.
#[derive(Debug, thiserror::Error)]
#[error("{}: {position}: {problem}", file.display())]
pub struct ImportError {
    pub file: PathBuf,
    pub position: String,
    pub problem: String,
}

impl ImportError {
    fn new(file: &Path, position: impl fmt::Display, problem: impl fmt::Display) -> Self {
        Self {
            file: file.to_owned(),
            position: position.to_string(),
            problem: problem.to_string(),
        }
    }
}

/// Why an import failed: bad input, or the database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Input(#[from] ImportError),
    #[error("failed to write territories: {0}")]
    Database(#[from] sqlx::Error),
}

/// What an import found and wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub regions: usize,
    pub departements: usize,
    pub collectivites: usize,
    pub communes: usize,
    pub arrondissements_municipaux: usize,
    pub epcis: usize,
    pub former_communes: usize,
    /// Circonscriptions named in the INSEE table.
    pub circonscriptions: usize,
    /// Circonscriptions known only from their boundaries (overseas collectivities).
    pub circonscriptions_from_geometry: usize,
    pub commune_circonscription_links: usize,
    pub partial_links: usize,
    pub split_communes: usize,
    /// Communes of the INSEE table with no circonscription (the Meuse villages destroyed in 1916).
    pub communes_without_circonscription: usize,
    /// Rows of the INSEE table naming a commune merged since, linked through its successor.
    pub rows_through_successor: usize,
    pub geometries: usize,
    pub bureaux: usize,
    pub files: Vec<String>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "fichiers lus : {}", self.files.join(", "))?;
        writeln!(
            f,
            "{} régions, {} départements, {} collectivités d'outre-mer, {} communes, \
             {} arrondissements municipaux, {} EPCI, {} anciennes communes",
            self.regions,
            self.departements,
            self.collectivites,
            self.communes,
            self.arrondissements_municipaux,
            self.epcis,
            self.former_communes
        )?;
        writeln!(
            f,
            "{} circonscriptions (table INSEE) + {} connues par leur contour ; {} liens \
             commune–circonscription dont {} partiels ({} communes découpées) ; {} communes sans \
             circonscription ; {} lignes rattachées à la commune nouvelle",
            self.circonscriptions,
            self.circonscriptions_from_geometry,
            self.commune_circonscription_links,
            self.partial_links,
            self.split_communes,
            self.communes_without_circonscription,
            self.rows_through_successor
        )?;
        write!(
            f,
            "{} contours enregistrés ; {} bureaux de vote",
            self.geometries, self.bureaux
        )
    }
}

/// Where to read from.
pub struct Sources<'a> {
    /// The `data` folder of `@etalab/decoupage-administratif`.
    pub reference_dir: &'a Path,
    /// The open-data folder (`../shared/data` layout); its files are optional.
    pub open_data_dir: Option<&'a Path>,
}

/// Reads every source, then writes them in one transaction.
pub async fn import(pool: &AnyPool, sources: &Sources<'_>) -> Result<ImportReport, Error> {
    let dataset = read(sources)?;
    let mut tx = pool.begin().await?;
    dataset.write(&mut tx).await?;
    tx.commit().await?;
    Ok(dataset.report)
}

struct TerritoryRecord {
    code: String,
    kind: Kind,
    name: String,
    population: Option<i64>,
    departement_code: Option<String>,
    postcodes: String,
    geometry: Option<String>,
}

struct FormerCommune {
    code: String,
    kind: &'static str,
    name: String,
    successor: String,
}

#[derive(Default)]
struct Dataset {
    territories: BTreeMap<String, TerritoryRecord>,
    /// (parent, child) → partial.
    links: BTreeMap<(String, String), bool>,
    former: Vec<FormerCommune>,
    /// Article used before each département's name ("de l'", "du", …), by code.
    liaisons: HashMap<String, u8>,
    report: ImportReport,
}

#[derive(Deserialize)]
struct NpmRegion {
    code: String,
    nom: String,
    zone: String,
}

#[derive(Deserialize)]
struct NpmDepartement {
    code: String,
    nom: String,
    region: String,
    zone: String,
    #[serde(rename = "typeLiaison")]
    type_liaison: Option<u8>,
}

#[derive(Deserialize)]
struct NpmCommune {
    code: String,
    nom: String,
    #[serde(rename = "type")]
    kind: String,
    departement: String,
    #[serde(default, rename = "codesPostaux")]
    postcodes: Vec<String>,
    population: Option<i64>,
    #[serde(rename = "chefLieu")]
    chef_lieu: Option<String>,
    commune: Option<String>,
    #[serde(default, rename = "anciensCodes")]
    former_codes: Vec<String>,
}

#[derive(Deserialize)]
struct NpmEpci {
    code: String,
    nom: String,
    #[serde(rename = "populationMunicipale")]
    population: Option<i64>,
    membres: Vec<NpmMember>,
}

#[derive(Deserialize)]
struct NpmMember {
    code: String,
}

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: serde_json::Map<String, serde_json::Value>,
    geometry: serde_json::Value,
}

fn read_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    std::fs::read(path).map_err(|e| ImportError::new(path, "file", format!("cannot read: {e}")))
}

fn parse_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ImportError> {
    let bytes = read_file(path)?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let problem = e.to_string();
        // serde_json appends " at line L column C"; the position is given separately.
        let problem = problem
            .split(" at line ")
            .next()
            .unwrap_or(&problem)
            .to_owned();
        let problem = match e.classify() {
            serde_json::error::Category::Eof => format!("truncated JSON: {problem}"),
            _ => problem,
        };
        ImportError::new(
            path,
            format_args!("line {}, column {}", e.line(), e.column()),
            problem,
        )
    })
}

/// The bureau → circonscription files of every election folder, in a stable order.
fn bureau_files(open_data: &Path) -> Vec<PathBuf> {
    let elections = open_data.join("elections");
    let mut files = Vec::new();
    let Ok(folders) = std::fs::read_dir(&elections) else {
        return files;
    };
    for folder in folders.flatten() {
        let Ok(entries) = std::fs::read_dir(folder.path()) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(BUREAUX_PREFIX) && name.ends_with(".json") {
                files.push(entry.path());
            }
        }
    }
    files.sort();
    files
}

fn read(sources: &Sources<'_>) -> Result<Dataset, ImportError> {
    let mut dataset = Dataset::default();
    dataset.read_reference(sources.reference_dir)?;
    if let Some(open_data) = sources.open_data_dir {
        let table = open_data.join(CIRCONSCRIPTIONS_CSV);
        if table.exists() {
            dataset.read_circonscriptions(&table)?;
        }
        for path in bureau_files(open_data) {
            dataset.read_bureaux(&path)?;
        }
        for (file, key) in GEOMETRY_FILES {
            let path = open_data.join(file);
            if path.exists() {
                dataset.read_geometry(&path, *key)?;
            }
        }
    }
    dataset.sum_populations();
    Ok(dataset)
}

impl Dataset {
    fn add(&mut self, record: TerritoryRecord) {
        self.territories.insert(record.code.clone(), record);
    }

    fn link(&mut self, parent: &str, child: &str, partial: bool) {
        let entry = self
            .links
            .entry((parent.to_owned(), child.to_owned()))
            .or_insert(false);
        *entry |= partial;
    }

    fn read_reference(&mut self, dir: &Path) -> Result<(), ImportError> {
        let path = dir.join("regions.json");
        let regions: Vec<NpmRegion> = parse_json(&path)?;
        for (index, region) in regions.into_iter().enumerate() {
            // Overseas collectivities appear as their own "région"; they are kept as
            // collectivities from departements.json instead.
            if region.zone == "com" {
                continue;
            }
            let code = RegionCode::parse(&region.code)
                .map_err(|e| ImportError::new(&path, format_args!("item {}", index + 1), e))?;
            self.add(TerritoryRecord {
                code: code.to_string(),
                kind: Kind::Region,
                name: region.nom,
                population: None,
                departement_code: None,
                postcodes: String::new(),
                geometry: None,
            });
            self.report.regions += 1;
        }
        self.report.files.push(path.display().to_string());

        let path = dir.join("departements.json");
        let departements: Vec<NpmDepartement> = parse_json(&path)?;
        for (index, departement) in departements.into_iter().enumerate() {
            let code = DepartementCode::parse(&departement.code)
                .map_err(|e| ImportError::new(&path, format_args!("item {}", index + 1), e))?;
            let kind = if departement.zone == "com" {
                self.report.collectivites += 1;
                Kind::Collectivite
            } else {
                self.report.departements += 1;
                Kind::Departement
            };
            let region = format!("R{}", departement.region);
            if self.territories.contains_key(&region) {
                self.link(&region, code.as_str(), false);
            }
            self.liaisons
                .insert(code.to_string(), departement.type_liaison.unwrap_or(0));
            self.add(TerritoryRecord {
                code: code.to_string(),
                kind,
                name: departement.nom,
                population: None,
                departement_code: None,
                postcodes: String::new(),
                geometry: None,
            });
        }
        self.report.files.push(path.display().to_string());

        let path = dir.join("communes.json");
        let communes: Vec<NpmCommune> = parse_json(&path)?;
        // Current communes first, so that former ones and arrondissements can point to them.
        for (index, commune) in communes.iter().enumerate() {
            if commune.kind != "commune-actuelle" {
                continue;
            }
            let position = format_args!("item {} ({})", index + 1, commune.code).to_string();
            let code = CommuneCode::parse(&commune.code)
                .map_err(|e| ImportError::new(&path, &position, e))?;
            let departement = DepartementCode::parse(&commune.departement)
                .map_err(|e| ImportError::new(&path, &position, e))?;
            if !self.territories.contains_key(departement.as_str()) {
                return Err(ImportError::new(
                    &path,
                    &position,
                    format_args!("unknown département {departement}"),
                ));
            }
            self.link(departement.as_str(), code.as_str(), false);
            self.add(TerritoryRecord {
                code: code.to_string(),
                kind: Kind::Commune,
                name: commune.nom.clone(),
                population: commune.population,
                departement_code: Some(departement.to_string()),
                postcodes: commune.postcodes.join(" "),
                geometry: None,
            });
            self.report.communes += 1;
        }
        for (index, commune) in communes.into_iter().enumerate() {
            let position = format_args!("item {} ({})", index + 1, commune.code).to_string();
            let successor = match commune.kind.as_str() {
                "commune-actuelle" => {
                    for former in &commune.former_codes {
                        self.former.push(FormerCommune {
                            code: former.clone(),
                            kind: "ancienne",
                            name: String::new(),
                            successor: commune.code.clone(),
                        });
                    }
                    continue;
                }
                "arrondissement-municipal" => commune.commune.clone(),
                "commune-deleguee" | "commune-associee" => commune.chef_lieu.clone(),
                other => {
                    return Err(ImportError::new(
                        &path,
                        &position,
                        format_args!("unknown commune type {other:?}"),
                    ));
                }
            };
            let Some(successor) = successor.filter(|s| self.territories.contains_key(s)) else {
                return Err(ImportError::new(
                    &path,
                    &position,
                    "missing or unknown parent commune",
                ));
            };
            if commune.kind == "arrondissement-municipal" {
                let code = CommuneCode::parse(&commune.code)
                    .map_err(|e| ImportError::new(&path, &position, e))?;
                self.link(&successor, code.as_str(), false);
                self.add(TerritoryRecord {
                    code: code.to_string(),
                    kind: Kind::ArrondissementMunicipal,
                    name: commune.nom,
                    population: commune.population,
                    departement_code: Some(commune.departement),
                    postcodes: commune.postcodes.join(" "),
                    geometry: None,
                });
                self.report.arrondissements_municipaux += 1;
            } else {
                self.former.push(FormerCommune {
                    code: commune.code,
                    kind: if commune.kind == "commune-deleguee" {
                        "deleguee"
                    } else {
                        "associee"
                    },
                    name: commune.nom,
                    successor,
                });
            }
        }
        // A former code listed by its successor and also as a déléguée keeps the named entry.
        let named: BTreeSet<(String, String)> = self
            .former
            .iter()
            .filter(|f| !f.name.is_empty())
            .map(|f| (f.code.clone(), f.successor.clone()))
            .collect();
        self.former.retain(|f| {
            !f.name.is_empty() || !named.contains(&(f.code.clone(), f.successor.clone()))
        });
        self.former
            .sort_by(|a, b| (&a.code, a.kind, &a.successor).cmp(&(&b.code, b.kind, &b.successor)));
        self.former
            .dedup_by(|a, b| (&a.code, a.kind, &a.successor) == (&b.code, b.kind, &b.successor));
        self.report.former_communes = self.former.len();
        self.report.files.push(path.display().to_string());

        let path = dir.join("epci.json");
        let epcis: Vec<NpmEpci> = parse_json(&path)?;
        for (index, epci) in epcis.into_iter().enumerate() {
            let position = format_args!("item {} ({})", index + 1, epci.code).to_string();
            let code =
                EpciCode::parse(&epci.code).map_err(|e| ImportError::new(&path, &position, e))?;
            for member in &epci.membres {
                if !self.territories.contains_key(&member.code) {
                    return Err(ImportError::new(
                        &path,
                        &position,
                        format_args!("member {} is not a current commune", member.code),
                    ));
                }
                self.link(code.as_str(), &member.code, false);
            }
            self.add(TerritoryRecord {
                code: code.to_string(),
                kind: Kind::Epci,
                name: epci.nom,
                population: epci.population,
                departement_code: None,
                postcodes: String::new(),
                geometry: None,
            });
            self.report.epcis += 1;
        }
        self.report.files.push(path.display().to_string());
        Ok(())
    }

    /// The current commune for `code`, following merges.
    fn current_commune(&self, code: &CommuneCode) -> Option<String> {
        let code = code.as_str();
        if self
            .territories
            .get(code)
            .is_some_and(|t| t.kind == Kind::Commune)
        {
            return Some(code.to_owned());
        }
        self.former
            .iter()
            .find(|f| f.code == code)
            .map(|f| f.successor.clone())
    }

    fn add_circonscription(&mut self, circo: &CircoCode) -> Result<bool, String> {
        let code = circo.to_string();
        if self.territories.contains_key(&code) {
            return Ok(false);
        }
        let departement = circo.departement().as_str();
        let Some(parent) = self.territories.get(departement) else {
            return Err(format!(
                "unknown département {departement} for circonscription {code}"
            ));
        };
        let article = match self.liaisons.get(departement).copied().unwrap_or(0) {
            1 => "d'",
            2 => "du ",
            3 => "de la ",
            4 | 6 => "des ",
            5 => "de l'",
            _ => "de ",
        };
        let ordinal = match circo.number() {
            1 => "1re".to_owned(),
            n => format!("{n}e"),
        };
        let name = format!("{ordinal} circonscription {article}{}", parent.name);
        self.link(departement, &code, false);
        self.add(TerritoryRecord {
            code,
            kind: Kind::Circonscription,
            name,
            population: None,
            departement_code: Some(departement.to_owned()),
            postcodes: String::new(),
            geometry: None,
        });
        Ok(true)
    }

    fn read_circonscriptions(&mut self, path: &Path) -> Result<(), ImportError> {
        const HEADERS: [&str; 8] = [
            "DEP",
            "libdep",
            "REG",
            "libreg",
            "COMMUNE_RESID",
            "LIBcom",
            "circo",
            "type_com",
        ];
        let bytes = read_file(path)?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .flexible(true)
            .from_reader(bytes.as_slice());
        // The csv crate miscounts lines of CRLF files, so lines are counted from byte offsets.
        let line_at = |position: Option<&csv::Position>| {
            let end = position
                .map_or(0, |p| p.byte() as usize + 1)
                .min(bytes.len());
            bytes[..end].iter().filter(|b| **b == b'\n').count() + 1
        };
        let csv_error = |e: csv::Error| {
            let line = line_at(e.position());
            ImportError::new(path, format_args!("line {line}"), e)
        };
        let headers = reader.headers().map_err(csv_error)?.clone();
        for (column, expected) in HEADERS.iter().enumerate() {
            let found = headers.get(column).unwrap_or("");
            if found.trim_start_matches('\u{feff}') != *expected {
                return Err(ImportError::new(
                    path,
                    format_args!("line 1, column {}", column + 1),
                    format_args!("expected the header {expected:?}, found {found:?}"),
                ));
            }
        }
        let mut circonscriptions = BTreeSet::new();
        let mut split_communes = BTreeSet::new();
        for record in reader.records() {
            let record = record.map_err(csv_error)?;
            let at =
                |column: usize| format!("line {}, column {column}", line_at(record.position()));
            let field = |column: usize| record.get(column - 1).unwrap_or("").trim();
            let commune =
                CommuneCode::parse(field(5)).map_err(|e| ImportError::new(path, at(5), e))?;
            let Some(current) = self.current_commune(&commune) else {
                return Err(ImportError::new(
                    path,
                    at(5),
                    format_args!("commune {commune} is not in the commune reference"),
                ));
            };
            if current != commune.as_str() {
                self.report.rows_through_successor += 1;
            }
            if record.len() == 6 || (record.len() == 8 && field(7).is_empty()) {
                self.report.communes_without_circonscription += 1;
                continue;
            }
            if record.len() != 8 {
                return Err(ImportError::new(
                    path,
                    at(record.len() + 1),
                    format_args!("expected 8 fields, found {}", record.len()),
                ));
            }
            let circo = CircoCode::parse(field(7)).map_err(|e| ImportError::new(path, at(7), e))?;
            let partial = match field(8) {
                "entière" => false,
                "partiel" => true,
                other => {
                    return Err(ImportError::new(
                        path,
                        at(8),
                        format_args!("expected \"entière\" or \"partiel\", found {other:?}"),
                    ));
                }
            };
            self.add_circonscription(&circo)
                .map_err(|problem| ImportError::new(path, at(7), problem))?;
            circonscriptions.insert(circo.to_string());
            self.link(&circo.to_string(), &current, partial);
            self.report.commune_circonscription_links += 1;
            if partial {
                self.report.partial_links += 1;
                split_communes.insert(commune);
            }
        }
        self.report.circonscriptions = circonscriptions.len();
        self.report.split_communes = split_communes.len();
        self.report.files.push(path.display().to_string());
        Ok(())
    }

    fn read_geometry(&mut self, path: &Path, key: GeoKey) -> Result<(), ImportError> {
        let collection: FeatureCollection = parse_json(path)?;
        for (index, feature) in collection.features.into_iter().enumerate() {
            let position = format!("feature {}", index + 1);
            let property = match key {
                GeoKey::Region(p)
                | GeoKey::Departement(p)
                | GeoKey::Circonscription(p)
                | GeoKey::Commune(p) => p,
            };
            let value = match feature.properties.get(property) {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(serde_json::Value::Number(n)) => n.to_string(),
                _ => {
                    return Err(ImportError::new(
                        path,
                        position,
                        format_args!("missing the property {property:?}"),
                    ));
                }
            };
            let code = match key {
                GeoKey::Region(_) => RegionCode::parse(&value).map(|c| c.to_string()),
                GeoKey::Departement(_) => DepartementCode::parse(&value).map(|c| c.to_string()),
                GeoKey::Circonscription(_) => CircoCode::parse(&value).map(|c| c.to_string()),
                GeoKey::Commune(_) => CommuneCode::parse(&value).map(|c| c.to_string()),
            }
            .map_err(|e| ImportError::new(path, &position, e))?;
            if let GeoKey::Circonscription(_) = key {
                let circo =
                    CircoCode::parse(&code).map_err(|e| ImportError::new(path, &position, e))?;
                if self
                    .add_circonscription(&circo)
                    .map_err(|problem| ImportError::new(path, &position, problem))?
                {
                    self.report.circonscriptions_from_geometry += 1;
                }
            }
            if !feature.geometry.is_object() {
                return Err(ImportError::new(path, &position, "missing geometry"));
            }
            // Boundaries of communes merged since are not carried over to their successor.
            if let Some(territory) = self.territories.get_mut(&code) {
                if territory.geometry.is_none() {
                    self.report.geometries += 1;
                }
                territory.geometry = Some(feature.geometry.to_string());
            }
        }
        self.report.files.push(path.display().to_string());
        Ok(())
    }

    fn read_bureaux(&mut self, path: &Path) -> Result<(), ImportError> {
        let bureaux: BTreeMap<String, serde_json::Value> = parse_json(path)?;
        for (key, circo) in bureaux {
            let position = format!("key {key:?}");
            let bureau =
                BureauCode::parse(&key).map_err(|e| ImportError::new(path, &position, e))?;
            let circo = CircoCode::parse(&circo.to_string().replace('"', ""))
                .map_err(|e| ImportError::new(path, &position, e))?;
            let Some(commune) = self.current_commune(bureau.commune()) else {
                return Err(ImportError::new(
                    path,
                    &position,
                    format_args!(
                        "commune {} is not in the commune reference",
                        bureau.commune()
                    ),
                ));
            };
            if !self.territories.contains_key(&circo.to_string()) {
                self.add_circonscription(&circo)
                    .map_err(|problem| ImportError::new(path, &position, problem))?;
            }
            let code = bureau.to_string();
            let name = format!(
                "Bureau {} — {}",
                code.rsplit('_').next().unwrap_or_default(),
                self.territories
                    .get(&commune)
                    .map(|c| c.name.as_str())
                    .unwrap_or_default()
            );
            self.link(&commune, &code, false);
            self.link(&circo.to_string(), &code, false);
            self.add(TerritoryRecord {
                code,
                kind: Kind::Bureau,
                name,
                population: None,
                departement_code: Some(bureau.commune().departement().to_string()),
                postcodes: String::new(),
                geometry: None,
            });
            self.report.bureaux += 1;
        }
        self.report.files.push(path.display().to_string());
        Ok(())
    }

    /// Départements, collectivities and régions take the population of their communes.
    fn sum_populations(&mut self) {
        let mut totals: HashMap<String, i64> = HashMap::new();
        for territory in self.territories.values() {
            if territory.kind != Kind::Commune {
                continue;
            }
            if let (Some(departement), Some(population)) =
                (&territory.departement_code, territory.population)
            {
                *totals.entry(departement.clone()).or_default() += population;
            }
        }
        let mut region_totals: HashMap<String, i64> = HashMap::new();
        for (parent, child) in self.links.keys() {
            if parent.starts_with('R') {
                *region_totals.entry(parent.clone()).or_default() +=
                    totals.get(child).copied().unwrap_or(0);
            }
        }
        totals.extend(region_totals);
        for (code, population) in totals {
            if let Some(territory) = self.territories.get_mut(&code) {
                territory.population = Some(population);
            }
        }
    }

    async fn write(&self, tx: &mut Transaction<'_, Any>) -> Result<(), sqlx::Error> {
        let territories: Vec<Vec<Value>> = self
            .territories
            .values()
            .map(|t| {
                vec![
                    Value::Text(t.code.clone()),
                    Value::Text(t.kind.as_str().to_owned()),
                    Value::Text(t.name.clone()),
                    Value::Text(normalise_name(&t.name)),
                    Value::Int(t.population),
                    Value::OptText(t.departement_code.clone()),
                    Value::Text(t.postcodes.clone()),
                    Value::OptText(t.geometry.clone()),
                ]
            })
            .collect();
        insert_batched(
            tx,
            "INSERT INTO territories (code, kind, name, search_name, population, \
             departement_code, postcodes, geometry) VALUES ",
            " ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
             search_name = excluded.search_name, population = excluded.population, \
             departement_code = excluded.departement_code, postcodes = excluded.postcodes, \
             geometry = COALESCE(excluded.geometry, territories.geometry)",
            territories,
        )
        .await?;
        let links = self
            .links
            .iter()
            .map(|((parent, child), partial)| {
                vec![
                    Value::Text(parent.clone()),
                    Value::Text(child.clone()),
                    Value::Int(Some(i64::from(*partial))),
                ]
            })
            .collect();
        insert_batched(
            tx,
            "INSERT INTO territory_links (parent_code, child_code, partial) VALUES ",
            " ON CONFLICT (parent_code, child_code) DO UPDATE SET partial = excluded.partial",
            links,
        )
        .await?;
        let former = self
            .former
            .iter()
            .map(|f| {
                vec![
                    Value::Text(f.code.clone()),
                    Value::Text(f.kind.to_owned()),
                    Value::Text(f.name.clone()),
                    Value::Text(normalise_name(&f.name)),
                    Value::Text(f.successor.clone()),
                ]
            })
            .collect();
        insert_batched(
            tx,
            "INSERT INTO former_communes (code, kind, name, search_name, successor_code) VALUES ",
            " ON CONFLICT (code, kind, successor_code) DO UPDATE SET name = excluded.name, \
             search_name = excluded.search_name",
            former,
        )
        .await?;
        Ok(())
    }
}
