//! Confidence-interval coverage on M/M/1 at load 0.8, where every value is
//! exact: a wrong variance estimate (too narrow or too wide) or a biased
//! estimate fails. And on an M/G/1 whose service is so heavy-tailed that
//! the intervals cannot cover: the run says so instead of judging.

use queuelab::dist::Dist;
use queuelab::experiment::heavy_tail_block;
use queuelab::model::metric::Metric;
use queuelab::model::{Model, ProducerBuilder, QueueBuilder, Target};
use queuelab::run::{RunConfig, RunLength, Warmup};
use queuelab::sim;

use crate::common::mm1;

/// `replications` of `customers` messages after `warmup`, 95% intervals.
fn runs(replications: u32, customers: u64, warmup: Warmup) -> RunConfig {
    RunConfig {
        seed: 1,
        replications,
        length: RunLength::Customers(customers),
        warmup,
        confidence: 0.95,
        precision: None,
    }
}

/// Per metric over `seeds`: the share of intervals covering
/// `exact`, and the mean relative error of the estimate with its standard
/// error.
fn study(
    base: RunConfig,
    seeds: std::ops::Range<u64>,
    metrics: &[(Metric, f64)],
) -> Vec<(f64, f64, f64)> {
    study_of(&mm1("coverage", 0.8), base, seeds, metrics)
}

/// [`study`] of `model`'s first row.
fn study_of(
    model: &Model,
    base: RunConfig,
    seeds: std::ops::Range<u64>,
    metrics: &[(Metric, f64)],
) -> Vec<(f64, f64, f64)> {
    let mut covered = vec![0u32; metrics.len()];
    let mut errors = vec![Vec::new(); metrics.len()];
    for seed in seeds {
        let mut run = base;
        run.seed = seed;
        let simulation = sim::replicate(model, &run, &|| {});
        for (index, &(metric, exact)) in metrics.iter().enumerate() {
            let estimate = simulation.estimates[0][metric.index()];
            covered[index] += u32::from(estimate.ci_low <= exact && exact <= estimate.ci_high);
            errors[index].push(estimate.mean / exact - 1.0);
        }
    }
    covered
        .iter()
        .zip(&errors)
        .map(|(&covered, errors)| {
            let n = errors.len() as f64;
            let mean = errors.iter().sum::<f64>() / n;
            let variance = errors.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / (n - 1.0);
            (f64::from(covered) / n, mean, (variance / n).sqrt())
        })
        .collect()
}

#[test]
fn mm1_mean_wait_interval_covers_the_exact_value_about_95_percent_of_the_time() {
    let base = runs(8, 20_000, Warmup::Customers(2_000));
    let [(share, _, _)] = study(base, 0..200, &[(Metric::MeanWait, 4.0)])[..] else {
        unreachable!()
    };
    assert!(
        (0.90..=0.99).contains(&share),
        "coverage {share} outside 0.90..0.99"
    );
}

/// The case of issue 13: 10 replications of 20,000 messages with the
/// automatic warm-up. Cutting each replication where MSER-5 says on its own
/// data biased every estimate about 0.9% low (5 standard errors over these
/// 200 seeds) and covered 91.5% over 1,000 seeds; one cut chosen on
/// independent pilot runs is unbiased. Bounds: 3 binomial standard
/// deviations of the coverage share around 95%, and 3 standard errors of
/// the mean relative error around 0.
#[test]
fn automatic_warm_up_is_unbiased_and_covers_at_the_nominal_rate() {
    let base = runs(10, 20_000, Warmup::Auto);
    let seeds: std::ops::Range<u64> = 1..201;
    let p90 = 5.0 * (0.8f64 / 0.1).ln(); // P(wait > t) = 0.8 exp(-0.2 t)
    let metrics = [
        (Metric::MeanWait, 4.0),
        (Metric::MeanInQueue, 3.2),
        (Metric::WaitP90, p90),
    ];
    let binomial_sd: f64 = (0.95 * 0.05 / (seeds.end - seeds.start) as f64).sqrt();
    for ((metric, _), (share, bias, se)) in metrics.iter().zip(study(base, seeds, &metrics)) {
        let name = metric.name();
        assert!(
            (share - 0.95).abs() <= 3.0 * binomial_sd,
            "{name}: coverage {share} beyond 0.95 +- 3 x {binomial_sd:.4}"
        );
        assert!(
            bias.abs() <= 3.0 * se,
            "{name}: mean relative error {bias:+.4} beyond 3 standard errors ({se:.4})"
        );
    }
}

/// M/G/1 at load 0.5, service of mean 1 drawn from `service`.
fn mg1(service: Dist) -> Model {
    Model::builder("heavy")
        .queue(QueueBuilder::new("q", 1, service))
        .producer(ProducerBuilder::open(
            "p",
            "q",
            Dist::exponential_rate(0.5).unwrap(),
        ))
        .build()
        .unwrap()
}

/// Lognormal service of scv 40 (issue 15): 8 replications of 4,000
/// messages leave 44% of E[S²] in services rarer than one in the 32,000
/// drawn, and the 95% intervals of the mean wait (exact 0.5 × 41 / 1 =
/// 20.5, Pollaczek–Khinchine) cover about 64% of the time over these 200
/// seeds: the run flags the row. An exponential service in the same runs
/// is not flagged and covers at its rate. Bounds: 3 binomial standard
/// deviations of the coverage share at 95%, 4 for the shortfall.
#[test]
fn heavy_tailed_service_undercovers_and_is_flagged() {
    let base = runs(8, 4_000, Warmup::Customers(400));
    let seeds: std::ops::Range<u64> = 1..201;
    let binomial_sd: f64 = (0.95 * 0.05 / (seeds.end - seeds.start) as f64).sqrt();
    let queue = Target {
        queue: Some(0),
        class: None,
        partition: None,
    };
    let heavy = mg1(Dist::lognormal(1.0, 40.0).unwrap());
    let block = heavy_tail_block(&heavy, queue, base.length, base.replications)
        .expect("a lognormal of scv 40 is flagged");
    assert!(block.metrics.contains(&Metric::MeanWait), "{block:?}");
    let [(share, _, _)] = study_of(&heavy, base, seeds.clone(), &[(Metric::MeanWait, 20.5)])[..]
    else {
        unreachable!()
    };
    assert!(
        share < 0.95 - 4.0 * binomial_sd,
        "heavy tail: coverage {share} not clearly below 0.95, yet flagged"
    );
    let light = mg1(Dist::exponential_mean(1.0).unwrap());
    assert_eq!(
        heavy_tail_block(&light, queue, base.length, base.replications),
        None
    );
    let [(share, _, _)] = study_of(&light, base, seeds, &[(Metric::MeanWait, 1.0)])[..] else {
        unreachable!()
    };
    assert!(
        (share - 0.95).abs() <= 3.0 * binomial_sd,
        "exponential: coverage {share} beyond 0.95 +- 3 x {binomial_sd:.4}"
    );
}
