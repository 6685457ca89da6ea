//! Integration tests, one binary: command line, simulation against theory,
//! confidence-interval coverage and determinism.

mod charts;
mod cli;
mod common;
mod coverage;
mod fit;
mod live;
mod one_run;
mod paired;
mod plan;
mod precision;
mod profile;
mod shards;
mod sim_vs_theory;
mod trace;
