//! The simulator against exact theory, with fixed seeds: each exact value
//! must lie inside the simulation's 99.9% confidence interval, and the
//! interval must be narrow, so a biased estimator or a wrong formula cannot
//! hide behind a wide CI. The half-width must stay below 5% of the value for
//! means, probabilities and p50/p90 percentiles, and below 10% for p99 (a
//! 1-in-100 tail is estimated from ten times fewer observations than a p90).

use queuelab::model::metric::{Metric, Threshold};
use queuelab::results::RunResults;

use crate::common::{compare, run, scenario};

/// Largest accepted CI half-width, relative to the exact value.
fn max_relative_half_width(metric: Metric) -> f64 {
    match metric {
        Metric::WaitP99 | Metric::SojournP99 => 0.10,
        _ => 0.05,
    }
}

/// Asserts agreement within the CI and a half-width below the bound.
fn assert_agrees(results: &RunResults, queue: &str, class: Option<&str>, metric: Metric) {
    let max_relative_half_width = max_relative_half_width(metric);
    let (theory, interval) = compare(results, 0, queue, class, metric);
    assert!(
        interval.ci_low <= theory && theory <= interval.ci_high,
        "{queue}/{class:?} {}: theory {theory} outside CI [{}, {}]",
        metric.name(),
        interval.ci_low,
        interval.ci_high
    );
    let half_width = (interval.ci_high - interval.ci_low) / 2.0;
    assert!(
        half_width <= max_relative_half_width * theory.abs(),
        "{queue}/{class:?} {}: CI half-width {half_width} exceeds {max_relative_half_width} x {theory}",
        metric.name()
    );
}

const RUN: &str = "[run]\nseed = 11\nreplications = 10\ncustomers = 200_000\nconfidence = 0.999\n";

fn single_queue(service: &str, rate: f64, consumers: u32, extra: &str) -> String {
    format!(
        "name = \"t\"\n{RUN}\n[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = {{ dist = \"exponential\", rate = {rate} }}\n\n[[queues]]\nname = \"q\"\nconsumers = {consumers}\nservice = {service}\n{extra}\n"
    )
}

#[test]
fn mm1_matches_theory() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"exponential\", mean = 1.0 }",
        0.8,
        1,
        "",
    )));
    for metric in [
        Metric::MeanWait,
        Metric::MeanSojourn,
        Metric::MeanInSystem,
        Metric::MeanInQueue,
        Metric::Utilisation,
        Metric::Throughput,
        Metric::PWait,
        Metric::WaitP90,
        Metric::SojournP50,
        Metric::SojournP99,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn mmc_matches_theory() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"exponential\", mean = 1.0 }",
        3.2,
        4,
        "",
    )));
    for metric in [
        Metric::MeanWait,
        Metric::MeanInSystem,
        Metric::PWait,
        Metric::Utilisation,
        Metric::WaitP99,
        Metric::SojournP90,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn mmck_matches_theory_in_overload() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"exponential\", mean = 1.0 }",
        2.4,
        2,
        "capacity = 6",
    )));
    for metric in [
        Metric::PBlocked,
        Metric::MeanInSystem,
        Metric::MeanWait,
        Metric::Throughput,
        Metric::WaitP90,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn md1_matches_pollaczek_khinchine() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"deterministic\", value = 1.0 }",
        0.7,
        1,
        "",
    )));
    assert_agrees(&results, "q", None, Metric::MeanWait);
    assert_agrees(&results, "q", None, Metric::MeanInSystem);
}

#[test]
fn mg1_with_scv_4_matches_pollaczek_khinchine() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"hyperexponential\", mean = 1.0, scv = 4.0 }",
        0.7,
        1,
        "",
    )));
    assert_agrees(&results, "q", None, Metric::MeanWait);
    assert_agrees(&results, "q", None, Metric::MeanSojourn);
}

#[test]
fn two_priority_classes_match_cobham() {
    let text = format!(
        "name = \"t\"\n{RUN}
[[classes]]
name = \"urgent\"
priority = 0
[[classes]]
name = \"bulk\"
priority = 1
[[producers]]
name = \"a\"
to = \"q\"
class = \"urgent\"
interarrival = {{ dist = \"exponential\", rate = 0.3 }}
[[producers]]
name = \"b\"
to = \"q\"
class = \"bulk\"
interarrival = {{ dist = \"exponential\", rate = 0.45 }}
[[queues]]
name = \"q\"
consumers = 1
service = {{ dist = \"exponential\", mean = 1.0 }}
discipline = \"priority\"
"
    );
    let results = run(&scenario(&text));
    assert_agrees(&results, "q", Some("urgent"), Metric::MeanWait);
    assert_agrees(&results, "q", Some("bulk"), Metric::MeanWait);
    assert_agrees(&results, "q", None, Metric::MeanWait);
    assert_agrees(&results, "q", Some("bulk"), Metric::MeanInQueue);
}

/// A tandem: an M/M/1 (load 0.75) feeding an M/M/2 (load 0.8), with
/// `extra` after the run settings.
fn tandem(extra: &str) -> String {
    format!(
        "name = \"t\"\n{RUN}
{extra}
[[producers]]
name = \"p\"
to = \"first\"
interarrival = {{ dist = \"exponential\", rate = 1.0 }}
[[queues]]
name = \"first\"
consumers = 1
service = {{ dist = \"exponential\", mean = 0.75 }}
next = [{{ to = \"second\", p = 1.0 }}]
[[queues]]
name = \"second\"
consumers = 2
service = {{ dist = \"exponential\", mean = 1.6 }}
"
    )
}

#[test]
fn jackson_tandem_matches_theory() {
    let results = run(&scenario(&tandem("")));
    assert_agrees(&results, "first", None, Metric::MeanWait);
    assert_agrees(&results, "second", None, Metric::MeanWait);
    assert_agrees(&results, "second", None, Metric::WaitP90);
    assert_agrees(&results, "system", None, Metric::MeanSojourn);
    assert_agrees(&results, "system", None, Metric::MeanInSystem);
}

/// The service levels `wait_within_<t>` and `sojourn_within_<t>` at each
/// of `times`.
fn service_levels(times: &[f64]) -> Vec<Metric> {
    let within = |t: f64| Threshold::new(t).unwrap();
    let waits = times.iter().map(|&t| Metric::WaitWithin(within(t)));
    let sojourns = times.iter().map(|&t| Metric::SojournWithin(within(t)));
    waits.chain(sojourns).collect()
}

#[test]
fn service_levels_match_erlang_c_and_mmck_tails() {
    let within = "[compare]\nwithin = [0.5, 2.0, 4.0]";
    let mmc = run(&scenario(&single_queue(
        "{ dist = \"exponential\", mean = 1.0 }",
        3.2,
        4,
        within,
    )));
    let mmck = run(&scenario(&single_queue(
        "{ dist = \"exponential\", mean = 1.0 }",
        2.4,
        2,
        &format!("capacity = 6\n{within}"),
    )));
    for metric in service_levels(&[0.5, 2.0, 4.0]) {
        assert_agrees(&mmc, "q", None, metric);
        assert_agrees(&mmck, "q", None, metric);
    }
}

#[test]
fn service_levels_match_at_jackson_nodes_and_are_simulated_end_to_end() {
    let results = run(&scenario(&tandem("[compare]\nwithin = [1.0, 3.0]")));
    let levels = service_levels(&[1.0, 3.0]);
    for &metric in &levels {
        assert_agrees(&results, "first", None, metric);
        assert_agrees(&results, "second", None, metric);
    }
    // End to end: no formula, but a simulated share in [0, 1].
    let system = results.points[0]
        .results
        .iter()
        .find(|r| r.queue == "system")
        .unwrap();
    let theory = &system.theory.as_ref().unwrap().metrics;
    for metric in levels {
        assert!(!theory.contains_key(&metric));
        let share = system.simulation.as_ref().unwrap().metrics[&metric];
        assert!(0.0 < share.ci_low && share.ci_high < 1.0, "{share:?}");
    }
}

#[test]
fn littles_law_holds_in_simulation() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"lognormal\", mean = 1.0, scv = 2.0 }",
        1.5,
        2,
        "",
    )));
    let row = &results.points[0].results[0];
    let sim = row.simulation.as_ref().unwrap();
    let get = |metric: Metric| sim.metrics[&metric].mean;
    let little = get(Metric::Throughput) * get(Metric::MeanSojourn);
    let relative = (little - get(Metric::MeanInSystem)).abs() / get(Metric::MeanInSystem);
    assert!(
        relative < 0.01,
        "L = {} but lambda W = {little}",
        get(Metric::MeanInSystem)
    );
}

#[test]
fn mm1_lifo_means_match_fifo_theory() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"exponential\", mean = 1.0 }",
        0.7,
        1,
        "discipline = \"lifo\"",
    )));
    for metric in [Metric::MeanWait, Metric::MeanInSystem, Metric::PWait] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn erlang_b_is_insensitive_to_the_service_distribution() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"deterministic\", value = 1.0 }",
        2.5,
        3,
        "capacity = 3",
    )));
    assert_agrees(&results, "q", None, Metric::PBlocked);
    assert_agrees(&results, "q", None, Metric::MeanInSystem);
}

#[test]
fn horizon_runs_match_theory() {
    let text = single_queue("{ dist = \"exponential\", mean = 1.0 }", 1.6, 2, "")
        .replace("customers = 200_000", "horizon = 150_000.0");
    let results = run(&scenario(&text));
    for metric in [Metric::MeanWait, Metric::MeanInSystem, Metric::Throughput] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn feedback_loop_matches_jackson_theory() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"exponential\", mean = 1.0 }",
        0.5,
        1,
        "next = [{ to = \"q\", p = 0.3 }]",
    )));
    for metric in [Metric::MeanInSystem, Metric::MeanWait, Metric::Utilisation] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn random_order_means_match_fifo_theory() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"exponential\", mean = 1.0 }",
        1.6,
        2,
        "discipline = \"random\"",
    )));
    for metric in [Metric::MeanWait, Metric::MeanInSystem, Metric::PWait] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn unlimited_consumers_match_mg_infinity() {
    let text = single_queue(
        "{ dist = \"lognormal\", mean = 2.0, scv = 3.0 }",
        1.5,
        1,
        "",
    )
    .replace("consumers = 1", "consumers = \"unlimited\"");
    let results = run(&scenario(&text));
    for metric in [
        Metric::MeanInSystem,
        Metric::MeanSojourn,
        Metric::Throughput,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn expiring_messages_match_erlang_a_in_overload() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"exponential\", mean = 1.0 }",
        12.0,
        10,
        "patience = { dist = \"exponential\", mean = 2.0 }",
    )));
    // Waits and sojourns over every accepted message, expired ones
    // included (until they expire), as Erlang-A defines them.
    for metric in [
        Metric::PAbandoned,
        Metric::MeanWait,
        Metric::MeanSojourn,
        Metric::MeanInQueue,
        Metric::MeanInSystem,
        Metric::PWait,
        Metric::Throughput,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn lifo_preemptive_resume_is_insensitive() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"hyperexponential\", mean = 1.0, scv = 4.0 }",
        0.6,
        1,
        "discipline = \"lifo-preemptive\"",
    )));
    for metric in [Metric::MeanSojourn, Metric::MeanInSystem, Metric::MeanWait] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn three_preemptive_priority_classes_match_theory() {
    let text = format!(
        "name = \"t\"\n{RUN}
[[classes]]
name = \"gold\"
priority = 0
service = {{ dist = \"deterministic\", value = 0.5 }}
[[classes]]
name = \"silver\"
priority = 1
service = {{ dist = \"hyperexponential\", mean = 2.0, scv = 4.0 }}
[[classes]]
name = \"bronze\"
priority = 2
[[producers]]
name = \"g\"
to = \"q\"
class = \"gold\"
interarrival = {{ dist = \"exponential\", rate = 0.2 }}
[[producers]]
name = \"s\"
to = \"q\"
class = \"silver\"
interarrival = {{ dist = \"exponential\", rate = 0.1 }}
[[producers]]
name = \"b\"
to = \"q\"
class = \"bronze\"
interarrival = {{ dist = \"exponential\", rate = 0.25 }}
[[queues]]
name = \"q\"
consumers = 1
service = {{ dist = \"exponential\", mean = 1.0 }}
discipline = \"priority-preemptive\"
"
    );
    let results = run(&scenario(&text));
    for class in ["gold", "silver", "bronze"] {
        assert_agrees(&results, "q", Some(class), Metric::MeanSojourn);
    }
    assert_agrees(&results, "q", None, Metric::MeanInSystem);
}

#[test]
fn mmc_preemptive_priority_matches_theory() {
    let text = format!(
        "name = \"t\"\n{RUN}
[[classes]]
name = \"urgent\"
priority = 0
[[classes]]
name = \"bulk\"
priority = 1
[[producers]]
name = \"u\"
to = \"q\"
class = \"urgent\"
interarrival = {{ dist = \"exponential\", rate = 1.0 }}
[[producers]]
name = \"b\"
to = \"q\"
class = \"bulk\"
interarrival = {{ dist = \"exponential\", rate = 1.1 }}
[[queues]]
name = \"q\"
consumers = 3
service = {{ dist = \"exponential\", mean = 1.0 }}
discipline = \"priority-preemptive\"
"
    );
    let results = run(&scenario(&text));
    for class in ["urgent", "bulk"] {
        assert_agrees(&results, "q", Some(class), Metric::MeanSojourn);
        assert_agrees(&results, "q", Some(class), Metric::MeanWait);
    }
}

#[test]
fn processor_sharing_is_insensitive() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"hyperexponential\", mean = 1.0, scv = 4.0 }",
        0.6,
        1,
        "discipline = \"processor-sharing\"",
    )));
    for metric in [Metric::MeanSojourn, Metric::MeanInSystem, Metric::MeanWait] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn processor_sharing_with_two_consumers_has_mmc_means() {
    let results = run(&scenario(&single_queue(
        "{ dist = \"exponential\", mean = 1.0 }",
        1.4,
        2,
        "discipline = \"processor-sharing\"",
    )));
    for metric in [
        Metric::MeanSojourn,
        Metric::MeanInSystem,
        Metric::MeanInQueue,
        Metric::Utilisation,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn closed_loop_matches_exact_mva() {
    let text = format!(
        "name = \"t\"\n{RUN}
[[producers]]
name = \"clients\"
to = \"api\"
closed = {{ population = 15, think = {{ dist = \"exponential\", mean = 2.0 }} }}
[[queues]]
name = \"api\"
consumers = 1
service = {{ dist = \"hyperexponential\", mean = 0.1, scv = 4.0 }}
discipline = \"processor-sharing\"
next = [{{ to = \"db\", p = 1.0 }}]
[[queues]]
name = \"db\"
consumers = 1
service = {{ dist = \"exponential\", mean = 0.15 }}
next = [{{ to = \"cache\", p = 1.0 }}]
[[queues]]
name = \"cache\"
consumers = \"unlimited\"
service = {{ dist = \"exponential\", mean = 0.3 }}
"
    );
    let results = run(&scenario(&text));
    for queue in ["api", "db"] {
        assert_agrees(&results, queue, None, Metric::Utilisation);
        assert_agrees(&results, queue, None, Metric::MeanInSystem);
        assert_agrees(&results, queue, None, Metric::MeanSojourn);
    }
    assert_agrees(&results, "system", None, Metric::Throughput);
    assert_agrees(&results, "system", None, Metric::MeanSojourn);
}
