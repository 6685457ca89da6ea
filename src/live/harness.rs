//! Drives real queues through a [`Timeline`]: a producer thread sends each
//! message at its scheduled instant to its first queue, each queue's
//! consumer threads emulate each service to an absolute deadline and
//! forward the message along its planned path, and every visit's
//! nanosecond stamps land in preallocated arrays (relaxed stores: no lock
//! on the hot path).

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use super::ChannelKind;
use super::channel::{Message, MessageQueue, Popped};
use super::clock::{self, Clock, SchedulingMode, WaitMethod, Waiter};
use super::timeline::Timeline;
use crate::model::{Loss, Model};

/// Stamp of an event that never happened.
pub const NEVER: u64 = u64::MAX;

/// How long a consumer waits for a message before checking its budget.
const POLL: Duration = Duration::from_millis(20);

/// Every visit's wall-clock stamps (ns from the run's start), by visit
/// index in the [`Timeline`].
#[derive(Clone, Debug, Default)]
pub struct Stamps {
    /// When it reached its queue: the producer's send for a message's
    /// first visit, the end of the previous visit otherwise ([`NEVER`] if
    /// it never did).
    pub arrived: Vec<u64>,
    /// True when the queue was full and it was rejected.
    pub rejected: Vec<bool>,
    /// When the consumer that served it had become free.
    pub idle_since: Vec<u64>,
    /// When a consumer took it ([`NEVER`] if never served); for a message
    /// delivered again after failed deliveries, its last start less the
    /// services of those, so that it waited (arrival to here) for as long
    /// as it was at the queue but not in service, as the simulation counts.
    pub dequeued: Vec<u64>,
    /// When its service ended ([`NEVER`] if never served).
    pub done: Vec<u64>,
    /// How and when (ns) it was lost waiting, if it was (a broker's TTL
    /// or `drop-head`; an in-process queue loses nothing).
    pub lost: Vec<Option<(Loss, u64)>>,
    /// Every delivery that failed (the message requeued and delivered
    /// again; a broker's nack), by visit, then start; none in process.
    pub failed: Vec<FailedDelivery>,
}

/// A delivery that failed: its message was requeued and delivered again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailedDelivery {
    /// The visit, by index in the [`Timeline`].
    pub visit: usize,
    /// Start of the failed service (ns).
    pub started: u64,
    /// Its end (ns), when the message went back to the queue.
    pub done: u64,
}

/// The failed deliveries of `visit` at the front of `failed` (sorted by
/// visit, then start), past those of earlier visits; `failed` moves past
/// them.
pub(super) fn failures_of<'a>(
    failed: &mut &'a [FailedDelivery],
    visit: usize,
) -> &'a [FailedDelivery] {
    let earlier = failed.iter().take_while(|f| f.visit < visit).count();
    let rest = &failed[earlier..];
    let mine = rest.iter().take_while(|f| f.visit == visit).count();
    *failed = &rest[mine..];
    &rest[..mine]
}

/// What a run of the harness gives besides the stamps.
#[derive(Clone, Debug)]
pub struct Execution {
    /// The stamps.
    pub stamps: Stamps,
    /// Least favourable scheduling mode any harness thread got.
    pub mode: SchedulingMode,
    /// How consumers waited for service deadlines.
    pub wait_method: WaitMethod,
    /// Involuntary context switches of the harness threads.
    pub involuntary_switches: u64,
    /// True when the run was stopped (budget or Ctrl-C) before draining.
    pub stopped_early: bool,
}

/// Runs `timeline` through a new queue of `kind` for each of `model`'s
/// queues, each with its own consumers, which forward every message along
/// its planned path. Returns after every thread has been joined, at the
/// latest at `budget_ns` on the run's clock (then `stopped_early`), or
/// soon after `stop` is set.
pub fn execute(
    model: &Model,
    timeline: &Timeline,
    kind: ChannelKind,
    budget_ns: u64,
    stop: &AtomicBool,
) -> Execution {
    let consumers: usize = model.queues.iter().map(|q| q.consumers as usize).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let wait_method = if consumers < cores {
        WaitMethod::SleepThenSpin
    } else {
        WaitMethod::CompensatedSleep
    };
    let shared = Shared {
        timeline,
        stations: model
            .queues
            .iter()
            .map(|queue| Station {
                queue: kind.build(),
                in_system: AtomicU32::new(0),
                capacity: queue.capacity(),
            })
            .collect(),
        priorities: model.classes.iter().map(|c| c.priority).collect(),
        stamps: AtomicStamps::new(timeline.visits.len()),
        in_flight: AtomicU64::new(0),
        sending: AtomicBool::new(true),
        budget_ns,
    };
    let clock = Clock::start();
    let (modes, switches) = std::thread::scope(|scope| {
        let consumer_threads: Vec<_> = model
            .queues
            .iter()
            .enumerate()
            .flat_map(|(queue, spec)| (0..spec.consumers).map(move |_| queue))
            .map(|queue| {
                let (shared, clock) = (&shared, &clock);
                scope.spawn(move || consumer(shared, queue, clock, wait_method, stop))
            })
            .collect();
        let producer_thread = scope.spawn(|| producer(&shared, &clock, wait_method, stop));
        let mut modes = Vec::with_capacity(consumers + 1);
        let mut switches = 0;
        for handle in std::iter::once(producer_thread).chain(consumer_threads) {
            // A harness thread only panics on a bug; report it as such.
            let (mode, thread_switches) = handle.join().expect("live harness thread panicked");
            modes.push(mode);
            switches += thread_switches;
        }
        (modes, switches)
    });
    Execution::of(
        timeline,
        shared.stamps.into_stamps(),
        modes,
        wait_method,
        switches,
    )
}

impl Execution {
    /// The execution of `timeline` that left `stamps`, its threads having
    /// got `modes` and been switched out `switches` times.
    pub(crate) fn of(
        timeline: &Timeline,
        stamps: Stamps,
        modes: Vec<SchedulingMode>,
        wait_method: WaitMethod,
        switches: u64,
    ) -> Execution {
        let unsent = timeline
            .messages
            .iter()
            .any(|m| stamps.arrived[m.visits.start] == NEVER);
        let unserved = (0..timeline.visits.len()).any(|v| {
            stamps.arrived[v] != NEVER
                && !stamps.rejected[v]
                && stamps.lost[v].is_none()
                && stamps.done[v] == NEVER
        });
        Execution {
            stamps,
            mode: modes.into_iter().max().unwrap_or(SchedulingMode::Default),
            wait_method,
            involuntary_switches: switches,
            stopped_early: unsent || unserved,
        }
    }
}

/// State the harness threads share.
struct Shared<'a> {
    timeline: &'a Timeline,
    stations: Vec<Station>,
    /// Priority of each class.
    priorities: Vec<i64>,
    stamps: AtomicStamps,
    /// Messages accepted and not yet gone.
    in_flight: AtomicU64,
    /// The producer has messages left to send.
    sending: AtomicBool,
    budget_ns: u64,
}

/// One queue of the network.
struct Station {
    queue: Box<dyn MessageQueue>,
    /// Messages waiting or in service, counted only with a capacity.
    in_system: AtomicU32,
    capacity: Option<u32>,
}

impl Station {
    /// Takes a place for an arriving message; false when the queue is full.
    fn admit(&self) -> bool {
        let Some(capacity) = self.capacity else {
            return true;
        };
        // Producer and forwarding consumers add concurrently: one atomic
        // check-and-add, so the capacity is never overshot.
        self.in_system
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < capacity).then_some(n + 1)
            })
            .is_ok()
    }

    /// Frees the place of a message whose service ended.
    fn release(&self) {
        if self.capacity.is_some() {
            self.in_system.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl Shared<'_> {
    /// Visit `visit` reaches its queue at `now`: it is queued, or rejected
    /// (and its message gone) when the queue is full.
    fn offer(&self, visit: usize, now: u64) {
        self.stamps.arrived[visit].store(now, Ordering::Relaxed);
        let station = &self.stations[self.timeline.visits[visit].queue as usize];
        if !station.admit() {
            self.stamps.rejected[visit].store(true, Ordering::Relaxed);
            self.leave();
            return;
        }
        station.queue.push(Message {
            id: visit as u32,
            priority: self.priorities[self.timeline.class_of(visit)],
        });
    }

    /// A message leaves the network; the last one out after the producer
    /// finished closes every queue, so the consumers drain and stop.
    fn leave(&self) {
        if self.in_flight.fetch_sub(1, Ordering::SeqCst) == 1
            && !self.sending.load(Ordering::SeqCst)
        {
            self.close_all();
        }
    }

    /// The producer has sent its last message.
    fn finish_sending(&self) {
        self.sending.store(false, Ordering::SeqCst);
        if self.in_flight.load(Ordering::SeqCst) == 0 {
            self.close_all();
        }
    }

    fn close_all(&self) {
        for station in &self.stations {
            station.queue.close();
        }
    }
}

/// [`Stamps`] written concurrently: each visit's slots are written by
/// exactly one thread, read after all have been joined.
struct AtomicStamps {
    arrived: Vec<AtomicU64>,
    rejected: Vec<AtomicBool>,
    idle_since: Vec<AtomicU64>,
    dequeued: Vec<AtomicU64>,
    done: Vec<AtomicU64>,
}

impl AtomicStamps {
    fn new(count: usize) -> AtomicStamps {
        let never = || (0..count).map(|_| AtomicU64::new(NEVER)).collect();
        AtomicStamps {
            arrived: never(),
            rejected: (0..count).map(|_| AtomicBool::new(false)).collect(),
            idle_since: never(),
            dequeued: never(),
            done: never(),
        }
    }

    fn into_stamps(self) -> Stamps {
        let plain = |v: Vec<AtomicU64>| v.into_iter().map(AtomicU64::into_inner).collect();
        Stamps {
            arrived: plain(self.arrived),
            rejected: self
                .rejected
                .into_iter()
                .map(AtomicBool::into_inner)
                .collect(),
            idle_since: plain(self.idle_since),
            dequeued: plain(self.dequeued),
            lost: vec![None; self.done.len()],
            done: plain(self.done),
            failed: Vec::new(),
        }
    }
}

fn producer(
    shared: &Shared,
    clock: &Clock,
    method: WaitMethod,
    stop: &AtomicBool,
) -> (SchedulingMode, u64) {
    let mode = clock::prepare_thread();
    let mut waiter = Waiter::new(method, true);
    for planned in &shared.timeline.messages {
        if clock.now() >= shared.budget_ns || !waiter.wait_until(clock, planned.scheduled, stop) {
            break;
        }
        shared.in_flight.fetch_add(1, Ordering::SeqCst);
        shared.offer(planned.visits.start, clock.now());
    }
    shared.finish_sending();
    finish_thread(mode)
}

/// A consumer of `queue`: serves each message to its deadline, then
/// forwards it to its next queue or lets it leave.
fn consumer(
    shared: &Shared,
    queue: usize,
    clock: &Clock,
    method: WaitMethod,
    stop: &AtomicBool,
) -> (SchedulingMode, u64) {
    let mode = clock::prepare_thread();
    let mut waiter = Waiter::new(method, false);
    let station = &shared.stations[queue];
    let timeline = shared.timeline;
    let mut idle_since = clock.now();
    while clock.now() < shared.budget_ns && !stop.load(Ordering::Relaxed) {
        let message = match station.queue.pop(POLL) {
            Popped::Message(message) => message,
            Popped::Empty => continue,
            Popped::Closed => break,
        };
        let visit = message.id as usize;
        let dequeued = clock.now();
        let deadline = dequeued + timeline.visits[visit].service;
        let served = waiter.wait_until(clock, deadline.min(shared.budget_ns), stop);
        let done = clock.now();
        station.release();
        if !served || deadline > shared.budget_ns {
            break;
        }
        let stamps = &shared.stamps;
        stamps.idle_since[visit].store(idle_since, Ordering::Relaxed);
        stamps.dequeued[visit].store(dequeued, Ordering::Relaxed);
        stamps.done[visit].store(done, Ordering::Relaxed);
        idle_since = done;
        match timeline.next_visit(visit) {
            Some(next) => shared.offer(next, done),
            None => shared.leave(),
        }
    }
    finish_thread(mode)
}

/// Drops real-time priority and reports the thread's mode and its
/// involuntary context switches.
pub(crate) fn finish_thread(mode: SchedulingMode) -> (SchedulingMode, u64) {
    clock::leave_real_time();
    (mode, involuntary_switches())
}

/// Involuntary context switches of the calling thread so far.
fn involuntary_switches() -> u64 {
    // SAFETY: getrusage fills the zeroed struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_THREAD, &mut usage) == 0 {
            usage.ru_nivcsw as u64
        } else {
            0
        }
    }
}
