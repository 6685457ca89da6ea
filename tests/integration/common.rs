//! Shared helpers: build scenarios from text, run them, find rows.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use queuelab::dist::Dist;
use queuelab::experiment;
use queuelab::model::metric::Metric;
use queuelab::model::{Model, ProducerBuilder, QueueBuilder};
use queuelab::results::{Row, RunResults};
use queuelab::scenario::{self, Scenario};
use queuelab::stats::Estimate;

/// The `queuelab` binary under test.
pub fn queuelab() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("queuelab").expect("binary is built")
}

/// Fails with the command's stderr unless it exited 0.
pub fn assert_succeeded(output: &std::process::Output) {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Parses scenario text as if it came from `tests/<name>.toml`.
pub fn scenario(text: &str) -> Scenario {
    scenario::parse(Path::new("tests/inline.toml"), text.to_string())
        .unwrap_or_else(|e| panic!("test scenario is invalid: {e}"))
}

/// Theory and simulation of every point, as the `run` command computes them.
pub fn run(scenario: &Scenario) -> RunResults {
    experiment::run(scenario, &AtomicBool::new(false)).expect("nothing stops the run")
}

/// Theory value and simulation interval of `metric` for a row.
pub fn compare(
    results: &RunResults,
    point: usize,
    queue: &str,
    class: Option<&str>,
    metric: Metric,
) -> (f64, Estimate) {
    let row = results.points[point]
        .results
        .iter()
        .find(|r| r.queue == queue && r.class.as_deref() == class)
        .unwrap_or_else(|| panic!("no row for {queue}/{class:?}"));
    let theory = row
        .theory
        .as_ref()
        .and_then(|t| t.metrics.get(&metric).copied())
        .unwrap_or_else(|| panic!("no theory {metric:?} for {queue}/{class:?}"));
    let interval = row
        .simulation
        .as_ref()
        .and_then(|s| s.metrics.get(&metric).copied())
        .unwrap_or_else(|| panic!("no simulation {metric:?} for {queue}/{class:?}"));
    (theory, interval)
}

/// M/M/1 queue `q` with mean service 1, fed by producer `p` at `rate`
/// (so at load `rate`), in a model named `name`.
pub fn mm1(name: &str, rate: f64) -> Model {
    Model::builder(name)
        .queue(QueueBuilder::new(
            "q",
            1,
            Dist::exponential_mean(1.0).unwrap(),
        ))
        .producer(ProducerBuilder::open(
            "p",
            "q",
            Dist::exponential_rate(rate).unwrap(),
        ))
        .build()
        .unwrap()
}

/// Asserts that `theory` lies in the simulated `interval` of `metric`, give
/// or take the histogram's resolution, and that the interval's half-width is
/// at most 5% of the value (10% for a p99), so that the check can fail;
/// `label` names the row in the message.
pub fn assert_within(label: &str, metric: Metric, theory: f64, interval: &Estimate) {
    let slack = histogram_resolution(metric, theory);
    assert!(
        interval.ci_low - slack <= theory && theory <= interval.ci_high + slack,
        "{label} {}: theory {theory} outside CI [{}, {}]",
        metric.name(),
        interval.ci_low,
        interval.ci_high
    );
    let bound = match metric {
        Metric::WaitP99 | Metric::SojournP99 => 0.10,
        _ => 0.05,
    };
    let half_width = (interval.ci_high - interval.ci_low) / 2.0;
    assert!(
        half_width <= bound * theory.abs(),
        "{label} {}: CI half-width {half_width} exceeds {bound} x {theory}",
        metric.name()
    );
}

/// How far a simulated percentile may stand from the truth through the
/// histogram's resolution alone (3 significant digits: relative error below
/// 0.1%, README "How the simulator measures"); 0 for the other metrics,
/// which are not binned. Comparisons of a formula with an interval allow it
/// on both sides.
fn histogram_resolution(metric: Metric, value: f64) -> f64 {
    let percentile = matches!(
        metric,
        Metric::WaitP50
            | Metric::WaitP90
            | Metric::WaitP99
            | Metric::SojournP50
            | Metric::SojournP90
            | Metric::SojournP99
    );
    if percentile { 1e-3 * value.abs() } else { 0.0 }
}

/// The first row (first queue) of the first point of `results`.
pub fn first_row(results: &RunResults) -> &Row {
    &results.points[0].results[0]
}

/// The simulated mean of `metric` on `row`.
pub fn simulated(row: &Row, metric: Metric) -> f64 {
    row.simulation.as_ref().expect("simulation").metrics[&metric].mean
}

/// Writes `text` to the file `name` (extension included) in `dir`.
pub fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// Writes scenario `text` to `<name>.toml` in `dir`.
pub fn write_toml(dir: &Path, name: &str, text: &str) -> PathBuf {
    write_file(dir, &format!("{name}.toml"), text)
}

/// Scenario text of one producer `p` into one queue `q`, a constant:
/// `queue_text!(name, run, interarrival, queue)` with `run` the `[run]`
/// section's lines, `interarrival` the producer's, and `queue` the lines
/// after the queue's name (each line ending in `\n`).
macro_rules! queue_text {
    ($name:literal, $run:literal, $interarrival:literal, $queue:expr $(,)?) => {
        concat!(
            "name = \"",
            $name,
            "\"\n[run]\n",
            $run,
            "[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = ",
            $interarrival,
            "\n[[queues]]\nname = \"q\"\n",
            $queue
        )
    };
}
pub(crate) use queue_text;

/// [`queue_text!`] of M/M/1 at load 0.5 (Poisson arrivals at rate 0.5, one
/// consumer, exponential service of mean 1): `mm1_text!(name, run, tail)`
/// with `tail` what follows the queue.
macro_rules! mm1_text {
    ($name:literal, $run:literal, $tail:literal $(,)?) => {
        crate::common::queue_text!(
            $name,
            $run,
            "{ dist = \"exponential\", rate = 0.5 }",
            concat!(
                "consumers = 1\nservice = { dist = \"exponential\", mean = 1.0 }\n",
                $tail
            ),
        )
    };
}
pub(crate) use mm1_text;

/// Asserts that `queuelab <args> FILE` exits 2 with each of `needles` in
/// its message, which it returns.
pub fn refuses(args: &[&str], file: &Path, needles: &[&str]) -> String {
    let output = queuelab().args(args).arg(file).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}: {stderr}",
        file.display()
    );
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{}: `{needle}` not in: {stderr}",
            file.display()
        );
    }
    stderr
}

/// Asserts that `queuelab check FILE` accepts the scenario.
pub fn check_passes(file: &Path) {
    assert_succeeded(&queuelab().arg("check").arg(file).output().unwrap());
}

/// Writes scenario `text` to `<name>.toml` in `dir` and asserts that
/// `queuelab check` refuses it with each of `needles` in its message.
pub fn check_refuses(dir: &Path, name: &str, text: &str, needles: &[&str]) -> String {
    refuses(&["check"], &write_toml(dir, name, text), needles)
}
