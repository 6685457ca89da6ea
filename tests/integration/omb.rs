//! `queuelab omb import`: OMB workload files read as is, refused with the
//! file, line, key and allowed values, and imported as evenly spaced
//! arrivals (checked against the exact D/M/1 formula).

use std::path::Path;
use std::process::Output;

use queuelab::model::metric::Metric;
use queuelab::scenario;

use crate::common::{self, queuelab};

const EXAMPLE: &str = "scenarios/omb-1-topic-6-partitions.yaml";

/// The shipped example with `from` replaced by `to`, written to a
/// temporary file.
fn variant(from: &str, to: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    variants(&[(from, to)])
}

/// The shipped example with each `(from, to)` of `changes` made, written
/// to a temporary file.
fn variants(changes: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let mut text = std::fs::read_to_string(EXAMPLE).unwrap();
    for (from, to) in changes {
        assert!(text.contains(from), "the example has `{from}`");
        text = text.replace(from, to);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("workload.yaml");
    std::fs::write(&file, text).unwrap();
    (dir, file)
}

/// `omb import` of `file` with a 5 ms mean service; its stdout, or its
/// stderr when `fails` (then with exit 2).
fn import(file: &Path, fails: bool) -> String {
    let output = queuelab()
        .args(["omb", "import"])
        .arg(file)
        .args(["--service-mean-ms", "5"])
        .output()
        .unwrap();
    stdout_or_refusal(output, fails)
}

/// The stdout of a command that succeeded, or its stderr when `fails`
/// (then with exit 2).
fn stdout_or_refusal(output: Output, fails: bool) -> String {
    if fails {
        assert_eq!(output.status.code(), Some(2), "exit 2 expected");
        String::from_utf8(output.stderr).unwrap()
    } else {
        common::assert_succeeded(&output);
        String::from_utf8(output.stdout).unwrap()
    }
}

#[test]
fn the_example_becomes_evenly_spaced_partitions_that_run() {
    let text = import(Path::new(EXAMPLE), false);
    // 300 msg/s evenly spaced: one every 1000/300 ms; 6 partitions, 3 consumers.
    let interarrival = format!("value = {:?}", 1000.0 / 300.0);
    assert!(text.contains("dist = \"deterministic\""), "{text}");
    assert!(text.contains(&interarrival), "{text}");
    assert!(text.contains("partitions = 6"), "{text}");
    assert!(text.contains("consumers = 3"), "{text}");
    // NO_KEY: round-robin, no keys.
    assert!(!text.contains("keys ="), "{text}");
    let scenario = scenario::parse(Path::new("omb.toml"), text).unwrap();
    assert_eq!(scenario.name, "omb-1-topic-6-partitions-100b-3-consumers");
}

#[test]
fn random_keys_become_omb_s_ten_thousand_uniform_keys() {
    for distributor in ["RANDOM_NANO", "KEY_ROUND_ROBIN"] {
        let (_dir, file) = variant("\"NO_KEY\"", distributor);
        let text = import(&file, false);
        assert!(
            text.contains("keys = { distribution = \"uniform\", count = 10000 }"),
            "{distributor}: {text}"
        );
    }
}

#[test]
fn a_missing_service_time_names_the_flag() {
    let output = queuelab()
        .args(["omb", "import", EXAMPLE])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(EXAMPLE), "{stderr}");
    assert!(stderr.contains("--service-mean-ms"), "{stderr}");
}

#[test]
fn bad_workloads_name_file_line_key_and_allowed_values() {
    let cases = [
        (
            "topics: 1",
            "topic: 1",
            ":8: unknown key `topic`",
            "partitionsPerTopic",
        ),
        (
            "\"NO_KEY\"",
            "ZIPF",
            "key `keyDistributor`",
            "NO_KEY, KEY_ROUND_ROBIN, RANDOM_NANO",
        ),
        (
            "subscriptionsPerTopic: 1",
            "subscriptionsPerTopic: 101",
            "key `subscriptionsPerTopic`",
            "allowed: 1 to 100",
        ),
        (
            "producerRate: 300",
            "producerRate: 0",
            "key `producerRate`",
            "search",
        ),
        (
            "producerRate: 300",
            "producerRate: fast",
            "key `producerRate`",
            "number",
        ),
        (
            "consumerBacklogSizeGB: 0",
            "consumerBacklogSizeGB: 1",
            "key `consumerBacklogSizeGB`",
            "allowed: 0",
        ),
        (
            "partitionsPerTopic: 6",
            "partitionsPerTopic: 0",
            "key `partitionsPerTopic`",
            ">= 1",
        ),
        ("topics: 1", "topics:\n  - 1", "nested YAML", "key: value"),
        ("topics: 1", "topics: 1\ntopics: 2", "uplicate", "topics"),
        (
            "topics: 1",
            "topics: [1",
            "not an OMB workload",
            "key: value",
        ),
    ];
    for (from, to, what, allowed) in cases {
        let (_dir, file) = variant(from, to);
        let stderr = import(&file, true);
        assert!(stderr.contains("workload.yaml"), "{to}: {stderr}");
        assert!(stderr.contains(what), "{to}: {stderr}");
        assert!(stderr.contains(allowed), "{to}: {stderr}");
    }
}

#[test]
fn an_overloaded_topic_is_refused_like_any_scenario() {
    // 300 msg/s x 20 ms over 3 consumers: load 2.
    let output = queuelab()
        .args(["omb", "import", EXAMPLE, "--service-mean-ms", "20"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("load"), "{stderr}");
    assert!(
        stderr.contains("omb-1-topic-6-partitions.yaml (imported as a scenario)"),
        "{stderr}"
    );
}

#[test]
fn out_writes_a_file_and_never_over_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("omb.toml");
    let write = || {
        queuelab()
            .args(["omb", "import", EXAMPLE, "--service-mean-ms", "5", "--out"])
            .arg(&out)
            .output()
            .unwrap()
    };
    common::assert_succeeded(&write());
    assert!(scenario::load(&out).is_ok());
    assert_eq!(write().status.code(), Some(2));
}

/// One partition read by one consumer, evenly spaced arrivals and
/// exponential work: D/M/1. Its exact figures (GI/M/1 with sigma =
/// exp(-(1 - sigma)/rho)): Wq = sigma/(mu(1 - sigma)), P(Wq > t) =
/// sigma e^{-mu(1 - sigma)t}. OMB's arrivals at load 0.8 wait 0.42 times
/// as long as Poisson ones would.
#[test]
fn one_partition_simulates_the_exact_d_m_1() {
    let (_dir, file) = variant("partitionsPerTopic: 6", "partitionsPerTopic: 1");
    let text = import_at_load_0_8(&file);
    // A partition has one reader: the 3 consumers become 1.
    assert!(text.contains("consumers = 1"), "{text}");
    let results = common::run(&common::scenario(&text));
    let row = common::first_row(&results);
    let theory = row.theory.as_ref().expect("GI/M/1");
    assert!(theory.exact, "{}", theory.model);
    let exact = DM1::at_load_0_8();
    let wait = theory.metrics[&Metric::MeanWait];
    assert!(
        (wait / exact.wait - 1.0).abs() < 1e-9,
        "{wait} vs {}",
        exact.wait
    );
    assert!(
        (exact.wait / exact.mm1_wait - 0.42).abs() < 0.005,
        "{}",
        exact.wait / exact.mm1_wait
    );
    exact.assert_simulated("topic", row);
}

/// Two subscriptions of one partition: each is a consumer group reading
/// every message, so each simulates the D/M/1 of the topic alone.
#[test]
fn each_subscription_reads_every_message_as_the_exact_d_m_1() {
    let (_dir, file) = variants(&[
        ("partitionsPerTopic: 6", "partitionsPerTopic: 1"),
        ("subscriptionsPerTopic: 1", "subscriptionsPerTopic: 2"),
    ]);
    let text = import_at_load_0_8(&file);
    assert!(text.contains("partitions = 1"), "{text}");
    assert!(
        text.contains("name = \"subscription-2\"\ntopic = \"topic\""),
        "{text}"
    );
    assert!(
        text.contains("2 subscriptions of 3 consumer(s) each"),
        "{text}"
    );
    let results = common::run(&common::scenario(&text));
    let exact = DM1::at_load_0_8();
    for queue in ["topic", "subscription-2"] {
        let row = results.points[0]
            .results
            .iter()
            .find(|r| r.queue == queue && r.class.is_none())
            .unwrap_or_else(|| panic!("a row for {queue}"));
        exact.assert_simulated(queue, row);
    }
}

/// `omb import` of `file` with the work per message that loads its one
/// partition's consumer to 0.8 (300 msg/s); the scenario text.
fn import_at_load_0_8(file: &Path) -> String {
    let mean_ms = DM1::RHO * 1000.0 / 300.0;
    let output = queuelab()
        .args(["omb", "import"])
        .arg(file)
        .args(["--service-mean-ms", &mean_ms.to_string()])
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    String::from_utf8(output.stdout).unwrap()
}

/// The exact D/M/1 of evenly spaced arrivals at load 0.8: sigma solves
/// sigma = e^{-(1 - sigma)/rho}, the mean wait is sigma/(mu(1 - sigma)).
struct DM1 {
    wait: f64,
    p99: f64,
    mm1_wait: f64,
}

impl DM1 {
    const RHO: f64 = 0.8;

    fn at_load_0_8() -> DM1 {
        let rho = DM1::RHO;
        let mean_ms = rho * 1000.0 / 300.0;
        let mut sigma = 0.5_f64;
        for _ in 0..200 {
            sigma = (-(1.0 - sigma) / rho).exp();
        }
        let decay = (1.0 - sigma) / mean_ms;
        DM1 {
            wait: sigma / decay,
            p99: (sigma / 0.01).ln() / decay,
            mm1_wait: rho / ((1.0 - rho) / mean_ms),
        }
    }

    /// The simulated mean wait and p99 of `row` (of `queue`) cover these.
    fn assert_simulated(&self, queue: &str, row: &queuelab::results::Row) {
        let simulation = row.simulation.as_ref().expect("simulation");
        for (metric, value) in [(Metric::MeanWait, self.wait), (Metric::WaitP99, self.p99)] {
            common::assert_within(
                &format!("D/M/1 at {queue}"),
                metric,
                value,
                &simulation.metrics[&metric],
            );
        }
    }
}

/// `omb result` of the results folder `dir`: its stdout, or its stderr
/// when `fails` (then with exit 2).
fn omb_result(dir: &Path, fails: bool) -> String {
    let output = queuelab()
        .args(["omb", "result"])
        .arg(dir)
        .output()
        .unwrap();
    stdout_or_refusal(output, fails)
}

#[test]
fn a_run_becomes_an_omb_result_with_sojourn_as_end_to_end_latency() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("omb.toml");
    let results = dir.path().join("results");
    let output = queuelab()
        .args(["omb", "import", EXAMPLE, "--service-mean-ms", "5", "--out"])
        .arg(&scenario)
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    let output = queuelab()
        .arg("run")
        .arg(&scenario)
        .args(["--quiet", "--no-charts", "--replications", "2", "--out"])
        .arg(&results)
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    let document: serde_json::Value = serde_json::from_str(&omb_result(&results, false)).unwrap();
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(results.join("results.json")).unwrap())
            .unwrap();
    let topic = &run["points"][0]["results"][0];
    assert_eq!(topic["queue"], "topic");
    let simulated = |metric: &str| topic["simulation"]["metrics"][metric]["mean"].clone();
    // The scenario is in ms, OMB's unit: the values pass through.
    assert_eq!(
        document["aggregatedEndToEndLatency50pct"],
        simulated("sojourn_p50")
    );
    assert_eq!(
        document["aggregatedEndToEndLatency99pct"],
        simulated("sojourn_p99")
    );
    assert_eq!(
        document["aggregatedEndToEndLatencyAvg"],
        simulated("mean_sojourn")
    );
    assert_eq!(
        document["aggregatedEndToEndLatencyQuantiles"]["90.0"],
        simulated("sojourn_p90")
    );
    assert_eq!(document["partitions"], 6);
    // Not in the model: null, and no 10 s series.
    for field in [
        "aggregatedEndToEndLatency75pct",
        "aggregatedEndToEndLatencyMax",
        "aggregatedPublishLatency99pct",
        "aggregatedPublishDelayLatency50pct",
    ] {
        assert!(document[field].is_null(), "{field}");
    }
    assert_eq!(document["publishRate"], serde_json::json!([]));
}

#[test]
fn a_sweep_is_not_one_omb_result() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("sweep.toml");
    let results = dir.path().join("results");
    std::fs::write(
        &scenario,
        "name = \"sweep\"\ntime_unit = \"ms\"\n[run]\ncustomers = 2000\nreplications = 2\n\
         [[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = { dist = \"exponential\", rate = 0.5 }\n\
         [[queues]]\nname = \"q\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 1.0 }\n\
         [sweep]\nload = [0.5, 0.6]\n",
    )
    .unwrap();
    let output = queuelab()
        .arg("run")
        .arg(&scenario)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(&results)
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    let stderr = omb_result(&results, true);
    assert!(stderr.contains("2 sweep points"), "{stderr}");
}
