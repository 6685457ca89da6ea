//! The `queuelab` command: parse, run, map errors to exit codes.

use std::process::ExitCode;

use clap::Parser;
use queuelab::app;
use queuelab::cli::Cli;

fn main() -> ExitCode {
    match app::run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}
