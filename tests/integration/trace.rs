//! The `trace` interarrival distribution: recorded timestamps replayed in
//! order, a run that ends with the trace, load sweeps and clear errors.

use std::fs;
use std::path::{Path, PathBuf};

use queuelab::dist::Dist;
use queuelab::model::Arrivals;
use queuelab::model::metric::Metric;
use queuelab::results::RunResults;
use tempfile::TempDir;

use crate::common::{check_refuses, run, scenario, write_file};

/// Recorded timestamps from 1000 on, gaps alternating 0.5 and 1.5.
const TIMESTAMPS: usize = 401;

/// Writes the timestamps to `arrivals.csv` in `dir` (beside an id column).
fn write_trace(dir: &Path) -> PathBuf {
    let mut text = String::from("id,timestamp\n");
    let mut time = 1000.0;
    for id in 0..TIMESTAMPS {
        text.push_str(&format!("{id},{time}\n"));
        time += if id % 2 == 0 { 0.5 } else { 1.5 };
    }
    let path = dir.join("arrivals.csv");
    fs::write(&path, text).unwrap();
    path
}

/// Messages and time span the trace holds: N timestamps, N - 1 gaps.
fn messages_and_span() -> (f64, f64) {
    let messages = (TIMESTAMPS - 1) as f64;
    (messages, messages) // the gaps average 1
}

/// A single queue fed by the trace, with `run` and `extra` settings.
fn trace_scenario(trace: &Path, run_settings: &str, extra: &str) -> String {
    format!(
        "name = \"trace\"
[run]
replications = 3
{run_settings}
[[producers]]
name = \"web\"
to = \"orders\"
interarrival = {{ dist = \"trace\", file = \"{}\", column = \"timestamp\" }}
[[queues]]
name = \"orders\"
consumers = 1
service = {{ dist = \"deterministic\", value = 0.4 }}
{extra}",
        trace.display()
    )
}

fn simulated(results: &RunResults, point: usize, metric: Metric) -> f64 {
    results.points[point].results[0]
        .simulation
        .as_ref()
        .and_then(|s| s.metrics.get(&metric))
        .unwrap_or_else(|| panic!("no simulated {metric:?}"))
        .mean
}

#[test]
fn replays_the_gaps_and_ends_with_the_trace() {
    let tmp = TempDir::new().unwrap();
    let trace = write_trace(tmp.path());
    let (messages, span) = messages_and_span();
    // 100,000 customers wanted, the trace holds 400: the run ends with it.
    for run_settings in [
        "customers = 100_000\nwarmup = 0",
        "horizon = 1e9\nwarmup = 0",
    ] {
        let loaded = scenario(&trace_scenario(&trace, run_settings, ""));
        let model = &loaded.points[0].model;
        let Arrivals::Open { interarrival } = &model.producers[0].arrivals else {
            panic!("an open producer");
        };
        assert!(matches!(interarrival, Dist::Sequence { values, .. } if values.len() == 400));
        assert!(!interarrival.is_exponential());
        assert!((interarrival.scv() - 0.25).abs() < 1e-12);
        let refusal = queuelab::live::unsupported(model).expect("live runs refuse traces");
        assert!(
            refusal.contains("a recorded `trace`") && refusal.contains("producer `web`"),
            "{refusal}"
        );

        let results = run(&loaded);
        // The window runs from 0 to the last arrival; the last message
        // leaves 0.4 after it, outside.
        let throughput = simulated(&results, 0, Metric::Throughput);
        assert!(
            (throughput - messages / span).abs() <= 1.0 / span + 1e-12,
            "{run_settings}: throughput {throughput}, expected {}",
            messages / span
        );
        assert!(simulated(&results, 0, Metric::MeanWait).abs() < 1e-9);
        let theory = results.points[0].results[0].theory.as_ref().unwrap();
        assert!(!theory.exact, "a trace is not Poisson: {}", theory.model);
    }
}

#[test]
fn load_sweep_rescales_the_trace() {
    let tmp = TempDir::new().unwrap();
    let trace = write_trace(tmp.path());
    let (messages, span) = messages_and_span();
    let text = trace_scenario(&trace, "warmup = 0", "[sweep]\nload = [0.2, 0.4]\n");
    let results = run(&scenario(&text));
    // Load 0.4 is the trace as recorded (rate 1, service 0.4); 0.2 stretches
    // every gap by 2.
    for (point, stretch) in [(0, 2.0), (1, 1.0)] {
        let throughput = simulated(&results, point, Metric::Throughput);
        let expected = messages / (span * stretch);
        assert!(
            (throughput - expected).abs() <= 1.0 / (span * stretch) + 1e-12,
            "point {point}: throughput {throughput}, expected {expected}"
        );
    }
}

#[test]
fn bad_traces_are_refused_with_the_key_and_file() {
    let tmp = TempDir::new().unwrap();
    let trace = write_trace(tmp.path());
    let write_csv = |name: &str, text: &str| write_file(tmp.path(), name, text);
    let decreasing = write_csv("decreasing.csv", "timestamp\n1\n3\n2\n");
    let single = write_csv("single.csv", "timestamp\n1\n");
    let missing = tmp.path().join("missing.csv");
    let with_file = |path: &Path| trace_scenario(path, "", "");
    let cases = [
        (
            with_file(&decreasing),
            "key `producers.web.interarrival`: ",
            "row 4: timestamps must not decrease, got 2 after 3",
        ),
        (
            with_file(&single),
            "key `producers.web.interarrival`: ",
            "holds 1 timestamp; a trace needs at least 2",
        ),
        (
            with_file(&missing),
            "key `producers.web.interarrival`: cannot read",
            "missing.csv",
        ),
        (
            with_file(&trace).replace("\"timestamp\"", "\"ts\""),
            "key `producers.web.interarrival`: ",
            "no column named \"ts\" in the header (columns: id, timestamp)",
        ),
        (
            with_file(&trace).replace(
                "service = { dist = \"deterministic\", value = 0.4 }",
                &format!(
                    "service = {{ dist = \"trace\", file = \"{}\" }}",
                    trace.display()
                ),
            ),
            "key `queues.orders.service`: `trace` replays recorded arrival times",
            "only allowed as a producer's `interarrival`",
        ),
        (
            trace_scenario(&trace, "warmup = 400", ""),
            "key `run.warmup`: discards the first 400 arrivals",
            "they hold 400 messages in all",
        ),
    ];
    for (index, (text, key, detail)) in cases.iter().enumerate() {
        let name = format!("case{index}");
        check_refuses(
            tmp.path(),
            &name,
            text,
            &[&format!("{name}.toml:"), key, detail],
        );
    }
}
