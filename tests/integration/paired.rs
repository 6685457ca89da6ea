//! Common random numbers: sweep points share their random streams, so the
//! paired difference between two consumer counts has a narrower interval
//! than the same difference measured with independent streams. The
//! variances are pooled over eight seeds so the comparison is not one
//! lucky draw.

use queuelab::model::metric::Metric;
use queuelab::sim;

use crate::common::scenario;

fn variance_of_mean(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0) / n
}

#[test]
fn common_random_numbers_narrow_a_consumer_count_comparison() {
    let sweep = scenario(
        "name = \"paired\"
[run]
replications = 10
customers = 20_000
warmup = 1_000
[[producers]]
name = \"p\"
to = \"q\"
interarrival = { dist = \"exponential\", rate = 1.6 }
[[queues]]
name = \"q\"
consumers = 3
service = { dist = \"exponential\", mean = 1.0 }
[sweep]
parameter = \"queues.q.consumers\"
values = [3, 4]
",
    );
    let wait = Metric::MeanWait.index();
    let mean_waits = |point: usize, seed: u64| -> Vec<f64> {
        let mut run = sweep.run;
        run.seed = seed;
        let simulation = sim::replicate(&sweep.points[point].model, &run, &|| {});
        simulation
            .replications
            .iter()
            .map(|r| r.values[0][wait])
            .collect()
    };
    let (mut paired, mut independent) = (0.0, 0.0);
    for seed in 1..=8 {
        let three = mean_waits(0, seed);
        let change =
            |four: Vec<f64>| -> Vec<f64> { three.iter().zip(four).map(|(a, b)| b - a).collect() };
        paired += variance_of_mean(&change(mean_waits(1, seed)));
        independent += variance_of_mean(&change(mean_waits(1, seed + 100)));
    }
    assert!(
        paired < 0.75 * independent,
        "pooled variance of the paired change {paired} vs independent {independent}"
    );
}
