//! The schedule a live run follows, generated from the seed before any
//! thread starts: every message's absolute arrival instant and its whole
//! way through the queues (each visit's queue and service requirement,
//! the routing decided in advance; at a queue whose failed deliveries
//! are requeued at the head, which deliveries fail and the service of
//! each redelivery), in wall-clock nanoseconds.

use std::ops::Range;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::LiveSettings;
use crate::model::{Arrivals, Model, Redelivery};

/// Stream of producer `p`'s interarrival gaps is `PRODUCER_STREAM + p`.
const PRODUCER_STREAM: u64 = 0;
/// Stream of queue `q`'s service requirements is `SERVICE_STREAM + q`.
const SERVICE_STREAM: u64 = 1 << 20;
/// Stream of the routing draws after service at queue `q` is
/// `ROUTING_STREAM + q`.
const ROUTING_STREAM: u64 = 2 << 20;
/// Stream of the draws that say whether a delivery at queue `q` fails is
/// `FAILURE_STREAM + q` (the simulation's).
const FAILURE_STREAM: u64 = 7 << 20;

/// One planned message.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    /// Arrival instant, ns from the run's start.
    pub scheduled: u64,
    /// Index of the producer that sends it.
    pub producer: usize,
    /// Class index.
    pub class: usize,
    /// Its visits, in order, as indices into [`Timeline::visits`].
    pub visits: Range<usize>,
}

/// One planned visit of a message to a queue.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedVisit {
    /// Index of the message in [`Timeline::messages`].
    pub message: u32,
    /// The queue.
    pub queue: u32,
    /// Service requirement there, ns (of its first delivery).
    pub service: u64,
    /// The service requirements of its redeliveries, as indices into
    /// [`Timeline::redeliveries`]: one per failed delivery, each failed
    /// delivery followed by the next (empty where nothing fails).
    pub redeliveries: Range<u32>,
}

/// The windows of a run, and its time scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// End of the warm-up window (ns): earlier arrivals are not measured.
    pub warmup_end: u64,
    /// End of the run (ns): the last scheduled arrival is before it.
    pub end: u64,
    /// Wall nanoseconds per model time unit.
    pub ns_per_unit: f64,
}

/// Every message of a live run, in arrival order, their visits, and the
/// run's windows.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// Messages by scheduled arrival (ties: producer order).
    pub messages: Vec<Planned>,
    /// Visits, message after message, each message's in path order.
    pub visits: Vec<PlannedVisit>,
    /// Service requirements (ns) of the redeliveries after failed
    /// deliveries, visit after visit (see [`PlannedVisit::redeliveries`]).
    pub redeliveries: Vec<u64>,
    /// Windows and time scale.
    pub window: Window,
}

impl Timeline {
    /// Plans a run of `model`: open producers send from 0 to
    /// `warmup_seconds + seconds`; each message's path follows the
    /// routing, drawn per queue in message order, and each visit's
    /// service comes from the queue's (or class's) distribution, drawn per
    /// queue in message order. At a queue whose failed deliveries are
    /// requeued at the head (`retry`, without a limit: no bench driver
    /// runs one), each delivery fails with its probability, drawn per
    /// queue in message order from the simulation's failure stream, and
    /// each redelivery's service comes next from the queue's service
    /// stream. Deterministic in `seed`.
    pub fn plan(model: &Model, settings: &LiveSettings, seed: u64) -> Timeline {
        let ns_per_unit = settings.time_scale_ms * 1e6;
        let warmup_end = (settings.warmup_seconds * 1e9) as u64;
        let end = warmup_end + (settings.seconds * 1e9) as u64;
        let horizon = end as f64 / ns_per_unit;
        let mut arrivals: Vec<(f64, usize)> = Vec::new();
        for (index, producer) in model.producers.iter().enumerate() {
            let Arrivals::Open { interarrival } = &producer.arrivals else {
                continue;
            };
            let mut rng = stream(seed, PRODUCER_STREAM + index as u64);
            let mut time = interarrival.sample(&mut rng);
            while time < horizon {
                arrivals.push((time, index));
                time += interarrival.sample(&mut rng);
            }
        }
        arrivals.sort_by(|a, b| a.0.total_cmp(&b.0));
        let queue_streams = |base: u64| -> Vec<ChaCha8Rng> {
            (0..model.queues.len())
                .map(|queue| stream(seed, base + queue as u64))
                .collect()
        };
        let mut services = queue_streams(SERVICE_STREAM);
        let mut routing = queue_streams(ROUTING_STREAM);
        let mut failures = queue_streams(FAILURE_STREAM);
        let mut redeliveries = Vec::new();
        let mut visits = Vec::with_capacity(arrivals.len());
        let messages = arrivals
            .into_iter()
            .enumerate()
            .map(|(id, (time, producer))| {
                let class = model.producers[producer].class;
                let first = visits.len();
                let mut next = Some(model.producers[producer].queue);
                while let Some(queue) = next {
                    let dist = model.service(queue, class);
                    let service = dist.sample(&mut services[queue]);
                    let spec = &model.queues[queue];
                    let first_redelivery = redeliveries.len() as u32;
                    if let Some(retry) = spec.retry()
                        && retry.redelivery == Redelivery::Head
                    {
                        while failures[queue].random::<f64>() < retry.p {
                            let again = dist.sample(&mut services[queue]);
                            redeliveries.push((again * ns_per_unit) as u64);
                        }
                    }
                    visits.push(PlannedVisit {
                        message: id as u32,
                        queue: queue as u32,
                        service: (service * ns_per_unit) as u64,
                        redeliveries: first_redelivery..redeliveries.len() as u32,
                    });
                    next = if spec.routes().is_empty() {
                        None
                    } else {
                        spec.exit.next_queue(routing[queue].random())
                    };
                }
                Planned {
                    scheduled: (time * ns_per_unit) as u64,
                    producer,
                    class,
                    visits: first..visits.len(),
                }
            })
            .collect();
        Timeline {
            messages,
            visits,
            redeliveries,
            window: Window {
                warmup_end,
                end,
                ns_per_unit,
            },
        }
    }

    /// The messages a run measures (by index): those scheduled after the
    /// warm-up, as the live measurements count them.
    pub fn measured_messages(&self) -> Range<usize> {
        let first = self
            .messages
            .partition_point(|message| message.scheduled < self.window.warmup_end);
        first..self.messages.len()
    }

    /// The visit after `visit` on its message's path, if any.
    #[inline]
    pub fn next_visit(&self, visit: usize) -> Option<usize> {
        let message = &self.messages[self.visits[visit].message as usize];
        (visit + 1 < message.visits.end).then_some(visit + 1)
    }

    /// Delivery `delivery` (0 the first) of `visit`: its service
    /// requirement (ns) and whether it fails (the message is then
    /// requeued and delivered again); `None` past its last delivery.
    #[inline]
    pub fn delivery(&self, visit: usize, delivery: u32) -> Option<(u64, bool)> {
        let planned = &self.visits[visit];
        let failures = planned.redeliveries.len() as u32;
        let service = match delivery.checked_sub(1) {
            None => planned.service,
            Some(k) if k < failures => self.redeliveries[(planned.redeliveries.start + k) as usize],
            Some(_) => return None,
        };
        Some((service, delivery < failures))
    }

    /// The planned service of `visit`'s first `deliveries` deliveries in
    /// all (one past the plan's last serves the first's service, as the
    /// bench's consumers do).
    pub fn planned_work(&self, visit: usize, deliveries: u32) -> u64 {
        (0..deliveries)
            .map(|k| {
                self.delivery(visit, k)
                    .map_or(self.visits[visit].service, |(s, _)| s)
            })
            .sum()
    }

    /// The class of the message making `visit`.
    #[inline]
    pub fn class_of(&self, visit: usize) -> usize {
        self.messages[self.visits[visit].message as usize].class
    }
}

fn stream(seed: u64, id: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(id);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn tandem() -> Model {
        let text = "name = \"t\"\n[[producers]]\nname = \"p\"\nto = \"a\"\ninterarrival = { dist = \"exponential\", rate = 0.5 }\n[[queues]]\nname = \"a\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 1.0 }\nnext = [{ to = \"b\", p = 0.6 }, { to = \"a\", p = 0.2 }]\n[[queues]]\nname = \"b\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 0.5 }\n";
        let scenario = crate::scenario::parse(Path::new("t.toml"), text.to_string()).unwrap();
        scenario.points[0].model.clone()
    }

    fn settings() -> LiveSettings {
        LiveSettings {
            channels: Vec::new(),
            time_scale_ms: 1.0,
            seconds: 20.0,
            warmup_seconds: 1.0,
        }
    }

    #[test]
    fn a_plan_fails_deliveries_at_the_retry_probability_and_redelivers_them() {
        let text = "name = \"r\"\n[[producers]]\nname = \"p\"\nto = \"a\"\ninterarrival = { dist = \"exponential\", rate = 0.5 }\n[[queues]]\nname = \"a\"\nconsumers = 1\nservice = { dist = \"exponential\", mean = 1.0 }\nretry = { p = 0.2, requeue = \"head\" }\n";
        let scenario = crate::scenario::parse(Path::new("r.toml"), text.to_string()).unwrap();
        let plan = Timeline::plan(&scenario.points[0].model, &settings(), 7);
        assert!(
            Timeline::plan(&tandem(), &settings(), 7)
                .redeliveries
                .is_empty()
        );
        let visits = plan.visits.len() as f64;
        // p/(1-p) = 0.25 per message; its standard error here is 0.0055.
        let per_message = plan.redeliveries.len() as f64 / visits;
        assert!((per_message - 0.25).abs() < 0.03, "{per_message}");
        let retried = (0..plan.visits.len())
            .find(|&v| !plan.visits[v].redeliveries.is_empty())
            .expect("some delivery fails");
        let failures = plan.visits[retried].redeliveries.len() as u32;
        for delivery in 0..failures {
            assert!(
                plan.delivery(retried, delivery)
                    .is_some_and(|(_, fails)| fails)
            );
        }
        let first = plan.visits[retried].redeliveries.start as usize;
        let last = plan.delivery(retried, failures);
        assert_eq!(
            last,
            Some((plan.redeliveries[first + failures as usize - 1], false))
        );
        assert_eq!(plan.delivery(retried, failures + 1), None);
        // Every delivery's planned service, the first's for one past the plan.
        let services = &plan.redeliveries[first..first + failures as usize];
        let first_service = plan.visits[retried].service;
        assert_eq!(plan.planned_work(retried, 1), first_service);
        assert_eq!(
            plan.planned_work(retried, failures + 1),
            first_service + services.iter().sum::<u64>()
        );
        assert_eq!(
            plan.planned_work(retried, failures + 2),
            plan.planned_work(retried, failures + 1) + first_service
        );
    }

    #[test]
    fn a_plan_is_reproducible_and_its_paths_follow_the_routing() {
        let model = tandem();
        let plan = Timeline::plan(&model, &settings(), 7);
        let again = Timeline::plan(&model, &settings(), 7);
        assert_eq!(plan.messages, again.messages);
        assert_eq!(plan.visits, again.visits);
        assert_ne!(Timeline::plan(&model, &settings(), 8).visits, plan.visits);
        for (id, message) in plan.messages.iter().enumerate() {
            let path = &plan.visits[message.visits.clone()];
            assert_eq!(path[0].queue, 0, "messages enter at `a`");
            assert!(path.iter().all(|v| v.message as usize == id));
            // Only `a` forwards, so `b` can only end a path.
            assert!(path[..path.len() - 1].iter().all(|v| v.queue == 0));
        }
        // Visits per message: 1 / (1 - 0.2) at `a`, 0.6 / 0.8 at `b`: 2.
        let per_message = plan.visits.len() as f64 / plan.messages.len() as f64;
        assert!((per_message - 2.0).abs() < 0.1, "{per_message}");
        let expected = settings().expected_visits(&model);
        let ratio = plan.visits.len() as f64 / expected;
        assert!(
            (ratio - 1.0).abs() < 0.1,
            "{} vs {expected}",
            plan.visits.len()
        );
    }

    #[test]
    fn the_measured_messages_are_those_scheduled_after_the_warm_up() {
        let plan = Timeline::plan(&tandem(), &settings(), 7);
        let measured = plan.measured_messages();
        let warmup_end = plan.window.warmup_end;
        assert!(measured.start > 0, "a second of warm-up at rate 0.5/ms");
        assert_eq!(measured.end, plan.messages.len());
        assert!(plan.messages[measured.start - 1].scheduled < warmup_end);
        assert!(plan.messages[measured.start].scheduled >= warmup_end);
    }
}
