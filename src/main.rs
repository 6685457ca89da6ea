//! The `queuelab` command: parse, run, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;
use queuelab::app::{self, AppError};
use queuelab::cli::Cli;

fn main() -> ExitCode {
    match app::run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if !matches!(error, AppError::Silent(_)) {
                eprintln!("error: {error}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}
