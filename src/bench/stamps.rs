//! What every bench driver records: each message's stamps on the run's
//! clock, written once each by whichever thread or task saw the event,
//! and the payload that carries a message's sequence number and send
//! times through the broker.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};

use super::Latency;
use crate::live::{FailedDelivery, NEVER, Planned, Stamps};
use crate::model::Loss;

/// A refusal's part: the publisher nack.
pub(super) const NACKED: u8 = 1;

/// A refusal's part: its copy reaching the dead-letter queue
/// (`reject-publish-dlx`).
pub(super) const DEAD_LETTERED: u8 = 2;

/// Payload: sequence number, scheduled and actual send (ns), little-endian.
pub(super) const PAYLOAD_BYTES: usize = 24;

/// A bench payload: sequence number, scheduled and actual send (ns).
pub(super) fn payload(sequence: usize, scheduled: u64, sent: u64) -> [u8; PAYLOAD_BYTES] {
    let mut bytes = [0; PAYLOAD_BYTES];
    bytes[..8].copy_from_slice(&(sequence as u64).to_le_bytes());
    bytes[8..16].copy_from_slice(&scheduled.to_le_bytes());
    bytes[16..].copy_from_slice(&sent.to_le_bytes());
    bytes
}

/// The actual send (ns on the run's clock) a bench payload carries.
#[cfg(feature = "rabbitmq")]
pub(super) fn sent_of(payload: &[u8]) -> Option<u64> {
    let bytes: [u8; 8] = payload.get(16..24)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

/// The sequence number at the head of a bench payload.
pub(super) fn sequence_of(payload: &[u8]) -> Option<usize> {
    let bytes: [u8; 8] = payload.get(..8)?.try_into().ok()?;
    usize::try_from(u64::from_le_bytes(bytes)).ok()
}

/// Every message's stamps (ns on the run's clock).
pub(super) struct BrokerStamps {
    /// The producer's publish call.
    pub sent: Vec<AtomicU64>,
    /// The broker's confirm.
    pub confirmed: Vec<AtomicU64>,
    /// The delivery reaching its consumer.
    pub delivered: Vec<AtomicU64>,
    /// When the consumer that served it had become free (its previous
    /// acknowledgement handed over).
    pub idle_since: Vec<AtomicU64>,
    /// When the consumer that served it ended its previous service: a
    /// delivery before that was already in its window.
    pub previous_done: Vec<AtomicU64>,
    /// Start of service.
    pub started: Vec<AtomicU64>,
    /// End of service.
    pub done: Vec<AtomicU64>,
    /// The acknowledgement handed to the connection.
    pub acked: Vec<AtomicU64>,
    /// The parts of its refusal seen so far ([`NACKED`], [`DEAD_LETTERED`]).
    refusals: Vec<AtomicU8>,
    /// The parts that settle a refusal: the nack, and with
    /// `reject-publish-dlx` its dead-lettered copy too.
    refusal_parts: u8,
    /// Dead-lettered as expired (its TTL ran out): its send + the TTL.
    pub expired: Vec<AtomicU64>,
    /// Dead-lettered as dropped from the head (`drop-head`): when it
    /// reached the dead-letter queue's consumer.
    pub dropped: Vec<AtomicU64>,
    /// Deliveries flagged as redelivered.
    pub redelivered: AtomicU64,
    /// Each message's failed deliveries so far (nacked with requeue): the
    /// index of its next delivery in the plan.
    pub failures: Vec<AtomicU32>,
    /// Every failed delivery: (sequence, start, end of its service), in
    /// the order the consumers nacked them.
    pub failed: Mutex<Vec<(usize, u64, u64)>>,
    /// Messages published and not yet settled (served, refused or
    /// dead-lettered).
    pub unsettled: AtomicU64,
}

impl BrokerStamps {
    /// Stamps for `messages` messages, none seen yet.
    pub fn new(messages: usize) -> BrokerStamps {
        let never = || (0..messages).map(|_| AtomicU64::new(NEVER)).collect();
        BrokerStamps {
            sent: never(),
            confirmed: never(),
            delivered: never(),
            idle_since: never(),
            previous_done: never(),
            started: never(),
            done: never(),
            acked: never(),
            refusals: (0..messages).map(|_| AtomicU8::new(0)).collect(),
            refusal_parts: NACKED,
            expired: never(),
            dropped: never(),
            redelivered: AtomicU64::new(0),
            failures: (0..messages).map(|_| AtomicU32::new(0)).collect(),
            failed: Mutex::new(Vec::new()),
            unsettled: AtomicU64::new(0),
        }
    }

    /// These stamps for a queue that dead-letters what it refuses
    /// (`reject-publish-dlx`): a refusal settles once both its nack and
    /// its dead-lettered copy were seen.
    #[cfg(any(feature = "rabbitmq", test))]
    pub fn dead_lettering_refusals(mut self) -> BrokerStamps {
        self.refusal_parts = NACKED | DEAD_LETTERED;
        self
    }

    /// The broker refused message `sequence` (a publisher nack).
    pub fn refused(&self, sequence: usize) {
        self.refusal(sequence, NACKED);
    }

    /// A dead-lettered `payload` is a refused message's copy
    /// (`reject-publish-dlx`): its sequence number, `None` for a payload
    /// that is not this run's.
    #[cfg(any(feature = "rabbitmq", test))]
    pub fn refusal_dead_lettered(&self, payload: &[u8]) -> Option<usize> {
        let sequence = sequence_of(payload).filter(|&s| s < self.sent.len())?;
        self.refusal(sequence, DEAD_LETTERED);
        Some(sequence)
    }

    /// `part` of message `sequence`'s refusal was seen: the message is
    /// settled when that completes its refusal (whichever part came last,
    /// once).
    fn refusal(&self, sequence: usize, part: u8) {
        let before = self.refusals[sequence].fetch_or(part, Ordering::AcqRel);
        if before & part == 0 && (before | part) == self.refusal_parts {
            self.settled();
        }
    }

    /// Messages whose refusal includes `part` ([`NACKED`] or
    /// [`DEAD_LETTERED`]).
    pub fn refusals(&self, part: u8) -> u64 {
        self.refusals
            .iter()
            .filter(|r| r.load(Ordering::Relaxed) & part != 0)
            .count() as u64
    }

    /// A dead-lettered `payload` was lost `how` at `at`: its sequence
    /// number once stamped, `None` for a payload that is not this run's
    /// (or seen before).
    #[cfg(feature = "rabbitmq")]
    pub fn lost(&self, payload: &[u8], how: Loss, at: u64) -> Option<usize> {
        let sequence = sequence_of(payload).filter(|&s| s < self.sent.len())?;
        let stamp = match how {
            Loss::Expired => &self.expired[sequence],
            Loss::Dropped => &self.dropped[sequence],
        };
        stamp
            .compare_exchange(NEVER, at, Ordering::Relaxed, Ordering::Relaxed)
            .ok()?;
        self.settled();
        Some(sequence)
    }

    /// A delivery of message `sequence` served from `started` to `done`
    /// failed (and was nacked with requeue).
    pub fn failed(&self, sequence: usize, started: u64, done: u64) {
        self.failures[sequence].fetch_add(1, Ordering::Relaxed);
        // A consumer thread only panics on a bug; the log stays usable.
        let mut failed = self.failed.lock().unwrap_or_else(|e| e.into_inner());
        failed.push((sequence, started, done));
    }

    /// Deliveries nacked with requeue.
    pub fn nacked(&self) -> u64 {
        self.failed
            .lock()
            .map_or_else(|e| e.into_inner().len(), |f| f.len()) as u64
    }

    /// One message fewer unsettled.
    pub fn settled(&self) {
        self.unsettled.fetch_sub(1, Ordering::SeqCst);
    }

    /// Messages with a stamp in `stamps`.
    pub fn count(stamps: &[AtomicU64]) -> u64 {
        stamps
            .iter()
            .filter(|s| s.load(Ordering::Relaxed) != NEVER)
            .count() as u64
    }

    /// A delivery of `payload` reached a consumer at `now`: its sequence
    /// number once stamped, `None` for a payload that is not this run's.
    pub fn delivered(&self, payload: &[u8], redelivered: bool, now: u64) -> Option<usize> {
        let sequence = sequence_of(payload).filter(|&s| s < self.sent.len())?;
        if redelivered {
            self.redelivered.fetch_add(1, Ordering::Relaxed);
        }
        self.delivered[sequence].store(now, Ordering::Relaxed);
        Some(sequence)
    }

    /// Live's stamps: a message arrives with its send, is refused
    /// (rejected), or starts and ends its service (after its failed
    /// deliveries, if any: its start then goes back by their services), or
    /// is lost waiting (expired or dropped) when it reached the
    /// dead-letter queue.
    pub fn live_stamps(&self) -> Stamps {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let plain = |v: &[AtomicU64]| v.iter().map(load).collect();
        let at = |stamp: &AtomicU64| Some(load(stamp)).filter(|&t| t != NEVER);
        let mut failed: Vec<FailedDelivery> = self
            .failed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|&(visit, started, done)| FailedDelivery {
                visit,
                started,
                done,
            })
            .collect();
        failed.sort_unstable_by_key(|f| (f.visit, f.started));
        let mut dequeued: Vec<u64> = plain(&self.started);
        for f in &failed {
            let start = &mut dequeued[f.visit];
            if *start != NEVER {
                *start = start.saturating_sub(f.done - f.started);
            }
        }
        Stamps {
            arrived: plain(&self.sent),
            rejected: self
                .refusals
                .iter()
                .map(|r| r.load(Ordering::Relaxed) & NACKED != 0)
                .collect(),
            idle_since: plain(&self.idle_since),
            dequeued,
            done: plain(&self.done),
            lost: self
                .expired
                .iter()
                .zip(&self.dropped)
                .map(|(expired, dropped)| {
                    at(expired)
                        .map(|t| (Loss::Expired, t))
                        .or(at(dropped).map(|t| (Loss::Dropped, t)))
                })
                .collect(),
            failed,
        }
    }

    /// `to − from` over the `measured` messages with both stamps.
    pub fn latency(&self, from: &[AtomicU64], to: &[AtomicU64], measured: Range<usize>) -> Latency {
        let mut values: Vec<u64> = from[measured.clone()]
            .iter()
            .zip(&to[measured])
            .map(|(a, b)| (a.load(Ordering::Relaxed), b.load(Ordering::Relaxed)))
            .filter(|&(a, b)| a != NEVER && b != NEVER)
            .map(|(a, b)| b.saturating_sub(a))
            .collect();
        Latency::of(&mut values)
    }

    /// From each message's scheduled send to its actual publish, over
    /// the `measured` messages published: the producer's lag.
    pub fn lag(&self, planned: &[Planned], measured: Range<usize>) -> Latency {
        let mut values: Vec<u64> = planned[measured.clone()]
            .iter()
            .zip(&self.sent[measured])
            .map(|(planned, sent)| (planned.scheduled, sent.load(Ordering::Relaxed)))
            .filter(|&(_, sent)| sent != NEVER)
            .map(|(scheduled, sent)| sent.saturating_sub(scheduled))
            .collect();
        Latency::of(&mut values)
    }

    /// From a consumer's acknowledgement to its next delivery, over the
    /// deliveries published before that acknowledgement (ready at the
    /// broker, so the gap is the broker's turnaround, not the traffic's)
    /// and not yet delivered when the consumer's previous service ended:
    /// with a window above 1 the next message is often in the window
    /// already, and then the consumer waits for no turnaround at all; the
    /// turnaround is what it waits when its window was empty. Over the
    /// `measured` messages only.
    pub fn turnaround(&self, measured: Range<usize>) -> Latency {
        let load = |v: &[AtomicU64], i: usize| v[i].load(Ordering::Relaxed);
        let mut values: Vec<u64> = measured
            .filter(|&i| {
                load(&self.started, i) != NEVER
                    && load(&self.sent, i) < load(&self.idle_since, i)
                    && load(&self.delivered, i) >= load(&self.previous_done, i)
            })
            .map(|i| load(&self.delivered, i).saturating_sub(load(&self.idle_since, i)))
            .collect();
        Latency::of(&mut values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_carries_its_sequence_number() {
        let bytes = payload(123_456, 7, 9);
        assert_eq!(sequence_of(&bytes), Some(123_456));
        assert_eq!(u64::from_le_bytes(bytes[8..16].try_into().unwrap()), 7);
        assert_eq!(u64::from_le_bytes(bytes[16..].try_into().unwrap()), 9);
        assert_eq!(sequence_of(&[1, 2]), None);
    }

    #[cfg(feature = "rabbitmq")]
    #[test]
    fn a_payload_carries_its_actual_send() {
        assert_eq!(sent_of(&payload(123_456, 7, 9)), Some(9));
    }

    #[test]
    fn a_delivery_is_stamped_once_its_payload_is_this_runs() {
        let stamps = BrokerStamps::new(2);
        assert_eq!(stamps.delivered(&payload(1, 0, 0), true, 42), Some(1));
        assert_eq!(stamps.delivered[1].load(Ordering::Relaxed), 42);
        assert_eq!(stamps.redelivered.load(Ordering::Relaxed), 1);
        assert_eq!(stamps.delivered(&payload(5, 0, 0), false, 43), None);
    }

    #[cfg(feature = "rabbitmq")]
    #[test]
    fn a_dead_lettered_message_is_lost_once() {
        let stamps = BrokerStamps::new(2);
        stamps.unsettled.store(2, Ordering::SeqCst);
        assert_eq!(stamps.lost(&payload(0, 0, 0), Loss::Dropped, 7), Some(0));
        assert_eq!(stamps.lost(&payload(0, 0, 0), Loss::Dropped, 8), None);
        stamps.refused(1);
        assert_eq!(stamps.unsettled.load(Ordering::SeqCst), 0);
        let live = stamps.live_stamps();
        assert_eq!(live.lost, vec![Some((Loss::Dropped, 7)), None]);
        assert_eq!(live.rejected, vec![false, true]);
    }

    #[test]
    fn the_turnaround_leaves_out_deliveries_already_in_the_window() {
        let stamps = BrokerStamps::new(3);
        let set = |v: &[AtomicU64], values: [u64; 3]| {
            for (stamp, value) in v.iter().zip(values) {
                stamp.store(value, Ordering::Relaxed);
            }
        };
        // Message 0 was in the window before the previous service ended
        // (delivered at 5, ended at 10); 1 came 4 after the ack at 20; 2
        // was published after its consumer's ack (the traffic's gap).
        set(&stamps.sent, [0, 1, 30]);
        set(&stamps.delivered, [5, 24, 31]);
        set(&stamps.previous_done, [10, 19, 25]);
        set(&stamps.idle_since, [12, 20, 26]);
        set(&stamps.started, [12, 24, 31]);
        let turnaround = stamps.turnaround(0..3);
        assert_eq!(turnaround.count, 1);
        assert_eq!(turnaround.mean_us, Some(0.004));
        assert_eq!(stamps.turnaround(2..3).count, 0, "message 1 not measured");
    }

    #[test]
    fn a_dead_lettered_refusal_settles_once_both_parts_arrive() {
        let stamps = BrokerStamps::new(3).dead_lettering_refusals();
        stamps.unsettled.store(3, Ordering::SeqCst);
        stamps.refused(0);
        assert_eq!(stamps.refusal_dead_lettered(&payload(1, 0, 0)), Some(1));
        assert_eq!(stamps.unsettled.load(Ordering::SeqCst), 3, "halves only");
        assert_eq!(stamps.refusal_dead_lettered(&payload(0, 0, 0)), Some(0));
        stamps.refused(1);
        stamps.refused(1);
        assert_eq!(stamps.unsettled.load(Ordering::SeqCst), 1, "each once");
        assert_eq!(stamps.refusal_dead_lettered(&payload(9, 0, 0)), None);
        assert_eq!(
            (stamps.refusals(NACKED), stamps.refusals(DEAD_LETTERED)),
            (2, 2)
        );
        assert_eq!(stamps.live_stamps().rejected, vec![true, true, false]);
    }
}
