//! `tribun migrate`: apply the migrations and exit (`serve` also applies them at start).

use crate::config::Config;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Opts {}

pub async fn run(config: Config, _opts: Opts) -> anyhow::Result<()> {
    let store = Store::open(&config.database_url()).await?;
    store.close().await;
    println!("base de données à jour");
    Ok(())
}
