//! Rate profiles: arrivals follow a piecewise-constant rate, metrics are
//! reported per interval with CIs, checked against the exact solution of
//! the M_t/M/inf queue; bad profiles are refused by key; results do not
//! depend on threads or shards.

use std::fs;

use crate::common::{check_refuses, queuelab, run, scenario};
use queuelab::model::metric::Metric;
use queuelab::results::IntervalResults;
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
        (
            base.replace(
                "consumers = \"unlimited\"",
                "consumers_schedule = [{ until = 13, consumers = 2 }]\nconsumers = 3",
            ),
            "queues.q.consumers_schedule",
        ),
        (
            base.replace(
                "consumers = \"unlimited\"",
                "consumers_schedule = [{ until = 12, consumers = 2 }]",
            ),
            "queues.q.consumers_schedule",
        ),
        (
            base.replace(
                "consumers = \"unlimited\"",
                "consumers_schedule = [{ until = 13, consumers = 2 }]\ndiscipline = \"processor-sharing\"",
            ),
            "queues.q.consumers_schedule",
        ),
        (
            base.replace("consumers = \"unlimited\"", "consumers_schedule = [{ until = 13, consumers = 0 }]"),
            "queues.q.consumers_schedule",
        ),
    ];
    let tmp = TempDir::new().unwrap();
    fs::write(tmp.path().join("x.csv"), "t\n1\n2\n").unwrap();
    for (text, key) in cases {
        check_refuses(tmp.path(), "bad", &text, &[key, "bad.toml"]);
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

#[test]
fn consumers_added_by_a_schedule_take_waiting_messages_at_once() {
    // Arrivals exactly at 1, 2, ..., service 2.5; one consumer until 10,
    // then three. Waits of the messages arriving at 1..9: 0, 1.5, 3, 4.5
    // (one consumer); at 10 two new consumers take those of 5 and 6
    // (waits 5, 4); the one freed at 11 takes 7 (4); at 12.5, 8 and 9
    // (4.5, 3.5): 30 / 9 on average.
    let text = r#"name = "shift-change"
[run]
replications = 2
[[producers]]
name = "p"
to = "q"
interarrival = { dist = "deterministic", value = 1.0 }
rate_profile = [{ until = 10, rate = 1.0 }, { until = 20, rate = 1.0 }]
[[queues]]
name = "q"
consumers_schedule = [{ until = 10, consumers = 1 }, { until = 20, consumers = 3 }]
service = { dist = "deterministic", value = 2.5 }
"#;
    let results = run(&scenario(text));
    let first = &results.points[0].intervals[0].results[0];
    let simulated = &first.simulation.as_ref().unwrap().metrics;
    assert!((simulated[&Metric::MeanWait].mean - 30.0 / 9.0).abs() < 1e-12);
    assert_eq!(
        simulated[&Metric::MeanWait].ci_low,
        simulated[&Metric::MeanWait].ci_high
    );
    // Busy from 1 to 10 on one consumer; the pointwise approximation has
    // no formula for D/D/c but the model line names the schedule.
    assert!((simulated[&Metric::Utilisation].mean - 0.9).abs() < 1e-12);
    assert!(results.points[0].model[1].contains("scheduled (1 until 10, 3 until 20"));
}

/// A repeating day of four steps with a short peak, M/M/c service.
const STAFFING: &str = r#"name = "staffing"
[run]
seed = 3
replications = 6
[[producers]]
name = "p"
to = "q"
rate_profile = [{ until = 400, rate = 1.0 }, { until = 500, rate = 6.0 }, { until = 900, rate = 3.0 }, { until = 1000, rate = 0.5 }]
rate_profile_repeats = true
[[queues]]
name = "q"
consumers = 4
service = { dist = "exponential", mean = 1.0 }
"#;

/// `queuelab plan --format json` on scenario `text`, which must succeed.
fn plan_json(text: &str) -> serde_json::Value {
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("staffing.toml");
    fs::write(&file, text).unwrap();
    let output = queuelab()
        .args(["plan", "--quiet", "--format", "json", "--out"])
        .arg(tmp.path().join("plan"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    serde_json::from_slice(&output.stdout).unwrap()
}

/// [`STAFFING`] with a plan of its consumers for `target`, up to `most`.
fn staffing_plan(target: &str, most: u32) -> String {
    format!("{STAFFING}[plan]\ndecide = \"queues.q.consumers\"\nmax_value = {most}\n{target}")
}

#[test]
fn a_planned_schedule_meets_its_target_in_every_interval_when_run() {
    let target = "[[plan.targets]]\nmetric = \"mean_wait\"\nmax = 0.25\n";
    let document = plan_json(&staffing_plan(target, 30));
    assert_eq!(document["decision"]["status"], "meets");
    let steps = document["schedule"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 4);
    let mut consumers = Vec::new();
    for step in steps {
        // Exact Erlang C gives each step's pointwise plan; simulation only
        // ever adds to it.
        let theory = step["theory_consumers"].as_u64().expect("M/M/c per step");
        let chosen = step["consumers"].as_u64().unwrap();
        assert!(chosen >= theory, "{step}");
        assert_eq!(step["status"], "meets");
        consumers.push(chosen);
    }
    let peak = *consumers.iter().max().unwrap();
    assert_eq!(document["decision"]["value"].as_f64(), Some(peak as f64));
    // The schedule pasted into the scenario meets the target interval by
    // interval when run on its own with the plan's replications (the same
    // seed, so the same random numbers).
    let line = document["schedule"]["scenario_line"].as_str().unwrap();
    let candidates = document["candidates"].as_array().unwrap();
    let replications = candidates.last().unwrap()["replications"].as_u64().unwrap();
    let text = STAFFING.replace("consumers = 4", line).replace(
        "replications = 6",
        &format!("replications = {replications}"),
    );
    let results = run(&scenario(&text));
    for interval in &results.points[0].intervals {
        let wait = interval.results[0].simulation.as_ref().unwrap().metrics[&Metric::MeanWait];
        assert!(
            wait.ci_high <= 0.25,
            "{}-{}: {wait:?}",
            interval.start,
            interval.end
        );
    }
}

#[test]
fn a_schedule_no_consumer_count_can_meet_is_infeasible() {
    // Sojourns include the 1-unit mean service: no consumers bring the p99
    // below 0.5.
    let document = plan_json(&staffing_plan(
        "[[plan.targets]]\nmetric = \"sojourn_p99\"\nmax = 0.5\n",
        8,
    ));
    assert_eq!(document["decision"]["status"], "infeasible");
    assert!(
        document["reason"]
            .as_str()
            .unwrap()
            .contains("exact theory finds no number of consumers up to 8"),
        "{}",
        document["reason"]
    );
}

#[test]
fn steps_ending_between_whole_numbers_repeat_exactly() {
    // 7.7 and 12.3 do not survive `t mod 24` exactly in the second day.
    let text = r#"name = "fractional"
[run]
replications = 4
horizon = 48
[[producers]]
name = "p"
to = "q"
rate_profile = [{ until = 7.7, rate = 1.0 }, { until = 12.3, rate = 3.0 }, { until = 24, rate = 0.5 }]
rate_profile_repeats = true
[[queues]]
name = "q"
consumers_schedule = [{ until = 7.7, consumers = 2 }, { until = 12.3, consumers = 6 }, { until = 24, consumers = 1 }]
service = { dist = "exponential", mean = 1.0 }
"#;
    let results = run(&scenario(text));
    let intervals = &results.points[0].intervals;
    assert_eq!(intervals.len(), 6);
    let utilisation = |i: &IntervalResults| {
        i.results[0].theory.as_ref().expect("M/M/c").metrics[&Metric::Utilisation]
    };
    for (first, second) in intervals[..3].iter().zip(&intervals[3..]) {
        assert_eq!(first.arrival_rate, second.arrival_rate);
        assert_eq!(utilisation(first), utilisation(second));
    }
    // 3 per unit on 6 consumers of mean 1.
    assert!((utilisation(&intervals[4]) - 0.5).abs() < 1e-12);
}

#[test]
fn an_arrival_on_a_boundary_counts_in_the_interval_it_opens() {
    // Arrivals exactly at 1 and 2, each served in 0.5: the one at 1
    // belongs to [1, 2), as does its departure.
    let text = r#"name = "ties"
[run]
replications = 2
horizon = 3
[[producers]]
name = "p"
to = "q"
interarrival = { dist = "deterministic", value = 1.0 }
rate_profile = [{ until = 1, rate = 1.0 }, { until = 2, rate = 1.0 }, { until = 3, rate = 1.0 }]
[[queues]]
name = "q"
consumers = 1
capacity = 1
service = { dist = "deterministic", value = 0.5 }
"#;
    let results = run(&scenario(text));
    let metrics = |k: usize| {
        results.points[0].intervals[k].results[0]
            .simulation
            .as_ref()
            .unwrap()
            .metrics
            .clone()
    };
    assert!(
        !metrics(0).contains_key(&Metric::MeanWait),
        "no arrival before 1"
    );
    for k in [1, 2] {
        assert_eq!(metrics(k)[&Metric::PBlocked].mean, 0.0);
        assert_eq!(metrics(k)[&Metric::Throughput].mean, 1.0);
        assert_eq!(metrics(k)[&Metric::Utilisation].mean, 0.5);
    }
}
