//! The command line: one module per command, each with `Opts` and `run`.

mod admin;
mod demo;
mod fiches;
mod import;
mod migrate;
mod serve;

use clap::{Parser, Subcommand};

use crate::config::Config;

#[derive(Debug, Parser)]
#[command(
    name = "tribun",
    version,
    about = "Tribun : le QG numérique d'une campagne électorale"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server.
    Serve(serve::Opts),
    /// Run the server on an embedded database with the demo data and accounts.
    Demo(demo::Opts),
    /// Create or update the database schema, then exit.
    Migrate(migrate::Opts),
    /// Write print-ready PDF fiches (one territory, several, or every circonscription).
    Fiches(fiches::Opts),
    /// Import reference data.
    #[command(subcommand)]
    Import(import::Command),
    /// Manage accounts.
    #[command(subcommand)]
    Admin(admin::Command),
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::load()?;
    crate::telemetry::init(config.log_format);
    match cli.command {
        Command::Serve(opts) => serve::run(config, opts).await,
        Command::Demo(opts) => demo::run(config, opts).await,
        Command::Migrate(opts) => migrate::run(config, opts).await,
        Command::Fiches(opts) => fiches::run(config, opts).await,
        Command::Import(command) => import::run(config, command).await,
        Command::Admin(command) => admin::run(config, command).await,
    }
}

/// A password for accounts created on the command line: 20 URL-safe random characters.
fn generate_password() -> String {
    crate::accounts::random_secret().chars().take(20).collect()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}
