//! `replications = 1`: one long run whose intervals come from batch means,
//! and the settings that cannot work with it refused (exit 2).

use std::fs;

use queuelab::model::metric::Metric;
use queuelab::sim;
use tempfile::TempDir;

use crate::common::{queue_text, queuelab, scenario};

const MM1: &str = queue_text!(
    "one-run",
    "seed = 5
replications = 1
customers = 40_000
",
    "{ dist = \"exponential\", rate = 0.8 }",
    "consumers = 1
service = { dist = \"exponential\", mean = 1.0 }
",
);

fn results_json(stdout: &[u8]) -> serde_json::Value {
    serde_json::from_slice(stdout).unwrap()
}

#[test]
fn one_replication_gives_batch_means_intervals_from_the_file_or_the_command_line() {
    let tmp = TempDir::new().unwrap();
    let run = |text: &str, extra: &[&str]| {
        let file = tmp.path().join("one.toml");
        fs::write(&file, text).unwrap();
        let out = tmp.path().join("out");
        let output = queuelab()
            .args(["run", "--quiet", "--format", "json", "--out"])
            .arg(&out)
            .args(extra)
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        let report = fs::read_to_string(out.join("report.md")).unwrap();
        (output.stdout, report)
    };
    let (stdout, report) = run(MM1, &[]);
    let results = results_json(&stdout);
    assert!(
        results["run_settings"]
            .as_str()
            .unwrap()
            .contains("one replication whose measured window is cut into 20 consecutive batches of about 2000 messages"),
        "{}",
        results["run_settings"]
    );
    assert!(report.contains("batch means"), "{report}");
    let simulation = &results["points"][0]["results"][0]["simulation"];
    assert_eq!(simulation["replications"], 1);
    assert_eq!(simulation["batch_means"]["batches"], 20);
    let lag1 = simulation["batch_means"]["lag1_correlation"]
        .as_object()
        .unwrap();
    assert!(lag1.contains_key("mean_wait"), "{lag1:?}");
    for metric in [
        "mean_wait",
        "mean_in_queue",
        "utilisation",
        "p_wait",
        "wait_p90",
    ] {
        let interval = &simulation["metrics"][metric];
        let (low, mean, high) = (
            interval["ci_low"].as_f64().unwrap(),
            interval["mean"].as_f64().unwrap(),
            interval["ci_high"].as_f64().unwrap(),
        );
        assert!(low < mean && mean < high, "{metric}: {interval}");
    }
    // 2,000 messages per batch hold about 20 beyond the 99th percentile:
    // too few for an interval, so none is given, and the report says so.
    assert!(simulation["metrics"]["wait_p99"].is_null());
    let p99 = simulation["batch_means"]["without_interval"]["wait_p99"]
        .as_f64()
        .unwrap();
    assert!(p99 > 10.0, "{p99}");
    assert!(
        report.contains("Without an interval for q (whole run): wait_p99 = "),
        "{report}"
    );
    // The same run from a file asking for more replications.
    let (overridden, _) = run(
        &MM1.replace("replications = 1", "replications = 4"),
        &["--replications", "1"],
    );
    assert_eq!(results_json(&overridden), results);
    // Batches by time with a horizon.
    let (by_time, _) = run(
        &MM1.replace("customers = 40_000", "horizon = 50_000.0"),
        &[],
    );
    let by_time = results_json(&by_time);
    let block = &by_time["points"][0]["results"][0]["simulation"]["batch_means"];
    assert_eq!(block["batches"], 20);
    assert!(
        by_time["run_settings"]
            .as_str()
            .unwrap()
            .contains("batches of 2500 time units")
    );
}

/// Over 100 seeds, one run of 100,000 messages at load 0.8: the batch-means
/// intervals cover the exact values within 3 binomial standard deviations
/// of 95%.
#[test]
fn batch_means_intervals_cover_at_the_nominal_rate() {
    let base = scenario(&MM1.replace("customers = 40_000", "customers = 100_000"));
    let model = &base.points[0].model;
    let p90 = 5.0 * (0.8f64 / 0.1).ln();
    let metrics = [
        (Metric::MeanWait, 4.0),
        (Metric::MeanInQueue, 3.2),
        (Metric::WaitP90, p90),
    ];
    let seeds = 1..101u64;
    let binomial_sd = (0.95 * 0.05 / (seeds.end - seeds.start) as f64).sqrt();
    let mut covered = [0u32; 3];
    for seed in seeds.clone() {
        let mut run = base.run;
        run.seed = seed;
        let simulation = sim::replicate(model, &run, &|| {});
        for (count, (metric, exact)) in covered.iter_mut().zip(metrics) {
            let estimate = simulation.estimates[0][metric.index()];
            *count += u32::from(estimate.ci_low <= exact && exact <= estimate.ci_high);
        }
    }
    for (count, (metric, _)) in covered.iter().zip(metrics) {
        let share = f64::from(*count) / (seeds.end - seeds.start) as f64;
        assert!(
            (share - 0.95).abs() <= 3.0 * binomial_sd,
            "{}: coverage {share}",
            metric.name()
        );
    }
}

#[test]
fn what_one_replication_cannot_do_is_refused_with_exit_2() {
    let tmp = TempDir::new().unwrap();
    let profiled = MM1.replace("customers = 40_000\n", "").replace(
        "interarrival = { dist = \"exponential\", rate = 0.8 }",
        "rate_profile = [{ until = 100, rate = 0.5 }, { until = 200, rate = 0.8 }]",
    );
    let plan = format!(
        "{MM1}[plan]\ndecide = \"queues.q.consumers\"\n[[plan.targets]]\nmetric = \"mean_wait\"\nmax = 1.0\n"
    );
    let cases = [
        (
            "no replication",
            MM1.replace("replications = 1", "replications = 0"),
            "check",
            "at least 1",
        ),
        (
            "a precision target",
            MM1.replace(
                "replications = 1",
                "replications = 1\ntarget_precision = 0.05",
            ),
            "check",
            "target_precision",
        ),
        ("a rate profile", profiled.clone(), "check", "rate profile"),
        (
            "fewer messages than batches",
            MM1.replace("40_000", "19"),
            "check",
            "20 batches",
        ),
        ("a plan", plan, "check", "[plan]"),
    ];
    for (what, text, command, word) in cases {
        let file = tmp.path().join("bad.toml");
        fs::write(&file, &text).unwrap();
        let output = queuelab().arg(command).arg(&file).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
        assert!(
            stderr.contains("run.replications") && stderr.contains(word),
            "{what}: {stderr}"
        );
    }
    // The same from the command line, on files that are fine as they are.
    let profiled = profiled.replace("replications = 1", "replications = 2");
    let precise = MM1.replace(
        "replications = 1",
        "replications = 2\ntarget_precision = 0.05",
    );
    for (what, text, word) in [
        ("a rate profile", profiled, "rate profile"),
        ("a precision target", precise, "target_precision"),
        ("no replication", MM1.to_string(), "at least 1"),
    ] {
        let file = tmp.path().join("fine.toml");
        fs::write(&file, &text).unwrap();
        let replications = if what == "no replication" { "0" } else { "1" };
        let output = queuelab()
            .args(["run", "--quiet", "--replications", replications, "--out"])
            .arg(tmp.path().join("never"))
            .arg(&file)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
        assert!(
            stderr.contains(&format!("--replications {replications}")) && stderr.contains(word),
            "{what}: {stderr}"
        );
        assert!(!tmp.path().join("never").exists());
    }
}
