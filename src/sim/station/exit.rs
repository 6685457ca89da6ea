//! The exit axis: where a message goes after service (probabilistic
//! routing, or a replay's recorded choices), whether its delivery failed
//! and how it is delivered again (retries, until they run out, then to
//! its dead-letter queue; on a partition, held by its consumer through a
//! retry's delay), and when a waiting message gives up (expiry, to
//! its dead-letter queue).

use rand::RngExt;

use super::Station;
use super::effect::Verdict;
use crate::model::{Queue, Redelivery};
use crate::sim::streams::Stream;

/// The draws of a station's exit: routing choices, patience and
/// failures.
pub(super) struct ExitDraws<'a> {
    /// Stream of the routing draws after service.
    routing: Stream,
    /// Recorded routing choices a replay takes instead of its draws.
    recorded: Option<std::slice::Iter<'a, Option<usize>>>,
    /// Stream of the patience of waiting messages.
    patience: Stream,
    /// Stream of the draws that say whether a delivery fails.
    failures: Stream,
    /// Recorded failures a replay takes instead of its draws.
    recorded_failures: Option<std::slice::Iter<'a, bool>>,
}

impl ExitDraws<'_> {
    /// Draws from `routing`, `patience` and `failures`, nothing recorded.
    pub(super) fn new(routing: Stream, patience: Stream, failures: Stream) -> Self {
        ExitDraws {
            routing,
            recorded: None,
            patience,
            failures,
            recorded_failures: None,
        }
    }

    /// The next queue after service at `queue`, or `None` to leave; a
    /// replay takes the recorded choice instead while it has one.
    #[inline(always)]
    pub(super) fn route(&mut self, queue: &Queue) -> Option<usize> {
        if queue.routes().is_empty() {
            return None;
        }
        if let Some(choice) = self.recorded.as_mut().and_then(Iterator::next) {
            return *choice;
        }
        let draw: f64 = self.routing.random();
        queue.exit.next_queue(draw)
    }

    /// When a message starting to wait at `now` at `queue` expires, if it
    /// has a patience there.
    #[inline(always)]
    pub(super) fn expiry(&mut self, now: f64, queue: &Queue) -> Option<f64> {
        let patience = queue.patience()?;
        Some(now + self.patience.draw(patience))
    }
}

impl<'a> Station<'a> {
    /// Where a message goes after its service here: a queue, or `None` to
    /// leave the system.
    #[inline(always)]
    pub(crate) fn route(&mut self) -> Option<usize> {
        self.exit.route(self.spec)
    }

    /// A waiting message expires (the line drops it when it reaches it):
    /// returns its dead-letter queue, if any.
    pub(crate) fn expire(&mut self) -> Option<usize> {
        self.in_system -= 1;
        self.leave_ready();
        self.spec.dead_letter()
    }

    /// What follows a delivery of a message of `class` that failed
    /// `retries` times here before: it succeeds, or fails with the
    /// queue's probability and is delivered again while retries are left.
    #[inline(always)]
    pub(crate) fn verdict(&mut self, retries: u32, class: usize) -> Verdict {
        let Some(retry) = self.spec.retry() else {
            return Verdict::Success;
        };
        let recorded = self
            .exit
            .recorded_failures
            .as_mut()
            .and_then(Iterator::next);
        let fails = match recorded {
            Some(&fails) => fails,
            None => self.exit.failures.random::<f64>() < retry.p,
        };
        if !fails {
            return Verdict::Success;
        }
        if retry.max_retries.is_some_and(|max| retries >= max) {
            return Verdict::Exhausted {
                dead_letter: self.spec.dead_letter(),
            };
        }
        let delay = match &retry.redelivery {
            // A partition has no broker redelivery: its consumer holds the
            // record through the delay (see `Verdict::Hold`).
            Redelivery::After(delays) if self.partitions.is_none() => {
                return Verdict::RetryAfter {
                    delay: delays.before(retries + 1),
                };
            }
            Redelivery::After(delays) => Some(delays.before(retries + 1)),
            Redelivery::Head => None,
        };
        let service = self
            .services
            .draw(self.classes[class].service_at(self.spec));
        match delay {
            Some(delay) => Verdict::Hold { delay, service },
            None => Verdict::ServeAgain { service },
        }
    }

    /// Whether a failed message's consumer holds it through its retry's
    /// delay (a partition, which has no broker redelivery).
    #[inline(always)]
    pub(crate) fn holds_retries(&self) -> bool {
        self.partitions.is_some()
    }

    /// Routes with recorded choices: after its k-th service the message
    /// goes to `recorded[k]` (`None`: it leaves), drawn as usual only past
    /// the end of the recording.
    pub(crate) fn replay_routes(&mut self, recorded: &'a [Option<usize>]) {
        self.exit.recorded = Some(recorded.iter());
    }

    /// Fails deliveries as recorded: the k-th delivery ending here fails
    /// when `recorded[k]` says so, drawn as usual only past the end of
    /// the recording.
    pub(crate) fn replay_failures(&mut self, recorded: &'a [bool]) {
        self.exit.recorded_failures = Some(recorded.iter());
    }
}
