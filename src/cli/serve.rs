//! `tribun serve`: the web server.

use std::net::SocketAddr;

use crate::config::{Config, redact_url};
use crate::startup::{Application, shutdown_signal};

#[derive(Debug, clap::Args)]
pub struct Opts {
    /// Address to listen on (overrides `bind` in the configuration).
    #[arg(long)]
    bind: Option<SocketAddr>,
}

pub async fn run(mut config: Config, opts: Opts) -> anyhow::Result<()> {
    if let Some(bind) = opts.bind {
        config.bind = bind;
    }
    let database = redact_url(&config.database_url());
    let application = Application::build(config).await?;
    tracing::info!(port = application.port(), database = %database, "listening");
    application.run_until_stopped(shutdown_signal()).await
}
