//! The producer and consumer threads every bench driver runs, whatever
//! the broker: the producer publishes each message at its scheduled
//! instant (at once when late), a consumer serves each delivery to
//! start + its planned service and then acknowledges it, as live's
//! threads do, or, for a delivery the plan fails, nacks it with requeue.
//! A driver supplies the broker's publish, acknowledge and nack
//! ([`Broker`]) and hands each consumer thread its deliveries.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crossbeam_channel::Receiver;

use super::stamps::{BrokerStamps, DEAD_LETTERED, NACKED, payload};
use super::{BenchError, BenchRun, BrokerKind, BrokerMeasures, DepthSamples, Latency, Saturation};
use crate::live::{
    self, Channel, Clock, Execution, LiveRun, MachineLoad, SchedulingMode, Timeline, WaitMethod,
    Waiter,
};
use crate::model::Model;

/// How long a consumer waits for a delivery before checking whether the
/// run is over.
const POLL: Duration = Duration::from_millis(20);

/// Round trips of one message each that measure the unloaded transit D0
/// before a run.
pub(super) const TRANSIT_ROUND_TRIPS: usize = 200;

/// The tokio runtime that carries a broker client's I/O: two workers
/// beside the bench's own threads.
#[cfg(any(feature = "rabbitmq", feature = "nats"))]
pub(super) fn io_runtime() -> Result<tokio::runtime::Runtime, BenchError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| BenchError::Broker(format!("cannot start the I/O runtime: {e}")))
}

/// A name unique to this run (process id and the time in ns), for the
/// queue, stream or topic it declares and deletes.
pub(super) fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("queuelab-bench-{}-{nanos}", std::process::id())
}

/// A run's outcome once what it declared was deleted (the run's own error
/// first, then the deletion's), with the broker's address as `shown`.
pub(super) fn finish_run(
    outcome: Result<Option<BenchRun>, BenchError>,
    deleted: Result<(), BenchError>,
    shown: String,
) -> Result<Option<BenchRun>, BenchError> {
    let mut outcome = outcome?;
    deleted?;
    if let Some(run) = &mut outcome {
        run.broker.url = shown;
    }
    Ok(outcome)
}

/// A broker as the bench threads use it.
pub(super) trait Broker: Sync {
    /// What a consumer thread needs to acknowledge one delivery.
    type Ack: Send;

    /// Publishes `payload`; `on_confirm` runs when the broker confirms
    /// it (`true`) or refuses it (`false`, a publisher nack).
    fn publish(
        &self,
        payload: &[u8],
        on_confirm: impl FnOnce(bool) + Send + 'static,
    ) -> Result<(), BenchError>;

    /// Acknowledges one delivery.
    fn ack(&self, ack: Self::Ack) -> Result<(), BenchError>;

    /// Hands one delivery back to be delivered again (a nack with
    /// requeue): a failed delivery of a model with `retry`, which only
    /// the drivers that override this run.
    fn nack(&self, ack: Self::Ack) -> Result<(), BenchError> {
        let _ = ack; // nothing to hand back to
        Err(BenchError::Broker(
            "this broker's bench driver does not requeue failed deliveries".to_string(),
        ))
    }

    /// True when the delivery repeats one made before (its lease ran
    /// out): the consumer serves it for the message's work again, and it
    /// leaves no stamps. None does unless the driver says so.
    fn is_duplicate(_ack: &Self::Ack) -> bool {
        false
    }
}

/// A delivery handed to a consumer thread: the message's sequence number
/// and what acknowledges it.
pub(super) type Delivered<A> = (usize, A);

/// What a driver set up for the run, reported beside the measurements.
pub(super) struct Setup {
    /// The broker.
    pub kind: BrokerKind,
    /// The queue, subject or topic the run declared.
    pub queue: String,
    /// Each consumer's window of unacknowledged deliveries (0: unlimited).
    pub prefetch: u32,
    /// The unloaded transit D0, measured before the run.
    pub transit_unloaded: Latency,
    /// The broker's saturation rate, measured before the run.
    pub saturation: Option<Saturation>,
}

/// Samples of the queue's depth during the run, taken by a driver's
/// sampler (see `depth.rs`) until [`Sampler::finish`].
pub(super) trait Sampler {
    /// Stops sampling: the samples' summary, if any.
    fn finish(self) -> Option<DepthSamples>;
}

/// The sampler of a driver that reads no queue depth from its broker.
#[cfg(feature = "kafka")]
pub(super) struct NoDepth;

#[cfg(feature = "kafka")]
impl Sampler for NoDepth {
    fn finish(self) -> Option<DepthSamples> {
        None
    }
}

/// Runs the producer and one thread per receiver of `deliveries` on the
/// clock `clock` (started before the consumers subscribed), stamping into
/// `stamps`, while `sampler` samples the broker's queue; `None` when
/// `stop` was set before the run finished.
pub(super) fn drive<B: Broker, S: Sampler>(
    (broker, sampler): (&B, S),
    model: &Model,
    timeline: &Timeline,
    (stamps, clock): (&Arc<BrokerStamps>, Clock),
    deliveries: &[Receiver<Delivered<B::Ack>>],
    setup: Setup,
    stop: &AtomicBool,
) -> Option<BenchRun> {
    let machine = MachineLoad::start();
    let shared = Shared {
        broker,
        timeline,
        stamps,
        clock,
        budget_ns: live::budget_ns(timeline),
        sending: AtomicBool::new(true),
    };
    let results: Vec<(SchedulingMode, u64)> = std::thread::scope(|scope| {
        let consumer_threads: Vec<_> = deliveries
            .iter()
            .map(|receiver| {
                let shared = &shared;
                scope.spawn(move || consume(shared, receiver, stop))
            })
            .collect();
        let producer = scope.spawn(|| produce(&shared, stop));
        std::iter::once(producer)
            .chain(consumer_threads)
            // A bench thread only panics on a bug; report it as such.
            .map(|thread| thread.join().expect("bench thread panicked"))
            .collect()
    });
    let depth = sampler.finish();
    if stop.load(Ordering::Relaxed) {
        return None;
    }
    let (modes, switches): (Vec<SchedulingMode>, Vec<u64>) = results.into_iter().unzip();
    let execution = Execution::of(
        timeline,
        stamps.live_stamps(),
        modes,
        WaitMethod::CompensatedSleep,
        switches.iter().sum(),
    );
    let live = LiveRun::measured(
        model,
        timeline,
        Channel::Broker(setup.kind),
        &execution,
        machine,
    );
    // Summarised over the messages the live metrics measure: the warm-up's
    // (a cold connection's stalls of tens of ms) would skew the replay.
    let measured = timeline.measured_messages();
    let broker = BrokerMeasures {
        broker: setup.kind,
        url: String::new(),
        queue: setup.queue,
        prefetch: setup.prefetch,
        consumers: deliveries.len() as u32,
        transit_unloaded: setup.transit_unloaded,
        saturation: setup.saturation,
        publish_to_delivery: stamps.latency(&stamps.sent, &stamps.delivered, measured.clone()),
        publish_to_confirm: stamps.latency(&stamps.sent, &stamps.confirmed, measured.clone()),
        publish_lag: Some(stamps.lag(&timeline.messages, measured.clone())),
        service_end_to_ack: stamps.latency(&stamps.done, &stamps.acked, measured.clone()),
        ack_to_next_delivery: stamps.turnaround(measured),
        redelivered: stamps.redelivered.load(Ordering::Relaxed),
        nacked: stamps.nacked(),
        depth,
        refused: stamps.refusals(NACKED),
        refused_dead_lettered: stamps.refusals(DEAD_LETTERED),
        expired: BrokerStamps::count(&stamps.expired),
        dropped: BrokerStamps::count(&stamps.dropped),
        replay_turnaround: 0.0,
        replay_delivery: 0.0,
        replay_ttl_start: 0.0,
        theory_with_transit: None,
        group: None,
    };
    Some(BenchRun { live, broker })
}

/// What the producer and consumer threads share.
struct Shared<'a, B> {
    broker: &'a B,
    timeline: &'a Timeline,
    stamps: &'a Arc<BrokerStamps>,
    clock: Clock,
    budget_ns: u64,
    /// The producer has messages left to send.
    sending: AtomicBool,
}

impl<B> Shared<'_, B> {
    /// Every message sent was settled (served, refused or dead-lettered)
    /// after the producer finished, or the run was stopped or is over
    /// its time budget: the consumers can stop.
    fn over(&self, stop: &AtomicBool) -> bool {
        (!self.sending.load(Ordering::SeqCst) && self.stamps.unsettled.load(Ordering::SeqCst) == 0)
            || stop.load(Ordering::Relaxed)
            || self.clock.now() >= self.budget_ns
    }
}

/// Publishes each message at its scheduled instant (at once when late).
fn produce<B: Broker>(shared: &Shared<B>, stop: &AtomicBool) -> (SchedulingMode, u64) {
    let mode = live::prepare_thread();
    let clock = shared.clock;
    let mut waiter = Waiter::new(WaitMethod::CompensatedSleep, true);
    for (sequence, planned) in shared.timeline.messages.iter().enumerate() {
        if clock.now() >= shared.budget_ns || !waiter.wait_until(&clock, planned.scheduled, stop) {
            break;
        }
        shared.stamps.unsettled.fetch_add(1, Ordering::SeqCst);
        let sent = clock.now();
        let stamps = Arc::clone(shared.stamps);
        let confirmed = move |acked: bool| {
            if acked {
                stamps.confirmed[sequence].store(clock.now(), Ordering::Relaxed);
            } else {
                stamps.refused(sequence);
            }
        };
        if shared
            .broker
            .publish(&payload(sequence, planned.scheduled, sent), confirmed)
            .is_err()
        {
            shared.stamps.settled();
            break;
        }
        shared.stamps.sent[sequence].store(sent, Ordering::Relaxed);
    }
    shared.sending.store(false, Ordering::SeqCst);
    live::finish_thread(mode)
}

/// A consumer: serves each delivery to start + its planned service, then
/// acknowledges it (a duplicate too, without stamps), or nacks it with
/// requeue when the plan says this delivery of the message fails.
fn consume<B: Broker>(
    shared: &Shared<B>,
    deliveries: &Receiver<Delivered<B::Ack>>,
    stop: &AtomicBool,
) -> (SchedulingMode, u64) {
    let mode = live::prepare_thread();
    let clock = shared.clock;
    let mut waiter = Waiter::new(WaitMethod::CompensatedSleep, false);
    let mut idle_since = clock.now();
    let mut previous_done = idle_since;
    while !shared.over(stop) {
        let Ok((sequence, ack)) = deliveries.recv_timeout(POLL) else {
            continue;
        };
        let started = clock.now();
        let stamps = shared.stamps;
        let visit = shared.timeline.messages[sequence].visits.start;
        let delivery = stamps.failures[sequence].load(Ordering::Relaxed);
        // A delivery past the plan's last (the broker's own redelivery)
        // succeeds.
        let (service, fails) = shared
            .timeline
            .delivery(visit, delivery)
            .unwrap_or((shared.timeline.visits[visit].service, false));
        let deadline = started + service;
        if deadline > shared.budget_ns || !waiter.wait_until(&clock, deadline, stop) {
            break;
        }
        let done = clock.now();
        if fails {
            // Counted first: the broker may redeliver it at once.
            stamps.failed(sequence, started, done);
            if shared.broker.nack(ack).is_err() {
                break;
            }
            idle_since = clock.now();
            previous_done = done;
            continue;
        }
        let duplicate = B::is_duplicate(&ack);
        if shared.broker.ack(ack).is_err() {
            break;
        }
        let acked = clock.now();
        if duplicate {
            // Wasted work: the consumer was busy, the message's stamps
            // are its first delivery's.
            idle_since = acked;
            previous_done = done;
            continue;
        }
        stamps.acked[sequence].store(acked, Ordering::Relaxed);
        stamps.idle_since[sequence].store(idle_since, Ordering::Relaxed);
        stamps.previous_done[sequence].store(previous_done, Ordering::Relaxed);
        stamps.started[sequence].store(started, Ordering::Relaxed);
        stamps.done[sequence].store(done, Ordering::Relaxed);
        idle_since = acked;
        previous_done = done;
        stamps.settled();
    }
    live::finish_thread(mode)
}
