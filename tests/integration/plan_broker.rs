//! Planning over broker settings: partitions and consumers together (the
//! cheapest pair by a brute-force scan over theory), the retry limit (the
//! closed form p^(R+1) and a retry-traffic bound that caps it) and the
//! prefetch (by simulation alone); bad broker plans are refused.

use crate::common::{refuses, scenario, write_toml};
use queuelab::model::Model;
use queuelab::plan::{self, Decision, Status};
use tempfile::TempDir;

/// A keyed topic: `rate` messages per time unit over 200 Zipf keys
/// (exponent 1), exponential service of mean 1, partitions decided.
fn topic(rate: f64, targets: &str) -> String {
    format!(
        "name = \"topic\"\n[run]\nseed = 7\nreplications = 4\ncustomers = 20_000\n[[producers]]\nname = \"p\"\nto = \"events\"\ninterarrival = {{ dist = \"exponential\", rate = {rate} }}\nkeys = {{ distribution = \"zipf\", count = 200, exponent = 1.0 }}\n[[queues]]\nname = \"events\"\npartitions = 4\nconsumers = 4\nservice = {{ dist = \"exponential\", mean = 1.0 }}\n[plan]\ndecide = \"queues.events.partitions\"\nmax_value = 16\n{targets}"
    )
}

/// True when every goal has an exact value that meets it, in a stable model.
fn theory_meets(settings: &plan::PlanSettings, model: &Model) -> bool {
    model.unstable_queue().is_none()
        && model.overloaded_consumer().is_none()
        && settings.goals.iter().all(|goal| {
            goal.theory_value(model)
                .is_some_and(|v| goal.judge(v) == Status::Meets)
        })
}

#[test]
fn the_partition_plan_is_the_cheapest_pair_of_a_brute_force_scan() {
    let cases = [
        (1.5, "[[plan.targets]]\nmetric = \"wait_p99\"\nmax = 8.0\n"),
        (1.5, "[[plan.targets]]\nmetric = \"mean_wait\"\nmax = 0.8\n"),
        (
            2.5,
            "[[plan.targets]]\nmetric = \"wait_p90\"\nmax = 3.0\n[[plan.targets]]\nmetric = \"throughput\"\nmin = 2.4\n",
        ),
    ];
    for (rate, targets) in cases {
        let scenario = scenario(&topic(rate, targets));
        let settings = scenario.plan.as_ref().unwrap();
        let model = &scenario.points[0].model;
        // Fewest consumers, then fewest partitions, never an idle consumer.
        let brute = (1..=16u32).find_map(|consumers| {
            (consumers..=16).find_map(|partitions| {
                let pair = Decision::with_partitions(model, 0, partitions, consumers);
                theory_meets(settings, &pair).then_some((partitions, consumers))
            })
        });
        assert!(brute.is_some(), "{targets}");
        assert_eq!(plan::theory_choice(settings, model), brute, "{targets}");
    }
}

#[test]
fn a_partition_plan_is_confirmed_and_explained() {
    let scenario = scenario(&topic(
        1.5,
        "[[plan.targets]]\nmetric = \"wait_p99\"\nmax = 8.0\n",
    ));
    let settings = scenario.plan.as_ref().unwrap();
    let model = &scenario.points[0].model;
    let (partitions, consumers) = plan::theory_choice(settings, model).unwrap();
    let outcome = plan::plan(settings, model, &scenario.run, &|_| {});
    assert_eq!(outcome.status, "meets", "{outcome:?}");
    let document = plan::plan_document("topic", settings, outcome);
    let json = serde_json::to_value(&document).unwrap();
    let decision = &json["decision"];
    assert_eq!(decision["parameter"], "queues.events.partitions");
    // Theory's pair, unless simulation sent the plan one pair further.
    assert!(decision["value"].as_f64().unwrap() >= f64::from(partitions));
    assert!(decision["consumers"].as_u64().unwrap() >= u64::from(consumers));
    assert_eq!(decision["idle_consumers"], 0);
    let explanation = decision["explanation"].as_str().unwrap();
    assert!(
        explanation.starts_with("fewest consumers first, then fewest partitions"),
        "{explanation}"
    );
    assert!(
        document
            .candidates
            .iter()
            .all(|c| c.consumers.is_some_and(|c| f64::from(c) > 0.0)),
        "every candidate names its consumers"
    );
    let table = queuelab::report::plan_table(&document, "s");
    assert!(
        table.contains("with ") && table.contains("why this pair:"),
        "{table}"
    );
}

#[test]
fn a_hot_key_no_partition_count_cools_is_infeasible_at_once() {
    // The hottest of 200 Zipf keys carries 17% of 1.5 messages per unit:
    // its partition's p99 wait stays far above 0.5 whatever the count.
    let scenario = scenario(&topic(
        1.5,
        "[[plan.targets]]\nmetric = \"wait_p99\"\nmax = 0.5\n",
    ));
    let settings = scenario.plan.as_ref().unwrap();
    let model = &scenario.points[0].model;
    assert_eq!(plan::theory_choice(settings, model), None);
    let outcome = plan::plan(settings, model, &scenario.run, &|_| {});
    assert_eq!(
        (outcome.status.as_str(), outcome.value),
        ("infeasible", 16.0)
    );
    assert_eq!(outcome.partitions.map(|p| p.consumers), Some(16));
    assert!(
        outcome
            .candidates
            .iter()
            .all(|c| c.source == plan::Source::Theory && c.status == Status::Fails)
    );
}

/// An M/M/20 queue whose deliveries fail with probability 0.5, retried
/// after exponential back-off, its retry limit decided.
fn retried(targets: &str) -> String {
    format!(
        "name = \"retried\"\ntime_unit = \"s\"\n[run]\nseed = 15\nreplications = 4\ncustomers = 20_000\n[[producers]]\nname = \"shop\"\nto = \"orders\"\ninterarrival = {{ dist = \"exponential\", rate = 5.0 }}\n[[queues]]\nname = \"orders\"\nconsumers = 20\nservice = {{ dist = \"exponential\", mean = 1.0 }}\nretry = {{ p = 0.5, max_retries = 16, backoff = {{ kind = \"exponential\", base = 1.0, max = 60.0 }} }}\n[plan]\ndecide = \"queues.orders.retry.max_retries\"\n{targets}"
    )
}

#[test]
fn the_retry_limit_is_the_smallest_whose_dead_letter_share_meets() {
    for (target, expected) in [(0.01, 6.0), (0.1, 3.0), (0.5, 0.0), (1e-6, 19.0)] {
        // p^(R+1) <= target: 0.5^7 = 0.0078, 0.5^4 = 0.0625, 0.5^20 = 9.5e-7.
        let text = retried(&format!(
            "[[plan.targets]]\nmetric = \"p_dead_lettered\"\nmax = {target}\n"
        ));
        let scenario = scenario(&text);
        let settings = scenario.plan.as_ref().unwrap();
        let model = &scenario.points[0].model;
        let (found, _) = plan::theory_candidate(settings, model).unwrap();
        assert_eq!(found, Some(expected), "{target}");
    }
}

#[test]
fn a_retry_traffic_bound_below_what_the_dead_letter_target_needs_is_infeasible() {
    let text = retried(
        "[[plan.targets]]\nmetric = \"p_dead_lettered\"\nmax = 0.01\n[[plan.targets]]\nmetric = \"retries_per_message\"\nmax = 0.9\n",
    );
    let beyond = scenario(&text);
    let settings = beyond.plan.as_ref().unwrap();
    let outcome = plan::plan(settings, &beyond.points[0].model, &beyond.run, &|_| {});
    assert_eq!(outcome.status, "infeasible");
    assert_eq!(outcome.value, 6.0);
    let reason = outcome.reason.unwrap();
    // 3 retries bring 0.875 retries per message, 4 bring 0.9375.
    assert!(reason.contains("which holds up to 3"), "{reason}");
    assert!(
        outcome
            .candidates
            .iter()
            .all(|c| c.source == plan::Source::Theory),
        "exact theory decides without simulating"
    );
    // Within the bound, simulation confirms the limit.
    let within = scenario(&text.replace("max = 0.9\n", "max = 0.995\n"));
    let settings = within.plan.as_ref().unwrap();
    let outcome = plan::plan(settings, &within.points[0].model, &within.run, &|_| {});
    assert_eq!((outcome.status.as_str(), outcome.value), ("meets", 6.0));
}

#[test]
fn a_prefetch_is_searched_by_simulation_alone() {
    // One consumer, 1 s of work, a 4 s acknowledgement round trip: a small
    // window starves it, so messages expire after 30 s in the ready line.
    let text = "name = \"window\"\ntime_unit = \"s\"\n[run]\nseed = 4\nreplications = 4\ncustomers = 10_000\n[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = { dist = \"exponential\", rate = 0.5 }\n[[queues]]\nname = \"q\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 1.0 }\nprefetch = 1\nack = { dist = \"deterministic\", value = 4.0 }\npatience = { dist = \"deterministic\", value = 30.0 }\n[plan]\ndecide = \"queues.q.prefetch\"\n[[plan.targets]]\nmetric = \"throughput\"\nmin = 0.48\n[[plan.targets]]\nmetric = \"wait_p99\"\nmax = 15.0\n";
    let scenario = scenario(text);
    let settings = scenario.plan.as_ref().unwrap();
    let model = &scenario.points[0].model;
    assert!(plan::theory_candidate(settings, model).is_none());
    let outcome = plan::plan(settings, model, &scenario.run, &|_| {});
    assert_eq!(outcome.status, "meets", "{outcome:?}");
    let status = |value: f64| {
        outcome
            .candidates
            .iter()
            .find(|c| c.value == value)
            .map(|c| c.status)
    };
    assert_eq!(status(outcome.value), Some(Status::Meets));
    assert!(outcome.value > 1.0);
    assert_ne!(status(outcome.value - 1.0), Some(Status::Meets));
}

#[test]
fn bad_broker_plans_are_refused_naming_the_key() {
    let tmp = TempDir::new().unwrap();
    let wait = "[[plan.targets]]\nmetric = \"mean_wait\"\nmax = 1.0\n";
    let dead = "[[plan.targets]]\nmetric = \"p_dead_lettered\"\nmax = 0.01\n";
    let cases = [
        (
            retried(wait).replace("retry.max_retries\"", "partitions\""),
            "queue `orders` has no `partitions`",
        ),
        (
            retried(wait).replace("retry.max_retries\"", "prefetch\""),
            "queue `orders` has no prefetch windows",
        ),
        (
            topic(1.5, wait).replace("events.partitions\"", "events.retry.max_retries\""),
            "queue `events` has no `retry`",
        ),
        (
            retried("[[plan.targets]]\nmetric = \"p_dead_lettered\"\nmin = 0.01\n"),
            "does not get easier to meet",
        ),
        (
            retried("[[plan.targets]]\nmetric = \"retries_per_message\"\nmax = 0.5\n"),
            "every target gets harder to meet",
        ),
        (
            retried(dead).replace("[[plan.targets]]", "max_value = -1\n[[plan.targets]]"),
            "a whole number from 0",
        ),
        (
            topic(1.5, wait).replace("max_value = 16", "max_value = 20000"),
            "a whole number from 1 to 10000",
        ),
        (
            topic(
                1.5,
                "[[plan.targets]]\nmetric = \"utilisation\"\nmin = 0.5\n",
            ),
            "a consumers or partitions decision takes",
        ),
    ];
    for (text, expected) in cases {
        let file = write_toml(tmp.path(), "bad", &text);
        refuses(&["plan"], &file, &[expected, "plan."]);
    }
}
