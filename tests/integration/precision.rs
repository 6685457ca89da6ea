//! Precision-driven runs: replications are added in batches until every
//! controlled interval meets the target, or the cap is reached.

use queuelab::sim;

use crate::common::scenario;

fn mm1(precision: &str) -> queuelab::scenario::Scenario {
    scenario(&format!(
        "name = \"precision\"
[run]
replications = 4
customers = 20_000
warmup = 1_000
{precision}
[[producers]]
name = \"p\"
to = \"q\"
interarrival = {{ dist = \"exponential\", rate = 0.5 }}
[[queues]]
name = \"q\"
consumers = 1
service = {{ dist = \"exponential\", mean = 1.0 }}
"
    ))
}

#[test]
fn runs_until_the_target_is_met() {
    let base = mm1("target_precision = 0.02\nmax_replications = 200");
    let simulation = sim::replicate(&base.points[0].model, &base.run, &|| {});
    let count = simulation.replications.len();
    assert!(count > 4, "a 2% target needs more than the first batch");
    assert!(
        count <= 200 && count.is_multiple_of(4),
        "{count} replications"
    );
    assert!(sim::imprecise(&simulation.estimates, &simulation.metrics, 0.02).is_empty());
    // One batch fewer would not have met it: the run stopped as soon as it could.
    let mut shorter = base.run;
    shorter.precision = None;
    shorter.replications = count as u32 - 4;
    let earlier = sim::replicate(&base.points[0].model, &shorter, &|| {});
    assert!(!sim::imprecise(&earlier.estimates, &earlier.metrics, 0.02).is_empty());
}

#[test]
fn stops_at_the_cap_and_says_what_missed() {
    let base = mm1("target_precision = 0.0001\nmax_replications = 10");
    let simulation = sim::replicate(&base.points[0].model, &base.run, &|| {});
    assert_eq!(simulation.replications.len(), 10);
    assert!(!sim::imprecise(&simulation.estimates, &simulation.metrics, 0.0001).is_empty());
}
