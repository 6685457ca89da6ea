//! The simulator against exact theory, with fixed seeds: each exact value
//! must lie inside the simulation's 99.9% confidence interval, and the
//! interval must be narrow, so a biased estimator or a wrong formula cannot
//! hide behind a wide CI. The half-width must stay below 5% of the value for
//! means, probabilities and p50/p90 percentiles, and below 10% for p99 (a
//! 1-in-100 tail is estimated from ten times fewer observations than a p90).

use queuelab::dist::Dist;
use queuelab::model::metric::{Metric, Threshold};
use queuelab::model::{
    Class, Delays, Discipline, Model, ModelBuilder, Overflow, ProducerBuilder, QueueBuilder,
    Redelivery, UNLIMITED,
};
use queuelab::results::RunResults;
use queuelab::run::{RunConfig, RunLength, Warmup};
use queuelab::scenario::Scenario;

use crate::common::{assert_within, compare, run};

/// Asserts agreement within the CI and a half-width below the bound.
pub(crate) fn assert_agrees(
    results: &RunResults,
    queue: &str,
    class: Option<&str>,
    metric: Metric,
) {
    let (theory, interval) = compare(results, 0, queue, class, metric);
    assert_within(&format!("{queue}/{class:?}"), metric, theory, &interval);
}

/// Seed 11, 10 replications of 200,000 measured messages, 99.9% intervals.
pub(crate) const RUN: RunConfig = RunConfig {
    seed: 11,
    replications: 10,
    length: RunLength::Customers(200_000),
    warmup: Warmup::Auto,
    confidence: 0.999,
    precision: None,
};

pub(crate) fn exponential(mean: f64) -> Dist {
    Dist::exponential_mean(mean).unwrap()
}

fn poisson(rate: f64) -> Dist {
    Dist::exponential_rate(rate).unwrap()
}

fn hyperexponential(mean: f64, scv: f64) -> Dist {
    Dist::hyperexponential_balanced(mean, scv).unwrap()
}

fn lognormal(mean: f64, scv: f64) -> Dist {
    Dist::lognormal(mean, scv).unwrap()
}

/// Queue `q` with `consumers` serving `service`, fed by a Poisson producer
/// at `rate`, with `queue` adding its behaviours.
pub(crate) fn single_queue(
    service: Dist,
    rate: f64,
    consumers: u32,
    queue: impl FnOnce(QueueBuilder) -> QueueBuilder,
) -> ModelBuilder {
    Model::builder("t")
        .queue(queue(QueueBuilder::new("q", consumers, service)))
        .producer(ProducerBuilder::open("p", "q", poisson(rate)))
}

/// Theory and simulation of `model` under `run`.
fn results_with(model: ModelBuilder, run_config: RunConfig) -> RunResults {
    let model = model.build().expect("the test model is valid");
    run(&Scenario::of_model(model, run_config))
}

/// Theory and simulation of `model` under [`RUN`].
pub(crate) fn results(model: ModelBuilder) -> RunResults {
    results_with(model, RUN)
}

/// Queue `q` with `consumers` under `discipline`, one Poisson producer per
/// class (`name`, `rate`), classes in priority order.
fn classes(discipline: Discipline, consumers: u32, classes: &[(Class, f64)]) -> ModelBuilder {
    let mut model = Model::builder("t")
        .queue(QueueBuilder::new("q", consumers, exponential(1.0)).discipline(discipline));
    for (class, rate) in classes {
        model = model.class(class.clone()).producer(
            ProducerBuilder::open(format!("p-{}", class.name), "q", poisson(*rate))
                .class(&class.name),
        );
    }
    model
}

#[test]
fn mm1_matches_theory() {
    let results = results(single_queue(exponential(1.0), 0.8, 1, |q| q));
    for metric in [
        Metric::MeanWait,
        Metric::MeanSojourn,
        Metric::MeanInSystem,
        Metric::MeanInQueue,
        Metric::Utilisation,
        Metric::Throughput,
        Metric::PWait,
        Metric::WaitP90,
        Metric::SojournP50,
        Metric::SojournP99,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn mmc_matches_theory() {
    let results = results(single_queue(exponential(1.0), 3.2, 4, |q| q));
    for metric in [
        Metric::MeanWait,
        Metric::MeanInSystem,
        Metric::PWait,
        Metric::Utilisation,
        Metric::WaitP99,
        Metric::SojournP90,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

/// What a finite M/M/c/K queue is checked on.
const MMCK_METRICS: [Metric; 5] = [
    Metric::PBlocked,
    Metric::MeanInSystem,
    Metric::MeanWait,
    Metric::Throughput,
    Metric::WaitP90,
];

#[test]
fn mmck_matches_theory_in_overload() {
    let results = results(single_queue(exponential(1.0), 2.4, 2, |q| q.capacity(6)));
    for metric in MMCK_METRICS {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn max_length_matches_mmck_with_room_for_the_consumers() {
    // At most 4 waiting besides the 2 in service: M/M/2/6.
    let results = results(single_queue(exponential(1.0), 2.4, 2, |q| q.max_length(4)));
    for metric in MMCK_METRICS {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn drop_head_loses_what_mmck_blocks_from_the_head() {
    assert_drop_head_is_mmck(|q| q.max_length(4).overflow(Overflow::DropHead));
}

#[test]
fn a_max_length_counts_only_the_ready_line_of_prefetch_windows() {
    // Prefetch 1 acknowledged at once is the shared line, simulated through
    // the windows: the limit must count the ready line only, as before.
    assert_drop_head_is_mmck(|q| q.prefetch(1).max_length(4).overflow(Overflow::DropHead));
}

/// An M/M/2 at load 1.2 with `queue`'s drop-head limit of 4 waiting loses
/// and holds what M/M/2/6 blocks and holds.
fn assert_drop_head_is_mmck(queue: impl FnOnce(QueueBuilder) -> QueueBuilder) {
    let results = results(single_queue(exponential(1.0), 2.4, 2, queue));
    // Waits and sojourns over every arrival, a dropped one until it is
    // dropped (Little with the arrival rate).
    for metric in [
        Metric::PDropped,
        Metric::PBlocked,
        Metric::MeanInQueue,
        Metric::MeanInSystem,
        Metric::MeanWait,
        Metric::MeanSojourn,
        Metric::Throughput,
        Metric::PWait,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn drop_head_without_waiting_room_drops_the_erlang_b_share_at_once() {
    let results = results(single_queue(exponential(1.0), 2.4, 2, |q| {
        q.max_length(0).overflow(Overflow::DropHead)
    }));
    for metric in [Metric::PDropped, Metric::Throughput, Metric::PWait] {
        assert_agrees(&results, "q", None, metric);
    }
    // Nobody waits: an arrival finding both consumers busy is dropped at
    // once, and the served never wait (up to the rounding of a wait taken
    // as sojourn minus service).
    let (_, wait) = compare(&results, 0, "q", None, Metric::MeanWait);
    assert!(wait.ci_high < 1e-9, "{wait:?}");
    let simulation = results.points[0].results[0].simulation.as_ref().unwrap();
    let served = simulation.metrics[&Metric::MeanWaitServed].mean;
    assert!(served < 1e-9, "{served}");
}

#[test]
fn md1_matches_pollaczek_khinchine() {
    let results = results(single_queue(
        Dist::deterministic(1.0).unwrap(),
        0.7,
        1,
        |q| q,
    ));
    assert_agrees(&results, "q", None, Metric::MeanWait);
    assert_agrees(&results, "q", None, Metric::MeanInSystem);
}

#[test]
fn mg1_with_scv_4_matches_pollaczek_khinchine() {
    let results = results(single_queue(hyperexponential(1.0, 4.0), 0.7, 1, |q| q));
    assert_agrees(&results, "q", None, Metric::MeanWait);
    assert_agrees(&results, "q", None, Metric::MeanSojourn);
}

#[test]
fn two_priority_classes_match_cobham() {
    let results = results(classes(
        Discipline::Priority,
        1,
        &[
            (Class::new("urgent").priority(0), 0.3),
            (Class::new("bulk").priority(1), 0.45),
        ],
    ));
    assert_agrees(&results, "q", Some("urgent"), Metric::MeanWait);
    assert_agrees(&results, "q", Some("bulk"), Metric::MeanWait);
    assert_agrees(&results, "q", None, Metric::MeanWait);
    assert_agrees(&results, "q", Some("bulk"), Metric::MeanInQueue);
}

/// A tandem: an M/M/1 (load 0.75) feeding an M/M/2 (load 0.8).
fn tandem() -> ModelBuilder {
    Model::builder("t")
        .queue(QueueBuilder::new("first", 1, exponential(0.75)).next("second", 1.0))
        .queue(QueueBuilder::new("second", 2, exponential(1.6)))
        .producer(ProducerBuilder::open("p", "first", poisson(1.0)))
}

#[test]
fn jackson_tandem_matches_theory() {
    let results = results(tandem());
    assert_agrees(&results, "first", None, Metric::MeanWait);
    assert_agrees(&results, "second", None, Metric::MeanWait);
    assert_agrees(&results, "second", None, Metric::WaitP90);
    assert_agrees(&results, "system", None, Metric::MeanSojourn);
    assert_agrees(&results, "system", None, Metric::MeanInSystem);
}

/// The service levels `wait_within_<t>` and `sojourn_within_<t>` at each
/// of `times`.
fn service_levels(times: &[f64]) -> Vec<Metric> {
    let within = |t: f64| Threshold::new(t).unwrap();
    let waits = times.iter().map(|&t| Metric::WaitWithin(within(t)));
    let sojourns = times.iter().map(|&t| Metric::SojournWithin(within(t)));
    waits.chain(sojourns).collect()
}

#[test]
fn service_levels_match_erlang_c_and_mmck_tails() {
    let within = [0.5, 2.0, 4.0];
    let mmc = results(single_queue(exponential(1.0), 3.2, 4, |q| q).within(within));
    let mmck = results(single_queue(exponential(1.0), 2.4, 2, |q| q.capacity(6)).within(within));
    for metric in service_levels(&[0.5, 2.0, 4.0]) {
        assert_agrees(&mmc, "q", None, metric);
        assert_agrees(&mmck, "q", None, metric);
    }
}

#[test]
fn service_levels_match_at_jackson_nodes_and_are_simulated_end_to_end() {
    let results = results(tandem().within([1.0, 3.0]));
    let levels = service_levels(&[1.0, 3.0]);
    for &metric in &levels {
        assert_agrees(&results, "first", None, metric);
        assert_agrees(&results, "second", None, metric);
    }
    // End to end: no formula, but a simulated share in [0, 1].
    let system = results.points[0]
        .results
        .iter()
        .find(|r| r.queue == "system")
        .unwrap();
    let theory = &system.theory.as_ref().unwrap().metrics;
    for metric in levels {
        assert!(!theory.contains_key(&metric));
        let share = system.simulation.as_ref().unwrap().metrics[&metric];
        assert!(0.0 < share.ci_low && share.ci_high < 1.0, "{share:?}");
    }
}

#[test]
fn littles_law_holds_in_simulation() {
    let results = results(single_queue(lognormal(1.0, 2.0), 1.5, 2, |q| q));
    let row = &results.points[0].results[0];
    let sim = row.simulation.as_ref().unwrap();
    let get = |metric: Metric| sim.metrics[&metric].mean;
    let little = get(Metric::Throughput) * get(Metric::MeanSojourn);
    let relative = (little - get(Metric::MeanInSystem)).abs() / get(Metric::MeanInSystem);
    assert!(
        relative < 0.01,
        "L = {} but lambda W = {little}",
        get(Metric::MeanInSystem)
    );
}

#[test]
fn mm1_lifo_means_match_fifo_theory() {
    let results = results(single_queue(exponential(1.0), 0.7, 1, |q| {
        q.discipline(Discipline::Lifo)
    }));
    for metric in [Metric::MeanWait, Metric::MeanInSystem, Metric::PWait] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn erlang_b_is_insensitive_to_the_service_distribution() {
    let results = results(single_queue(
        Dist::deterministic(1.0).unwrap(),
        2.5,
        3,
        |q| q.capacity(3),
    ));
    assert_agrees(&results, "q", None, Metric::PBlocked);
    assert_agrees(&results, "q", None, Metric::MeanInSystem);
}

#[test]
fn horizon_runs_match_theory() {
    let horizon = RunConfig {
        length: RunLength::Horizon(150_000.0),
        ..RUN
    };
    let results = results_with(single_queue(exponential(1.0), 1.6, 2, |q| q), horizon);
    for metric in [Metric::MeanWait, Metric::MeanInSystem, Metric::Throughput] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn feedback_loop_matches_jackson_theory() {
    let results = results(single_queue(exponential(1.0), 0.5, 1, |q| q.next("q", 0.3)));
    for metric in [Metric::MeanInSystem, Metric::MeanWait, Metric::Utilisation] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn random_order_means_match_fifo_theory() {
    let results = results(single_queue(exponential(1.0), 1.6, 2, |q| {
        q.discipline(Discipline::Random)
    }));
    for metric in [Metric::MeanWait, Metric::MeanInSystem, Metric::PWait] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn unlimited_consumers_match_mg_infinity() {
    let results = results(single_queue(lognormal(2.0, 3.0), 1.5, UNLIMITED, |q| q));
    for metric in [
        Metric::MeanInSystem,
        Metric::MeanSojourn,
        Metric::Throughput,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn expiring_messages_match_erlang_a_in_overload() {
    let results = results(single_queue(exponential(1.0), 12.0, 10, |q| {
        q.patience(exponential(2.0))
    }));
    // Waits and sojourns over every accepted message, expired ones
    // included (until they expire), as Erlang-A defines them.
    for metric in [
        Metric::PAbandoned,
        Metric::MeanWait,
        Metric::MeanSojourn,
        Metric::MeanInQueue,
        Metric::MeanInSystem,
        Metric::PWait,
        Metric::Throughput,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn lifo_preemptive_resume_is_insensitive() {
    let results = results(single_queue(hyperexponential(1.0, 4.0), 0.6, 1, |q| {
        q.discipline(Discipline::LifoPreemptive)
    }));
    for metric in [Metric::MeanSojourn, Metric::MeanInSystem, Metric::MeanWait] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn three_preemptive_priority_classes_match_theory() {
    let results = results(classes(
        Discipline::PriorityPreemptive,
        1,
        &[
            (
                Class::new("gold")
                    .priority(0)
                    .service(Dist::deterministic(0.5).unwrap()),
                0.2,
            ),
            (
                Class::new("silver")
                    .priority(1)
                    .service(hyperexponential(2.0, 4.0)),
                0.1,
            ),
            (Class::new("bronze").priority(2), 0.25),
        ],
    ));
    for class in ["gold", "silver", "bronze"] {
        assert_agrees(&results, "q", Some(class), Metric::MeanSojourn);
    }
    assert_agrees(&results, "q", None, Metric::MeanInSystem);
}

#[test]
fn mmc_preemptive_priority_matches_theory() {
    let results = results(classes(
        Discipline::PriorityPreemptive,
        3,
        &[
            (Class::new("urgent").priority(0), 1.0),
            (Class::new("bulk").priority(1), 1.1),
        ],
    ));
    for class in ["urgent", "bulk"] {
        assert_agrees(&results, "q", Some(class), Metric::MeanSojourn);
        assert_agrees(&results, "q", Some(class), Metric::MeanWait);
    }
}

#[test]
fn processor_sharing_is_insensitive() {
    let results = results(single_queue(hyperexponential(1.0, 4.0), 0.6, 1, |q| {
        q.discipline(Discipline::ProcessorSharing)
    }));
    for metric in [Metric::MeanSojourn, Metric::MeanInSystem, Metric::MeanWait] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn processor_sharing_with_two_consumers_has_mmc_means() {
    let results = results(single_queue(exponential(1.0), 1.4, 2, |q| {
        q.discipline(Discipline::ProcessorSharing)
    }));
    for metric in [
        Metric::MeanSojourn,
        Metric::MeanInSystem,
        Metric::MeanInQueue,
        Metric::Utilisation,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

#[test]
fn closed_loop_matches_exact_mva() {
    let results = results(
        Model::builder("t")
            .queue(
                QueueBuilder::new("api", 1, hyperexponential(0.1, 4.0))
                    .discipline(Discipline::ProcessorSharing)
                    .next("db", 1.0),
            )
            .queue(QueueBuilder::new("db", 1, exponential(0.15)).next("cache", 1.0))
            .queue(QueueBuilder::new("cache", UNLIMITED, exponential(0.3)))
            .producer(ProducerBuilder::closed(
                "clients",
                "api",
                15,
                exponential(2.0),
            )),
    );
    for queue in ["api", "db"] {
        assert_agrees(&results, queue, None, Metric::Utilisation);
        assert_agrees(&results, queue, None, Metric::MeanInSystem);
        assert_agrees(&results, queue, None, Metric::MeanSojourn);
    }
    assert_agrees(&results, "system", None, Metric::Throughput);
    assert_agrees(&results, "system", None, Metric::MeanSojourn);
}

/// A backlog of 2,000 on M/M/2 at load 0.8 catches up in (2000 - 2) /
/// (2 - 1.6) = 4,995 s on average; 40 runs, each long enough to catch up.
#[test]
fn a_backlog_drains_in_the_mmc_first_passage_time() {
    let run = RunConfig {
        replications: 40,
        length: RunLength::Customers(20_000),
        warmup: Warmup::Customers(0),
        ..RUN
    };
    let model = single_queue(exponential(1.0), 1.6, 2, |q| q.backlog(2_000));
    let results = results_with(model, run);
    assert_agrees(&results, "q", None, Metric::DrainTime);
}

/// M/M/2 at 0.6 msg/s whose deliveries fail with p = 0.5, retried after 1,
/// 5 and 10 s, then dead-lettered: 1.875 deliveries per message, so the
/// queue is M/M/2 at 1.125/s, visit by visit (BCMP); 0.875 retries and a
/// dead-lettered share of 0.0625 per message; 0.6 · (0.5 + 1.25 + 1.25) =
/// 1.8 messages waiting out delays (Little).
#[test]
fn delayed_retries_match_mmc_at_the_delivery_rate() {
    let model = Model::builder("t")
        .queue(
            QueueBuilder::new("q", 2, exponential(1.0))
                .retry(
                    0.5,
                    Some(3),
                    Redelivery::After(Delays {
                        steps: vec![1.0, 5.0, 10.0],
                        then: 0.0,
                    }),
                )
                .dead_letter("dlq"),
        )
        .queue(QueueBuilder::new("dlq", UNLIMITED, exponential(0.1)))
        .producer(ProducerBuilder::open("p", "q", poisson(0.6)));
    let results = results(model);
    for metric in [
        Metric::MeanWait,
        Metric::MeanInSystem,
        Metric::MeanSojourn,
        Metric::PWait,
        Metric::WaitP90,
        Metric::SojournP99,
        Metric::RetriesPerMessage,
        Metric::PDeadLettered,
        Metric::MeanInRetry,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
    for metric in [
        Metric::RetriesPerMessage,
        Metric::PDeadLettered,
        Metric::MeanInRetry,
    ] {
        assert_agrees(&results, "system", None, metric);
    }
    let (theory, _) = compare(&results, 0, "q", None, Metric::RetriesPerMessage);
    assert!((theory - 0.875).abs() < 1e-12);
    let (theory, _) = compare(&results, 0, "q", None, Metric::MeanInRetry);
    assert!((theory - 1.8).abs() < 1e-12);
}

/// Requeued at the head on one consumer: Erlang-2 services of mean 1, p =
/// 0.3, at most 3 retries: one compound service per message, M/G/1
/// (Pollaczek-Khinchine).
#[test]
fn requeue_at_the_head_matches_pollaczek_khinchine_on_the_compound_service() {
    let service = Dist::erlang(2, 1.0).unwrap();
    let model = single_queue(service, 0.4, 1, |q| q.retry(0.3, Some(3), Redelivery::Head));
    let results = results(model);
    for metric in [
        Metric::MeanWait,
        Metric::MeanSojourn,
        Metric::Utilisation,
        Metric::RetriesPerMessage,
        Metric::PDeadLettered,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

/// Nacked with requeue=false (`max_retries = 0`) on M/M/2: every failed
/// delivery is dead-lettered at once, so the queue is M/M/2 as it is and
/// the dead-letter queue receives λp exactly: p_dead_lettered = p.
#[test]
fn a_nack_without_requeue_dead_letters_the_failure_share_at_once() {
    let model = Model::builder("t")
        .queue(
            QueueBuilder::new("q", 2, exponential(1.0))
                .retry(0.1, Some(0), Redelivery::Head)
                .dead_letter("dlq"),
        )
        .queue(QueueBuilder::new("dlq", UNLIMITED, exponential(0.1)))
        .producer(ProducerBuilder::open("p", "q", poisson(1.2)));
    let results = results(model);
    for metric in [
        Metric::MeanWait,
        Metric::MeanInSystem,
        Metric::Utilisation,
        Metric::RetriesPerMessage,
        Metric::PDeadLettered,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
    let (theory, _) = compare(&results, 0, "q", None, Metric::PDeadLettered);
    assert_eq!(theory, 0.1);
    let dlq = results.points[0]
        .results
        .iter()
        .find(|r| r.queue == "dlq")
        .expect("a dlq row");
    let arrivals = dlq.simulation.as_ref().expect("simulated").metrics[&Metric::Throughput];
    assert_within("dlq", Metric::Throughput, 1.2 * 0.1, &arrivals);
}

/// Requeued at the head without a limit on M/M/2: the compound service is
/// exponential at μ(1 - p), so M/M/2 at 1.2/s served at 0.75/s.
#[test]
fn requeue_at_the_head_without_a_limit_matches_mmc_at_the_slower_rate() {
    let model = single_queue(exponential(1.0), 1.2, 2, |q| {
        q.retry(0.25, None, Redelivery::Head)
    });
    let results = results(model);
    for metric in [
        Metric::MeanWait,
        Metric::MeanInSystem,
        Metric::RetriesPerMessage,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
}

/// With general service and several consumers no formula gives the waits
/// of a queue with delayed retries, but its retry figures stay exact.
#[test]
fn retries_under_general_service_keep_only_their_exact_counts() {
    let model = single_queue(lognormal(1.0, 2.0), 0.5, 2, |q| {
        q.retry(0.4, Some(2), Redelivery::After(Delays::fixed(3.0)))
    })
    .build()
    .unwrap();
    let rows = queuelab::theory::evaluate(&model);
    let (_, row) = &rows[0];
    assert!(row.exact);
    assert!(!row.metrics.contains_key(&Metric::MeanWait));
    // 0.4 + 0.16 retries; 0.5 · 3 · 0.56 = 0.84 messages in delays.
    assert!((row.metrics[&Metric::RetriesPerMessage] - 0.56).abs() < 1e-12);
    assert!((row.metrics[&Metric::PDeadLettered] - 0.064).abs() < 1e-12);
    assert!((row.metrics[&Metric::MeanInRetry] - 0.84).abs() < 1e-12);
}

/// E2/M/1 by hand: gaps Erlang-2 of mean 2 (two phases of rate 1) and
/// service rate 1, so sigma = A*(1 - sigma) = 1/(2 - sigma)^2, whose root
/// in (0, 1) is (3 - sqrt 5)/2; the mean wait sigma/(1 - sigma) is then
/// (sqrt 5 - 1)/2, and P(wait > t) = sigma e^{-(1 - sigma) t}. Exact
/// theory (not Kingman's approximation), simulated within its intervals,
/// service levels included.
#[test]
fn erlang_arrivals_to_one_exponential_consumer_are_the_exact_gi_m_1() {
    let model = Model::builder("t")
        .queue(QueueBuilder::new("q", 1, exponential(1.0)))
        .producer(ProducerBuilder::open(
            "p",
            "q",
            Dist::erlang(2, 2.0).unwrap(),
        ))
        .within([1.0, 3.0]);
    let results = results(model);
    let sigma = (3.0 - 5.0_f64.sqrt()) / 2.0;
    let row = &results.points[0].results[0];
    let theory = row.theory.as_ref().expect("a formula");
    assert!(theory.exact, "{}", theory.model);
    let value = |metric| theory.metrics[&metric];
    assert!((value(Metric::PWait) - sigma).abs() < 1e-12);
    assert!((value(Metric::MeanWait) - (5.0_f64.sqrt() - 1.0) / 2.0).abs() < 1e-12);
    let within_3 = Metric::WaitWithin(Threshold::new(3.0).unwrap());
    let by_hand = 1.0 - sigma * (-(1.0 - sigma) * 3.0).exp();
    assert!((value(within_3) - by_hand).abs() < 1e-12);
    for metric in [
        Metric::MeanWait,
        Metric::MeanSojourn,
        Metric::MeanInSystem,
        Metric::PWait,
        Metric::Utilisation,
        Metric::WaitP90,
        Metric::SojournP99,
    ]
    .into_iter()
    .chain(service_levels(&[1.0, 3.0]))
    {
        assert_agrees(&results, "q", None, metric);
    }
}
