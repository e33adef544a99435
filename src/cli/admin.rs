//! `tribun admin …`: accounts from the command line, for the first admin and for recovery.

use std::io::BufRead;

use anyhow::Context;
use territory_codes::TerritoryCode;

use crate::accounts::{self, NewUser, Role, tokens};
use crate::audit;
use crate::config::Config;
use crate::store::Store;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a user; prints a generated password unless --password-stdin is given.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Territory code (34, 34-01, 34172…); national when absent.
        #[arg(long)]
        scope: Option<String>,
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password; prints a generated one unless --password-stdin is given.
    ResetPassword {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List users with their role and scope.
    ListUsers,
    /// Issue a personal API token for a user and print it.
    Token {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "ligne de commande")]
        name: String,
    },
}

fn parse_role(role: &str) -> Result<Role, String> {
    Role::parse(role).ok_or_else(|| {
        let roles: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("expected one of {}", roles.join(", "))
    })
}

fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("failed to read the password from standard input")?;
        Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((super::generate_password(), true))
    }
}

pub async fn run(config: Config, command: Command) -> anyhow::Result<()> {
    let store = Store::open(&config.database_url()).await?;
    let pool = store.pool();
    match command {
        Command::CreateUser {
            email,
            role,
            scope,
            name,
            password_stdin,
        } => {
            let scope = scope
                .map(|code| TerritoryCode::parse(&code).map(|c| c.to_string()))
                .transpose()?;
            let (password, generated) = password(password_stdin)?;
            let user = accounts::create_user(
                pool,
                NewUser {
                    email: &email,
                    display_name: &name,
                    password: &password,
                    role,
                    scope_code: scope.as_deref(),
                },
            )
            .await?;
            audit::record(pool, None, "création de compte", &user.email, None).await?;
            println!("compte créé : {} ({})", user.email, role.as_str());
            if generated {
                println!("mot de passe : {password}");
            }
        }
        Command::ResetPassword {
            email,
            password_stdin,
        } => {
            let user = accounts::find_by_email(pool, &email)
                .await?
                .with_context(|| format!("no account for {email}"))?;
            let (password, generated) = password(password_stdin)?;
            accounts::set_password(pool, user.id, &password).await?;
            audit::record(
                pool,
                None,
                "réinitialisation de mot de passe",
                &user.email,
                None,
            )
            .await?;
            println!("mot de passe changé pour {}", user.email);
            if generated {
                println!("mot de passe : {password}");
            }
        }
        Command::ListUsers => {
            audit::record(pool, None, "lecture de la liste des comptes", "", None).await?;
            for user in accounts::list_users(pool).await? {
                println!(
                    "{}\t{}\t{}\t{}",
                    user.email,
                    user.role.as_str(),
                    user.scope_code.as_deref().unwrap_or("national"),
                    user.display_name
                );
            }
        }
        Command::Token { email, name } => {
            let user = accounts::find_by_email(pool, &email)
                .await?
                .with_context(|| format!("no account for {email}"))?;
            let token = tokens::create(pool, user.id, &name).await?;
            audit::record(pool, None, "création de jeton d'API", &user.email, None).await?;
            println!("{token}");
        }
    }
    store.close().await;
    Ok(())
}
