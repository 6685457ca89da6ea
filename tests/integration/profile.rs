//! Rate profiles: arrivals follow a piecewise-constant rate, metrics are
//! reported per interval with CIs, checked against the exact solution of
//! the M_t/M/inf queue; bad profiles are refused by key; results do not
//! depend on threads or shards.

use std::fs;

use crate::common::{queuelab, run, scenario};
use queuelab::metric::Metric;
use queuelab::report::IntervalResults;
use tempfile::TempDir;

/// Infinite servers, exponential service of mean 1/`MU`, a repeating
/// profile of three steps with a silent one.
const MU: f64 = 0.5;
const STEPS: [(f64, f64); 3] = [(4.0, 3.0), (10.0, 0.0), (13.0, 6.0)];

fn infinite_servers(replications: u32, horizon: f64) -> String {
    let steps: Vec<String> = STEPS
        .iter()
        .map(|(until, rate)| format!("{{ until = {until}, rate = {rate} }}"))
        .collect();
    format!(
        r#"name = "mt-m-inf"
[run]
seed = 5
replications = {replications}
horizon = {horizon}
[[producers]]
name = "p"
to = "q"
rate_profile = [{}]
rate_profile_repeats = true
[[queues]]
name = "q"
consumers = "unlimited"
service = {{ dist = "exponential", mean = {} }}
"#,
        steps.join(", "),
        1.0 / MU
    )
}

/// The exact time-average number present in each interval of `intervals`:
/// m' = lambda_k - mu m from m(0) = 0, so over a step of length L from m0,
/// m(t) = lambda/mu + (m0 - lambda/mu) e^(-mu t) (Eick, Massey and Whitt,
/// "The physics of the M_t/G/inf queue", 1993).
fn exact_in_system(intervals: &[IntervalResults]) -> Vec<f64> {
    let period = STEPS.last().unwrap().0;
    let mut present = 0.0;
    intervals
        .iter()
        .map(|interval| {
            let within = interval.start % period;
            let rate = STEPS.iter().find(|(until, _)| within < *until).unwrap().1;
            let (level, length) = (rate / MU, interval.end - interval.start);
            let decay = (-MU * length).exp();
            let average = level + (present - level) * (1.0 - decay) / (MU * length);
            present = level + (present - level) * decay;
            average
        })
        .collect()
}

#[test]
fn the_mt_m_inf_queue_matches_its_exact_mean_in_every_interval() {
    let results = run(&scenario(&infinite_servers(5000, 39.0)));
    let point = &results.points[0];
    // Three cycles of three steps.
    assert_eq!(point.intervals.len(), 9);
    assert!(
        point.results[0].theory.is_none(),
        "no steady-state formula for the whole run"
    );
    let t = 1.960; // Student t, 0.975, 4999 degrees of freedom
    for (interval, exact) in point
        .intervals
        .iter()
        .zip(exact_in_system(&point.intervals))
    {
        let row = &interval.results[0];
        let estimate = row.simulation.as_ref().unwrap().metrics[&Metric::MeanInSystem];
        let standard_error = (estimate.ci_high - estimate.mean) / t;
        assert!(
            (estimate.mean - exact).abs() <= 4.0 * standard_error,
            "interval {}-{}: simulated {} [{}, {}], exact {exact}",
            interval.start,
            interval.end,
            estimate.mean,
            estimate.ci_low,
            estimate.ci_high
        );
        // The pointwise approximation is the stationary M/M/inf at the
        // interval's rate, labelled approximate; a silent interval has none.
        if interval.arrival_rate == 0.0 {
            assert!(row.theory.is_none());
            continue;
        }
        let theory = row.theory.as_ref().expect("M/M/inf per interval");
        assert!(!theory.exact);
        assert!((theory.metrics[&Metric::MeanInSystem] - interval.arrival_rate / MU).abs() < 1e-12);
    }
    // A silent interval sends nothing.
    assert_eq!(point.intervals[1].arrival_rate, 0.0);
}

#[test]
fn bad_profiles_are_refused_by_key() {
    let base = infinite_servers(4, 13.0);
    let cases = [
        (
            base.replace("horizon = 13", "customers = 100"),
            "run.customers",
        ),
        (
            base.replace("until = 10,", "until = 3,"),
            "producers.p.rate_profile",
        ),
        (
            base.replace("rate = 6", "rate = -1"),
            "producers.p.rate_profile",
        ),
        (
            base.replace("rate_profile_repeats = true", "")
                .replace("horizon = 13", "horizon = 20"),
            "run.horizon",
        ),
        (
            base.replace("horizon = 13", "horizon = 13\nwarmup = 50"),
            "run.warmup",
        ),
        (
            base.replace(
                "rate_profile_repeats = true",
                "rate_profile_repeats = true\ninterarrival = { dist = \"trace\", file = \"x.csv\" }",
            ),
            "producers.p.interarrival",
        ),
    ];
    let tmp = TempDir::new().unwrap();
    fs::write(tmp.path().join("x.csv"), "t\n1\n2\n").unwrap();
    for (text, key) in cases {
        let file = tmp.path().join("bad.toml");
        fs::write(&file, &text).unwrap();
        let output = queuelab().arg("check").arg(&file).output().unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{text}\n{stderr}");
        assert!(
            stderr.contains(key) && stderr.contains("bad.toml"),
            "{key}: {stderr}"
        );
    }
}

#[test]
fn per_interval_results_are_written_and_identical_across_threads_and_shards() {
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("mt.toml");
    fs::write(&file, infinite_servers(6, 26.0)).unwrap();
    let single = tmp.path().join("single");
    for (threads, out) in [("1", single.clone()), ("2", tmp.path().join("two"))] {
        queuelab()
            .args(["run", "--quiet", "--threads", threads, "--out"])
            .arg(&out)
            .arg(&file)
            .assert()
            .success();
    }
    let sharded = tmp.path().join("sharded");
    for index in 0..4 {
        queuelab()
            .args(["run", "--quiet", "--shard", &format!("{index}/4"), "--out"])
            .arg(&sharded)
            .arg(&file)
            .assert()
            .success();
    }
    queuelab()
        .args(["merge", "--quiet"])
        .arg(&sharded)
        .assert()
        .success();
    for name in ["results.json", "intervals.csv", "replications.csv"] {
        let expected = fs::read(single.join(name)).unwrap();
        for other in ["two", "sharded"] {
            assert!(
                expected == fs::read(tmp.path().join(other).join(name)).unwrap(),
                "{name} differs in {other}"
            );
        }
    }
    let csv = fs::read_to_string(single.join("intervals.csv")).unwrap();
    assert!(csv.starts_with("point,interval,start,end,arrival_rate,queue,class,source,metric"));
    // Two cycles of three steps, each with theory and simulation lines.
    assert!(
        csv.lines()
            .any(|l| l.starts_with("0,5,23,26,6,q,,simulation,mean_in_system,"))
    );
}
