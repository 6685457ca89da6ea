//! Wall-clock time for the live harness: nanoseconds since the run's start,
//! precise waits to absolute deadlines, and the scheduling mode of the
//! harness threads (live-method.md: SCHED_FIFO if allowed, else 1 ns timer
//! slack).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// How close to a deadline a [`WaitMethod::SleepThenSpin`] wait stops
/// sleeping and spins.
const SPIN_WINDOW_NS: u64 = 100_000;

/// Longest single sleep, so a stop request is noticed within it.
const MAX_SLEEP_NS: u64 = 50_000_000;

/// Largest overshoot sample a compensated sleep learns from: one long
/// stall (a preemption) must not make later waits end at once.
const MAX_OVERSHOOT_SAMPLE_NS: f64 = 200_000.0;

/// The run's clock: monotonic nanoseconds since it started.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start: Instant,
}

impl Clock {
    /// A clock reading 0 now.
    pub fn start() -> Clock {
        Clock {
            start: Instant::now(),
        }
    }

    /// Nanoseconds since the start.
    #[inline]
    pub fn now(&self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }
}

/// How the harness threads were scheduled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchedulingMode {
    /// SCHED_FIFO priority 10: other processes cannot delay the harness.
    RealTime,
    /// Normal priority with 1 ns timer slack (real-time was refused).
    TimerSlack,
    /// Normal priority and default timer slack (both were refused).
    Default,
}

/// Real-time priority used for harness threads.
const REAL_TIME_PRIORITY: i32 = 10;

/// Puts the calling thread under `SCHED_FIFO`, or failing that sets its
/// timer slack to 1 ns; returns what it got.
pub fn prepare_thread() -> SchedulingMode {
    let parameters = libc::sched_param {
        sched_priority: REAL_TIME_PRIORITY,
    };
    // SAFETY: plain system calls on the calling thread with valid arguments.
    unsafe {
        if libc::sched_setscheduler(0, libc::SCHED_FIFO, &parameters) == 0 {
            return SchedulingMode::RealTime;
        }
        if libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0) == 0 {
            return SchedulingMode::TimerSlack;
        }
    }
    SchedulingMode::Default
}

/// Returns the calling thread to normal scheduling (after its budget, or
/// before it exits).
pub fn leave_real_time() {
    let parameters = libc::sched_param { sched_priority: 0 };
    // SAFETY: as in `prepare_thread`; failure leaves the thread as it was.
    unsafe {
        libc::sched_setscheduler(0, libc::SCHED_OTHER, &parameters);
    }
}

/// How a thread waits for a deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaitMethod {
    /// Sleep until 100 µs before, then spin: precise, but only when every
    /// harness thread has a core of its own.
    SleepThenSpin,
    /// Sleep, shortened by the running average of recent overshoots: for
    /// more threads than cores, where spinning would starve the others.
    CompensatedSleep,
}

/// Waits for absolute deadlines with one [`WaitMethod`], learning its
/// sleep overshoot as it goes.
#[derive(Debug)]
pub struct Waiter {
    method: WaitMethod,
    overshoot_ns: f64,
    never_early: bool,
}

impl Waiter {
    /// A waiter using `method`. With `never_early`, a compensated sleep that
    /// wakes before the deadline spins the rest (a producer must not send
    /// before a message's scheduled arrival); without it, a compensated
    /// wait ends early as often as late (an emulated service is unbiased).
    pub fn new(method: WaitMethod, never_early: bool) -> Waiter {
        Waiter {
            method,
            overshoot_ns: 0.0,
            never_early,
        }
    }

    /// Waits until `clock` reads `deadline` or `stop` is set; returns false
    /// when stopped.
    pub fn wait_until(&mut self, clock: &Clock, deadline: u64, stop: &AtomicBool) -> bool {
        loop {
            if stop.load(Ordering::Relaxed) {
                return false;
            }
            let now = clock.now();
            if now >= deadline {
                return true;
            }
            let remaining = deadline - now;
            let margin = match self.method {
                WaitMethod::SleepThenSpin => SPIN_WINDOW_NS,
                WaitMethod::CompensatedSleep => self.overshoot_ns as u64,
            };
            if remaining > margin {
                let request = (remaining - margin).min(MAX_SLEEP_NS);
                std::thread::sleep(Duration::from_nanos(request));
                let overshoot =
                    (clock.now().saturating_sub(now + request) as f64).min(MAX_OVERSHOOT_SAMPLE_NS);
                self.overshoot_ns += 0.1 * (overshoot - self.overshoot_ns);
            } else {
                if self.method == WaitMethod::SleepThenSpin || self.never_early {
                    while clock.now() < deadline {
                        std::hint::spin_loop();
                    }
                }
                return true;
            }
        }
    }
}
