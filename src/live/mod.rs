//! Live runs: the scenario's queues built from real in-process queues
//! (crossbeam-channel, std mpsc, mutex-guarded containers) and real
//! threads, one set of consumers per queue forwarding messages along the
//! routing, driven by a pre-generated schedule and measured with wall
//! clocks (the README section "Live runs" describes the method). A single queue
//! is the one-queue network. The simulator is never called from here: the
//! replay comparison is assembled by the caller from
//! [`LiveRun::replay_input`].

mod channel;
mod clock;
mod harness;
mod health;
mod journey;
mod measure;
mod timeline;

use std::sync::atomic::AtomicBool;

pub use channel::{Message, MessageQueue, Popped};
/// What a broker driver (`bench`) shares with the harness's threads.
#[cfg(any(feature = "rabbitmq", feature = "nats", feature = "kafka"))]
pub(crate) use clock::{Clock, Waiter, prepare_thread};
pub use clock::{SchedulingMode, WaitMethod};
#[cfg(any(feature = "rabbitmq", feature = "nats", feature = "kafka"))]
pub(crate) use harness::finish_thread;
pub use harness::{Execution, FailedDelivery, NEVER, Stamps};
pub(crate) use health::MachineLoad;
pub use health::{Health, MessageCounts, QueueCounts};
pub use journey::{Journey, Journeys, VisitStamps};
pub use measure::{BATCHES, BatchValues, measure, summarise, summarise_differences};
pub use timeline::{Planned, PlannedVisit, Timeline, Window};

/// The settings and the features live runs support are declared beside
/// the scenario, which validates them; they are live's all the same.
pub use crate::scenario::live_settings::{
    BrokerKind, Channel, ChannelKind, LiveSettings, channels_for, unsupported,
};

use crate::model::Model;
use crate::model::Target;

/// Extra wall time a run may take beyond its scheduled length, for the
/// consumers to drain, before it is stopped.
pub const DRAIN_MARGIN_SECONDS: f64 = 2.0;

/// The result rows a live run measures, in result order: each queue (then
/// the network end to end, when there are several), each followed by its
/// classes when the model has several; the rows of the simulation but a
/// partitioned queue's partition rows, which come last and which live's
/// stamps (no partition per message) cannot tell apart.
pub fn rows(model: &Model) -> Vec<Target> {
    let mut rows = crate::model::targets(model);
    rows.retain(|row| row.partition.is_none());
    rows
}

/// One channel's (or broker's) live run at one point.
#[derive(Clone, Debug)]
pub struct LiveRun {
    /// The implementation measured.
    pub channel: Channel,
    /// Per-batch metric values for each of [`rows`]`(model)`.
    pub batches: Vec<BatchValues>,
    /// How trustworthy the measurement is.
    pub health: Health,
    /// What a replay through the simulator needs.
    pub replay_input: ReplayInput,
}

/// The realised run as model-time inputs for a replay: arrival instants
/// and producers, and per queue the realised services in the order
/// messages arrived there (or were requeued), which deliveries failed,
/// and the routing in the order they left.
#[derive(Clone, Debug)]
pub struct ReplayInput {
    /// (arrival time, producer) of every sent message, in arrival order.
    pub arrivals: Vec<(f64, usize)>,
    /// Per queue, the service time of each arrival there, in live arrival
    /// order (realised where served, planned otherwise), with the
    /// realised service of each redelivery where its failed delivery
    /// ended (the simulation draws it then), then the planned services of
    /// the visits the live run never reached, in plan order, for a replay
    /// that routes or rejects differently.
    pub services: Vec<Vec<f64>>,
    /// Per queue, whether each delivery of a message served there failed
    /// (it was requeued and delivered again), in the order they ended.
    pub failures: Vec<Vec<bool>>,
    /// Per queue, the next queue (`None`: left) of each message served
    /// there, in live departure order.
    pub routes: Vec<Vec<Option<usize>>>,
    /// Windows and time scale, to measure the replay in the same windows.
    pub window: Window,
}

/// Runs `model` live on `channel` with `settings`; the schedule comes from
/// `seed`. Returns `None` when `stop` was set (Ctrl-C) before it finished.
pub fn run(
    model: &Model,
    settings: &LiveSettings,
    channel: ChannelKind,
    seed: u64,
    stop: &AtomicBool,
) -> Option<LiveRun> {
    let timeline = Timeline::plan(model, settings, seed);
    let machine = MachineLoad::start();
    let execution = harness::execute(model, &timeline, channel, budget_ns(&timeline), stop);
    if stop.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    Some(LiveRun::measured(
        model,
        &timeline,
        Channel::InProcess(channel),
        &execution,
        machine,
    ))
}

/// The run's clock reading (ns) at which a run of `timeline` is stopped
/// whether or not it drained: its end plus [`DRAIN_MARGIN_SECONDS`].
pub fn budget_ns(timeline: &Timeline) -> u64 {
    timeline.window.end + (DRAIN_MARGIN_SECONDS * 1e9) as u64
}

impl LiveRun {
    /// The metrics, health and replay input of `execution` of `timeline`
    /// on `channel`, which ran while `machine` was watched: the common end
    /// of an in-process run and a broker's (`queuelab bench`).
    pub(crate) fn measured(
        model: &Model,
        timeline: &Timeline,
        channel: Channel,
        execution: &Execution,
        machine: MachineLoad,
    ) -> LiveRun {
        let load = machine.busy_shares();
        let journeys = Journeys::live(timeline, &execution.stamps);
        let batches = rows(model)
            .into_iter()
            .map(|target| measure(&timeline.window, &journeys, model, target))
            .collect();
        LiveRun {
            channel,
            batches,
            health: Health::assess(model, timeline, execution, load),
            replay_input: ReplayInput::realised(model, timeline, &execution.stamps),
        }
    }
}

impl ReplayInput {
    fn realised(model: &Model, timeline: &Timeline, stamps: &Stamps) -> ReplayInput {
        let window = timeline.window;
        let units = |ns: u64| ns as f64 / window.ns_per_unit;
        let queues = model.queues.len();
        // (instant, visit, value) per queue, sorted by instant then visit.
        let mut arrived: Vec<Vec<(u64, usize, f64)>> = vec![Vec::new(); queues];
        let mut ended: Vec<Vec<(u64, usize, bool)>> = vec![Vec::new(); queues];
        let mut departed: Vec<Vec<(u64, usize, Option<usize>)>> = vec![Vec::new(); queues];
        let mut unreached: Vec<Vec<f64>> = vec![Vec::new(); queues];
        let mut arrivals = Vec::new();
        let mut failed = stamps.failed.as_slice();
        for planned in &timeline.messages {
            if stamps.arrived[planned.visits.start] == NEVER {
                break;
            }
            arrivals.push((units(planned.scheduled), planned.producer));
            for visit in planned.visits.clone() {
                let spec = &timeline.visits[visit];
                let queue = spec.queue as usize;
                let (dequeued, done) = (stamps.dequeued[visit], stamps.done[visit]);
                let failures = harness::failures_of(&mut failed, visit);
                if stamps.arrived[visit] == NEVER {
                    unreached[queue].push(units(spec.service));
                    continue;
                }
                let at = if visit == planned.visits.start {
                    planned.scheduled
                } else {
                    stamps.arrived[visit]
                };
                if done == NEVER {
                    arrived[queue].push((at, visit, units(spec.service)));
                    continue;
                }
                // Each delivery's service: the failed ones', then the
                // last, what is left of the time in service.
                let failed_ns: u64 = failures.iter().map(|f| f.done - f.started).sum();
                let last = units((done - dequeued).saturating_sub(failed_ns));
                let service = |k: usize| {
                    failures
                        .get(k)
                        .map_or(last, |f: &FailedDelivery| units(f.done - f.started))
                };
                arrived[queue].push((at, visit, service(0)));
                for (k, failure) in failures.iter().enumerate() {
                    arrived[queue].push((failure.done, visit, service(k + 1)));
                    ended[queue].push((failure.done, visit, true));
                }
                ended[queue].push((done, visit, false));
                let next = timeline
                    .next_visit(visit)
                    .map(|next| timeline.visits[next].queue as usize);
                departed[queue].push((done, visit, next));
            }
        }
        let services = arrived
            .into_iter()
            .zip(unreached)
            .map(|(arrived, unreached)| {
                let mut services = in_order(arrived);
                services.extend(unreached);
                services
            })
            .collect();
        ReplayInput {
            arrivals,
            services,
            failures: ended.into_iter().map(in_order).collect(),
            routes: departed.into_iter().map(in_order).collect(),
            window,
        }
    }
}

/// The values of `events` (instant, visit, value) by instant, then visit.
fn in_order<T>(mut events: Vec<(u64, usize, T)>) -> Vec<T> {
    events.sort_unstable_by_key(|&(at, visit, _)| (at, visit));
    events.into_iter().map(|(_, _, value)| value).collect()
}
