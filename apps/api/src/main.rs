//! `stm-api`: see [`stm_api::cli`].

use clap::Parser;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    match stm_api::cli::run(stm_api::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stm-api: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
