//! Drives one real queue through a [`Timeline`]: a producer thread sends
//! each message at its scheduled instant, consumer threads emulate each
//! service to an absolute deadline, and every message's nanosecond stamps
//! land in preallocated arrays (relaxed stores: no lock on the hot path).

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use super::channel::{ChannelKind, Message, MessageQueue, Popped};
use super::clock::{self, Clock, SchedulingMode, WaitMethod, Waiter};
use super::timeline::Timeline;
use crate::model::Model;

/// Stamp of an event that never happened.
pub const NEVER: u64 = u64::MAX;

/// How long a consumer waits for a message before checking its budget.
const POLL: Duration = Duration::from_millis(20);

/// Every message's wall-clock stamps (ns from the run's start), by id.
#[derive(Clone, Debug, Default)]
pub struct Stamps {
    /// When the producer sent it ([`NEVER`] if the run stopped first).
    pub sent: Vec<u64>,
    /// True when the queue was full and it was rejected.
    pub rejected: Vec<bool>,
    /// When the consumer that served it had become free.
    pub idle_since: Vec<u64>,
    /// When a consumer took it ([`NEVER`] if never served).
    pub dequeued: Vec<u64>,
    /// When its service ended ([`NEVER`] if never served).
    pub done: Vec<u64>,
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

/// Runs `timeline` through a new queue of `kind` serving `model`'s single
/// queue. Returns after every thread has been joined, at the latest at
/// `budget_ns` on the run's clock (then `stopped_early`), or soon after
/// `stop` is set.
pub fn execute(
    model: &Model,
    timeline: &Timeline,
    kind: ChannelKind,
    budget_ns: u64,
    stop: &AtomicBool,
) -> Execution {
    let queue_model = &model.queues[0];
    let consumers = queue_model.consumers as usize;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let wait_method = if consumers < cores {
        WaitMethod::SleepThenSpin
    } else {
        WaitMethod::CompensatedSleep
    };
    let count = timeline.messages.len();
    let shared = Shared {
        queue: kind.build(),
        stamps: AtomicStamps::new(count),
        in_system: AtomicU32::new(0),
        capacity: queue_model.capacity,
        budget_ns,
    };
    let priorities: Vec<i64> = model.classes.iter().map(|c| c.priority).collect();
    let clock = Clock::start();
    let (modes, switches) = std::thread::scope(|scope| {
        let consumer_threads: Vec<_> = (0..consumers)
            .map(|_| scope.spawn(|| consumer(&shared, timeline, &clock, wait_method, stop)))
            .collect();
        let producer_thread =
            scope.spawn(|| producer(&shared, timeline, &priorities, &clock, wait_method, stop));
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
    let stamps = shared.stamps.into_stamps();
    let stopped_early = stamps
        .sent
        .iter()
        .zip(&stamps.rejected)
        .zip(&stamps.done)
        .any(|((&sent, &rejected), &done)| sent == NEVER || (!rejected && done == NEVER));
    Execution {
        stamps,
        mode: modes.into_iter().max().unwrap_or(SchedulingMode::Default),
        wait_method,
        involuntary_switches: switches,
        stopped_early,
    }
}

/// State the harness threads share.
struct Shared {
    queue: Box<dyn MessageQueue>,
    stamps: AtomicStamps,
    in_system: AtomicU32,
    capacity: Option<u32>,
    budget_ns: u64,
}

/// [`Stamps`] written concurrently: each message's slots are written by
/// exactly one thread, read after all have been joined.
struct AtomicStamps {
    sent: Vec<AtomicU64>,
    rejected: Vec<AtomicBool>,
    idle_since: Vec<AtomicU64>,
    dequeued: Vec<AtomicU64>,
    done: Vec<AtomicU64>,
}

impl AtomicStamps {
    fn new(count: usize) -> AtomicStamps {
        let never = || (0..count).map(|_| AtomicU64::new(NEVER)).collect();
        AtomicStamps {
            sent: never(),
            rejected: (0..count).map(|_| AtomicBool::new(false)).collect(),
            idle_since: never(),
            dequeued: never(),
            done: never(),
        }
    }

    fn into_stamps(self) -> Stamps {
        let plain = |v: Vec<AtomicU64>| v.into_iter().map(AtomicU64::into_inner).collect();
        Stamps {
            sent: plain(self.sent),
            rejected: self
                .rejected
                .into_iter()
                .map(AtomicBool::into_inner)
                .collect(),
            idle_since: plain(self.idle_since),
            dequeued: plain(self.dequeued),
            done: plain(self.done),
        }
    }
}

fn producer(
    shared: &Shared,
    timeline: &Timeline,
    priorities: &[i64],
    clock: &Clock,
    method: WaitMethod,
    stop: &AtomicBool,
) -> (SchedulingMode, u64) {
    let mode = clock::prepare_thread();
    let mut waiter = Waiter::new(method, true);
    for (id, planned) in timeline.messages.iter().enumerate() {
        if clock.now() >= shared.budget_ns || !waiter.wait_until(clock, planned.scheduled, stop) {
            break;
        }
        shared.stamps.sent[id].store(clock.now(), Ordering::Relaxed);
        if let Some(capacity) = shared.capacity {
            // Only this thread adds, so a check then an add cannot overshoot.
            if shared.in_system.load(Ordering::Acquire) >= capacity {
                shared.stamps.rejected[id].store(true, Ordering::Relaxed);
                continue;
            }
            shared.in_system.fetch_add(1, Ordering::AcqRel);
        }
        shared.queue.push(Message {
            id: id as u32,
            priority: priorities[planned.class],
        });
    }
    shared.queue.close();
    finish_thread(mode)
}

fn consumer(
    shared: &Shared,
    timeline: &Timeline,
    clock: &Clock,
    method: WaitMethod,
    stop: &AtomicBool,
) -> (SchedulingMode, u64) {
    let mode = clock::prepare_thread();
    let mut waiter = Waiter::new(method, false);
    let mut idle_since = clock.now();
    while clock.now() < shared.budget_ns && !stop.load(Ordering::Relaxed) {
        let message = match shared.queue.pop(POLL) {
            Popped::Message(message) => message,
            Popped::Empty => continue,
            Popped::Closed => break,
        };
        let id = message.id as usize;
        let dequeued = clock.now();
        let deadline = dequeued + timeline.messages[id].service;
        let served = waiter.wait_until(clock, deadline.min(shared.budget_ns), stop);
        let done = clock.now();
        if shared.capacity.is_some() {
            shared.in_system.fetch_sub(1, Ordering::AcqRel);
        }
        if !served || deadline > shared.budget_ns {
            break;
        }
        let stamps = &shared.stamps;
        stamps.idle_since[id].store(idle_since, Ordering::Relaxed);
        stamps.dequeued[id].store(dequeued, Ordering::Relaxed);
        stamps.done[id].store(done, Ordering::Relaxed);
        idle_since = done;
    }
    finish_thread(mode)
}

/// Drops real-time priority and reports the thread's mode and its
/// involuntary context switches.
fn finish_thread(mode: SchedulingMode) -> (SchedulingMode, u64) {
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
