//! Coverage study: how often the simulation's confidence intervals cover the
//! exact theory value, and how far the estimates sit from it on average.
//!
//! ```sh
//! RAYON_NUM_THREADS=1 cargo run --release --example coverage -- \
//!     examples/coverage-mm1.toml --seeds 1000 [--replications N] [--customers N] [--warmup auto|N]
//! ```
//!
//! Runs the scenario's first point once per seed `1..=seeds` and, for every
//! metric of its first row with an exact formula value, prints the share of
//! seeds whose interval covers it (with the binomial standard deviation of
//! that share at the nominal confidence) and the mean relative error of the
//! estimate (with its standard error), over the seeds that gave the metric
//! an interval (a single replication gives none to a percentile its
//! batches are too short for: the last column counts those seeds).

use std::path::PathBuf;

use queuelab::model::metric::Metric;
use queuelab::model::profile;
use queuelab::run::{RunLength, Warmup};
use queuelab::{scenario, sim, theory};

/// Command-line settings of the study.
struct Settings {
    file: PathBuf,
    seeds: u64,
    replications: Option<u32>,
    customers: Option<u64>,
    warmup: Option<Warmup>,
}

fn settings() -> Result<Settings, String> {
    let mut args = std::env::args().skip(1);
    let mut settings = Settings {
        file: PathBuf::new(),
        seeds: 1000,
        replications: None,
        customers: None,
        warmup: None,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--seeds" => settings.seeds = value()?.parse().map_err(|e| format!("--seeds: {e}"))?,
            "--replications" => {
                let count = value()?
                    .parse()
                    .map_err(|e| format!("--replications: {e}"))?;
                settings.replications = Some(count);
            }
            "--customers" => {
                let count = value()?.parse().map_err(|e| format!("--customers: {e}"))?;
                settings.customers = Some(count);
            }
            "--warmup" => {
                let text = value()?;
                settings.warmup = Some(match text.as_str() {
                    "auto" => Warmup::Auto,
                    count => {
                        Warmup::Customers(count.parse().map_err(|e| format!("--warmup: {e}"))?)
                    }
                });
            }
            file => settings.file = PathBuf::from(file),
        }
    }
    if settings.file.as_os_str().is_empty() {
        return Err(
            "usage: coverage FILE [--seeds N] [--replications N] [--customers N] [--warmup auto|N]"
                .into(),
        );
    }
    Ok(settings)
}

/// Running sums of one metric over the seeds.
#[derive(Default)]
struct Tally {
    covered: u64,
    without_interval: u64,
    relative_error: Vec<f64>,
}

fn main() -> Result<(), String> {
    let settings = settings()?;
    let mut scenario = scenario::load(&settings.file).map_err(|e| e.to_string())?;
    if let Some(replications) = settings.replications {
        scenario.run.replications = replications;
    }
    if let Some(customers) = settings.customers {
        scenario.run.length = RunLength::Customers(customers);
    }
    if let Some(warmup) = settings.warmup {
        scenario.run.warmup = warmup;
    }
    let point = &scenario.points[0];
    let spans = profile::run_spans(&point.model, scenario.run.length);
    let exact = theory::PointTheory::evaluate(&point.model, &spans)
        .whole
        .into_iter()
        .find(|(target, result)| {
            *target == queuelab::model::targets(&point.model)[0] && result.exact
        })
        .ok_or("the first row has no exact theory")?
        .1;
    let metrics: Vec<(Metric, f64)> = Metric::ALL
        .iter()
        .filter_map(|&metric| Some((metric, *exact.metrics.get(&metric)?)))
        .filter(|(_, value)| *value > 0.0)
        .collect();
    let mut tallies: Vec<Tally> = metrics.iter().map(|_| Tally::default()).collect();
    let started = std::time::Instant::now();
    for seed in 1..=settings.seeds {
        let mut run = scenario.run;
        run.seed = seed;
        let simulation = sim::replicate(&point.model, &run, &|| {});
        for ((metric, value), tally) in metrics.iter().zip(&mut tallies) {
            let estimate = simulation.estimates[0][metric.index()];
            if estimate.mean.is_nan() {
                tally.without_interval += 1;
                continue;
            }
            tally.covered += u64::from(estimate.ci_low <= *value && *value <= estimate.ci_high);
            tally.relative_error.push(estimate.mean / value - 1.0);
        }
    }
    let confidence = scenario.run.confidence;
    let binomial_sd = (confidence * (1.0 - confidence) / settings.seeds as f64).sqrt();
    println!(
        "{}: {} seeds, {} replication(s) of {:?}, warm-up {:?}, {:.0} s; nominal {:.1}% (binomial sd {:.2}%)",
        settings.file.display(),
        settings.seeds,
        scenario.run.replications,
        scenario.run.length,
        scenario.run.warmup,
        started.elapsed().as_secs_f64(),
        confidence * 100.0,
        binomial_sd * 100.0
    );
    println!("metric          exact     coverage  bias (mean relative error +- se)  no interval");
    for ((metric, value), tally) in metrics.iter().zip(&tallies) {
        let n = tally.relative_error.len() as f64;
        let mean = tally.relative_error.iter().sum::<f64>() / n;
        let variance = tally
            .relative_error
            .iter()
            .map(|e| (e - mean).powi(2))
            .sum::<f64>()
            / (n - 1.0);
        println!(
            "{:<15} {:<9.5} {:>6.1}%   {:+.2}% +- {:.2}%{:>22}",
            metric.name(),
            value,
            100.0 * tally.covered as f64 / n,
            100.0 * mean,
            100.0 * (variance / n).sqrt(),
            tally.without_interval
        );
    }
    Ok(())
}
