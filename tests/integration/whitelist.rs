//! Theory and live runs as whitelists: a model's features, the formula
//! family that covers all of them (or none, and then no formula), and the
//! features a live run supports.

use queuelab::live;
use queuelab::model::{Feature, Features, Model};
use queuelab::theory;

use crate::common::scenario;

/// An M/M/2 queue `q` fed by producer `p`, with `queue_extra` lines added
/// to the queue and `rest` appended to the file.
fn model(queue_extra: &str, rest: &str) -> Model {
    let text = format!(
        "name = \"w\"\n[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = {{ dist = \"exponential\", rate = 1.0 }}\n[[queues]]\nname = \"q\"\nconsumers = 2\nservice = {{ dist = \"exponential\", mean = 1.0 }}\n{queue_extra}\n{rest}"
    );
    scenario(&text).points[0].model.clone()
}

/// A closed loop of 5 clients on queue `api`, with `extra` lines added to
/// the queue and `classes` before the producers.
fn closed(classes: &str, producer_extra: &str, queue_extra: &str) -> Model {
    let text = format!(
        "name = \"c\"\n{classes}\n[[producers]]\nname = \"clients\"\nto = \"api\"\n{producer_extra}\nclosed = {{ population = 5, think = {{ dist = \"exponential\", mean = 5.0 }} }}\n[[queues]]\nname = \"api\"\nconsumers = 1\nservice = {{ dist = \"exponential\", mean = 0.1 }}\n{queue_extra}"
    );
    scenario(&text).points[0].model.clone()
}

const SECOND: &str =
    "[[queues]]\nname = \"r\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 0.5 }\n";
const TO_SECOND: &str = "next = [{ to = \"r\", p = 1.0 }]";

#[test]
fn features_are_found_where_the_model_uses_them() {
    assert_eq!(model("", "").features(), Features::NONE);
    let busy = model(
        "discipline = \"lifo\"\ncapacity = 10\npatience = { dist = \"deterministic\", value = 3.0 }\nnext = [{ to = \"r\", p = 0.5 }]",
        SECOND,
    );
    let found: Vec<Feature> = busy.features().iter().collect();
    assert_eq!(
        found,
        [
            Feature::Lifo,
            Feature::Capacity,
            Feature::Patience,
            Feature::Routing
        ]
    );
    let sites = busy.feature_sites();
    assert!(
        sites.iter().all(|(_, site)| site == "queue `q`"),
        "{sites:?}"
    );
    let loop_with_class = closed(
        "[[classes]]\nname = \"only\"\nservice = { dist = \"erlang\", k = 2, mean = 2.0 }",
        "class = \"only\"",
        "",
    );
    let found: Vec<Feature> = loop_with_class.features().iter().collect();
    assert_eq!(
        found,
        [
            Feature::ClosedLoop,
            Feature::ClassService,
            Feature::GeneralService
        ]
    );
}

#[test]
fn a_model_with_a_feature_no_family_covers_gets_no_formula() {
    // Covered: an M/M/2 and a closed loop get exact formulas, so the
    // refusals below are not a theory that never answers.
    for covered in [model("", ""), closed("", "", "")] {
        let rows = theory::evaluate(&covered);
        assert!(
            !rows.is_empty() && rows.iter().all(|(_, r)| r.exact),
            "{covered:?}"
        );
    }
    // Not covered: each of these got a wrong exact value, or none by luck,
    // before theory became a whitelist. A closed loop whose one class has
    // its own service was solved with the queue's service (0.1, not 2).
    let uncovered = [
        (
            "closed loop whose class has its own service",
            closed(
                "[[classes]]\nname = \"only\"\nservice = { dist = \"exponential\", mean = 2.0 }",
                "class = \"only\"",
                "",
            ),
        ),
        ("closed loop with a capacity", closed("", "", "capacity = 3")),
        (
            "network with a capacity",
            model(&format!("capacity = 8\n{TO_SECOND}"), SECOND),
        ),
        (
            "network with non-Poisson arrivals",
            scenario(&format!(
                "name = \"n\"\n[[producers]]\nname = \"p\"\nto = \"q\"\ninterarrival = {{ dist = \"deterministic\", value = 1.0 }}\n[[queues]]\nname = \"q\"\nconsumers = 2\nservice = {{ dist = \"exponential\", mean = 1.0 }}\n{TO_SECOND}\n{SECOND}"
            ))
            .points[0]
            .model
            .clone(),
        ),
    ];
    for (what, uncovered) in uncovered {
        assert!(
            theory::evaluate(&uncovered).is_empty(),
            "{what}: {:?}",
            theory::evaluate(&uncovered)
        );
    }
}

#[test]
fn live_runs_refuse_what_they_do_not_support_naming_it() {
    assert_eq!(live::unsupported(&model("", "")), None);
    assert_eq!(
        live::unsupported(&model(&format!("capacity = 5\n{TO_SECOND}"), SECOND)),
        None
    );
    for (extra, expected) in [
        ("discipline = \"processor-sharing\"", "`processor-sharing`"),
        (
            "patience = { dist = \"exponential\", mean = 1.0 }",
            "expire",
        ),
    ] {
        let refusal = live::unsupported(&model(extra, "")).expect(extra);
        assert!(
            refusal.contains(expected) && refusal.contains("queue `q`"),
            "{refusal}"
        );
    }
    let refusal = live::unsupported(&closed("", "", "")).expect("closed loops");
    assert!(refusal.contains("producer `clients`"), "{refusal}");
}

#[test]
fn theory_says_why_no_formula_answers() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("closed-class.toml");
    std::fs::write(
        &file,
        "name = \"closed-class\"\n[[classes]]\nname = \"only\"\nservice = { dist = \"exponential\", mean = 2.0 }\n[[producers]]\nname = \"clients\"\nto = \"api\"\nclass = \"only\"\nclosed = { population = 5, think = { dist = \"exponential\", mean = 5.0 } }\n[[queues]]\nname = \"api\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 0.1 }\n",
    )
    .unwrap();
    let output = crate::common::queuelab()
        .arg("theory")
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("no formula family covers")
            && stderr.contains("a class with its own `service` (class `only`)"),
        "{stderr}"
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains("api"), "no empty rows: {stdout}");
    // A covered model says nothing of the kind.
    assert_eq!(theory::uncovered(&model("", "")), None);
}
