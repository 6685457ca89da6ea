//! queuelab: queueing theory, discrete-event simulation and live
//! measurement of real in-process queues, side by side on the same scenario.
//!
//! ```text
//! scenario file (TOML) -> scenario::load -> one Model per sweep point
//!     -> theory::evaluate(&Model)      exact or approximate formulas, or nothing
//!     -> sim::replicate(&Model, &Run)  means with confidence intervals
//!     -> live::run(&Model, &Live, ..)  real threads and queues, wall-clock stamps
//!        (then sim::replay of what live realised)
//!     -> report                        results.json, summary.csv, report.md
//! shard::run / shard::merge           the same run split over a batch engine
//! fit::fit                            distributions fitted to recorded values
//! ```
//!
//! Vocabulary: a *producer* is an arrival stream, a *queue* a station with a
//! discipline and optional capacity, its *consumers* the servers, a *message*
//! a customer, a *class* a customer class. *Load* is rho = lambda / (c mu).
#![warn(missing_docs)]

pub mod app;
pub mod chart;
pub mod cli;
pub mod dist;
pub mod experiment;
pub mod fit;
pub mod folder;
pub mod input;
pub mod interrupt;
pub mod live;
pub mod model;
pub mod plan;
pub mod progress;
pub mod report;
pub mod results;
pub mod run;
pub mod scenario;
pub mod shard;
pub mod sim;
pub mod stats;
pub mod text;
pub mod theory;
pub mod units;
