//! Confidence-interval coverage: over 200 seeds, the 95% interval of the
//! M/M/1 mean wait at load 0.8 must cover the exact value (4.0) in 90-99% of
//! runs, so a wrong variance estimate (too narrow or too wide) fails.

use queuelab::metric::Metric;
use queuelab::sim;

use crate::common::scenario;

#[test]
fn mm1_mean_wait_interval_covers_the_exact_value_about_95_percent_of_the_time() {
    let base = scenario(
        "name = \"coverage\"
[run]
replications = 8
customers = 20_000
warmup = 2_000
confidence = 0.95
[[producers]]
name = \"p\"
to = \"q\"
interarrival = { dist = \"exponential\", rate = 0.8 }
[[queues]]
name = \"q\"
consumers = 1
service = { dist = \"exponential\", mean = 1.0 }
",
    );
    let model = &base.points[0].model;
    let exact = 0.8 / (1.0 - 0.8);
    let seeds = 200;
    let covered = (0..seeds)
        .filter(|&seed| {
            let mut run = base.run;
            run.seed = seed;
            let simulation = sim::replicate(model, &run, &|| {});
            let estimate = simulation.estimates[0][Metric::MeanWait.index()];
            estimate.ci_low <= exact && exact <= estimate.ci_high
        })
        .count();
    let share = covered as f64 / f64::from(seeds as u32);
    assert!(
        (0.90..=0.99).contains(&share),
        "coverage {share} outside 0.90..0.99"
    );
}
