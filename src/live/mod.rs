//! Live runs: the scenario's single queue built from real in-process
//! queues (crossbeam-channel, std mpsc, mutex-guarded containers) and real
//! threads, driven by a pre-generated schedule and measured with wall
//! clocks (../shared/live-method.md describes the method). The simulator is
//! never called from here: the replay comparison is assembled by the caller
//! from [`LiveRun::replay_input`].

mod channel;
mod clock;
mod harness;
mod health;
mod measure;
mod timeline;

use std::sync::atomic::AtomicBool;

pub use channel::{ChannelKind, Message, MessageQueue, Popped};
pub use clock::{SchedulingMode, WaitMethod};
pub use harness::{NEVER, Stamps};
pub use health::Health;
pub use measure::{BATCHES, BatchValues, measure, summarise};
pub use timeline::{Planned, Timeline};

use crate::dist::Dist;
use crate::model::{Arrivals, Discipline, Model};

/// Most messages a live run may plan: its schedule, stamps and replay
/// take about 200 bytes a message at their peak, so this bounds them to
/// about 1 GiB.
pub const MAX_MESSAGES: f64 = 5_000_000.0;

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

/// Why a model cannot run live, or `None` when it can.
pub fn unsupported(model: &Model) -> Option<String> {
    if model.queues.len() != 1 {
        return Some(format!(
            "live runs drive a single queue; this model has {} (networks are not supported live yet)",
            model.queues.len()
        ));
    }
    let queue = &model.queues[0];
    if queue.is_unlimited() {
        return Some("live runs need a finite number of consumers".into());
    }
    if !matches!(
        queue.discipline,
        Discipline::Fifo | Discipline::Lifo | Discipline::Priority
    ) {
        return Some(format!(
            "live runs serve fifo, lifo and priority; queue `{}` is {}",
            queue.name,
            queue.discipline.name()
        ));
    }
    if queue.patience.is_some() {
        return Some("live runs do not expire messages (`patience`)".into());
    }
    if let Some(producer) = model
        .producers
        .iter()
        .find(|p| matches!(p.arrivals, Arrivals::Closed { .. }))
    {
        return Some(format!(
            "live runs drive open producers only; `{}` is a closed loop",
            producer.name
        ));
    }
    if let Some(producer) = model.producers.iter().find(|p| {
        matches!(
            p.arrivals,
            Arrivals::Open {
                interarrival: Dist::Sequence { .. }
            }
        )
    }) {
        return Some(format!(
            "live runs send for a fixed wall time, which a recorded trace may not fill; `{}` replays a `trace` (not supported live yet)",
            producer.name
        ));
    }
    if let Some(producer) = model.producers.iter().find(|p| p.profile.is_some()) {
        return Some(format!(
            "live runs measure a steady state over a fixed wall time; `{}` follows a `rate_profile` (not supported live)",
            producer.name
        ));
    }
    None
}

/// The channels of `channels` that serve `model`'s queue discipline.
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

/// The result rows a live run measures, in result order: the queue as a
/// whole (`None`), then each class when the model has several.
pub fn rows(model: &Model) -> Vec<Option<usize>> {
    let classes = if model.has_classes() {
        model.classes.len()
    } else {
        0
    };
    std::iter::once(None)
        .chain((0..classes).map(Some))
        .collect()
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
/// and classes, and each message's realised service time (its planned
/// requirement where it was never served).
#[derive(Clone, Debug)]
pub struct ReplayInput {
    /// (arrival time, class) of every sent message, in arrival order.
    pub arrivals: Vec<(f64, usize)>,
    /// Service time of each, same order.
    pub services: Vec<f64>,
    /// The timeline, to measure the replay in the same windows.
    pub timeline: Timeline,
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
    let budget_ns = timeline.end + (DRAIN_MARGIN_SECONDS * 1e9) as u64;
    let machine = health::MachineLoad::start();
    let execution = harness::execute(model, &timeline, channel, budget_ns, stop);
    if stop.load(std::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    let load = machine.busy_shares();
    let queue = &model.queues[0];
    let batches = rows(model)
        .into_iter()
        .map(|class| {
            measure(
                &timeline,
                &execution.stamps,
                queue.consumers,
                queue.capacity.is_some(),
                class,
            )
        })
        .collect();
    let health = Health::assess(&timeline, &execution, load);
    let replay_input = ReplayInput::realised(&timeline, &execution.stamps);
    Some(LiveRun {
        channel,
        batches,
        health,
        replay_input,
    })
}

impl ReplayInput {
    fn realised(timeline: &Timeline, stamps: &Stamps) -> ReplayInput {
        let units = |ns: u64| ns as f64 / timeline.ns_per_unit;
        let mut input = ReplayInput {
            arrivals: Vec::new(),
            services: Vec::new(),
            timeline: timeline.clone(),
        };
        for (id, planned) in timeline.messages.iter().enumerate() {
            if stamps.sent[id] == NEVER {
                break;
            }
            input
                .arrivals
                .push((units(planned.scheduled), planned.class));
            let served = stamps.done[id] != NEVER;
            input.services.push(if served {
                units(stamps.done[id] - stamps.dequeued[id])
            } else {
                units(planned.service)
            });
        }
        input
    }
}

/// Stamps of a replay: each message dequeued `wait` after its scheduled
/// arrival and done after its service, `None` waits marking rejections.
pub fn replay_stamps(input: &ReplayInput, waits: &[Option<f64>]) -> Stamps {
    let timeline = &input.timeline;
    let count = timeline.messages.len();
    let ns = |units: f64| (units * timeline.ns_per_unit).round() as u64;
    let mut stamps = Stamps {
        sent: vec![NEVER; count],
        rejected: vec![false; count],
        idle_since: vec![NEVER; count],
        dequeued: vec![NEVER; count],
        done: vec![NEVER; count],
    };
    for (id, (wait, service)) in waits.iter().zip(&input.services).enumerate() {
        let scheduled = timeline.messages[id].scheduled;
        stamps.sent[id] = scheduled;
        match wait {
            Some(wait) => {
                stamps.dequeued[id] = scheduled + ns(*wait);
                stamps.done[id] = stamps.dequeued[id] + ns(*service);
            }
            None => stamps.rejected[id] = true,
        }
    }
    stamps
}
