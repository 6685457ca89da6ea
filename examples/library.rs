//! queuelab as a library: a model built in code, its formulas and a
//! simulation side by side, then the formulas alone across a range of
//! consumers, as a notebook or another program would use them.
//!
//! ```sh
//! cargo run --release --example library
//! ```
//!
//! The model is a support queue: Poisson arrivals at 1.8 messages per
//! second, two consumers, exponential service of mean 1 s (M/M/2), with the
//! service level "share of messages that start within 0.5 s and 2 s".

use std::error::Error;

use queuelab::dist::Dist;
use queuelab::model::metric::{Metric, Threshold};
use queuelab::model::{Model, ProducerBuilder, QueueBuilder};
use queuelab::run::{RunConfig, RunLength, Warmup};
use queuelab::{sim, theory};

/// The support queue with `consumers` consumers, checked as a scenario
/// file's model is (names, references, consumers, routing, stability).
fn support_queue(consumers: u32) -> Result<Model, Box<dyn Error>> {
    Ok(Model::builder("support")
        .time_unit("s")
        .queue(QueueBuilder::new(
            "support",
            consumers,
            Dist::exponential_mean(1.0)?,
        ))
        .producer(ProducerBuilder::open(
            "tickets",
            "support",
            Dist::exponential_rate(1.8)?,
        ))
        .within([0.5, 2.0])
        .build()?)
}

fn main() -> Result<(), Box<dyn Error>> {
    let model = support_queue(2)?;
    let run = RunConfig {
        seed: 1,
        replications: 8,
        length: RunLength::Customers(100_000),
        warmup: Warmup::Auto,
        confidence: 0.95,
        precision: None,
    };
    // Exact or approximate formula rows (none where no formula applies).
    let formulas = theory::evaluate(&model);
    // Replications in parallel; the closure is called after each one.
    let simulation = sim::replicate(&model, &run, &|| {});

    for (row, target) in simulation.targets.iter().enumerate() {
        let queue = target.queue.map_or("system", |q| &model.queues[q].name);
        let formula = formulas.iter().find(|(t, _)| t == target).map(|(_, r)| r);
        let source = formula.map_or("no formula".into(), |r| {
            format!(
                "{} ({})",
                r.model,
                if r.exact { "exact" } else { "approximation" }
            )
        });
        println!(
            "queue {queue}: theory {source}, simulation {} replications",
            run.replications
        );
        println!(
            "{:<20} {:>10} {:>10} {:>22}",
            "metric", "theory", "simulated", "95% interval"
        );
        for (metric, estimate) in simulation.metrics.iter().zip(&simulation.estimates[row]) {
            if !estimate.mean.is_finite() {
                continue;
            }
            let exact = formula.and_then(|r| r.metrics.get(metric));
            println!(
                "{:<20} {:>10} {:>10.4} {:>22}",
                metric.name(),
                exact.map_or("-".into(), |value| format!("{value:.4}")),
                estimate.mean,
                format!("[{:.4}, {:.4}]", estimate.ci_low, estimate.ci_high)
            );
        }
    }

    // The formulas alone are instant: the fewest consumers that start 80%
    // of the messages within 0.5 s.
    let within = Metric::WaitWithin(Threshold::new(0.5).ok_or("bad threshold")?);
    for consumers in 2..=5 {
        let level = theory::evaluate(&support_queue(consumers)?)
            .first()
            .and_then(|(_, result)| result.metrics.get(&within).copied());
        let level = level.ok_or("M/M/c has an exact waiting-time distribution")?;
        println!("{consumers} consumers: {} = {level:.3}", within.name());
        if level >= 0.8 {
            println!("answer: {consumers} consumers start 80% of the messages within 0.5 s");
            break;
        }
    }
    Ok(())
}
