//! Several consumer groups on one topic (fan-out): each group's figures
//! against the exact per-consumer theory of one group fed by the topic's
//! producers, at a fixed seed; bad `topic` keys refused naming the key.

use queuelab::dist::Dist;
use queuelab::model::metric::Metric;
use queuelab::model::{Assignor, KeyDistribution, Keys, Model, ProducerBuilder, QueueBuilder};
use queuelab::results::Row;
use queuelab::run::{RunConfig, RunLength, Warmup};
use queuelab::scenario::Scenario;

use crate::common::{assert_within, check_refuses, run};

/// Seed 3, 20 replications of 200,000 measured messages, 99.9% intervals.
const RUN: RunConfig = RunConfig {
    seed: 3,
    replications: 20,
    length: RunLength::Customers(200_000),
    warmup: Warmup::Auto,
    confidence: 0.999,
    precision: None,
};

#[test]
fn each_group_on_a_topic_is_the_exact_group_its_producers_feed() {
    let keys = Keys {
        count: 200,
        distribution: KeyDistribution::Zipf { exponent: 0.3 },
    };
    let exponential = |mean| Dist::exponential_mean(mean).unwrap();
    // 5 partitions at 1.5 per time unit: the topic's own group of 3
    // (range, mean 1: loads 0.26 to 0.67), a slow group of 2 (round-robin,
    // mean 0.8: about 0.72 and 0.48) on the same messages.
    let model = Model::builder("fan-out")
        .queue(QueueBuilder::new("t", 3, exponential(1.0)).partitions(5, Assignor::Range))
        .queue(
            QueueBuilder::new("slow", 2, exponential(0.8))
                .partitions(5, Assignor::RoundRobin)
                .topic("t"),
        )
        .producer(ProducerBuilder::open("p", "t", Dist::exponential_rate(1.5).unwrap()).keys(keys))
        .build()
        .unwrap();
    let results = run(&Scenario::of_model(model, RUN));
    let rows: Vec<&Row> = results.points[0]
        .results
        .iter()
        .filter(|r| r.class.is_none())
        .collect();
    assert_eq!(rows.len(), 2 + 2 * 5, "each group its queue and partitions");
    for row in rows {
        let theory = row.theory.as_ref().expect("exact per group");
        assert!(theory.exact, "{}", row.label());
        let simulation = row.simulation.as_ref().expect("simulated");
        for metric in [
            Metric::MeanWait,
            Metric::Utilisation,
            Metric::Throughput,
            Metric::WaitP90,
        ] {
            assert_within(
                &row.label(),
                metric,
                theory.metrics[&metric],
                &simulation.metrics[&metric],
            );
        }
    }
}

#[test]
fn bad_topics_are_refused_naming_the_key() {
    let base = "name = \"f\"\n[[producers]]\nname = \"p\"\nto = \"t\"\ninterarrival = { dist = \"exponential\", rate = 1.0 }\n[[queues]]\nname = \"t\"\npartitions = 4\nconsumers = 2\nservice = { dist = \"exponential\", mean = 1.0 }\n[[queues]]\nname = \"g\"\ntopic = \"t\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 0.5 }\n";
    let cases: [(&str, &str, &[&str]); 7] = [
        (
            "topic = \"t\"",
            "topic = \"x\"",
            &["queues.g.topic", "no queue named \"x\""],
        ),
        (
            "partitions = 4\n",
            "",
            &["queues.g.topic", "has no `partitions`"],
        ),
        (
            "topic = \"t\"",
            "topic = \"t\"\npartitions = 3",
            &["queues.g.partitions", "has 4, got 3"],
        ),
        (
            "to = \"t\"",
            "to = \"g\"",
            &["producers.p.to", "send to \"t\""],
        ),
        (
            "topic = \"t\"",
            "topic = \"t\"\nnext = [{ to = \"t\", p = 0.5 }]",
            &["queues.g.next", "ends at each group"],
        ),
        ("name = \"g\"", "name = \"t\"", &["queues.t", "used twice"]),
        (
            "mean = 0.5 }\n",
            "mean = 0.5 }\n[plan]\ndecide = \"queues.t.partitions\"\n[[plan.targets]]\nmetric = \"wait_p99\"\nmax = 10.0\n",
            &["plan.decide", "several consumer groups"],
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (index, (from, to, needles)) in cases.into_iter().enumerate() {
        assert!(base.contains(from), "{from}");
        let name = format!("case-{index}");
        check_refuses(dir.path(), &name, &base.replacen(from, to, 1), needles);
    }
}
