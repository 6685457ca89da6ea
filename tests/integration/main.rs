//! Integration tests, one binary: command line, simulation against theory,
//! confidence-interval coverage and determinism.

mod chart_content;
mod charts;
mod cli;
mod common;
mod coverage;
mod fanout;
mod fit;
mod fuzz;
mod groups;
mod lag;
mod lease;
mod limits;
mod omb;
mod omb_compare;
mod one_run;
mod outages;
mod paired;
mod partitions;
mod plan;
mod plan_broker;
mod polling;
mod precision;
mod prefetch;
mod presets;
mod profile;
#[path = "../shared/report_text.rs"]
mod report_text;
mod reports;
mod retry_topics;
mod rows;
mod safety;
mod shards;
mod sim_vs_theory;
mod terminal;
mod trace;
mod whitelist;
