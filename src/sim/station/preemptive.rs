//! Preemptive-resume service: an urgent arrival interrupts a less urgent
//! service, which waits again with the work it has left. The messages in
//! service are kept so that the arrival finds whom to interrupt in time
//! that does not grow with the consumers.

use super::effect::Arrival;
use super::line::priority_levels;
use super::{Serving, Station};
use crate::model::{Discipline, Model};
use crate::sim::message::Message;

/// No slot (end of a list).
const NONE: u32 = u32::MAX;

/// Neighbours of a message in service within its level, in start order.
#[derive(Clone, Copy, Debug)]
struct Link {
    previous: u32,
    next: u32,
    level: u32,
}

/// Messages in service by urgency level, each level a doubly linked list
/// in start order over message slots: start, finish and the choice of a
/// victim take O(levels), and nothing is allocated once the slots are
/// known.
#[derive(Debug)]
pub(crate) struct InService {
    /// First and last slot of each level, most urgent level first.
    ends: Vec<(u32, u32)>,
    /// Links by message slot (valid only for slots in service).
    links: Vec<Link>,
    /// Level of each class.
    level_of_class: Vec<u32>,
    /// Whether the latest started of all is interrupted (LIFO) rather than
    /// the earliest started of the least urgent level (priority).
    latest_first: bool,
}

impl InService {
    /// Nobody in service, for a preemptive `discipline`: one level for
    /// LIFO-preemptive, one per class priority for priority-preemptive.
    pub(crate) fn new(discipline: Discipline, model: &Model) -> InService {
        let (levels, level_of_class) = match discipline {
            Discipline::PriorityPreemptive => {
                let (levels, level_of_class) = priority_levels(model);
                let level_of_class = level_of_class.into_iter().map(|l| l as u32).collect();
                (levels, level_of_class)
            }
            _ => (1, vec![0; model.classes.len()]),
        };
        InService {
            ends: vec![(NONE, NONE); levels],
            links: Vec::new(),
            level_of_class,
            latest_first: discipline == Discipline::LifoPreemptive,
        }
    }

    /// `slot`, of `class`, starts service (after everyone in its level).
    pub(crate) fn start(&mut self, slot: u32, class: usize) {
        let level = self.level_of_class[class];
        if self.links.len() <= slot as usize {
            self.links.resize(
                slot as usize + 1,
                Link {
                    previous: NONE,
                    next: NONE,
                    level: 0,
                },
            );
        }
        let (head, tail) = &mut self.ends[level as usize];
        self.links[slot as usize] = Link {
            previous: *tail,
            next: NONE,
            level,
        };
        if *tail == NONE {
            *head = slot;
        } else {
            self.links[*tail as usize].next = slot;
        }
        *tail = slot;
    }

    /// `slot`'s service ends or is interrupted.
    pub(crate) fn stop(&mut self, slot: u32) {
        let Link {
            previous,
            next,
            level,
        } = self.links[slot as usize];
        let (head, tail) = &mut self.ends[level as usize];
        if previous == NONE {
            *head = next;
        } else {
            self.links[previous as usize].next = next;
        }
        if next == NONE {
            *tail = previous;
        } else {
            self.links[next as usize].previous = previous;
        }
    }

    /// The service an arrival of `class` interrupts when every consumer is
    /// busy: under LIFO the latest started; under priority the earliest
    /// started of the least urgent level, if less urgent than the arrival.
    pub(crate) fn victim(&self, class: usize) -> Option<u32> {
        if self.latest_first {
            let (_, tail) = self.ends[0];
            return (tail != NONE).then_some(tail);
        }
        let arrival = self.level_of_class[class] as usize;
        self.ends[arrival + 1..]
            .iter()
            .rev()
            .map(|&(head, _)| head)
            .find(|&head| head != NONE)
    }
}

impl Station<'_> {
    /// A message of `class` in `slot`, needing `service`, joins a
    /// preemptive station at `now`: when every consumer is busy it
    /// interrupts a less urgent service (the preempted slot, first), then
    /// is served or waits as usual. Kept off the path of the other
    /// disciplines.
    #[inline(never)]
    pub(super) fn join_preemptive(
        &mut self,
        now: f64,
        slot: u32,
        class: usize,
        service: f64,
        messages: &[Message],
    ) -> Arrival {
        let mut preempted = None;
        if self.busy >= self.consumers
            && let Serving::Preemptive(in_service) = &self.serving
            && let Some(victim) = in_service.victim(class)
        {
            self.finish(victim);
            let victim_class = messages[victim as usize].class as usize;
            self.line.push_front(victim, victim_class);
            preempted = Some(victim);
        }
        Arrival::Accepted {
            service,
            preempted,
            entry: self.join(now, slot, class, messages),
            drops_oldest: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Class;

    fn model(priorities: &[i64]) -> Model {
        Model {
            name: "t".into(),
            time_unit: "s".into(),
            producers: Vec::new(),
            queues: Vec::new(),
            report_every: None,
            classes: priorities
                .iter()
                .map(|&priority| Class {
                    name: format!("c{priority}"),
                    priority,
                    service: None,
                })
                .collect(),
            within: Vec::new(),
        }
    }

    #[test]
    fn lifo_interrupts_the_latest_started_still_in_service() {
        let mut in_service = InService::new(Discipline::LifoPreemptive, &model(&[0]));
        assert_eq!(in_service.victim(0), None);
        for slot in [4, 9, 2] {
            in_service.start(slot, 0);
        }
        assert_eq!(in_service.victim(0), Some(2));
        in_service.stop(2);
        assert_eq!(in_service.victim(0), Some(9));
        in_service.stop(4);
        assert_eq!(in_service.victim(0), Some(9));
        in_service.stop(9);
        assert_eq!(in_service.victim(0), None);
    }

    #[test]
    fn priority_interrupts_the_earliest_started_of_the_least_urgent_level() {
        // Classes 0 and 2 share the most urgent priority; class 1 is bulk.
        let mut in_service = InService::new(Discipline::PriorityPreemptive, &model(&[0, 5, 0]));
        in_service.start(7, 1);
        in_service.start(3, 0);
        in_service.start(8, 1);
        assert_eq!(in_service.victim(0), Some(7));
        assert_eq!(in_service.victim(2), Some(7));
        assert_eq!(in_service.victim(1), None, "bulk never interrupts bulk");
        in_service.stop(7);
        assert_eq!(in_service.victim(0), Some(8));
        in_service.stop(8);
        assert_eq!(in_service.victim(0), None, "urgent never interrupts urgent");
        in_service.start(7, 1);
        assert_eq!(in_service.victim(2), Some(7));
    }
}
