//! Capacity planning: theory's search agrees with a brute-force scan over
//! theory, simulation classifies clearly met and clearly missed candidates,
//! and `queuelab plan` answers, refuses bad plans and reports infeasible ones.

use std::fs;

use crate::common::{queuelab, refuses, scenario, write_toml};
use queuelab::plan::{self, Status};
use tempfile::TempDir;

/// A call centre: 100 calls per 1800 s, 180 s handling (10 Erlangs).
fn call_centre(targets: &str, decide: &str) -> String {
    format!(
        "name = \"cc\"\ntime_unit = \"s\"\n[run]\nseed = 5\nreplications = 6\ncustomers = 30_000\n[[producers]]\nname = \"callers\"\nto = \"agents\"\ninterarrival = {{ dist = \"exponential\", mean = 18.0 }}\n[[queues]]\nname = \"agents\"\nconsumers = 11\ncapacity = 60\nservice = {{ dist = \"exponential\", mean = 180.0 }}\n[plan]\ndecide = \"{decide}\"\n{targets}"
    )
}

#[test]
fn theory_plans_match_a_brute_force_scan_over_theory() {
    let cases = [
        (
            "queues.agents.consumers",
            "[[plan.targets]]\nmetric = \"wait_within\"\nt = 20.0\nat_least = 0.8\n",
        ),
        (
            "queues.agents.consumers",
            "[[plan.targets]]\nmetric = \"mean_wait\"\nmax = 5.0\n[[plan.targets]]\nmetric = \"p_blocked\"\nmax = 0.0001\n",
        ),
        (
            "queues.agents.consumers",
            "[[plan.targets]]\nmetric = \"wait_p99\"\nmax = 60.0\n",
        ),
        (
            "queues.agents.capacity",
            "[[plan.targets]]\nmetric = \"p_blocked\"\nmax = 0.002\n",
        ),
    ];
    for (decide, targets) in cases {
        let scenario = scenario(&call_centre(targets, decide));
        let settings = scenario.plan.as_ref().expect("plan");
        let model = &scenario.points[0].model;
        let (found, _) = plan::theory_candidate(settings, model).expect("formulas apply");
        let meets_all = |value: f64| {
            let Some(candidate) = settings.decision.apply(model, value) else {
                return false;
            };
            settings.goals.iter().all(|goal| {
                goal.theory_value(&candidate)
                    .is_some_and(|v| goal.judge(v) == Status::Meets)
            })
        };
        let brute = (1..=400).map(f64::from).find(|&v| meets_all(v));
        assert_eq!(found, brute, "{decide} {targets}");
    }
}

#[test]
fn simulation_classifies_clearly_met_and_clearly_missed_candidates() {
    let scenario = scenario(&call_centre(
        "[[plan.targets]]\nmetric = \"wait_within\"\nt = 20.0\nat_least = 0.8\n",
        "queues.agents.consumers",
    ));
    let settings = scenario.plan.as_ref().unwrap();
    let model = &scenario.points[0].model;
    let judge = |consumers: f64| {
        let candidate = settings.decision.apply(model, consumers).unwrap();
        plan::confirm(&candidate, &settings.goals, &scenario.run, 48).status
    };
    // Theory: 11 agents answer 39% within 20 s, 16 agents 97%.
    assert_eq!(judge(11.0), Status::Fails);
    assert_eq!(judge(16.0), Status::Meets);
}

#[test]
fn the_plan_command_recommends_confirms_and_draws() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("plan");
    let output = queuelab()
        .args(["plan", "--quiet", "--format", "json", "--out"])
        .arg(&out)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/plan-call-centre.toml"
        ))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["decision"]["parameter"], "queues.agents.consumers");
    assert_eq!(json["decision"]["value"], 14.0);
    assert_eq!(json["decision"]["status"], "meets");
    let candidates = json["candidates"].as_array().unwrap();
    let fourteen = |source: &str| {
        candidates
            .iter()
            .find(|c| c["value"] == 14.0 && c["source"] == source)
            .unwrap_or_else(|| panic!("no {source} candidate 14"))
            .clone()
    };
    assert!(fourteen("theory")["metrics"]["wait_within"].is_number());
    assert_eq!(fourteen("simulation")["status"], "meets");
    assert!(fourteen("simulation")["metrics"]["wait_within"]["ci_low"].is_number());
    assert!(out.join("plan.json").is_file() && out.join("plan.txt").is_file());
    assert!(out.join("charts/plan-wait_within.png").is_file());
}

#[test]
fn an_impossible_target_is_reported_as_infeasible_with_the_best_candidate() {
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("impossible.toml");
    // Sojourn p99 below the service time's own p99 (4.6): no consumer count helps.
    fs::write(
        &file,
        "name = \"impossible\"\n[run]\nreplications = 3\ncustomers = 5_000\n[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = { dist = \"exponential\", rate = 0.5 }\n[[queues]]\nname = \"q\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 1.0 }\n[plan]\ndecide = \"queues.q.consumers\"\nmax_value = 50\n[[plan.targets]]\nmetric = \"sojourn_p99\"\nmax = 0.5\n",
    )
    .unwrap();
    let output = queuelab()
        .args([
            "plan",
            "--quiet",
            "--no-charts",
            "--format",
            "json",
            "--out",
        ])
        .arg(tmp.path().join("out"))
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["decision"]["status"], "infeasible");
    assert_eq!(json["decision"]["value"], 50.0);
    let reason = json["reason"].as_str().unwrap();
    assert!(reason.contains("sojourn_p99 = 4.6"), "{reason}");
}

#[test]
fn bad_plans_are_refused_naming_the_key() {
    let tmp = TempDir::new().unwrap();
    let target = "[[plan.targets]]\nmetric = \"mean_wait\"\nmax = 5.0\n";
    let cases = [
        (call_centre(target, "queues.agents.speed"), "plan.decide"),
        (
            call_centre(target, "queues.nobody.consumers"),
            "plan.decide",
        ),
        (
            call_centre(
                "[[plan.targets]]\nmetric = \"happiness\"\nmax = 1.0\n",
                "load",
            ),
            "unknown metric `happiness`",
        ),
        (
            call_centre(
                "[[plan.targets]]\nmetric = \"mean_wait\"\nmax = 1.0\nqueue = \"nobody\"\n",
                "load",
            ),
            "no queue `nobody`",
        ),
        (
            call_centre(
                "[[plan.targets]]\nmetric = \"wait_within\"\nt = 20.0\nat_least = 1.5\n",
                "load",
            ),
            "share between 0 and 1",
        ),
        (
            call_centre("[[plan.targets]]\nmetric = \"mean_wait\"\n", "load"),
            "exactly one of `max` or `min`",
        ),
        (
            call_centre(
                "max_value = 10.5\n[[plan.targets]]\nmetric = \"mean_wait\"\nmax = 5.0\n",
                "queues.agents.consumers",
            ),
            "a whole number",
        ),
        (
            call_centre(
                "[[plan.targets]]\nmetric = \"wait_p99\"\nmax = 5.0\n",
                "queues.agents.capacity",
            ),
            "does not get easier to meet",
        ),
        (
            call_centre(
                "[[plan.targets]]\nmetric = \"utilisation\"\nmin = 0.5\n",
                "load",
            ),
            "does not get easier to meet",
        ),
        (
            // The capacity search keeps no other overflow than rejecting.
            call_centre(target, "queues.agents.capacity")
                .replace("capacity = 60", "capacity = 60\noverflow = \"drop-head\""),
            "an `overflow` other than \"reject-publish\"",
        ),
        (
            call_centre(target, "queues.agents.capacity")
                .replace("capacity = 60", "max_length = 49"),
            "a `max_length`",
        ),
        (
            // Two independent queues have no end-to-end row to aim at.
            call_centre("[[plan.targets]]\nmetric = \"mean_wait\"\nmax = 5.0\n", "load")
                .replace(
                    "[plan]",
                    "[[producers]]\nname = \"other\"\nto = \"other\"\ninterarrival = { dist = \"exponential\", mean = 18.0 }\n[[queues]]\nname = \"other\"\nconsumers = 11\nservice = { dist = \"exponential\", mean = 180.0 }\n[plan]",
                ),
            "plan.targets.mean_wait.queue",
        ),
    ];
    for (text, expected) in cases {
        refuses(
            &["plan"],
            &write_toml(tmp.path(), "bad", &text),
            &[expected],
        );
    }
    let text = call_centre("", "load");
    let file = write_toml(tmp.path(), "no-plan", &text[..text.find("[plan]").unwrap()]);
    refuses(&["plan"], &file, &["no `[plan]` section"]);
}

#[test]
fn without_a_formula_the_search_runs_on_simulation_alone() {
    // M/G/4 with gamma service: no exact waiting-time percentiles.
    let text = "name = \"sim-only\"\n[run]\nseed = 3\nreplications = 4\ncustomers = 10_000\n[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = { dist = \"exponential\", rate = 3.0 }\n[[queues]]\nname = \"q\"\nconsumers = 4\nservice = { dist = \"gamma\", mean = 1.0, scv = 0.5 }\n[plan]\ndecide = \"queues.q.consumers\"\n[[plan.targets]]\nmetric = \"wait_p99\"\nmax = 1.0\n";
    let scenario = scenario(text);
    let settings = scenario.plan.as_ref().unwrap();
    let model = &scenario.points[0].model;
    assert!(plan::theory_candidate(settings, model).is_none());
    let outcome = plan::plan(settings, model, &scenario.run, &|_| {});
    assert_eq!(outcome.status, "meets");
    assert!(
        outcome
            .candidates
            .iter()
            .all(|c| c.source == plan::Source::Simulation)
    );
    let chosen = |value: f64| {
        outcome
            .candidates
            .iter()
            .find(|c| c.value == value)
            .unwrap()
    };
    assert_eq!(chosen(outcome.value).status, Status::Meets);
    assert_ne!(chosen(outcome.value - 1.0).status, Status::Meets);
    assert!(outcome.headroom.is_none(), "no formula, no headroom");
}

#[test]
fn a_network_allocation_uses_the_fewest_consumers_in_total() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/plan-pipeline.toml"
    ))
    .unwrap();
    let scenario = scenario(&text);
    let settings = scenario.plan.as_ref().unwrap();
    let model = &scenario.points[0].model;
    let outcome = plan::plan(settings, model, &scenario.run, &|_| {});
    assert_eq!(outcome.status, "meets");
    let allocation = outcome.allocation.as_ref().unwrap();
    assert_eq!(
        outcome.value,
        allocation.values().map(|&c| f64::from(c)).sum::<f64>()
    );
    // Brute force over theory: the fewest consumers in total meeting the target.
    let goal = &settings.goals[0];
    let meets = |consumers: [u32; 3]| {
        let mut candidate = model.clone();
        for (queue, c) in candidate.queues.iter_mut().zip(consumers) {
            queue.consumers = c;
        }
        candidate.unstable_queue().is_none()
            && goal
                .theory_value(&candidate)
                .is_some_and(|v| goal.judge(v) == Status::Meets)
    };
    let fewest = (1..=8u32)
        .flat_map(|a| (1..=8u32).flat_map(move |b| (1..=8u32).map(move |c| [a, b, c])))
        .filter(|&consumers| meets(consumers))
        .map(|consumers| consumers.iter().sum::<u32>())
        .min()
        .unwrap();
    assert_eq!(outcome.value, f64::from(fewest));
    let confirmed = outcome
        .candidates
        .iter()
        .find(|c| c.source == plan::Source::Simulation && c.status == Status::Meets)
        .expect("simulation confirms the allocation");
    assert_eq!(confirmed.allocation.as_ref(), Some(allocation));
}

#[test]
fn exact_theory_decides_where_simulation_agrees_but_cannot_separate() {
    // Erlang C at 600 Erlangs: 1,200 calls a minute, 0.5 min each, 95%
    // answered within 0.01 min. Exact theory: 636 agents meet (95.39%),
    // 635 do not (94.89%); simulation cannot tell 636 from the target.
    let text = "name = \"erlang-600\"\ntime_unit = \"min\"\n[run]\nseed = 31\nreplications = 4\ncustomers = 20_000\n[[producers]]\nname = \"callers\"\nto = \"agents\"\ninterarrival = { dist = \"exponential\", rate = 1200.0 }\n[[queues]]\nname = \"agents\"\nconsumers = 620\nservice = { dist = \"exponential\", mean = 0.5 }\n[plan]\ndecide = \"queues.agents.consumers\"\n[[plan.targets]]\nmetric = \"wait_within\"\nt = 0.01\nat_least = 0.95\n";
    let scenario = scenario(text);
    let settings = scenario.plan.as_ref().unwrap();
    let outcome = plan::plan(settings, &scenario.points[0].model, &scenario.run, &|_| {});
    assert_eq!((outcome.value, outcome.status.as_str()), (636.0, "meets"));
    let simulated = outcome
        .candidates
        .iter()
        .find(|c| c.value == 636.0 && c.source == plan::Source::Simulation)
        .expect("636 simulated");
    assert_eq!(simulated.status, Status::Uncertain, "{simulated:?}");
    let note = outcome.note.expect("the plan says theory decided");
    assert!(
        note.contains("exact theory decides 636") && note.contains("cannot tell"),
        "{note}"
    );
}
