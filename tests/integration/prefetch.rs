//! Prefetch windows: prefetch 1 acknowledged at once is the shared line
//! (M/M/c), unlimited prefetch a round-robin split (E_c/M/1 per consumer),
//! both against exact theory at a fixed seed (see `sim_vs_theory`); a
//! finite window with a round trip gets no formula, and a load its
//! windows cannot carry is refused. A nack with requeue on prefetch 1
//! acknowledged at once is the shared line's requeue at the head. A
//! delivery trip on prefetch 1 with one consumer is M/G/1 with the trip
//! added to each slot's service (by hand: no formula covers the trip).

use queuelab::dist::Dist;
use queuelab::model::metric::Metric;
use queuelab::model::{QueueBuilder, Redelivery, UNLIMITED_PREFETCH};

use crate::common::{
    assert_within, check_passes, first_row, queue_text, refuses, scenario, simulated,
};
use crate::sim_vs_theory::{assert_agrees, exponential, results, single_queue};

fn round_trip(value: f64) -> Dist {
    Dist::deterministic(value).unwrap()
}

#[test]
fn prefetch_one_acknowledged_at_once_is_the_shared_line() {
    let results = results(single_queue(exponential(1.0), 3.2, 4, |q| q.prefetch(1)));
    for metric in [
        Metric::MeanWait,
        Metric::MeanInQueue,
        Metric::PWait,
        Metric::Utilisation,
        Metric::WaitP90,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
    // Nothing is ever buffered: the ready line is the waiting line.
    let ready = simulated(first_row(&results), Metric::MeanReady);
    assert!((ready - simulated(first_row(&results), Metric::MeanInQueue)).abs() < 1e-9 * ready);
    assert_eq!(simulated(first_row(&results), Metric::PHoarded), 0.0);
}

/// Nacked with requeue on prefetch 1 acknowledged at once, a message is
/// served again at once with a fresh service, as on the shared line: the
/// same figures draw for draw, and M/M/2 at μ(1 - p) (exact).
#[test]
fn a_nack_on_prefetch_one_is_the_shared_lines_requeue_at_the_head() {
    let nack = |q: QueueBuilder| q.retry(0.25, None, Redelivery::Head);
    let windowed = results(single_queue(exponential(1.0), 1.2, 2, |q| {
        nack(q).prefetch(1)
    }));
    for metric in [
        Metric::MeanWait,
        Metric::MeanInSystem,
        Metric::PWait,
        Metric::Utilisation,
        Metric::RetriesPerMessage,
    ] {
        assert_agrees(&windowed, "q", None, metric);
    }
    let shared = results(single_queue(exponential(1.0), 1.2, 2, nack));
    for metric in [
        Metric::MeanWait,
        Metric::MeanSojourn,
        Metric::PWait,
        Metric::WaitP90,
        Metric::RetriesPerMessage,
    ] {
        assert_eq!(
            simulated(first_row(&windowed), metric),
            simulated(first_row(&shared), metric),
            "{metric:?}"
        );
    }
}

/// Nacks on windows of 2 with a round trip of 2: no queueing formula, but
/// the retry count is exact, and the nacks hold their slots for the round
/// trip like acks, so λ E\[N\] · RTT = 0.5 · 4/3 · 2 messages await one
/// (Little).
#[test]
fn nacks_on_a_window_with_a_round_trip_keep_only_the_retry_count() {
    let results = results(single_queue(exponential(1.0), 0.5, 2, |q| {
        q.prefetch(2)
            .ack(round_trip(2.0))
            .retry(0.25, None, Redelivery::Head)
    }));
    let row = first_row(&results);
    let theory = row.theory.as_ref().expect("the retry counts");
    assert!(!theory.metrics.contains_key(&Metric::MeanWait));
    assert_agrees(&results, "q", None, Metric::RetriesPerMessage);
    let interval = |metric| row.simulation.as_ref().expect("simulation").metrics[&metric];
    let (in_system, ready, unacked) = (
        interval(Metric::MeanInSystem),
        interval(Metric::MeanReady),
        interval(Metric::MeanUnacked),
    );
    let awaiting = unacked.mean - (in_system.mean - ready.mean);
    let expected = 0.5 * (4.0 / 3.0) * 2.0;
    let slack = unacked.half_width() + in_system.half_width() + ready.half_width();
    assert!(
        (awaiting - expected).abs() <= slack,
        "{awaiting} vs {expected} ± {slack}"
    );
}

/// A delivery trip d on prefetch 1, one consumer, acknowledged at once:
/// the slot leaves the ready line for d + S, so the ready line is the
/// M/G/1 waiting line with service S' = d + S, and a message waits W_q + d
/// for its service. By hand (Pollaczek–Khinchine), λ = 0.5, d = 0.5,
/// S ~ exp(1): E\[S'\] = 1.5, ρ' = 0.75, E\[S'²\] = d² + 2d + 2 = 3.25,
/// W_q = λ E\[S'²\] / (2(1 − ρ')) = 3.25.
#[test]
fn a_delivery_trip_on_prefetch_one_is_mg1_with_the_trip_in_each_slot() {
    let results = results(single_queue(exponential(1.0), 0.5, 1, |q| {
        q.prefetch(1).delivery(round_trip(0.5))
    }));
    let row = first_row(&results);
    assert!(row.theory.is_none(), "no formula covers the trip");
    let simulation = row.simulation.as_ref().expect("simulation");
    for (metric, by_hand) in [
        (Metric::MeanWait, 3.25 + 0.5),
        (Metric::MeanSojourn, 3.25 + 0.5 + 1.0),
        // Little: the ready line holds λ W_q, the windows λ (d + S).
        (Metric::MeanReady, 0.5 * 3.25),
        (Metric::MeanUnacked, 0.5 * 1.5),
    ] {
        assert_within("trip", metric, by_hand, &simulation.metrics[&metric]);
    }
}

#[test]
fn unlimited_prefetch_is_a_round_robin_split() {
    let results = results(single_queue(exponential(1.0), 2.4, 3, |q| {
        q.prefetch(UNLIMITED_PREFETCH).ack(round_trip(2.0))
    }));
    for metric in [
        Metric::MeanWait,
        Metric::MeanSojourn,
        Metric::PWait,
        Metric::WaitP90,
        Metric::SojournP50,
        Metric::MeanUnacked,
    ] {
        assert_agrees(&results, "q", None, metric);
    }
    // Every message is delivered at once.
    assert_eq!(simulated(first_row(&results), Metric::MeanReady), 0.0);
    assert_eq!(
        simulated(first_row(&results), Metric::ConsumerUtilisation),
        1.0
    );
}

const WINDOW: &str = queue_text!(
    "window",
    "replications = 2
customers = 20_000
",
    "{ dist = \"exponential\", rate = RATE }",
    "consumers = 2
service = { dist = \"exponential\", mean = 1.0 }
prefetch = 2
ack = { dist = \"deterministic\", value = 2.0 }
",
);

#[test]
fn a_finite_window_with_a_round_trip_has_no_formula_and_holds_its_slots() {
    let results = crate::common::run(&scenario(&WINDOW.replace("RATE", "0.5")));
    let row = &results.points[0].results[0];
    assert!(row.theory.is_none());
    // What is unacknowledged beyond the messages at the consumers awaits
    // its acknowledgement: λ·RTT = 1 by Little's law.
    let at_consumers = simulated(first_row(&results), Metric::MeanInSystem)
        - simulated(first_row(&results), Metric::MeanReady);
    let awaiting_ack = simulated(first_row(&results), Metric::MeanUnacked) - at_consumers;
    assert!((awaiting_ack - 1.0).abs() < 0.05, "{awaiting_ack}");
}

#[test]
fn a_load_the_windows_cannot_carry_is_refused() {
    // Exact MVA of 2 slots, S = 1, RTT = 2: n = 1 gives X = 1/3, Q = 1/3;
    // n = 2 gives R = 4/3, X = 2/(4/3 + 2) = 0.6, a busy share of 0.6 per
    // consumer, so 2 consumers carry at most 1.2.
    let tmp = tempfile::TempDir::new().unwrap();
    let file = tmp.path().join("window.toml");
    std::fs::write(&file, WINDOW.replace("RATE", "1.3")).unwrap();
    refuses(&["check"], &file, &["window.toml", "busy only 0.6000"]);
    std::fs::write(&file, WINDOW.replace("RATE", "1.1")).unwrap();
    check_passes(&file);
}

#[test]
fn what_windows_do_not_support_is_refused_naming_the_key() {
    let base = WINDOW.replace("RATE", "0.5");
    let cases = [
        (
            "capacity = 10\n",
            "queues.q.capacity",
            "do not support a `capacity`",
        ),
        (
            "discipline = \"processor-sharing\"\n",
            "queues.q.discipline",
            "`fifo`, `lifo` or `random`",
        ),
        ("prefetch = \"many\"\n", "prefetch", "\"unlimited\""),
    ];
    for (extra, key, message) in cases {
        let text = if extra.starts_with("prefetch") {
            base.replace("prefetch = 2\n", extra)
        } else {
            format!("{base}{extra}")
        };
        let tmp = tempfile::TempDir::new().unwrap();
        let file = tmp.path().join("bad.toml");
        std::fs::write(&file, text).unwrap();
        refuses(&["check"], &file, &["bad.toml", key, message]);
    }
    let ack_alone = base.replace("prefetch = 2\n", "");
    let tmp = tempfile::TempDir::new().unwrap();
    let file = tmp.path().join("bad.toml");
    std::fs::write(&file, ack_alone).unwrap();
    refuses(&["check"], &file, &["queues.q.ack"]);
    let delivery_alone = base
        .replace("prefetch = 2\n", "")
        .replace("ack =", "delivery =");
    std::fs::write(&file, delivery_alone).unwrap();
    refuses(&["check"], &file, &["queues.q.delivery", "set `prefetch`"]);
}

#[test]
fn live_runs_refuse_prefetch_windows() {
    let model = scenario(&WINDOW.replace("RATE", "0.5")).points[0]
        .model
        .clone();
    let why = queuelab::scenario::live_settings::unsupported(&model).expect("refused");
    assert!(why.contains("prefetch"), "{why}");
}
