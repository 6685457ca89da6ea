//! Which rows a run reports and what their figures mean: a `system` row
//! only for a connected network, with expired and dead-lettered messages
//! counted as such end to end, and Little's law checked with the rate of
//! the messages each side counts.

use queuelab::dist::Dist;
use queuelab::model::metric::Metric;
use queuelab::model::{Discipline, Model, ModelBuilder, Overflow, ProducerBuilder, QueueBuilder};
use queuelab::results::{Row, RunResults};
use queuelab::run::{RunConfig, RunLength, Warmup};
use queuelab::scenario::Scenario;

use crate::common::{run, simulated};

/// Seed 5, 4 replications of 40,000 messages, 95% intervals.
const RUN: RunConfig = RunConfig {
    seed: 5,
    replications: 4,
    length: RunLength::Customers(40_000),
    warmup: Warmup::Auto,
    confidence: 0.95,
    precision: None,
};

fn exponential(mean: f64) -> Dist {
    Dist::exponential_mean(mean).unwrap()
}

/// `model` with an M/M/1 queue `name` fed by its own Poisson producer
/// `to-<name>` at `rate`, with `queue` adding behaviours.
fn queue(
    model: ModelBuilder,
    name: &str,
    rate: f64,
    queue: impl FnOnce(QueueBuilder) -> QueueBuilder,
) -> ModelBuilder {
    let arrivals = Dist::exponential_rate(rate).unwrap();
    let producer = ProducerBuilder::open(format!("to-{name}"), name, arrivals);
    model
        .producer(producer)
        .queue(queue(QueueBuilder::new(name, 1, exponential(1.0))))
}

/// Theory and simulation of `model` under [`RUN`].
fn results_of(model: ModelBuilder) -> RunResults {
    run(&Scenario::of_model(model.build().unwrap(), RUN))
}

fn row<'a>(results: &'a RunResults, queue: &str) -> &'a Row {
    results.points[0]
        .results
        .iter()
        .find(|r| r.queue == queue && r.class.is_none())
        .unwrap_or_else(|| panic!("no row {queue}"))
}

fn queues_of(results: &RunResults) -> Vec<&str> {
    results.points[0]
        .results
        .iter()
        .map(|r| r.queue.as_str())
        .collect()
}

#[test]
fn independent_queues_have_no_system_row() {
    // Three alternatives side by side (as in `disciplines`) are no network.
    let alternatives = Model::builder("alternatives");
    let alternatives = queue(alternatives, "fifo", 0.5, |q| q);
    let alternatives = queue(alternatives, "lifo", 0.5, |q| {
        q.discipline(Discipline::Lifo)
    });
    let alternatives = queue(alternatives, "random", 0.5, |q| {
        q.discipline(Discipline::Random)
    });
    let results = results_of(alternatives);
    assert_eq!(queues_of(&results), ["fifo", "lifo", "random"]);
    // Two linked queues beside an independent one: still no one system.
    let linked = queue(Model::builder("part-linked"), "a", 0.3, |q| {
        q.next("b", 1.0)
    });
    let linked = queue(linked, "b", 0.3, |q| q);
    let linked = queue(linked, "alone", 0.5, |q| q);
    assert_eq!(queues_of(&results_of(linked)), ["a", "b", "alone"]);
    // A tandem is one network, measured end to end.
    let tandem = queue(Model::builder("tandem"), "a", 0.5, |q| q.next("b", 1.0))
        .queue(QueueBuilder::new("b", 1, exponential(1.0)));
    let results = results_of(tandem);
    assert_eq!(queues_of(&results), ["a", "b", "system"]);
    let system = row(&results, "system");
    assert!(system.theory.is_some(), "Jackson gives the system row");
}

/// `ttl-dead-letter` in small: orders expire (TTL mean 2) and go to a
/// dead-letter queue with its own consumer.
fn dead_letter_model(rate: f64) -> ModelBuilder {
    Model::builder("ttl")
        .producer(ProducerBuilder::open(
            "shop",
            "orders",
            Dist::exponential_rate(rate).unwrap(),
        ))
        .queue(
            QueueBuilder::new("orders", 10, exponential(1.0))
                .patience(exponential(2.0))
                .dead_letter("dead-letters"),
        )
        .queue(QueueBuilder::new("dead-letters", 1, exponential(0.05)))
}

#[test]
fn a_dead_letter_network_counts_dead_lettered_messages_as_expired_end_to_end() {
    let results = results_of(dead_letter_model(12.0));
    assert_eq!(queues_of(&results), ["orders", "dead-letters", "system"]);
    let (orders, dead, system) = (
        row(&results, "orders"),
        row(&results, "dead-letters"),
        row(&results, "system"),
    );
    // Every message enters at `orders`: the share that expires there is the
    // share that expires end to end; only the served ones are delivered.
    let expired = simulated(orders, Metric::PAbandoned);
    assert!(expired > 0.1, "overload: many expire ({expired})");
    let end_to_end = simulated(system, Metric::PAbandoned);
    assert!(
        (end_to_end - expired).abs() < 1e-12,
        "system p_abandoned {end_to_end} vs orders {expired}"
    );
    let delivered = simulated(orders, Metric::Throughput);
    let system_throughput = simulated(system, Metric::Throughput);
    assert!(
        (system_throughput - delivered).abs() <= 0.005 * delivered,
        "system throughput {system_throughput} counts only delivered messages ({delivered}), not the {} dead-lettered per time unit",
        simulated(dead, Metric::Throughput)
    );
}

/// `orders` in overload (one consumer, at most 3 waiting) with `overflow`
/// sending its victims to a dead-letter queue.
fn overflow_model(overflow: Overflow) -> ModelBuilder {
    Model::builder("rabbit")
        .producer(ProducerBuilder::open(
            "shop",
            "orders",
            Dist::exponential_rate(1.5).unwrap(),
        ))
        .queue(
            QueueBuilder::new("orders", 1, exponential(1.0))
                .max_length(3)
                .overflow(overflow)
                .dead_letter("dead-letters"),
        )
        .queue(QueueBuilder::new("dead-letters", 1, exponential(0.05)))
}

#[test]
fn overflow_victims_sent_to_a_dead_letter_queue_count_as_lost_end_to_end() {
    for (overflow, lost) in [
        (Overflow::DropHead, Metric::PDropped),
        (Overflow::RejectToDeadLetter, Metric::PBlocked),
    ] {
        let results = results_of(overflow_model(overflow));
        assert_eq!(queues_of(&results), ["orders", "dead-letters", "system"]);
        let (orders, dead, system) = (
            row(&results, "orders"),
            row(&results, "dead-letters"),
            row(&results, "system"),
        );
        let share = simulated(orders, lost);
        assert!(share > 0.2, "{overflow:?}: overload loses many ({share})");
        let end_to_end = simulated(system, lost);
        assert!(
            (end_to_end - share).abs() < 1e-12,
            "{overflow:?}: system {lost:?} {end_to_end} vs orders {share}"
        );
        // The victims reach the dead-letter queue, yet only the messages
        // served at `orders` are delivered.
        let victims = simulated(dead, Metric::Throughput);
        assert!(
            (victims / (1.5 * share) - 1.0).abs() < 0.05,
            "{overflow:?}: dead letters {victims} per time unit"
        );
        let delivered = simulated(orders, Metric::Throughput);
        let system_throughput = simulated(system, Metric::Throughput);
        assert!(
            (system_throughput - delivered).abs() <= 0.005 * delivered,
            "{overflow:?}: system throughput {system_throughput} vs delivered {delivered}"
        );
        assert_little(orders, 0.01);
    }
}

/// L = λW and Lq = λWq with λ the accepted arrival rate, within `tolerance`.
fn assert_little(row: &Row, tolerance: f64) {
    let relations = &row.simulation.as_ref().unwrap().relations;
    for name in ["L = λW", "Lq = λWq"] {
        let relation = relations
            .iter()
            .find(|r| r.relation.starts_with(name))
            .unwrap_or_else(|| panic!("{}: no {name} in {relations:?}", row.queue));
        assert!(
            relation.relative_error.abs() < tolerance,
            "{}: {relation:?}",
            row.queue
        );
    }
}

#[test]
fn littles_law_holds_with_the_accepted_rate_where_messages_expire() {
    let results = results_of(dead_letter_model(12.0));
    assert_little(row(&results, "orders"), 0.01);
    assert_little(row(&results, "dead-letters"), 0.01);
    // End to end as well: L and Lq of the network, λ = messages entering.
    let system = row(&results, "system");
    let get = |metric| simulated(system, metric);
    let accepted = get(Metric::Throughput) / (1.0 - get(Metric::PAbandoned));
    for (count, time) in [
        (Metric::MeanInSystem, Metric::MeanSojourn),
        (Metric::MeanInQueue, Metric::MeanWait),
    ] {
        let little = accepted * get(time);
        assert!(
            (little / get(count) - 1.0).abs() < 0.01,
            "system {count:?} {} vs λ {time:?} {little}",
            get(count)
        );
    }
}
