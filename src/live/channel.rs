//! The real queues a live run drives, behind one small trait: FIFO channels
//! (crossbeam-channel, std mpsc, a mutex-guarded deque), a mutex-guarded
//! stack (LIFO) and a mutex-guarded heap (priority, then arrival order).

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

use super::ChannelKind;

/// A message in flight at one queue: the index of its visit there in the
/// run's timeline, and its class's priority.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message {
    /// Index of the visit in the timeline.
    pub id: u32,
    /// Priority of its class (lower is served first).
    pub priority: i64,
}

/// What a consumer got from [`MessageQueue::pop`].
#[derive(Debug, PartialEq, Eq)]
pub enum Popped {
    /// A message to serve.
    Message(Message),
    /// Nothing arrived within the timeout; ask again.
    Empty,
    /// The queue is closed and drained: the consumer can stop.
    Closed,
}

/// A multi-producer, multi-consumer queue as the live harness uses it.
pub trait MessageQueue: Send + Sync {
    /// Enqueues a message (never blocks; capacity is enforced by the harness).
    fn push(&self, message: Message);
    /// Dequeues the next message in the queue's order, waiting at most
    /// `timeout` for one.
    fn pop(&self, timeout: Duration) -> Popped;
    /// No more pushes: consumers drain what is left, then get [`Popped::Closed`].
    fn close(&self);
}

impl ChannelKind {
    /// A new, empty queue of this kind.
    pub fn build(self) -> Box<dyn MessageQueue> {
        match self {
            ChannelKind::Crossbeam => Box::new(Crossbeam::new()),
            ChannelKind::StdMpsc => Box::new(StdMpsc::new()),
            ChannelKind::MutexVecdeque => Box::new(Guarded::<VecDeque<Message>>::default()),
            ChannelKind::MutexStack => Box::new(Guarded::<Vec<Message>>::default()),
            ChannelKind::MutexHeap => Box::new(Guarded::<PriorityHeap>::default()),
        }
    }
}

/// crossbeam-channel: the sender is dropped to close.
struct Crossbeam {
    sender: Mutex<Option<crossbeam_channel::Sender<Message>>>,
    receiver: crossbeam_channel::Receiver<Message>,
}

impl Crossbeam {
    fn new() -> Crossbeam {
        let (sender, receiver) = crossbeam_channel::unbounded();
        Crossbeam {
            sender: Mutex::new(Some(sender)),
            receiver,
        }
    }
}

impl MessageQueue for Crossbeam {
    fn push(&self, message: Message) {
        if let Some(sender) = &*self.sender.lock().unwrap_or_else(PoisonError::into_inner) {
            // Cannot fail: the receiver lives as long as `self`.
            let _ = sender.send(message);
        }
    }

    fn pop(&self, timeout: Duration) -> Popped {
        match self.receiver.recv_timeout(timeout) {
            Ok(message) => Popped::Message(message),
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => Popped::Empty,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => Popped::Closed,
        }
    }

    fn close(&self) {
        self.sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

/// std::sync::mpsc: one receiver, so consumers take turns behind a Mutex.
struct StdMpsc {
    sender: Mutex<Option<mpsc::Sender<Message>>>,
    receiver: Mutex<mpsc::Receiver<Message>>,
}

impl StdMpsc {
    fn new() -> StdMpsc {
        let (sender, receiver) = mpsc::channel();
        StdMpsc {
            sender: Mutex::new(Some(sender)),
            receiver: Mutex::new(receiver),
        }
    }
}

impl MessageQueue for StdMpsc {
    fn push(&self, message: Message) {
        if let Some(sender) = &*self.sender.lock().unwrap_or_else(PoisonError::into_inner) {
            let _ = sender.send(message);
        }
    }

    fn pop(&self, timeout: Duration) -> Popped {
        let receiver = self.receiver.lock().unwrap_or_else(PoisonError::into_inner);
        match receiver.recv_timeout(timeout) {
            Ok(message) => Popped::Message(message),
            Err(mpsc::RecvTimeoutError::Timeout) => Popped::Empty,
            Err(mpsc::RecvTimeoutError::Disconnected) => Popped::Closed,
        }
    }

    fn close(&self) {
        self.sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }
}

/// A container that decides the order of a [`Guarded`] queue.
trait Order: Default + Send {
    fn put(&mut self, message: Message);
    fn take(&mut self) -> Option<Message>;
    fn is_empty(&self) -> bool;
}

impl Order for VecDeque<Message> {
    fn put(&mut self, message: Message) {
        self.push_back(message);
    }
    fn take(&mut self) -> Option<Message> {
        self.pop_front()
    }
    fn is_empty(&self) -> bool {
        VecDeque::is_empty(self)
    }
}

impl Order for Vec<Message> {
    fn put(&mut self, message: Message) {
        self.push(message);
    }
    fn take(&mut self) -> Option<Message> {
        self.pop()
    }
    fn is_empty(&self) -> bool {
        Vec::is_empty(self)
    }
}

/// Heap entry: the lowest priority number first, then the earliest
/// arrival at the queue (the order of `put`).
#[derive(Debug, PartialEq, Eq)]
struct ByPriority {
    message: Message,
    arrival: u64,
}

impl Ord for ByPriority {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.message.priority, other.arrival).cmp(&(self.message.priority, self.arrival))
    }
}

impl PartialOrd for ByPriority {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A heap by priority, numbering arrivals to keep FIFO within a priority.
#[derive(Debug, Default)]
struct PriorityHeap {
    heap: BinaryHeap<ByPriority>,
    arrivals: u64,
}

impl Order for PriorityHeap {
    fn put(&mut self, message: Message) {
        self.heap.push(ByPriority {
            message,
            arrival: self.arrivals,
        });
        self.arrivals += 1;
    }
    fn take(&mut self) -> Option<Message> {
        self.heap.pop().map(|entry| entry.message)
    }
    fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

/// A container behind a Mutex, with a Condvar to wake waiting consumers.
#[derive(Default)]
struct Guarded<C> {
    state: Mutex<(C, bool)>,
    ready: Condvar,
}

impl<C: Order> MessageQueue for Guarded<C> {
    fn push(&self, message: Message) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.0.put(message);
        drop(state);
        self.ready.notify_one();
    }

    fn pop(&self, timeout: Duration) -> Popped {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut state, _) = self
            .ready
            .wait_timeout_while(state, timeout, |(container, closed)| {
                !*closed && container.is_empty()
            })
            .unwrap_or_else(PoisonError::into_inner);
        match state.0.take() {
            Some(message) => Popped::Message(message),
            None if state.1 => Popped::Closed,
            None => Popped::Empty,
        }
    }

    fn close(&self) {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).1 = true;
        self.ready.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Discipline;

    fn message(id: u32, priority: i64) -> Message {
        Message { id, priority }
    }

    fn drain(queue: &dyn MessageQueue) -> Vec<u32> {
        queue.close();
        let mut ids = Vec::new();
        while let Popped::Message(m) = queue.pop(Duration::from_millis(10)) {
            ids.push(m.id);
        }
        ids
    }

    #[test]
    fn each_channel_serves_in_its_disciplines_order() {
        for kind in ChannelKind::ALL {
            let queue = kind.build();
            // Ids are visit indices, not arrival order at the queue.
            for (id, priority) in [(3, 2), (1, 1), (0, 2), (2, 1)] {
                queue.push(message(id, priority));
            }
            let expected = match kind.discipline() {
                Discipline::Fifo => vec![3, 1, 0, 2],
                Discipline::Lifo => vec![2, 0, 1, 3],
                _ => vec![1, 2, 3, 0],
            };
            assert_eq!(drain(queue.as_ref()), expected, "{}", kind.name());
        }
    }

    #[test]
    fn an_empty_queue_times_out_then_reports_closed() {
        for kind in ChannelKind::ALL {
            let queue = kind.build();
            assert_eq!(
                queue.pop(Duration::from_millis(1)),
                Popped::Empty,
                "{}",
                kind.name()
            );
            queue.close();
            assert_eq!(
                queue.pop(Duration::from_millis(1)),
                Popped::Closed,
                "{}",
                kind.name()
            );
        }
    }

    #[test]
    fn consumers_on_other_threads_receive_every_message_once() {
        for kind in ChannelKind::ALL {
            let queue: std::sync::Arc<dyn MessageQueue> = std::sync::Arc::from(kind.build());
            let consumers: Vec<_> = (0..3)
                .map(|_| {
                    let queue = queue.clone();
                    std::thread::spawn(move || {
                        let mut ids = Vec::new();
                        loop {
                            match queue.pop(Duration::from_millis(5)) {
                                Popped::Message(m) => ids.push(m.id),
                                Popped::Empty => {}
                                Popped::Closed => return ids,
                            }
                        }
                    })
                })
                .collect();
            for id in 0..1000 {
                queue.push(message(id, i64::from(id % 3)));
            }
            queue.close();
            let mut all: Vec<u32> = consumers
                .into_iter()
                .flat_map(|c| c.join().unwrap())
                .collect();
            all.sort_unstable();
            assert_eq!(all, (0..1000).collect::<Vec<_>>(), "{}", kind.name());
        }
    }
}
