//! queuelab's pipeline as a library: a scenario file run through
//! `experiment`, as `queuelab run` runs it, into the results document,
//! without the command line.
//!
//! ```sh
//! cargo run --release --example experiment
//! ```
//!
//! The scenario is the shipped M/M/1 load sweep
//! (`scenarios/mm1-load-sweep.toml`); its highest load is run on its own
//! first, then the whole sweep.

use std::error::Error;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use queuelab::model::metric::Metric;
use queuelab::results::PointResults;
use queuelab::{experiment, scenario};

/// The mean wait of every row of `point`: theory's and simulation's.
fn print_waits(point: &PointResults) {
    for row in &point.results {
        let theory = row
            .theory
            .as_ref()
            .and_then(|t| t.metrics.get(&Metric::MeanWait));
        let simulation = row
            .simulation
            .as_ref()
            .and_then(|s| s.metrics.get(&Metric::MeanWait));
        println!(
            "  {}: mean wait theory {}, simulation {}",
            row.label(),
            theory.map_or("-".into(), |v| format!("{v:.3}")),
            simulation.map_or("-".into(), |e| format!(
                "{:.3} [{:.3}, {:.3}]",
                e.mean, e.ci_low, e.ci_high
            ))
        );
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let scenario = scenario::load(Path::new("scenarios/mm1-load-sweep.toml"))?;

    // One sweep point on its own: theory and simulation, joined.
    let last = scenario.points.len() - 1;
    println!("point {}:", scenario.points[last].label());
    print_waits(&experiment::run_point(&scenario, last));

    // The whole scenario, as `queuelab run` computes results.json (the flag
    // would stop live runs early; this scenario has none).
    let results = experiment::run(&scenario, &AtomicBool::new(false))
        .ok_or("stopped before the live runs finished")?;
    for point in &results.points {
        let label = point.parameters.iter().map(|(k, v)| format!("{k}={v}"));
        println!("{}:", label.collect::<Vec<_>>().join(", "));
        print_waits(point);
    }
    Ok(())
}
