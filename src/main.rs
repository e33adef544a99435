//! The `tribun` binary: parses the command line and runs one command.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = tribun::cli::Cli::parse();
    match tribun::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("erreur : {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
