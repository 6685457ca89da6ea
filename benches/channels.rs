//! The live queue implementations on their own: enqueue -> dequeue
//! throughput with 1 and 4 producers/consumers, and one-way latency from a
//! ping-pong between two threads through two queues of the same kind.
//! Run with `cargo bench --bench channels`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use queuelab::live::{ChannelKind, Message, MessageQueue, Popped};

/// Messages pushed through per throughput iteration.
const MESSAGES: u32 = 100_000;

/// How long a consumer blocks before asking again.
const POLL: Duration = Duration::from_millis(10);

fn message(id: u32) -> Message {
    Message {
        id,
        priority: i64::from(id % 2),
    }
}

/// Pushes [`MESSAGES`] from `producers` threads and pops them on
/// `consumers` threads until the queue is closed and drained.
fn pass_through(kind: ChannelKind, producers: u32, consumers: u32) {
    let queue: Arc<dyn MessageQueue> = Arc::from(kind.build());
    std::thread::scope(|scope| {
        for _ in 0..consumers {
            let queue = queue.clone();
            scope.spawn(move || {
                let mut received = 0u32;
                loop {
                    match queue.pop(POLL) {
                        Popped::Message(m) => received = received.wrapping_add(m.id),
                        Popped::Empty => {}
                        Popped::Closed => return black_box(received),
                    }
                }
            });
        }
        let senders: Vec<_> = (0..producers)
            .map(|p| {
                let queue = queue.clone();
                scope.spawn(move || {
                    for id in (p..MESSAGES).step_by(producers as usize) {
                        queue.push(message(id));
                    }
                })
            })
            .collect();
        for sender in senders {
            sender.join().expect("producer thread");
        }
        queue.close();
    });
}

/// Time for `rounds` one-way hops: a message goes to a second thread
/// through one queue and comes back through another.
fn ping_pong(kind: ChannelKind, rounds: u64) -> Duration {
    let there: Arc<dyn MessageQueue> = Arc::from(kind.build());
    let back: Arc<dyn MessageQueue> = Arc::from(kind.build());
    std::thread::scope(|scope| {
        let (there_echo, back_echo) = (there.clone(), back.clone());
        scope.spawn(move || {
            loop {
                match there_echo.pop(POLL) {
                    Popped::Message(m) => back_echo.push(m),
                    Popped::Empty => {}
                    Popped::Closed => return,
                }
            }
        });
        let start = Instant::now();
        for round in 0..rounds {
            there.push(message(round as u32));
            while !matches!(back.pop(POLL), Popped::Message(_)) {}
        }
        let elapsed = start.elapsed();
        there.close();
        elapsed / 2
    })
}

fn channels(c: &mut Criterion) {
    let mut throughput = c.benchmark_group("channel_throughput");
    throughput.sample_size(10);
    throughput.throughput(Throughput::Elements(u64::from(MESSAGES)));
    for kind in ChannelKind::ALL {
        for threads in [1, 4] {
            throughput.bench_function(format!("{}/{threads}p{threads}c", kind.name()), |b| {
                b.iter(|| pass_through(kind, threads, threads))
            });
        }
    }
    throughput.finish();
    let mut latency = c.benchmark_group("channel_latency");
    latency.sample_size(10);
    for kind in ChannelKind::ALL {
        latency.bench_function(format!("{}/one_way", kind.name()), |b| {
            b.iter_custom(|rounds| ping_pong(kind, rounds))
        });
    }
    latency.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().without_plots();
    targets = channels
}
criterion_main!(benches);
