//! Lag over time: `[run] report_every` reports a run measured by `horizon`
//! interval by interval without rate profiles, each queue and partition
//! with its lag (`mean_in_queue`) per interval and a `lag-<queue>` chart;
//! the whole-run rows stay those of the same run without it, and bad
//! settings are refused by key.

use std::fs;

use tempfile::TempDir;

use crate::common::{assert_succeeded, check_refuses, queuelab};
use queuelab::results::RunResults;

/// A topic of 4 partitions read by 2 consumers, Zipf keys, 8 replications
/// of 2,000 time units from empty; `extra` goes into `[run]`.
fn topic(extra: &str) -> String {
    format!(
        "name = \"lag\"\n[run]\nseed = 3\nreplications = 8\nhorizon = 2000\n{extra}\n[[producers]]\nname = \"p\"\nto = \"t\"\ninterarrival = {{ dist = \"exponential\", rate = 1.2 }}\nkeys = {{ distribution = \"zipf\", count = 100, exponent = 0.5 }}\n[[queues]]\nname = \"t\"\nconsumers = 2\npartitions = 4\nservice = {{ dist = \"exponential\", mean = 1.0 }}\n"
    )
}

fn run(text: &str, dir: &TempDir, name: &str) -> RunResults {
    let file = dir.path().join(format!("{name}.toml"));
    fs::write(&file, text).unwrap();
    let out = dir.path().join(name);
    let output = queuelab()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(&file)
        .output()
        .unwrap();
    assert_succeeded(&output);
    serde_json::from_str(&fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
}

#[test]
fn report_every_gives_each_partitions_lag_per_interval_and_its_chart() {
    let dir = TempDir::new().unwrap();
    let reported = run(&topic("report_every = 250"), &dir, "reported");
    let point = &reported.points[0];
    assert_eq!(point.intervals.len(), 8);
    for (k, interval) in point.intervals.iter().enumerate() {
        assert_eq!(
            (interval.start, interval.end),
            (250.0 * k as f64, 250.0 * (k + 1) as f64)
        );
        // The queue, then its 4 partitions, each with a simulated lag.
        assert_eq!(interval.results.len(), 5);
        for row in &interval.results {
            let lag = row.simulation.as_ref().unwrap().metrics
                [&queuelab::model::metric::Metric::MeanInQueue];
            assert!(lag.mean >= 0.0 && lag.ci_low <= lag.mean && lag.mean <= lag.ci_high);
        }
    }
    let charts = dir.path().join("reported/charts");
    let svg = fs::read_to_string(charts.join("lag-t.svg")).unwrap();
    assert!(svg.contains("lag of t over time") && svg.contains("t[3]: simulation"));
    let html = fs::read_to_string(dir.path().join("reported/report.html")).unwrap();
    assert!(html.contains("lag of t over time"));
    // Reporting adds the intervals and changes no whole-run figure.
    let plain = run(&topic("warmup = 0"), &dir, "plain");
    let rows = |r: &RunResults| serde_json::to_string(&r.points[0].results).unwrap();
    assert_eq!(rows(&reported), rows(&plain));
    assert!(plain.points[0].intervals.is_empty());
    assert!(!dir.path().join("plain/charts/lag-t.svg").exists());
}

#[test]
fn bad_report_every_is_refused_by_key() {
    let cases = [
        (
            topic("report_every = 0"),
            "run.report_every",
            "finite time > 0",
        ),
        (
            topic("report_every = 100").replace("horizon = 2000", "customers = 1000"),
            "run.report_every",
            "give `horizon`",
        ),
        (
            topic("report_every = 100\nwarmup = 50"),
            "run.warmup",
            "no warm-up",
        ),
        (topic("report_every = 1"), "run.report_every", "at most 400"),
        (
            topic("report_every = 100").replace("replications = 8", "replications = 1"),
            "run.replications",
            "report_every",
        ),
    ];
    let dir = TempDir::new().unwrap();
    for (text, key, reason) in cases {
        check_refuses(dir.path(), "bad", &text, &[key, reason, "bad.toml"]);
    }
}
