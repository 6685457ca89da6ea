//! Consumer group changes (consumers joining and leaving at given times)
//! on a partitioned queue: eager and cooperative rebalances by hand in a
//! deterministic case, a change's pause waiting for the messages in
//! service, per-partition order kept through changes under every assignor
//! and protocol (a replay of random arrivals and services), no formula,
//! bad keys refused naming the key, the Kafka preset's strategies, and a
//! sticky group that never changes keeping round-robin's formula.

use std::fs;

use queuelab::model::metric::Metric;
use queuelab::model::{Feature, Model};
use queuelab::results::RunResults;
use queuelab::run::Warmup;
use queuelab::sim::{Recording, replay};
use queuelab::theory;

use crate::common::{
    check_passes, check_refuses, first_row, queuelab, run, scenario, simulated, write_toml,
};

/// One message per time unit (at 1, 2, 3, ...), keyless so round-robin
/// over 2 partitions (message k, from 1, to partition (k - 1) mod 2),
/// served in `service`, by 1 consumer then by `changes`, under
/// `protocol`, 30 messages measured.
fn lockstep(service: f64, changes: &str, rebalance: f64, protocol: &str) -> String {
    format!(
        r#"
name = "lockstep"
time_unit = "s"
[run]
seed = 1
replications = 2
customers = 30
warmup = 0
[[producers]]
name = "p"
to = "t"
interarrival = {{ dist = "deterministic", value = 1.0 }}
[[queues]]
name = "t"
partitions = 2
consumers = 1
service = {{ dist = "deterministic", value = {service} }}
group_changes = {changes}
rebalance_time = {rebalance}
rebalance_protocol = "{protocol}"
"#
    )
}

fn results(text: &str) -> RunResults {
    run(&scenario(text))
}

fn close(label: &str, got: f64, expected: f64) {
    assert!(
        (got - expected).abs() < 1e-9,
        "{label}: {got} vs {expected}"
    );
}

#[test]
fn a_join_then_a_leave_pause_the_group_or_the_moved_partition_by_hand() {
    // Range: 1 consumer owns {0, 1}; 2 consumers own {0} and {1}. At 10.7
    // a consumer joins, at 20.7 it leaves, each a rebalance of 2.
    let changes = "[ { at = 10.7, consumers = 2 }, { at = 20.7, consumers = 1 } ]";
    // Eager: everything pauses until 12.7: the messages at 11 (partition
    // 0) and 12 (partition 1) wait 1.7 and 0.7, and both start at 12.7, so
    // the one at 13 waits 0.2 for the first. Then until 22.7, with one
    // consumer: 21 waits 1.7, 22 waits 1.2 (behind 21), 23 waits 0.7 and 24
    // waits 0.2. 6.4 in all, 7 messages waiting, of 30.
    let eager = results(&lockstep(0.5, changes, 2.0, "eager"));
    let row = first_row(&eager);
    close("eager wait", simulated(row, Metric::MeanWait), 6.4 / 30.0);
    close("eager p_wait", simulated(row, Metric::PWait), 7.0 / 30.0);
    close(
        "eager pause",
        simulated(row, Metric::RebalancePauseMean),
        2.0,
    );
    // Cooperative: only partition 1 moves (to the joiner, then back);
    // partition 0 keeps being served, so only the message at 12 waits
    // (0.7), then the one at 22 (0.7), whose release at 22.7 keeps the
    // one consumer busy until 23.2, so the one at 23 waits 0.2: 1.6 in
    // all, 3 messages. Half the partitions pause: 1 per rebalance.
    let cooperative = results(&lockstep(0.5, changes, 2.0, "cooperative"));
    let row = first_row(&cooperative);
    close(
        "cooperative wait",
        simulated(row, Metric::MeanWait),
        1.6 / 30.0,
    );
    close(
        "cooperative p_wait",
        simulated(row, Metric::PWait),
        3.0 / 30.0,
    );
    close(
        "cooperative pause",
        simulated(row, Metric::RebalancePauseMean),
        1.0,
    );
    // Every message is served once, in both.
    for results in [&eager, &cooperative] {
        close(
            "redelivered",
            simulated(first_row(results), Metric::PRedelivered),
            0.0,
        );
    }
}

#[test]
fn a_change_waits_for_the_message_in_service_on_a_moved_partition() {
    // The message of time 10 (partition 1) is in service until 10.5 when a
    // consumer joins at 10.2 with a rebalance of 0.1: the pause lasts until
    // it is done, 0.3, not 0.1 (its partition moves to the joiner, which
    // must not start the next one before).
    let change = "[ { at = 10.2, consumers = 2 } ]";
    let eager = results(&lockstep(0.5, change, 0.1, "eager"));
    close(
        "eager pause",
        simulated(first_row(&eager), Metric::RebalancePauseMean),
        0.3,
    );
    // Cooperative: partition 1 alone pauses those 0.3: 0.15 per partition.
    let cooperative = results(&lockstep(0.5, change, 0.1, "cooperative"));
    close(
        "cooperative pause",
        simulated(first_row(&cooperative), Metric::RebalancePauseMean),
        0.15,
    );
}

/// A topic of 5 partitions fed round-robin, 2 consumers at first, then
/// 3, 1 and 4, each change a rebalance of 1.5, polling batches of up to 4.
fn churn(assignor: &str, protocol: &str) -> Model {
    let text = format!(
        r#"
name = "churn"
time_unit = "s"
[run]
customers = 10
[[producers]]
name = "p"
to = "t"
interarrival = {{ dist = "exponential", rate = 2.0 }}
[[queues]]
name = "t"
partitions = 5
consumers = 2
assignor = "{assignor}"
max_poll_records = 4
service = {{ dist = "exponential", mean = 0.6 }}
group_changes = [ {{ at = 200, consumers = 3 }}, {{ at = 201, consumers = 1 }}, {{ at = 500, consumers = 4 }}, {{ at = 900, consumers = 2 }} ]
rebalance_time = 1.5
rebalance_protocol = "{protocol}"
"#
    );
    scenario(&text).points.remove(0).model
}

/// A small generator of uniform draws in (0, 1), for the recording.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.next().ln()
    }
}

#[test]
fn each_partition_stays_in_order_through_changes_under_every_assignor_and_protocol() {
    // 2,400 arrivals at rate 2 with exponential services of mean 0.6
    // (load 1.2 over 5 partitions): the changes move partitions while
    // messages wait and are in service.
    let mut draws = Draws(0x9e37_79b9_7f4a_7c15);
    let mut time = 0.0;
    let arrivals: Vec<(f64, usize)> = (0..2_400)
        .map(|_| {
            time += draws.exponential(0.5);
            (time, 0)
        })
        .collect();
    let services = vec![(0..2_400).map(|_| draws.exponential(0.6)).collect()];
    let routes = vec![vec![None; 2_400]];
    let recording = Recording {
        arrivals: &arrivals,
        services: &services,
        routes: &routes,
        failures: &[],
    };
    for assignor in ["range", "round-robin", "sticky"] {
        for protocol in ["eager", "cooperative"] {
            let label = format!("{assignor}, {protocol}");
            let visits = replay(&churn(assignor, protocol), &recording);
            assert_eq!(visits.len(), 2_400, "{label}: every message served once");
            // Round-robin from message 0: partition = index mod 5.
            let mut by_partition: Vec<Vec<_>> = vec![Vec::new(); 5];
            for visit in &visits {
                by_partition[(visit.message % 5) as usize].push(*visit);
            }
            for (partition, visits) in by_partition.iter_mut().enumerate() {
                visits.sort_by_key(|visit| visit.message);
                for pair in visits.windows(2) {
                    let (before, after) = (pair[0], pair[1]);
                    let start = after.start.expect("served");
                    assert!(
                        start >= before.end - 1e-9,
                        "{label}: partition {partition}: message {} starts at {start} before message {} ends at {}",
                        after.message,
                        before.message,
                        before.end
                    );
                }
            }
        }
    }
}

#[test]
fn group_changes_get_no_formula() {
    let model = churn("range", "eager");
    assert!(model.features().contains(Feature::GroupChanges));
    assert!(theory::evaluate(&model).is_empty());
    let why = theory::uncovered(&model).expect("says why");
    assert!(why.contains("group_changes"), "{why}");
}

const TOPIC: &str = r#"
name = "topic"
time_unit = "s"
[run]
replications = 2
horizon = 1000
[[producers]]
name = "p"
to = "t"
interarrival = { dist = "exponential", rate = 1.0 }
[[queues]]
name = "t"
partitions = 4
consumers = 2
service = { dist = "exponential", mean = 1.0 }
group_changes = [ { at = 100, consumers = 3 }, { at = 200, consumers = 1 } ]
"#;

#[test]
fn bad_group_change_keys_are_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let changes = "group_changes = [ { at = 100, consumers = 3 }, { at = 200, consumers = 1 } ]";
    let cases: [(&str, &str, &[&str]); 9] = [
        (
            "group_changes = [ { at = 100, consumers = 3 }, { at = 50, consumers = 1 } ]",
            "decreasing",
            &["queues.t.group_changes[1].at", "after the previous"],
        ),
        (
            "group_changes = [ { at = 0, consumers = 3 } ]",
            "at-zero",
            &["queues.t.group_changes[0].at", "> 0"],
        ),
        (
            "group_changes = [ { at = 100, consumers = 0 } ]",
            "no-consumers",
            &["queues.t.group_changes[0].consumers", "at least 1"],
        ),
        (
            "group_changes = [ { at = 1000, consumers = 3 } ]",
            "after-the-run",
            &["queues.t.group_changes[0].at", "run.horizon"],
        ),
        (
            "horizon = 1000\nwarmup = 100",
            "warmup-cut",
            &["run.warmup", "warmup = 0", "group_changes"],
        ),
        (
            "group_changes = []",
            "empty",
            &["queues.t.group_changes", "at least one"],
        ),
        (
            "group_changes = [ { at = 100, consumers = 3, who = 1 } ]",
            "unknown-field",
            &["who"],
        ),
        (
            "rebalance_protocol = \"cooperative\"",
            "protocol-alone",
            &["queues.t.rebalance_protocol", "group_changes"],
        ),
        (
            "group_changes = [ { at = 100, consumers = 3 } ]\nrebalance_protocol = \"lazy\"",
            "unknown-protocol",
            &["rebalance_protocol", "eager", "cooperative"],
        ),
    ];
    for (to, name, needles) in cases {
        let text = if to.starts_with("horizon") {
            TOPIC.replacen("horizon = 1000", to, 1)
        } else {
            TOPIC.replacen(changes, to, 1)
        };
        assert_ne!(text, TOPIC, "{name}");
        check_refuses(dir.path(), name, &text, needles);
    }
    // The topic itself is valid, and measured from time 0: its automatic
    // warm-up is none, so the changes at 100 and 200 stay in the run.
    check_passes(&write_toml(dir.path(), "topic", TOPIC));
    let topic = scenario(TOPIC);
    assert_eq!(topic.run.warmup, Warmup::Customers(0));
}

/// A Kafka topic under `strategy`, with `extra` settings.
fn kafka(strategy: &str, extra: &str) -> String {
    format!(
        r#"
name = "kafka-groups"
time_unit = "s"
[run]
horizon = 1000
[[producers]]
name = "p"
to = "events"
interarrival = {{ dist = "exponential", rate = 1.0 }}
[[brokers]]
name = "events"
kind = "kafka"
version = "3.9"
partitions = 6
consumers = 2
service = {{ dist = "exponential", mean = 1.0 }}
"partition.assignment.strategy" = "{strategy}"
{extra}
"#
    )
}

fn expand(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kafka.toml");
    fs::write(&path, text).unwrap();
    let output = queuelab().arg("expand").arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_kafka_preset_maps_sticky_strategies_and_group_changes() {
    let changes = "group_changes = [ { at = 300, consumers = 3 } ]\nrebalance_time = 5";
    let cooperative = expand(&kafka("cooperative-sticky", changes));
    for needle in [
        "assignor = \"sticky\"",
        "rebalance_protocol = \"cooperative\"",
        "group_changes = [",
        "rebalance_time = 5",
    ] {
        assert!(
            cooperative.contains(needle),
            "`{needle}` not in:\n{cooperative}"
        );
    }
    // StickyAssignor keeps the eager protocol.
    let sticky = expand(&kafka("sticky", changes));
    assert!(sticky.contains("assignor = \"sticky\""), "{sticky}");
    assert!(!sticky.contains("rebalance_protocol"), "{sticky}");
    // Without rebalances the protocol is left out (it would change
    // nothing, and is refused alone).
    let calm = expand(&kafka("cooperative-sticky", ""));
    assert!(calm.contains("assignor = \"sticky\""), "{calm}");
    assert!(!calm.contains("rebalance_protocol"), "{calm}");
}

#[test]
fn a_sticky_group_that_never_changes_is_round_robin_with_its_formula() {
    let topic = |assignor: &str| {
        let text = format!(
            r#"
name = "still"
[run]
customers = 10
[[producers]]
name = "p"
to = "t"
interarrival = {{ dist = "exponential", rate = 1.5 }}
keys = {{ distribution = "zipf", count = 100, exponent = 0.6 }}
[[queues]]
name = "t"
partitions = 7
consumers = 3
assignor = "{assignor}"
service = {{ dist = "exponential", mean = 1.0 }}
"#
        );
        scenario(&text).points.remove(0).model
    };
    let (sticky, round_robin) = (topic("sticky"), topic("round-robin"));
    assert_eq!(sticky.consumer_loads(0), round_robin.consumer_loads(0));
    let formulas = theory::evaluate(&sticky);
    assert!(!formulas.is_empty());
    assert_eq!(
        format!("{formulas:?}"),
        format!("{:?}", theory::evaluate(&round_robin))
    );
}

/// Idle consumers per reporting interval: 2 partitions, 1 consumer, 4
/// from 10 and 2 from 35, reported every 20 over 40: 2 idle for 10 of the
/// first 20 (1 on average) and for 15 of the next 20 (1.5), the same in
/// every replication, on the queue's row only; over the whole run 2 idle
/// for 25 of 40 (1.25), with no formula (the group changes).
#[test]
fn idle_consumers_per_interval_and_whole_run_follow_the_group_beyond_the_partitions() {
    let text = r#"
name = "idle"
time_unit = "s"
[run]
seed = 1
replications = 3
horizon = 40
report_every = 20
[[producers]]
name = "p"
to = "t"
interarrival = { dist = "exponential", rate = 1.0 }
keys = { distribution = "uniform", count = 10 }
[[queues]]
name = "t"
partitions = 2
consumers = 1
service = { dist = "exponential", mean = 0.5 }
group_changes = [ { at = 10, consumers = 4 }, { at = 35, consumers = 2 } ]
rebalance_time = 1
"#;
    let results = results(text);
    let point = &results.points[0];
    let idle = |row: &queuelab::results::Row| {
        row.simulation
            .as_ref()
            .and_then(|s| s.metrics.get(&Metric::IdleConsumers).copied())
    };
    for (interval, expected) in point.intervals.iter().zip([1.0, 1.5]) {
        let queue = idle(&interval.results[0]).expect("the queue's row has it");
        close("idle mean", queue.mean, expected);
        close("idle CI", queue.ci_high - queue.ci_low, 0.0);
        assert!(interval.results[1..].iter().all(|row| idle(row).is_none()));
    }
    assert_eq!(point.intervals.len(), 2);
    let whole = idle(&point.results[0]).expect("the queue's row has it");
    close("whole-run idle mean", whole.mean, 1.25);
    close("whole-run idle CI", whole.ci_high - whole.ci_low, 0.0);
    assert!(point.results[1..].iter().all(|row| idle(row).is_none()));
    assert!(point.results[0].theory.is_none());
}
