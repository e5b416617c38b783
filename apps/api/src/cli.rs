//! `stm-api [serve|migrate|seed|create-admin|openapi|sql]`.

use std::io::BufRead;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::startup::{self, Application, BoxError};

/// The STM server and its one-shot commands.
#[derive(Debug, Parser)]
#[command(name = "stm-api", version, about)]
pub struct Cli {
    /// What to do; serving is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// One job.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply migrations, seed the catalog and serve HTTP (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Apply migrations, load the shipped catalog and regions (idempotent) and exit.
    Seed {
        /// Also add demo providers with services, jobs and ratings (idempotent).
        #[arg(long)]
        demo: bool,
    },
    /// Create an admin, or grant the admin role to an existing user. The
    /// password is read from `STM_ADMIN_PASSWORD` or, if unset, from standard input.
    CreateAdmin {
        /// The admin's e-mail.
        #[arg(long)]
        email: String,
    },
    /// Write the OpenAPI document (to standard output, or to a file).
    Openapi {
        /// File to write, e.g. docs/openapi.json.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Print the SQL a first page of `GET /search` runs, each statement
    /// preceded by `-- params:` naming its `?` binds and followed by a `;`
    /// line (what `bench/run` replays under pgbench).
    Sql {
        /// Print SQLite's statements instead of PostgreSQL's.
        #[arg(long)]
        sqlite: bool,
    },
}

fn read_password() -> Result<String, BoxError> {
    if let Ok(password) = std::env::var("STM_ADMIN_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Runs the command.
pub async fn run(cli: Cli) -> Result<(), BoxError> {
    if let Some(Command::Sql { sqlite }) = &cli.command {
        let backend = if *sqlite {
            persistence::Backend::Sqlite
        } else {
            persistence::Backend::Postgres
        };
        let text: String = persistence::search_statements(backend)
            .into_iter()
            .map(|(sql, params)| format!("-- params: {}\n{sql}\n;\n", params.join(" ")))
            .collect();
        use std::io::Write;
        return Ok(std::io::stdout().write_all(text.as_bytes())?);
    }
    if let Some(Command::Openapi { output }) = &cli.command {
        let doc = crate::openapi::document() + "\n";
        return match output {
            Some(path) => Ok(std::fs::write(path, doc)?),
            None => {
                use std::io::Write;
                Ok(std::io::stdout().write_all(doc.as_bytes())?)
            }
        };
    }
    let settings = Settings::load()?;
    crate::telemetry::init(&settings.server.log_level, settings.server.json_logs);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(settings).await?;
            app.run_until_signalled().await?;
            tracing::info!("stm-api stopped");
        }
        Command::Migrate => {
            startup::connect(&settings).await?;
            tracing::info!("migrations applied");
        }
        Command::Seed { demo } => {
            let db = startup::connect(&settings).await?;
            let report = startup::seed(&db).await?;
            if demo {
                let added = crate::supply_wiring::seed_demo(&db).await?;
                tracing::info!(
                    demo_providers_added = added.providers_added,
                    demo_customers_added = added.customers_added,
                    "demo data seeded"
                );
            }
            tracing::info!(
                services_added = report.services_added,
                regions_added = report.regions_added,
                "catalog seeded"
            );
        }
        Command::CreateAdmin { email } => {
            let password = read_password()?;
            let db = startup::connect(&settings).await?;
            startup::seed(&db).await?;
            let mut settings = settings;
            settings.bootstrap.admin_email = Some(email.clone());
            settings.bootstrap.admin_password = Some(crate::config::Secret::new(password));
            startup::build_state(&settings, db).await?;
            tracing::info!(%email, "admin ready");
        }
        Command::Openapi { .. } | Command::Sql { .. } => {}
    }
    Ok(())
}
