//! `tribun import …`: reference data imports.

use std::path::PathBuf;

use anyhow::Context;

use crate::audit;
use crate::config::Config;
use crate::store::Store;
use crate::territories::import::{Sources, import};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Régions, départements, communes and EPCI from @etalab/decoupage-administratif, and, when
    /// an open-data folder is given, circonscriptions and boundaries.
    Territories(TerritoriesOpts),
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
