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

pub use channel::{ChannelKind, Message, MessageQueue, Popped};
pub use clock::{SchedulingMode, WaitMethod};
pub use harness::{NEVER, Stamps};
pub use health::{Health, MessageCounts, QueueCounts};
pub use journey::{Journey, Journeys, VisitStamps};
pub use measure::{BATCHES, BatchValues, measure, summarise};
pub use timeline::{Planned, PlannedVisit, Timeline, Window};

use crate::model::Target;
use crate::model::{Discipline, Feature, Features, Model};

/// Most visits (a message at one queue) a live run may plan: its schedule,
/// stamps, journeys and replay take about 200 bytes a visit at their peak,
/// so this bounds them to about 1 GiB.
pub const MAX_VISITS: f64 = 5_000_000.0;

/// Extra wall time a run may take beyond its scheduled length, for the
/// consumers to drain, before it is stopped.
pub const DRAIN_MARGIN_SECONDS: f64 = 2.0;

/// `[compare] live` settings.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveSettings {
    /// Queue implementations to measure, each in its own run.
    pub channels: Vec<ChannelKind>,
    /// Wall milliseconds per model time unit.
    pub time_scale_ms: f64,
    /// Measured wall seconds per point and channel.
    pub seconds: f64,
    /// Wall seconds discarded first.
    pub warmup_seconds: f64,
}

/// Default wall length of a mean service, in ms.
pub const DEFAULT_SERVICE_MS: f64 = 2.0;

impl LiveSettings {
    /// The time scale that makes `model`'s longest mean service
    /// [`DEFAULT_SERVICE_MS`] of wall time.
    pub fn default_time_scale(model: &Model) -> f64 {
        let longest = model
            .queues
            .iter()
            .enumerate()
            .flat_map(|(queue, _)| (0..model.classes.len()).map(move |class| (queue, class)))
            .map(|(queue, class)| model.service(queue, class).mean())
            .fold(0.0, f64::max);
        DEFAULT_SERVICE_MS / longest
    }
}

/// What a live run reproduces on real threads and queues: open producers
/// with any interarrival distribution, classes with their own services,
/// FIFO, LIFO and priority channels, capacities and routing. Anything else
/// is refused.
const SUPPORTED: Features = Features::of(&[
    Feature::RenewalArrivals,
    Feature::Classes,
    Feature::ClassService,
    Feature::GeneralService,
    Feature::Lifo,
    Feature::Priority,
    Feature::Capacity,
    Feature::Routing,
]);

/// Why a model cannot run live, or `None` when it can.
pub fn unsupported(model: &Model) -> Option<String> {
    model
        .feature_sites()
        .into_iter()
        .find(|(feature, _)| !SUPPORTED.contains(*feature))
        .map(|(feature, site)| {
            format!(
                "live runs do not support {} ({site}){}",
                feature.describe(),
                reason(feature)
            )
        })
        .or_else(|| mixed_disciplines(model))
        .or_else(|| too_many_threads(model))
}

/// Why a live run cannot do `feature`, where a reason helps.
fn reason(feature: Feature) -> &'static str {
    match feature {
        Feature::UnlimitedConsumers => ": they start one thread per consumer",
        Feature::ClosedLoop => ": they drive open producers only",
        Feature::TraceArrivals => {
            ": they send for a fixed wall time, which a recorded trace may not fill"
        }
        Feature::RateProfile | Feature::ConsumerSchedule => {
            ": they measure a steady state over a fixed wall time"
        }
        _ => "",
    }
}

/// Most consumer threads a live run starts (one per consumer, all queues).
pub const MAX_CONSUMER_THREADS: u64 = 256;

/// Why `model` would start more consumer threads than a live run allows.
fn too_many_threads(model: &Model) -> Option<String> {
    let consumers: u64 = model.queues.iter().map(|q| u64::from(q.consumers)).sum();
    (consumers > MAX_CONSUMER_THREADS).then(|| {
        format!(
            "a live run starts one thread per consumer, at most {MAX_CONSUMER_THREADS}; this model has {consumers} consumers (scale the model down, e.g. fewer consumers with shorter services)"
        )
    })
}

/// Why the queues of `model` cannot share one channel kind, if they cannot.
fn mixed_disciplines(model: &Model) -> Option<String> {
    let first = &model.queues[0];
    let other = model
        .queues
        .iter()
        .find(|q| q.discipline != first.discipline)?;
    Some(format!(
        "every queue of a live network runs on the same channel kind, so they must share a discipline; `{}` is {} but `{}` is {}",
        first.name,
        first.discipline.name(),
        other.name,
        other.discipline.name()
    ))
}

/// The channels of `channels` that serve `model`'s queue discipline (all
/// its queues share one, see [`unsupported`]).
pub fn channels_for(model: &Model, channels: &[ChannelKind]) -> Vec<ChannelKind> {
    let discipline = model.queues[0].discipline;
    channels
        .iter()
        .copied()
        .filter(|c| c.discipline() == discipline)
        .collect()
}

/// The default channel of each discipline among `models` (crossbeam for
/// FIFO, mutex-stack for LIFO, mutex-heap for priority), in first-use order.
pub fn default_channels(models: &[&Model]) -> Vec<ChannelKind> {
    let mut channels = Vec::new();
    for model in models {
        let discipline = model.queues[0].discipline;
        if let Some(channel) = ChannelKind::ALL
            .into_iter()
            .find(|c| c.discipline() == discipline)
            && !channels.contains(&channel)
        {
            channels.push(channel);
        }
    }
    channels
}

/// Checks that every model's queue is served by one of `channels` and every
/// channel serves some model; the error says what to change.
pub fn check_channels(models: &[&Model], channels: &[ChannelKind]) -> Result<(), String> {
    let names = |discipline: Discipline| -> String {
        let fitting: Vec<&str> = ChannelKind::ALL
            .iter()
            .filter(|c| c.discipline() == discipline)
            .map(|c| c.name())
            .collect();
        fitting.join(", ")
    };
    if let Some(model) = models.iter().find(|m| channels_for(m, channels).is_empty()) {
        let queue = &model.queues[0];
        return Err(format!(
            "no listed channel serves queue `{}`, which is {}; channels for {}: {}",
            queue.name,
            queue.discipline.name(),
            queue.discipline.name(),
            names(queue.discipline)
        ));
    }
    if let Some(channel) = channels.iter().find(|c| {
        !models
            .iter()
            .any(|m| m.queues[0].discipline == c.discipline())
    }) {
        return Err(format!(
            "channel `{}` serves {}, but no queue here is {}; use a channel for {}",
            channel.name(),
            channel.discipline().name(),
            channel.discipline().name(),
            names(models[0].queues[0].discipline)
        ));
    }
    Ok(())
}

/// The result rows a live run measures, in result order: each queue (then
/// the network end to end, when there are several), each followed by its
/// classes when the model has several; the rows of the simulation.
pub fn rows(model: &Model) -> Vec<Target> {
    crate::model::targets(model)
}

/// One channel's live run at one point.
#[derive(Clone, Debug)]
pub struct LiveRun {
    /// The implementation measured.
    pub channel: ChannelKind,
    /// Per-batch metric values for each of [`rows`]`(model)`.
    pub batches: Vec<BatchValues>,
    /// How trustworthy the measurement is.
    pub health: Health,
    /// What a replay through the simulator needs.
    pub replay_input: ReplayInput,
}

/// The realised run as model-time inputs for a replay: arrival instants
/// and producers, and per queue the realised services in the order
/// messages arrived there and the routing in the order they left.
#[derive(Clone, Debug)]
pub struct ReplayInput {
    /// (arrival time, producer) of every sent message, in arrival order.
    pub arrivals: Vec<(f64, usize)>,
    /// Per queue, the service time of each arrival there, in live arrival
    /// order (realised where served, planned otherwise), then the planned
    /// services of the visits the live run never reached, in plan order,
    /// for a replay that routes or rejects differently.
    pub services: Vec<Vec<f64>>,
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
    let budget_ns = timeline.window.end + (DRAIN_MARGIN_SECONDS * 1e9) as u64;
    let machine = health::MachineLoad::start();
    let execution = harness::execute(model, &timeline, channel, budget_ns, stop);
    if stop.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    let load = machine.busy_shares();
    let journeys = Journeys::live(&timeline, &execution.stamps);
    let batches = rows(model)
        .into_iter()
        .map(|target| measure(&timeline.window, &journeys, model, target))
        .collect();
    let health = Health::assess(model, &timeline, &execution, load);
    let replay_input = ReplayInput::realised(model, &timeline, &execution.stamps);
    Some(LiveRun {
        channel,
        batches,
        health,
        replay_input,
    })
}

impl ReplayInput {
    fn realised(model: &Model, timeline: &Timeline, stamps: &Stamps) -> ReplayInput {
        let window = timeline.window;
        let units = |ns: u64| ns as f64 / window.ns_per_unit;
        let queues = model.queues.len();
        // (instant, visit, value) per queue, sorted by instant then visit.
        let mut arrived: Vec<Vec<(u64, usize, f64)>> = vec![Vec::new(); queues];
        let mut departed: Vec<Vec<(u64, usize, Option<usize>)>> = vec![Vec::new(); queues];
        let mut unreached: Vec<Vec<f64>> = vec![Vec::new(); queues];
        let mut arrivals = Vec::new();
        for planned in &timeline.messages {
            if stamps.arrived[planned.visits.start] == NEVER {
                break;
            }
            arrivals.push((units(planned.scheduled), planned.producer));
            for visit in planned.visits.clone() {
                let spec = &timeline.visits[visit];
                let queue = spec.queue as usize;
                let (dequeued, done) = (stamps.dequeued[visit], stamps.done[visit]);
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
                arrived[queue].push((at, visit, units(done - dequeued)));
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
