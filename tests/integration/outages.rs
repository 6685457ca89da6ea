//! Consumer outages: one consumer with breakdowns against the exact M/G/1
//! with breakdowns at any time and preemptive-repeat, several consumers
//! against their exact availability, redeliveries and utilisation, prefetch
//! windows against their exact availability and redeliveries, at
//! a fixed seed (see `sim_vs_theory`); what outages do not support is
//! refused naming the key.

use queuelab::dist::Dist;
use queuelab::model::metric::Metric;
use queuelab::model::{Feature, Model, ProducerBuilder, QueueBuilder};
use queuelab::{live, theory};

use crate::common::{check_passes, first_row, queue_text, refuses, scenario, simulated};
use crate::sim_vs_theory::{assert_agrees, exponential, results, single_queue};

fn deterministic(value: f64) -> Dist {
    Dist::deterministic(value).unwrap()
}

#[test]
fn one_consumer_with_breakdowns_is_the_exact_mg1_with_breakdowns() {
    // λ = 0.5, S ~ Exp(1), up ~ Exp(mean 20), repairs of 2: the consumer
    // is up 10/11 of the time, each message redelivered 1/19 times.
    let results = results(single_queue(exponential(1.0), 0.5, 1, |q| {
        q.outage(exponential(20.0), deterministic(2.0))
    }));
    for metric in [
        Metric::MeanWait,
        Metric::MeanSojourn,
        Metric::MeanInQueue,
        Metric::MeanInSystem,
        Metric::Utilisation,
        Metric::Availability,
        Metric::RedeliveriesPerMessage,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn deterministic_work_and_exponential_repairs_agree_too() {
    // S = 1, up ~ Exp(mean 8), repairs ~ Exp(mean 1.5), λ = 0.4.
    let results = results(single_queue(deterministic(1.0), 0.4, 1, |q| {
        q.outage(exponential(8.0), exponential(1.5))
    }));
    for metric in [
        Metric::MeanWait,
        Metric::MeanSojourn,
        Metric::Utilisation,
        Metric::Availability,
        Metric::RedeliveriesPerMessage,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn several_consumers_get_exact_availability_redeliveries_and_utilisation_only() {
    // Three consumers, Weibull-free exponential up times: each attempt
    // fails with probability 1 − E[e^{−ηS}], whoever serves it, and a
    // message spends 1/(μ − η) = 10/9 in service: utilisation 2·(10/9)/3,
    // below the availability 10/13. The waits get no formula (no QBD is
    // exact for a cut service repeated with the same requirement).
    let results = results(single_queue(exponential(1.0), 2.0, 3, |q| {
        q.outage(exponential(10.0), deterministic(3.0))
    }));
    for metric in [
        Metric::Availability,
        Metric::RedeliveriesPerMessage,
        Metric::Utilisation,
        Metric::Throughput,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
    let row = &results.points[0].results[0];
    let theory = row.theory.as_ref().unwrap();
    assert!(
        !theory.metrics.contains_key(&Metric::MeanWait),
        "{theory:?}"
    );
}

#[test]
fn several_consumers_utilisation_holds_for_deterministic_work_too() {
    // Four consumers, S = 1, up ~ Exp(mean 5), repairs ~ Exp(mean 1),
    // λ = 2.5: (e^{0.2} − 1)/0.2 in service per message, a share 0.692 of
    // the consumer-time, below the availability 5/6.
    let results = results(single_queue(deterministic(1.0), 2.5, 4, |q| {
        q.outage(exponential(5.0), exponential(1.0))
    }));
    for metric in [
        Metric::Utilisation,
        Metric::Availability,
        Metric::RedeliveriesPerMessage,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn a_failing_consumer_hands_back_its_whole_window() {
    // Prefetch 4 with a round trip: a failure hands back the buffered
    // deliveries too, so more than the shared line's 1/9 per message
    // (E[e^{ηS}] − 1 with η = 0.1, S ~ Exp(1)) are redelivered; the
    // availability stays exact (general up times too).
    let up = Dist::weibull(1.5, 10.0).unwrap();
    let results = results(single_queue(exponential(1.0), 1.5, 3, |q| {
        q.prefetch(4)
            .ack(deterministic(0.2))
            .outage(up, deterministic(1.0))
    }));
    assert_agrees(&results, "q", None, Metric::Availability);
    let shared_line = 1.0 / 0.9 - 1.0;
    let redelivered = simulated(first_row(&results), Metric::RedeliveriesPerMessage);
    assert!(redelivered > shared_line, "{redelivered}");
}

#[test]
fn outages_are_a_feature_live_refuses_and_theory_names() {
    let model = Model::builder("t")
        .queue(
            QueueBuilder::new("q", 2, exponential(1.0))
                .outage(exponential(50.0), deterministic(5.0)),
        )
        .producer(ProducerBuilder::open("p", "q", exponential(1.0)))
        .build()
        .unwrap();
    assert_eq!(
        model.features().iter().collect::<Vec<_>>(),
        [Feature::Outages]
    );
    let refusal = live::unsupported(&model).expect("outages run in simulation only");
    assert!(
        refusal.contains("outage") && refusal.contains("queue `q`"),
        "{refusal}"
    );
    assert_eq!(theory::uncovered(&model), None);
}

const OUTAGE: &str = queue_text!(
    "outage",
    "replications = 2
customers = 5_000
",
    "{ dist = \"exponential\", rate = 0.5 }",
    "consumers = 2
service = { dist = \"exponential\", mean = 1.0 }
outage = OUTAGE
",
);

#[test]
fn an_outage_scenario_runs_and_bad_ones_are_refused_naming_the_key() {
    let good = OUTAGE.replace(
        "OUTAGE",
        "{ mtbf = { dist = \"weibull\", shape = 2.0, scale = 30.0 }, repair = { dist = \"uniform\", low = 1.0, high = 3.0 } }",
    );
    let results = crate::common::run(&scenario(&good));
    assert!(simulated(first_row(&results), Metric::Availability) < 1.0);
    let cases = [
        (
            "{ mtbf = -5, repair = { dist = \"deterministic\", value = 1.0 } }",
            "queues.q.outage.mtbf",
            "mean must be",
        ),
        (
            "{ mtbf = \"often\", repair = { dist = \"deterministic\", value = 1.0 } }",
            "outage",
            "a mean time between failures",
        ),
        ("{ mtbf = 10 }", "outage", "repair"),
        (
            "{ mtbf = 10, repair = { dist = \"deterministic\", value = 1.0 }, every = 3 }",
            "outage",
            "every",
        ),
        (
            "{ mtbf = 10, repair = { dist = \"deterministic\", value = 1.0 } }\npartitions = 4",
            "queues.q.partitions",
            "consumer outages are modelled",
        ),
        (
            "{ mtbf = 10, repair = { dist = \"deterministic\", value = 1.0 } }\npatience = { dist = \"exponential\", mean = 5.0 }",
            "queues.q.patience",
            "without a `patience`",
        ),
        (
            "{ mtbf = 10, repair = { dist = \"deterministic\", value = 1.0 } }\ndiscipline = \"processor-sharing\"",
            "queues.q.discipline",
            "preemptive or processor-sharing",
        ),
    ];
    let tmp = tempfile::TempDir::new().unwrap();
    let file = tmp.path().join("outage.toml");
    for (outage, key, message) in cases {
        std::fs::write(&file, OUTAGE.replace("OUTAGE", outage)).unwrap();
        refuses(&["check"], &file, &["outage.toml", key, message]);
    }
}

#[test]
fn a_load_the_consumers_time_up_cannot_carry_is_refused() {
    // 0.8 of two consumers' time is needed; they are up 10/11 of it at
    // best, so 1.9 messages a second (load 0.95 / 0.909 = 1.045) are
    // refused, 1.7 (load 0.935) are not.
    let tmp = tempfile::TempDir::new().unwrap();
    let file = tmp.path().join("outage.toml");
    let outage = "{ mtbf = 20, repair = { dist = \"deterministic\", value = 2.0 } }";
    let text = OUTAGE.replace("OUTAGE", outage);
    std::fs::write(&file, text.replace("rate = 0.5", "rate = 1.9")).unwrap();
    refuses(&["check"], &file, &["load is 1.0450", "up 0.9091"]);
    std::fs::write(&file, text.replace("rate = 0.5", "rate = 1.7")).unwrap();
    check_passes(&file);
}
