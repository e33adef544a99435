//! `tribun demo`: an embedded database in a local folder, the real territories, results and
//! INSEE indicators of the open-data folder, fictional demo accounts (marked as such), and the
//! server on http://127.0.0.1:8080.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::accounts::{self, NewUser, Role};
use crate::config::Config;
use crate::elections::ElectionId;
use crate::elections::import as results;
use crate::insee;
use crate::startup::{Application, shutdown_signal};
use crate::store::Store;
use crate::territories::import::{Sources, import};

#[derive(Debug, clap::Args)]
pub struct Opts {
    /// Folder for the demo database.
    #[arg(long, default_value = "demo-data")]
    data_dir: PathBuf,
    /// The open-data folder; defaults to ../shared/data when it exists.
    #[arg(long)]
    open_data: Option<PathBuf>,
}

/// Fictional accounts, one per kind of user; the emails say they are demo accounts.
const DEMO_ACCOUNTS: &[(&str, &str, Role, Option<&str>)] = &[
    ("admin@demo.tribun.fr", "Admin (démo)", Role::Admin, None),
    (
        "direction@demo.tribun.fr",
        "Camille Direction (fictive)",
        Role::Direction,
        None,
    ),
    (
        "riposte@demo.tribun.fr",
        "Sacha Riposte (fictif)",
        Role::Communication,
        None,
    ),
    (
        "coordination.herault@demo.tribun.fr",
        "Lou Coordination (fictive)",
        Role::Coordinateur,
        Some("34"),
    ),
    (
        "militant.montpellier@demo.tribun.fr",
        "Noa Militant (fictif)",
        Role::Militant,
        Some("34172"),
    ),
];

pub async fn run(mut config: Config, opts: Opts) -> anyhow::Result<()> {
    if config.database_url.is_empty() {
        config.data_dir = opts.data_dir;
    }
    let open_data = opts
        .open_data
        .or(config.open_data.clone())
        .or_else(|| Some(PathBuf::from("../shared/data")).filter(|p| p.is_dir()));
    let store = Store::open(&config.database_url()).await?;

    println!("Import des territoires…");
    let report = import(
        store.pool(),
        &Sources {
            reference_dir: &config.reference_dir,
            open_data_dir: open_data.as_deref(),
        },
    )
    .await
    .with_context(|| {
        format!(
            "failed to import territories (is {} installed? run scripts/setup)",
            config.reference_dir.display()
        )
    })?;
    println!("{report}");
    if open_data.is_none() {
        println!(
            "(données ouvertes absentes : ni circonscriptions ni contours ; --open-data DOSSIER)"
        );
    }
    if let Some(dir) = &open_data {
        let (data, variables) = (dir.join(insee::DATA_CSV), dir.join(insee::VARIABLES_CSV));
        if data.is_file() && variables.is_file() {
            println!("Import des indicateurs Insee…");
            let report = insee::import(store.pool(), &data, &variables)
                .await
                .context("failed to import the INSEE indicators")?;
            println!("{report}");
        }
    }

    if let Some(dir) = &open_data {
        import_results(&store, &dir.join("elections")).await?;
    }

    let password = super::generate_password();
    for (email, name, role, scope) in DEMO_ACCOUNTS {
        match accounts::find_by_email(store.pool(), email).await? {
            Some(user) => accounts::set_password(store.pool(), user.id, &password).await?,
            None => {
                accounts::create_user(
                    store.pool(),
                    NewUser {
                        email,
                        display_name: name,
                        password: &password,
                        role: *role,
                        scope_code: *scope,
                    },
                )
                .await?;
            }
        }
    }

    let application = Application::with_store(config, store).await?;
    println!();
    println!(
        "Tribun (démonstration) : http://127.0.0.1:{}",
        application.port()
    );
    println!("Comptes de démonstration fictifs, tous avec le mot de passe : {password}");
    for (email, _, role, scope) in DEMO_ACCOUNTS {
        println!(
            "  {email:<40} {:<14} {}",
            role.as_str(),
            scope.unwrap_or("national")
        );
    }
    println!(
        "À voir : /elections (cartes), /ciblage (listes de cibles), /territoires/34-01/fiche \
         (fiche et PDF)"
    );
    application.run_until_stopped(shutdown_signal()).await
}

/// Every results file of the open-data folder, its election and round read from its name
/// (`legislatives-2022-…-t2-…`; round 1 when no `t2` appears). Already imported files are
/// skipped by the import itself.
async fn import_results(store: &Store, dir: &Path) -> anyhow::Result<()> {
    let Ok(folders) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let mut files: Vec<PathBuf> = folders
        .flatten()
        .flat_map(|folder| {
            std::fs::read_dir(folder.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|e| e == "xlsx" || e == "csv" || e == "txt")
        })
        .collect();
    files.sort();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut parts = name.split('-');
        let (Some(kind), Some(year)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Ok(election) = ElectionId::parse(&format!("{kind}-{year}")) else {
            continue;
        };
        let round = if name.split(['-', '.']).any(|part| part == "t2") {
            2
        } else {
            1
        };
        let bytes =
            std::fs::read(&path).with_context(|| format!("failed to read {}", path.display()))?;
        let report = results::import(
            store.pool(),
            results::Request {
                election: &election,
                round,
                source_name: &name,
                bytes: &bytes,
                dry_run: false,
                on_progress: &|_, _| {},
            },
        )
        .await
        .with_context(|| format!("failed to import {name}"))?;
        println!(
            "Résultats {} tour {round} : {} ({} territoires){}",
            election.name(),
            name,
            report.territories,
            if report.already_imported {
                ", déjà importé"
            } else {
                ""
            }
        );
    }
    Ok(())
}
