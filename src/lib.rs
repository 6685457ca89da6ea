//! queuelab: queueing theory, discrete-event simulation and live
//! measurement of real in-process queues, side by side on the same scenario.
//!
//! ```text
//! scenario file (TOML) -> scenario::load -> one Model per sweep point
//!     -> theory::evaluate(&Model)      exact or approximate formulas, or nothing
//!     -> sim::replicate(&Model, &Run)  means with confidence intervals
//!     -> live::run(&Model, &Live, ..)  real threads and queues, wall-clock stamps
//!     -> bench::run(&Model, &Live, ..) the same with a real broker as the channel
//!        (RabbitMQ, feature `rabbitmq`; NATS JetStream, feature `nats`)
//!     -> experiment::run(&Scenario, ..) every point through the three (live
//!        replayed through sim), joined into results::RunResults (the JSON
//!        contract); experiment::run_point for one sweep point
//!     -> report, chart                 results.json, summary.csv, report.md, charts
//! plan::plan                          consumers, capacity or load that meet targets
//! shard::run / shard::merge           the same run split over a batch engine
//! fit::fit                            distributions fitted to recorded values
//! ```
//!
//! Each module imports only the stages before it: utilities, `dist` and
//! `stats`, `model`, `scenario`, then `theory`, `sim` and `live` side by
//! side, `bench` (live on a broker), `results`, `experiment`, `plan`/`shard`/`fit`, the writers `chart`
//! and `report`, and the CLI (README, "Architecture").
//!
//! Vocabulary: a *producer* is an arrival stream, a *queue* a station with a
//! discipline and optional capacity, its *consumers* the servers, a *message*
//! a customer, a *class* a customer class. *Load* is rho = lambda / (c mu).
#![warn(missing_docs)]

pub mod app;
pub mod bench;
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
pub mod omb;
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
