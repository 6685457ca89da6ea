//! Prefetch windows (RabbitMQ's `basic.qos`), a behaviour of the dispatch
//! axis: the broker keeps a ready line and delivers each ready message at
//! once to a consumer with a free slot in its window of unacknowledged
//! messages; a consumer serves what it was delivered in order, and its slot
//! stays held until the acknowledgement comes back after the service.

use crate::dist::Dist;

/// `prefetch` of a window without a limit (RabbitMQ's prefetch 0).
pub const UNLIMITED_PREFETCH: u32 = u32::MAX;

/// Per-consumer windows of unacknowledged deliveries.
#[derive(Clone, Debug, PartialEq)]
pub struct Window {
    /// Unacknowledged messages a consumer may hold (delivered, in service
    /// or awaiting their acknowledgement); [`UNLIMITED_PREFETCH`] for no
    /// limit.
    pub prefetch: u32,
    /// Acknowledgement round trip after a service, during which the slot
    /// stays held; `None` for an immediate acknowledgement.
    pub ack: Option<Dist>,
}

impl Window {
    /// True without a limit on the window.
    pub fn is_unlimited(&self) -> bool {
        self.prefetch == UNLIMITED_PREFETCH
    }

    /// True when the window behaves exactly like one shared line: one
    /// message per consumer, freed the moment its service ends.
    pub fn is_shared_line(&self) -> bool {
        self.prefetch == 1 && self.ack.is_none()
    }

    /// Mean acknowledgement round trip (0 when immediate).
    pub fn mean_ack(&self) -> f64 {
        self.ack.as_ref().map_or(0.0, Dist::mean)
    }
}
