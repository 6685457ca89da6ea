//! Waiting lines: the order in which a queue's consumers take messages.

use std::collections::VecDeque;

use rand::RngExt;

use crate::model::{Discipline, Model};
use crate::sim::streams::Stream;

/// Messages waiting at one queue, by message slot.
#[derive(Debug)]
pub(crate) enum WaitingLine {
    /// First in, first out.
    Fifo(VecDeque<u32>),
    /// Last in, first out.
    Lifo(Vec<u32>),
    /// Any waiting message, drawn uniformly with the line's own stream.
    Random {
        /// Waiting messages, in no particular order.
        messages: Vec<u32>,
        /// Stream of the draws.
        stream: Box<Stream>,
    },
    /// One FIFO line per priority level, most urgent first.
    Priority {
        /// Lines by level.
        levels: Vec<VecDeque<u32>>,
        /// Level of each class.
        level_of_class: Vec<usize>,
    },
}

impl WaitingLine {
    /// An empty line for `discipline`, with levels from the model's class
    /// priorities; `stream` draws the random order.
    pub(crate) fn new(discipline: Discipline, model: &Model, stream: Stream) -> Self {
        match discipline {
            // Processor sharing keeps no line; the empty FIFO is never used.
            Discipline::Fifo | Discipline::ProcessorSharing => WaitingLine::Fifo(VecDeque::new()),
            Discipline::Lifo | Discipline::LifoPreemptive => WaitingLine::Lifo(Vec::new()),
            Discipline::Random => WaitingLine::Random {
                messages: Vec::new(),
                stream: Box::new(stream),
            },
            Discipline::Priority | Discipline::PriorityPreemptive => {
                let (levels, level_of_class) = priority_levels(model);
                WaitingLine::Priority {
                    levels: vec![VecDeque::new(); levels],
                    level_of_class,
                }
            }
        }
    }

    /// Adds a waiting message of `class`.
    #[inline(always)]
    pub(crate) fn push(&mut self, message: u32, class: usize) {
        match self {
            WaitingLine::Fifo(line) => line.push_back(message),
            WaitingLine::Lifo(stack) => stack.push(message),
            WaitingLine::Random { messages, .. } => messages.push(message),
            WaitingLine::Priority {
                levels,
                level_of_class,
            } => levels[level_of_class[class]].push_back(message),
        }
    }

    /// Puts back an interrupted message of `class` at the head, to be
    /// taken before the others of its level (LIFO: the top, taken next;
    /// random: anywhere, as every message).
    pub(crate) fn push_front(&mut self, message: u32, class: usize) {
        match self {
            WaitingLine::Fifo(line) => line.push_front(message),
            WaitingLine::Priority {
                levels,
                level_of_class,
            } => levels[level_of_class[class]].push_front(message),
            _ => self.push(message, class),
        }
    }

    /// Takes the next message to serve.
    #[inline(always)]
    pub(crate) fn pop(&mut self) -> Option<u32> {
        match self {
            WaitingLine::Fifo(line) => line.pop_front(),
            WaitingLine::Lifo(stack) => stack.pop(),
            WaitingLine::Random { messages, stream } => {
                if messages.is_empty() {
                    None
                } else {
                    let pick = stream.random_range(0..messages.len());
                    Some(messages.swap_remove(pick))
                }
            }
            WaitingLine::Priority { levels, .. } => {
                levels.iter_mut().find_map(|level| level.pop_front())
            }
        }
    }
}

/// The number of distinct class priorities, and the level of each class
/// among them (0: the most urgent, the smallest priority).
pub(super) fn priority_levels(model: &Model) -> (usize, Vec<usize>) {
    let mut priorities: Vec<i64> = model.classes.iter().map(|c| c.priority).collect();
    priorities.sort_unstable();
    priorities.dedup();
    let level_of_class = model
        .classes
        .iter()
        .map(|c| priorities.binary_search(&c.priority).unwrap_or(0))
        .collect();
    (priorities.len(), level_of_class)
}
