//! What a station asks of the engine. A station changes only its own state
//! (its line, its consumers, the messages in service); everything else —
//! the calendar, the collector, the message slots — it leaves to the engine
//! as the effects below, returned by value and applied in the order of
//! their fields. Each enum keeps its tag in a byte of its own (`repr(u8)`)
//! so that the engine tells the cases apart in one comparison.

/// What a station does with an arriving message.
#[derive(Clone, Copy, Debug)]
#[repr(u8)]
pub(crate) enum Arrival {
    /// No room (admission): the message is blocked, and leaves the system
    /// or goes to `dead_letter`.
    Rejected {
        /// The queue receiving rejected arrivals (`reject-publish-dlx`).
        dead_letter: Option<usize>,
    },
    /// Let in.
    Accepted {
        /// Its service requirement here.
        service: f64,
        /// A less urgent service interrupted to make room: that message
        /// waits again with the work it has left.
        preempted: Option<u32>,
        /// How it goes on.
        entry: Entry,
        /// The line is over its limit (`drop-head`): once this message is
        /// in, the oldest waiting one (perhaps this one) is dropped.
        drops_oldest: bool,
    },
}

/// How an accepted message goes on.
#[derive(Clone, Copy, Debug)]
#[repr(u8)]
pub(crate) enum Entry {
    /// A free consumer serves it now.
    Starts,
    /// It waits in line and, with a patience, expires at `expires` unless
    /// a consumer takes it first.
    Waits {
        /// When its patience runs out.
        expires: Option<f64>,
    },
    /// Its consumer was fetching with nothing there: its poll takes this
    /// message alone, and serves it after the poll's `overhead` (batch
    /// polling).
    Polled {
        /// The poll's overhead, served before the message.
        overhead: f64,
        /// The batch's poll timeout, if batches time out.
        timer: Option<PollTimer>,
    },
    /// It waits for its consumer's poll (batch polling), whose fetch
    /// moves on as [`Fetch`] says.
    Fetches(Fetch),
    /// It was sent to an idle consumer (prefetch windows with a delivery
    /// trip): it waits until it lands, no longer able to expire, and the
    /// engine schedules its landing.
    Sent(Landing),
    /// It shares the consumers with everyone present (processor sharing).
    Shares {
        /// It shares beyond the consumers, so it counts as waiting.
        waits: bool,
        /// The next completion, which its arrival moves.
        next: Completion,
    },
}

/// What an arrival, or a consumer done with its batch, does to a fetch
/// (batch polling).
#[derive(Clone, Copy, Debug)]
#[repr(u8)]
pub(crate) enum Fetch {
    /// The fetch has its minimum: the consumer takes a batch now (the
    /// engine asks it to take).
    Ready,
    /// The fetch holds fewer than its minimum and returns with them at
    /// `at` unless more come first: the engine schedules that deadline.
    Until {
        /// The fetching consumer.
        consumer: u32,
        /// When the fetch gives up waiting.
        at: f64,
        /// The fetch's number, so a deadline outlived by its fetch is
        /// ignored.
        generation: u32,
    },
}

/// A batch's poll timeout (`max_poll_interval`): the engine schedules it
/// `after` from the poll; it fires unless the consumer has polled again.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PollTimer {
    /// The polling consumer.
    pub(crate) consumer: u32,
    /// The batch's number, so a timeout outlived by its batch is ignored.
    pub(crate) batch: u32,
    /// Time from the poll to the timeout.
    pub(crate) after: f64,
}

/// A rebalance that began (a consumer left or rejoined the group): the
/// group pauses until `until` (the engine schedules the end), and
/// `redelivered` messages were taken back from consumers to be delivered
/// again.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rebalance {
    /// When the pause ends, unless another rebalance extends it.
    pub(crate) until: f64,
    /// The pause's number, so an end outlived by an extension is ignored.
    pub(crate) pause: u32,
    /// Messages taken back, to be delivered again.
    pub(crate) redelivered: u32,
}

/// How a pause that ended paused the group.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Resumed {
    /// How long a rebalance was under way.
    pub(crate) paused: f64,
    /// The partition-time paused: each partition's pause added up.
    pub(crate) partition_time: f64,
}

/// A delivery on its way to an idle consumer (prefetch windows with a
/// delivery trip): the engine schedules its landing, when the consumer
/// starts its next delivery if that has landed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Landing {
    /// The consumer it goes to.
    pub(crate) consumer: u32,
    /// When it lands.
    pub(crate) at: f64,
}

/// The next completion at a processor-sharing station: the departure
/// scheduled before is withdrawn (its message's generation moves on) and
/// the new one scheduled.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Completion {
    /// The message whose scheduled departure is withdrawn.
    pub(crate) withdrawn: Option<u32>,
    /// When, and which message, finishes next.
    pub(crate) next: Option<(f64, u32)>,
}

/// What a station does when a service ends.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Departed {
    /// A share beyond the consumers became a full one (processor
    /// sharing): one message waiting fewer.
    pub(crate) promoted: bool,
    /// Who is served next.
    pub(crate) next: Next,
}

/// Who is served after a departure.
#[derive(Clone, Copy, Debug)]
#[repr(u8)]
pub(crate) enum Next {
    /// The freed consumer takes a waiting message (see [`Take`]).
    TakeWaiting,
    /// Processor sharing: the next completion.
    Completion(Completion),
    /// Prefetch windows: the windows take waiting messages until idle,
    /// and the consumer's acknowledgement, unless immediate, arrives later.
    Window {
        /// The consumer and when its acknowledgement arrives.
        ack: Option<(u32, f64)>,
    },
}

/// What follows the end of a delivery at a queue with retries (every
/// delivery elsewhere succeeds).
#[derive(Clone, Copy, Debug)]
#[repr(u8)]
pub(crate) enum Verdict {
    /// It succeeded: the message leaves the queue and routes on.
    Success,
    /// It failed and waits `delay` (outside the queue) before it is
    /// delivered to the queue again.
    RetryAfter {
        /// The delay of this retry.
        delay: f64,
    },
    /// It failed and its consumer serves it again at once, for `service`
    /// more (requeued at the head).
    ServeAgain {
        /// Its fresh service time.
        service: f64,
    },
    /// It failed on a partition and its consumer holds it through `delay`
    /// (a blocking retry: the consumer sleeps, its partitions wait), then
    /// serves it again for `service` more.
    Hold {
        /// The delay of this retry.
        delay: f64,
        /// Its fresh service time, after the delay.
        service: f64,
    },
    /// It failed with no retry left: it leaves the queue for its
    /// dead-letter queue, or the system when there is none.
    Exhausted {
        /// The dead-letter queue.
        dead_letter: Option<usize>,
    },
}

/// One step of a free consumer taking from the line.
#[derive(Clone, Copy, Debug)]
#[repr(u8)]
pub(crate) enum Take {
    /// It serves this message, which waited.
    Start(u32),
    /// This message expired while waiting, or this duplicate delivery was
    /// withdrawn (its message acknowledged first): the engine frees its
    /// slot, and the consumer takes again.
    Expired(u32),
    /// This message left the ready line for a consumer's buffer (prefetch
    /// windows): it waits on, no longer able to expire.
    Delivered(u32),
    /// This message left the ready line for an idle consumer (prefetch
    /// windows with a delivery trip): it waits until it lands, no longer
    /// able to expire.
    Sent {
        /// The message sent.
        slot: u32,
        /// Its landing, which the engine schedules.
        landing: Landing,
    },
    /// The consumer that just finished waits for its next delivery, still
    /// on its way: the engine schedules its landing.
    Awaits(Landing),
    /// A poll took a batch (batch polling): its first message, `slot`,
    /// which waited, is served after the poll's overhead.
    Polled {
        /// The batch's first message.
        slot: u32,
        /// The poll's overhead, served before that message.
        overhead: f64,
        /// Messages in the batch.
        size: u32,
        /// When the fetch first held a message (its wait for more began).
        since: f64,
        /// The batch's poll timeout, if batches time out.
        timer: Option<PollTimer>,
    },
    /// A consumer done with its batch fetches fewer than the minimum and
    /// waits for more (the engine schedules the deadline); it takes
    /// nothing now.
    Fetches(Fetch),
    /// No consumer is free, or nobody waits.
    Idle,
}
