//! A lease on each delivery (NATS JetStream's `ack_wait`), a behaviour of
//! the exit axis: a delivery not acknowledged within `ack_wait` of its
//! start is delivered again (a duplicate), while the consumer that holds
//! it goes on working on it. The broker keeps one pending entry per
//! message: its lease restarts at each delivery, an acknowledgement from
//! any delivery settles the message (and withdraws a duplicate not yet
//! delivered), and the duplicates' own acknowledgements are ignored.
//! Duplicates wait in a redelivery line served before the ready line, in
//! the order their leases expired (nats-server's `getNextMsg` takes
//! redeliveries first and bypasses `max_ack_pending` for them).
//!
//! A message's work is its own: a duplicate takes the same service time as
//! the first delivery (the same message, the same processing), so the
//! first delivery, started first, always finishes first and settles the
//! message; every duplicate is wasted work. The message's wait and
//! sojourn are its first delivery's.

/// A lease on each delivery of a queue's messages.
#[derive(Clone, Debug, PartialEq)]
pub struct Lease {
    /// How long a delivery may stay unacknowledged before the message is
    /// delivered again (finite, > 0).
    pub ack_wait: f64,
    /// Most deliveries of a message, the first included (JetStream's
    /// `max_deliver`); `None` for no limit (its default, -1).
    pub max_deliver: Option<u32>,
}

impl Lease {
    /// True when a message delivered `deliveries` times may be delivered
    /// again.
    pub fn allows_another(&self, deliveries: u32) -> bool {
        self.max_deliver.is_none_or(|max| deliveries < max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_deliver_counts_the_first_delivery() {
        let lease = |max_deliver| Lease {
            ack_wait: 1.0,
            max_deliver,
        };
        assert!(!lease(Some(1)).allows_another(1));
        assert!(lease(Some(2)).allows_another(1) && !lease(Some(2)).allows_another(2));
        assert!(lease(None).allows_another(u32::MAX - 1));
    }
}
