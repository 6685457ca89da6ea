//! What happened to the messages of a run, live or replayed, in one shape:
//! each message's journey (when it entered, its class) and its visits to
//! the queues with their stamps, which [`super::measure`] turns into metrics.

use std::ops::Range;

use super::harness::{self, NEVER, Stamps};
use super::timeline::Timeline;
use crate::model::{Loss, VisitRecord};

/// One visit of a message to a queue as measured, ns from the run's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VisitStamps {
    /// The queue.
    pub queue: usize,
    /// Arrival there (a first visit's scheduled arrival, so a late producer
    /// cannot hide queueing).
    pub arrived: u64,
    /// Start of service ([`NEVER`] if never served).
    pub dequeued: u64,
    /// End of service, or the instant it was lost ([`NEVER`] if neither).
    pub done: u64,
    /// The full queue rejected it.
    pub rejected: bool,
    /// It was lost waiting (expired, or dropped from the head).
    pub lost: Option<Loss>,
    /// Its deliveries that failed (requeued and delivered again).
    pub retries: u32,
}

/// One message's way through the queues.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Journey {
    /// Scheduled arrival in the network.
    pub entered: u64,
    /// Class index.
    pub class: usize,
    /// Its visits, in order, as indices into [`Journeys::visits`].
    pub visits: Range<usize>,
}

/// What happened to the messages of a run, live or replayed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Journeys {
    /// Every message sent, in arrival order.
    pub messages: Vec<Journey>,
    /// Every visit made, message after message.
    pub visits: Vec<VisitStamps>,
}

impl Journeys {
    /// The journeys of a live run of `timeline` from its `stamps`: every
    /// message sent, with the visits it reached.
    pub fn live(timeline: &Timeline, stamps: &Stamps) -> Journeys {
        let mut journeys = Journeys::default();
        let mut failed = stamps.failed.as_slice();
        for planned in &timeline.messages {
            let reached = planned
                .visits
                .clone()
                .take_while(|&v| stamps.arrived[v] != NEVER);
            let first = journeys.visits.len();
            journeys.visits.extend(reached.map(|v| VisitStamps {
                retries: harness::failures_of(&mut failed, v).len() as u32,
                queue: timeline.visits[v].queue as usize,
                arrived: if v == planned.visits.start {
                    planned.scheduled
                } else {
                    stamps.arrived[v]
                },
                dequeued: stamps.dequeued[v],
                done: stamps.lost[v].map_or(stamps.done[v], |(_, at)| at),
                rejected: stamps.rejected[v],
                lost: stamps.lost[v].map(|(how, _)| how),
            }));
            if journeys.visits.len() == first {
                break; // not sent: neither is any later message
            }
            journeys.messages.push(Journey {
                entered: planned.scheduled,
                class: planned.class,
                visits: first..journeys.visits.len(),
            });
        }
        journeys
    }

    /// The journeys of a replay from its visits (model time units, any
    /// order), at `ns_per_unit`.
    pub fn replayed(visits: &[VisitRecord], ns_per_unit: f64) -> Journeys {
        let ns = |units: f64| (units * ns_per_unit).round() as u64;
        let mut sorted: Vec<&VisitRecord> = visits.iter().collect();
        // Stable: visits of one message at the same instant keep event order.
        sorted.sort_by(|a, b| {
            (a.message, a.arrival)
                .partial_cmp(&(b.message, b.arrival))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut journeys = Journeys::default();
        for (index, visit) in sorted.iter().enumerate() {
            let starts_journey = index == 0 || sorted[index - 1].message != visit.message;
            if starts_journey {
                journeys.messages.push(Journey {
                    entered: ns(visit.arrival),
                    class: visit.class,
                    visits: index..index,
                });
            }
            if let Some(journey) = journeys.messages.last_mut() {
                journey.visits.end = index + 1;
            }
            journeys.visits.push(VisitStamps {
                queue: visit.queue,
                arrived: ns(visit.arrival),
                dequeued: visit.start.map_or(NEVER, ns),
                done: match (visit.start, visit.lost) {
                    (None, None) => NEVER,
                    _ => ns(visit.end),
                },
                rejected: visit.start.is_none() && visit.lost.is_none(),
                lost: visit.lost,
                retries: visit.retries,
            });
        }
        journeys
    }
}

/// How an observed visit or journey ended.
pub(super) enum Outcome {
    /// A full queue rejected it.
    Rejected,
    /// Lost waiting (`how`) after waiting `wait` (ns), `sojourn` after
    /// entering.
    Lost { how: Loss, wait: u64, sojourn: u64 },
    /// The run ended first.
    Unfinished,
    /// Served: waited `wait` and stayed `sojourn` (ns), leaving at `left`,
    /// after `retries` failed deliveries.
    Served {
        wait: u64,
        sojourn: u64,
        left: u64,
        retries: u32,
    },
}

impl Outcome {
    /// How one visit (a message at one queue) ended.
    pub(super) fn of_visit(visit: &VisitStamps) -> Outcome {
        if visit.rejected {
            Outcome::Rejected
        } else if let Some(how) = visit.lost {
            let waited = visit.done.saturating_sub(visit.arrived);
            Outcome::Lost {
                how,
                wait: waited,
                sojourn: waited,
            }
        } else if visit.done == NEVER {
            Outcome::Unfinished
        } else {
            // A producer never sends early, so neither difference is negative.
            Outcome::Served {
                wait: visit.dequeued.saturating_sub(visit.arrived),
                sojourn: visit.done.saturating_sub(visit.arrived),
                left: visit.done,
                retries: visit.retries,
            }
        }
    }

    /// How a journey through the network that began at `entered` ended,
    /// from its visits in order.
    pub(super) fn of_journey(entered: u64, visits: &[VisitStamps]) -> Outcome {
        let Some(last) = visits.last() else {
            return Outcome::Unfinished;
        };
        if visits.iter().any(|v| v.rejected) {
            return Outcome::Rejected;
        }
        if let Some(how) = visits.iter().find_map(|v| v.lost) {
            let waits = visits.iter().map(|v| {
                let until = if v.lost.is_some() { v.done } else { v.dequeued };
                until.saturating_sub(v.arrived)
            });
            return Outcome::Lost {
                how,
                wait: waits.sum(),
                sojourn: last.done.saturating_sub(entered),
            };
        }
        if last.done == NEVER {
            return Outcome::Unfinished;
        }
        Outcome::Served {
            wait: visits
                .iter()
                .map(|v| v.dequeued.saturating_sub(v.arrived))
                .sum(),
            sojourn: last.done.saturating_sub(entered),
            left: last.done,
            retries: visits.iter().map(|v| v.retries).sum(),
        }
    }
}
