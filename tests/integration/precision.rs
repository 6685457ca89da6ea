//! Precision-driven runs: replications are added in batches until every
//! controlled interval meets the target, or the cap is reached.

use queuelab::run::{Precision, RunConfig, RunLength, Warmup};
use queuelab::sim;

use crate::common::mm1;

/// Batches of 4 replications of 20,000 messages until every interval's
/// relative half-width is at most `target`, or `max_replications` ran.
fn until(target: f64, max_replications: u32) -> RunConfig {
    RunConfig {
        seed: 1,
        replications: 4,
        length: RunLength::Customers(20_000),
        warmup: Warmup::Customers(1_000),
        confidence: 0.95,
        precision: Some(Precision {
            target,
            max_replications,
        }),
    }
}

#[test]
fn runs_until_the_target_is_met() {
    let (model, run) = (mm1("precision", 0.5), until(0.02, 200));
    let simulation = sim::replicate(&model, &run, &|| {});
    let count = simulation.replications.len();
    assert!(count > 4, "a 2% target needs more than the first batch");
    assert!(
        count <= 200 && count.is_multiple_of(4),
        "{count} replications"
    );
    assert!(sim::imprecise(&simulation.estimates, &simulation.metrics, 0.02).is_empty());
    // One batch fewer would not have met it: the run stopped as soon as it could.
    let mut shorter = run;
    shorter.precision = None;
    shorter.replications = count as u32 - 4;
    let earlier = sim::replicate(&model, &shorter, &|| {});
    assert!(!sim::imprecise(&earlier.estimates, &earlier.metrics, 0.02).is_empty());
}

#[test]
fn stops_at_the_cap_and_says_what_missed() {
    let simulation = sim::replicate(&mm1("precision", 0.5), &until(0.0001, 10), &|| {});
    assert_eq!(simulation.replications.len(), 10);
    assert!(!sim::imprecise(&simulation.estimates, &simulation.metrics, 0.0001).is_empty());
}
