//! `tribun import …`: reference data imports.

use std::path::PathBuf;

use anyhow::Context;

use crate::audit;
use crate::config::Config;
use crate::elections::ElectionId;
use crate::elections::import as results;
use crate::insee;
use crate::store::Store;
use crate::territories::import::{Sources, import};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Régions, départements, communes and EPCI from @etalab/decoupage-administratif, and, when
    /// an open-data folder is given, circonscriptions and boundaries.
    Territories(TerritoriesOpts),
    /// An Interior ministry results file as published (xlsx, csv or txt; any level).
    Results(ResultsOpts),
    /// INSEE socio-economic indicators per circonscription législative, with their dictionary.
    Indicators(IndicatorsOpts),
}

#[derive(Debug, clap::Args)]
pub struct IndicatorsOpts {
    /// The indicators CSV; defaults to
    /// reference/insee-indicateurs-circonscriptions-legislatives-2022.csv in the open-data folder.
    file: Option<PathBuf>,
    /// The dictionary CSV (variable, label, source); defaults to the `.variables.csv` next to
    /// FILE.
    #[arg(long)]
    variables: Option<PathBuf>,
    /// The open-data folder (layout of ../shared/data), when FILE is not given.
    #[arg(long)]
    open_data: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ResultsOpts {
    /// The results file.
    file: PathBuf,
    /// The election, as KIND-YEAR: legislatives-2022, presidentielle-2022, europeennes-2024…
    #[arg(long, value_parser = parse_election)]
    election: ElectionId,
    /// The round (1 or 2).
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..=2))]
    round: i64,
    /// Parse and report without writing anything.
    #[arg(long)]
    dry_run: bool,
}

fn parse_election(value: &str) -> Result<ElectionId, String> {
    ElectionId::parse(value).map_err(|e| e.to_string())
}

#[derive(Debug, clap::Args)]
pub struct TerritoriesOpts {
    /// The `data` folder of @etalab/decoupage-administratif.
    #[arg(long)]
    reference: Option<PathBuf>,
    /// The open-data folder (layout of ../shared/data).
    #[arg(long)]
    open_data: Option<PathBuf>,
}

pub async fn run(config: Config, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Indicators(opts) => {
            let file = match opts.file {
                Some(file) => file,
                None => opts
                    .open_data
                    .or(config.open_data.clone())
                    .map(|dir| dir.join(insee::DATA_CSV))
                    .context(
                        "no indicators file given and no open-data folder configured \
                         (--open-data or TRIBUN_OPEN_DATA)",
                    )?,
            };
            let variables = opts.variables.unwrap_or_else(|| {
                let name = file
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let stem = name.strip_suffix(".csv").unwrap_or(&name);
                file.with_file_name(format!("{stem}.variables.csv"))
            });
            let store = Store::open(&config.database_url()).await?;
            let report = insee::import(store.pool(), &file, &variables)
                .await
                .context("import refusé, base inchangée")?;
            if report.changed_anything() {
                audit::record(
                    store.pool(),
                    None,
                    "import des indicateurs Insee",
                    &file.display().to_string(),
                    None,
                )
                .await?;
            }
            println!("{report}");
            store.close().await;
            Ok(())
        }
        Command::Results(opts) => {
            let store = Store::open(&config.database_url()).await?;
            let bytes = std::fs::read(&opts.file)
                .with_context(|| format!("failed to read {}", opts.file.display()))?;
            // Drawn on standard error only when it is a terminal.
            let bar = indicatif::ProgressBar::new(0).with_style(
                indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} lignes")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message("écriture");
            let on_progress = |done: usize, total: usize| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            };
            let report = results::import(
                store.pool(),
                results::Request {
                    election: &opts.election,
                    round: opts.round,
                    source_name: &opts.file.display().to_string(),
                    bytes: &bytes,
                    dry_run: opts.dry_run,
                    on_progress: &on_progress,
                },
            )
            .await
            .context("import refusé, base inchangée")?;
            bar.finish_and_clear();
            if !opts.dry_run && !report.already_imported {
                let target = format!(
                    "{} tour {} ({})",
                    report.election, report.round, report.source
                );
                audit::record(store.pool(), None, "import de résultats", &target, None).await?;
            }
            print!("{}", report.summary());
            store.close().await;
            Ok(())
        }
        Command::Territories(opts) => {
            let store = Store::open(&config.database_url()).await?;
            let reference = opts.reference.unwrap_or(config.reference_dir.clone());
            let open_data = opts.open_data.or(config.open_data.clone());
            let report = import(
                store.pool(),
                &Sources {
                    reference_dir: &reference,
                    open_data_dir: open_data.as_deref(),
                },
            )
            .await
            .context("import refusé, base inchangée")?;
            audit::record(
                store.pool(),
                None,
                "import des territoires",
                "ligne de commande",
                None,
            )
            .await?;
            println!("{report}");
            store.close().await;
            Ok(())
        }
    }
}
