//! Which rows a run reports and what their figures mean: a `system` row
//! only for a connected network, with expired and dead-lettered messages
//! counted as such end to end, and Little's law checked with the rate of
//! the messages each side counts.

use queuelab::model::metric::Metric;
use queuelab::results::{Row, RunResults};

use crate::common::{run, scenario};

const RUN: &str = "[run]\nseed = 5\nreplications = 4\ncustomers = 40_000\n";

fn queue(name: &str, rate: f64, extra: &str) -> String {
    format!(
        "[[producers]]\nname = \"to-{name}\"\nto = \"{name}\"\ninterarrival = {{ dist = \"exponential\", rate = {rate} }}\n[[queues]]\nname = \"{name}\"\nconsumers = 1\nservice = {{ dist = \"exponential\", mean = 1.0 }}\n{extra}\n"
    )
}

fn row<'a>(results: &'a RunResults, queue: &str) -> &'a Row {
    results.points[0]
        .results
        .iter()
        .find(|r| r.queue == queue && r.class.is_none())
        .unwrap_or_else(|| panic!("no row {queue}"))
}

fn simulated(row: &Row, metric: Metric) -> f64 {
    row.simulation.as_ref().unwrap().metrics[&metric].mean
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
    let text = format!(
        "name = \"alternatives\"\n{RUN}{}{}{}",
        queue("fifo", 0.5, ""),
        queue("lifo", 0.5, "discipline = \"lifo\""),
        queue("random", 0.5, "discipline = \"random\"")
    );
    let results = run(&scenario(&text));
    assert_eq!(queues_of(&results), ["fifo", "lifo", "random"]);
    // Two linked queues beside an independent one: still no one system.
    let text = format!(
        "name = \"part-linked\"\n{RUN}{}{}{}",
        queue("a", 0.3, "next = [{ to = \"b\", p = 1.0 }]"),
        queue("b", 0.3, ""),
        queue("alone", 0.5, "")
    );
    assert_eq!(queues_of(&run(&scenario(&text))), ["a", "b", "alone"]);
    // A tandem is one network, measured end to end.
    let text = format!(
        "name = \"tandem\"\n{RUN}{}[[queues]]\nname = \"b\"\nconsumers = 1\nservice = {{ dist = \"exponential\", mean = 1.0 }}\n",
        queue("a", 0.5, "next = [{ to = \"b\", p = 1.0 }]"),
    );
    let results = run(&scenario(&text));
    assert_eq!(queues_of(&results), ["a", "b", "system"]);
    let system = row(&results, "system");
    assert!(system.theory.is_some(), "Jackson gives the system row");
}

/// `ttl-dead-letter` in small: orders expire (TTL mean 2) and go to a
/// dead-letter queue with its own consumer.
fn dead_letter_scenario(rate: f64) -> String {
    format!(
        "name = \"ttl\"\n{RUN}[[producers]]\nname = \"shop\"\nto = \"orders\"\ninterarrival = {{ dist = \"exponential\", rate = {rate} }}\n[[queues]]\nname = \"orders\"\nconsumers = 10\nservice = {{ dist = \"exponential\", mean = 1.0 }}\npatience = {{ dist = \"exponential\", mean = 2.0 }}\ndead_letter = \"dead-letters\"\n[[queues]]\nname = \"dead-letters\"\nconsumers = 1\nservice = {{ dist = \"exponential\", mean = 0.05 }}\n"
    )
}

#[test]
fn a_dead_letter_network_counts_dead_lettered_messages_as_expired_end_to_end() {
    let results = run(&scenario(&dead_letter_scenario(12.0)));
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
    let results = run(&scenario(&dead_letter_scenario(12.0)));
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
