//! `queuelab omb compare` (an OMB result file with theory and simulation
//! drawn over it) and `queuelab run` on an OMB workload.

use std::path::{Path, PathBuf};

use queuelab::model::metric::Metric;
use queuelab::stats::Estimate;
use serde_json::Value;

use crate::common::{self, queuelab};

const RESULT: &str = "tests/data/omb/example-result.json";
const ONE_PARTITION: &str = "scenarios/omb-1-topic-1-partition.yaml";
const SIX_PARTITIONS: &str = "scenarios/omb-1-topic-6-partitions.yaml";

/// `omb compare` of `result` against `workload` with 2.5 ms exponential
/// work and `extra` arguments, into a fresh folder: the output and that
/// folder.
fn compare(
    result: &Path,
    workload: &str,
    extra: &[&str],
) -> (std::process::Output, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("compare");
    let output = queuelab()
        .args(["omb", "compare"])
        .arg(result)
        .args(["--workload", workload, "--service-mean-ms", "2.5", "--out"])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    (output, dir, out)
}

fn json(file: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

/// The line of `statistic` in an omb-compare.json document.
fn line<'a>(document: &'a Value, statistic: &str) -> &'a Value {
    document["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["statistic"] == statistic)
        .unwrap_or_else(|| panic!("no line {statistic}"))
}

/// One partition, evenly spaced arrivals at 300 msg/s, exponential work of
/// 2.5 ms: D/M/1 at load 0.75, whose sojourn is exponential of rate
/// μ(1 − σ) with σ = e^{−(1−σ)/ρ} (solved here by fixed-point iteration).
/// The theory drawn is that formula, labelled exact; the measured values
/// are the file's; the simulation's intervals cover the formula.
#[test]
fn one_partition_draws_the_exact_d_m_1_over_the_measured_percentiles() {
    let (output, _dir, out) = compare(Path::new(RESULT), ONE_PARTITION, &["--simulate"]);
    common::assert_succeeded(&output);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("D/M/1"), "{stdout}");
    assert!(stdout.contains("exact"), "{stdout}");
    let document = json(&out.join("omb-compare.json"));
    assert_eq!(document["theory"]["exact"], true);
    let (rho, mean_ms) = (0.75, 2.5);
    let mut sigma = 0.5_f64;
    for _ in 0..500 {
        sigma = (-(1.0 - sigma) / rho).exp();
    }
    let decay = (1.0 - sigma) / mean_ms;
    let measured = json(Path::new(RESULT));
    let map = &measured["aggregatedEndToEndLatencyQuantiles"];
    for (statistic, q, key) in [
        ("p50", 0.5, "50.0"),
        ("p90", 0.9, "90.0"),
        ("p99", 0.99, "99.0"),
        ("p99.9", 0.999, "99.9"),
    ] {
        let line = line(&document, statistic);
        let theory = line["theory"].as_f64().unwrap();
        let formula = -(1.0_f64 - q).ln() / decay;
        assert!((theory - formula).abs() < 1e-9 * formula, "{statistic}");
        assert_eq!(line["measured"], map[key], "{statistic}");
    }
    let mean = line(&document, "mean");
    assert!((mean["theory"].as_f64().unwrap() - 1.0 / decay).abs() < 1e-9);
    assert_eq!(mean["measured"], measured["aggregatedEndToEndLatencyAvg"]);
    for (statistic, metric) in [
        ("mean", Metric::MeanSojourn),
        ("p50", Metric::SojournP50),
        ("p90", Metric::SojournP90),
        ("p99", Metric::SojournP99),
    ] {
        let line = line(&document, statistic);
        let simulation = &line["simulation"];
        let interval = Estimate {
            mean: simulation["mean"].as_f64().unwrap(),
            ci_low: simulation["ci_low"].as_f64().unwrap(),
            ci_high: simulation["ci_high"].as_f64().unwrap(),
            clipped: false,
        };
        common::assert_within("D/M/1", metric, line["theory"].as_f64().unwrap(), &interval);
    }
    for file in ["omb-compare.txt", "scenario.toml"] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let svg = std::fs::read_to_string(out.join("charts/omb_end_to_end_quantiles.svg")).unwrap();
    for text in ["99.9%", "measured (OMB result)", "theory: D/M/1, exact"] {
        assert!(svg.contains(text), "{text}");
    }
    assert!(out.join("charts/omb_end_to_end_quantiles.png").is_file());
}

/// Several partitions: no formula, said so; --simulate fills the model's
/// side.
#[test]
fn several_partitions_have_no_formula_and_simulate_on_request() {
    let text = std::fs::read_to_string(RESULT)
        .unwrap()
        .replace("\"partitions\": 1,", "\"partitions\": 6,");
    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("result.json");
    std::fs::write(&result, text).unwrap();
    let (output, _out_dir, out) = compare(
        &result,
        SIX_PARTITIONS,
        &["--simulate", "--replications", "2", "--no-charts"],
    );
    common::assert_succeeded(&output);
    let document = json(&out.join("omb-compare.json"));
    assert!(document["theory"].is_null());
    assert_eq!(document["simulation_replications"], 2);
    let notes = document["notes"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("no formula")),
        "{notes:?}"
    );
    // The example names another workload: said, not refused.
    assert!(
        notes
            .iter()
            .any(|n| n.as_str().unwrap().contains("workload file's name")),
        "{notes:?}"
    );
    assert!(line(&document, "p99")["simulation"]["mean"].is_f64());
    assert!(line(&document, "p75")["simulation"].is_null());
    assert!(!out.join("charts").exists());
}

/// Bad result files: exit 2, naming the file and the field.
#[test]
fn bad_result_files_name_the_file_and_the_field() {
    let example = std::fs::read_to_string(RESULT).unwrap();
    let cases = [
        ("{\"topics\": ", "not an OMB result".to_string()),
        ("[1, 2]", "a JSON object".to_string()),
        (
            "{\"topics\": 1}",
            "`aggregatedEndToEndLatencyQuantiles` is missing or empty".to_string(),
        ),
        (
            &*example.replace(
                "\"aggregatedEndToEndLatencyAvg\": 6.702",
                "\"aggregatedEndToEndLatencyAvg\": \"fast\"",
            ),
            "field `aggregatedEndToEndLatencyAvg`".to_string(),
        ),
        (
            &*example.replace("\"50.0\":", "\"median\":"),
            "key `median`".to_string(),
        ),
        (
            &*example.replace("\"partitions\": 1,", "\"partitions\": 6,"),
            "field `partitions` is 6".to_string(),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad-result.json");
    for (text, expected) in cases {
        std::fs::write(&file, text).unwrap();
        let (output, _out_dir, _) = compare(&file, ONE_PARTITION, &[]);
        assert_eq!(output.status.code(), Some(2), "{expected}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains("bad-result.json"), "{stderr}");
        assert!(stderr.contains(&expected), "{stderr}");
    }
    let missing = dir.path().join("missing.json");
    let (output, _out_dir, _) = compare(&missing, ONE_PARTITION, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.json"));
}

/// `run` takes an OMB workload as `omb import` turns it into a scenario,
/// with its service time; without one it names the flag, and the flag on
/// a scenario is refused.
#[test]
fn run_takes_an_omb_workload_with_its_service_time() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let output = queuelab()
        .args(["run", ONE_PARTITION, "--service-mean-ms", "2.5"])
        .args(["--quiet", "--no-charts", "--replications", "2", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    common::assert_succeeded(&output);
    let imported = queuelab()
        .args(["omb", "import", ONE_PARTITION, "--service-mean-ms", "2.5"])
        .output()
        .unwrap();
    common::assert_succeeded(&imported);
    assert_eq!(
        std::fs::read(out.join("scenario.toml")).unwrap(),
        imported.stdout
    );
    let results = json(&out.join("results.json"));
    assert_eq!(results["scenario"], "omb-1-topic-1-partition-100b");
    let without = queuelab().args(["run", ONE_PARTITION]).output().unwrap();
    assert_eq!(without.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&without.stderr);
    assert!(stderr.contains(ONE_PARTITION), "{stderr}");
    assert!(stderr.contains("--service-mean-ms"), "{stderr}");
    let on_toml = queuelab()
        .args([
            "run",
            "scenarios/mm1-load-sweep.toml",
            "--service-mean-ms",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(on_toml.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&on_toml.stderr).contains("OMB workload"));
}
