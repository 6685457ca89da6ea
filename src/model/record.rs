//! One visit of a message to a queue, the record the simulator and live
//! runs both produce and every per-visit analysis reads.

/// One visit of a message to a queue, in model time units, as the
/// simulator (a replay) and a live run record it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VisitRecord {
    /// External arrival index of the message.
    pub message: u64,
    /// Its class.
    pub class: usize,
    /// The queue visited.
    pub queue: usize,
    /// Arrival at the queue.
    pub arrival: f64,
    /// Start of service; `None` when the full queue rejected it or it was
    /// lost waiting (`lost`).
    pub start: Option<f64>,
    /// End of service, or the rejection or loss instant.
    pub end: f64,
    /// How it was lost while waiting, if it was (then `start` is `None`).
    pub lost: Option<Loss>,
    /// Its deliveries there that failed and were requeued at the head
    /// (0 without a `retry`).
    pub retries: u32,
}

/// How an accepted message is lost unserved at a queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Its patience (a TTL) ran out while it waited.
    Expired,
    /// A full `drop-head` queue dropped it, the oldest, for a newer one.
    Dropped,
}
