//! RabbitMQ as the channel of a live run (feature `rabbitmq`, lapin over
//! a tokio runtime for the connections' I/O). One classic queue declared
//! for the run under a unique name and deleted after it; one publishing
//! connection with publisher confirms; one consuming connection with a
//! channel per consumer, each with `basic.qos` = the model's prefetch and
//! manual acknowledgements. The producer and the consumers are plain
//! threads waiting for absolute deadlines as live's do: the producer sends
//! each message at its scheduled instant, with its sequence number and
//! nanosecond stamps in the payload (never the AMQP `timestamp`, which
//! has whole seconds); a consumer serves each delivery to start + the
//! planned service, then acknowledges it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use lapin::Acker;
use lapin::Confirmation;
use lapin::message::DeliveryResult;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use tokio::runtime::Handle;

use super::{BenchError, BenchRun, BrokerKind, BrokerMeasures, Latency, without_password};
use crate::live::{
    self, Channel, Clock, Execution, LiveRun, LiveSettings, MachineLoad, NEVER, SchedulingMode,
    Stamps, Timeline, WaitMethod, Waiter,
};
use crate::model::Model;

/// Round trips of one message each that measure the unloaded transit D0.
const TRANSIT_ROUND_TRIPS: usize = 200;

/// Longest wait for one delivery while measuring D0.
const TRANSIT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a consumer waits for a delivery before checking whether the
/// run is over.
const POLL: Duration = Duration::from_millis(20);

/// The queue deletes itself after this long unused (`x-expires`, ms), should
/// the run die before deleting it.
const EXPIRES_MS: i32 = 600_000;

/// Payload: sequence number, scheduled and actual send (ns), little-endian.
const PAYLOAD_BYTES: usize = 24;

/// Runs `model` on the RabbitMQ at `url`: see the module comment.
pub(super) fn run(
    model: &Model,
    settings: &LiveSettings,
    url: &str,
    seed: u64,
    stop: &AtomicBool,
) -> Result<Option<BenchRun>, BenchError> {
    let timeline = Timeline::plan(model, settings, seed);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| BenchError::Broker(format!("cannot start the I/O runtime: {e}")))?;
    let handle = runtime.handle().clone();
    let shown = without_password(url);
    let connect = |role: &str| {
        let runtime = async_rs::Runtime::tokio_with_handle(handle.clone());
        handle
            .block_on(Connection::connect_with_runtime(
                url,
                ConnectionProperties::default(),
                runtime,
            ))
            .map_err(|e| {
                BenchError::Broker(format!(
                    "cannot connect the {role} to RabbitMQ at {shown}: {e} (is it running? `rabbitmq-server -detached` starts it)"
                ))
            })
    };
    let publishing = connect("producer")?;
    let consuming = connect("consumers")?;
    let queue = Queue::declare(&handle, &publishing)?;
    let outcome = measure(model, &timeline, &handle, &queue, &consuming, stop);
    let deleted = queue.delete();
    let mut outcome = outcome?;
    deleted?;
    if let Some(run) = &mut outcome {
        run.broker.url = shown;
    }
    Ok(outcome)
}

/// D0, then the run itself, on `queue`.
fn measure(
    model: &Model,
    timeline: &Timeline,
    handle: &Handle,
    queue: &Queue,
    consuming: &Connection,
    stop: &AtomicBool,
) -> Result<Option<BenchRun>, BenchError> {
    let consumers = model.queues[0].consumers;
    let prefetch = super::prefetch(model);
    let transit_unloaded = transit(handle, queue, consuming)?;
    let stamps = Arc::new(BrokerStamps::new(timeline.messages.len()));
    let clock = Clock::start();
    let mut deliveries = Vec::with_capacity(consumers as usize);
    let mut subscriptions = Vec::with_capacity(consumers as usize);
    for index in 0..consumers {
        let subscription = subscribe(
            handle,
            queue,
            consuming,
            prefetch,
            &format!("consumer {index}"),
        )?;
        let (sender, receiver) = crossbeam_channel::unbounded();
        let stamps = Arc::clone(&stamps);
        subscription
            .1
            .set_delegate(move |delivery: DeliveryResult| {
                let (stamps, sender) = (Arc::clone(&stamps), sender.clone());
                async move { stamps.delivered(delivery, clock, &sender) }
            });
        deliveries.push(receiver);
        subscriptions.push(subscription);
    }
    let machine = MachineLoad::start();
    let budget_ns = live::budget_ns(timeline);
    let shared = Shared {
        timeline,
        handle,
        queue,
        stamps: &stamps,
        clock,
        budget_ns,
        in_flight: AtomicU64::new(0),
        sending: AtomicBool::new(true),
        finished: AtomicBool::new(false),
    };
    let results: Vec<(SchedulingMode, u64)> = std::thread::scope(|scope| {
        let consumer_threads: Vec<_> = deliveries
            .iter()
            .map(|receiver| {
                let shared = &shared;
                scope.spawn(move || consume(shared, receiver, stop))
            })
            .collect();
        let producer = scope.spawn(|| produce(&shared, stop));
        std::iter::once(producer)
            .chain(consumer_threads)
            // A bench thread only panics on a bug; report it as such.
            .map(|thread| thread.join().expect("bench thread panicked"))
            .collect()
    });
    for (channel, _) in subscriptions {
        close(handle, &channel)?;
    }
    if stop.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let (modes, switches): (Vec<SchedulingMode>, Vec<u64>) = results.into_iter().unzip();
    let execution = Execution::of(
        timeline,
        stamps.live_stamps(),
        modes,
        WaitMethod::CompensatedSleep,
        switches.iter().sum(),
    );
    let live = LiveRun::measured(
        model,
        timeline,
        Channel::Broker(BrokerKind::Rabbitmq),
        &execution,
        machine,
    );
    let broker = BrokerMeasures {
        broker: BrokerKind::Rabbitmq,
        url: String::new(),
        queue: queue.name.clone(),
        prefetch,
        consumers,
        transit_unloaded,
        publish_to_delivery: stamps.latency(&stamps.sent, &stamps.delivered),
        publish_to_confirm: stamps.latency(&stamps.sent, &stamps.confirmed),
        service_end_to_ack: stamps.latency(&stamps.done, &stamps.acked),
        ack_to_next_delivery: stamps.turnaround(),
        redelivered: stamps.redelivered.load(Ordering::Relaxed),
        replay_turnaround: 0.0,
        theory_with_transit: None,
    };
    Ok(Some(BenchRun { live, broker }))
}

/// A delivery handed from the connection to a consumer thread: the
/// message's sequence number and its acknowledgement handle.
type Delivered = (usize, Acker);

/// Opens a channel on `consuming` with `basic.qos` = `prefetch` and
/// starts a consumer (`who`, for errors) on `queue`; it receives once a
/// delegate is set.
fn subscribe(
    handle: &Handle,
    queue: &Queue,
    consuming: &Connection,
    prefetch: u32,
    who: &str,
) -> Result<(lapin::Channel, lapin::Consumer), BenchError> {
    let failed = |what: &str, e: lapin::Error| {
        BenchError::Broker(format!("RabbitMQ refused {what} for the {who}: {e}"))
    };
    let prefetch = u16::try_from(prefetch).map_err(|_| {
        BenchError::Broker(format!(
            "RabbitMQ's prefetch is at most {} (basic.qos is 16-bit), got {prefetch}",
            u16::MAX
        ))
    })?;
    handle.block_on(async {
        let channel = consuming
            .create_channel()
            .await
            .map_err(|e| failed("a channel", e))?;
        channel
            .basic_qos(prefetch, BasicQosOptions::default())
            .await
            .map_err(|e| failed("basic.qos", e))?;
        let consumer = channel
            .basic_consume(
                queue.name.as_str().into(),
                ShortString::default(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(|e| failed("basic.consume", e))?;
        Ok((channel, consumer))
    })
}

/// Closes a consumer's channel (nothing is left unacknowledged by then).
fn close(handle: &Handle, channel: &lapin::Channel) -> Result<(), BenchError> {
    handle
        .block_on(channel.close(200, "queuelab bench done".into()))
        .map_err(|e| BenchError::Broker(format!("closing a RabbitMQ channel failed: {e}")))
}

/// The run's queue, with a publishing channel (confirms on).
struct Queue {
    name: String,
    handle: Handle,
    channel: lapin::Channel,
}

impl Queue {
    /// Declares a classic, non-durable queue under a name unique to this
    /// run, expiring after [`EXPIRES_MS`] unused.
    fn declare(handle: &Handle, publishing: &Connection) -> Result<Queue, BenchError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("queuelab-bench-{}-{nanos}", std::process::id());
        let failed = |what: &str, e: lapin::Error| {
            BenchError::Broker(format!("RabbitMQ refused {what} (queue `{name}`): {e}"))
        };
        let channel = handle.block_on(async {
            let channel = publishing
                .create_channel()
                .await
                .map_err(|e| failed("a channel", e))?;
            let mut arguments = FieldTable::default();
            arguments.insert("x-expires".into(), AMQPValue::LongInt(EXPIRES_MS));
            channel
                .queue_declare(
                    name.as_str().into(),
                    QueueDeclareOptions::default(),
                    arguments,
                )
                .await
                .map_err(|e| failed("queue.declare", e))?;
            channel
                .confirm_select(ConfirmSelectOptions::default())
                .await
                .map_err(|e| failed("confirm.select", e))?;
            Ok::<_, BenchError>(channel)
        })?;
        Ok(Queue {
            name,
            handle: handle.clone(),
            channel,
        })
    }

    /// Publishes `payload`; `on_confirm` is called on the I/O runtime with
    /// the broker's acknowledgement, when it comes.
    fn publish(
        &self,
        payload: &[u8],
        on_confirm: impl FnOnce() + Send + 'static,
    ) -> Result<(), lapin::Error> {
        let confirm = self.handle.block_on(self.channel.basic_publish(
            "".into(),
            self.name.as_str().into(),
            BasicPublishOptions::default(),
            payload,
            BasicProperties::default(),
        ))?;
        self.handle.spawn(async move {
            if let Ok(Confirmation::Ack(_)) = confirm.await {
                on_confirm();
            }
        });
        Ok(())
    }

    /// Deletes the queue (the bench's own, never another).
    fn delete(self) -> Result<(), BenchError> {
        self.handle
            .block_on(
                self.channel
                    .queue_delete(self.name.as_str().into(), QueueDeleteOptions::default()),
            )
            .map(|_| ())
            .map_err(|e| {
                BenchError::Broker(format!(
                    "could not delete the bench's queue `{}` (it expires after {} s unused): {e}",
                    self.name,
                    EXPIRES_MS / 1000
                ))
            })
    }
}

/// The unloaded transit D0: [`TRANSIT_ROUND_TRIPS`] messages, each
/// published once the previous one was delivered and acknowledged, from
/// the publish call to the delivery reaching the consumer's delegate.
fn transit(handle: &Handle, queue: &Queue, consuming: &Connection) -> Result<Latency, BenchError> {
    let (channel, consumer) = subscribe(handle, queue, consuming, 1, "transit probe")?;
    let start = Instant::now();
    let (sender, receiver) = crossbeam_channel::unbounded::<(u64, Acker)>();
    consumer.set_delegate(move |delivery: DeliveryResult| {
        let sender = sender.clone();
        async move {
            if let Ok(Some(delivery)) = delivery {
                let at = start.elapsed().as_nanos() as u64;
                // The receiver lives until the probe's channel is closed.
                let _ = sender.send((at, delivery.acker));
            }
        }
    });
    let mut transits = Vec::with_capacity(TRANSIT_ROUND_TRIPS);
    for _ in 0..TRANSIT_ROUND_TRIPS {
        let sent = start.elapsed().as_nanos() as u64;
        queue
            .publish(&[0; PAYLOAD_BYTES], || {})
            .map_err(|e| BenchError::Broker(format!("publishing to RabbitMQ failed: {e}")))?;
        let (delivered, acker) = receiver.recv_timeout(TRANSIT_TIMEOUT).map_err(|_| {
            BenchError::Broker(format!(
                "RabbitMQ delivered no message within {} s while measuring the unloaded transit",
                TRANSIT_TIMEOUT.as_secs()
            ))
        })?;
        transits.push(delivered.saturating_sub(sent));
        ack(handle, &acker)?;
    }
    close(handle, &channel)?;
    Ok(Latency::of(&mut transits))
}

fn ack(handle: &Handle, acker: &Acker) -> Result<(), BenchError> {
    handle
        .block_on(acker.ack(BasicAckOptions::default()))
        .map(|_| ())
        .map_err(|e| BenchError::Broker(format!("acknowledging to RabbitMQ failed: {e}")))
}

/// Every message's stamps (ns on the run's clock), written once each by
/// whichever thread or task saw the event.
struct BrokerStamps {
    /// The producer's publish call.
    sent: Vec<AtomicU64>,
    /// The broker's confirm.
    confirmed: Vec<AtomicU64>,
    /// The delivery reaching its consumer's delegate.
    delivered: Vec<AtomicU64>,
    /// When the consumer that served it had become free (its previous
    /// acknowledgement handed over).
    idle_since: Vec<AtomicU64>,
    /// Start of service.
    started: Vec<AtomicU64>,
    /// End of service.
    done: Vec<AtomicU64>,
    /// The acknowledgement handed to the connection.
    acked: Vec<AtomicU64>,
    /// Deliveries flagged as redelivered.
    redelivered: AtomicU64,
}

impl BrokerStamps {
    fn new(messages: usize) -> BrokerStamps {
        let never = || (0..messages).map(|_| AtomicU64::new(NEVER)).collect();
        BrokerStamps {
            sent: never(),
            confirmed: never(),
            delivered: never(),
            idle_since: never(),
            started: never(),
            done: never(),
            acked: never(),
            redelivered: AtomicU64::new(0),
        }
    }

    /// A delivery reached a consumer: stamps it and hands it to the
    /// consumer's thread.
    fn delivered(&self, delivery: DeliveryResult, clock: Clock, sender: &Sender<Delivered>) {
        let Ok(Some(delivery)) = delivery else {
            return;
        };
        let now = clock.now();
        let Some(sequence) = sequence_of(&delivery.data).filter(|&s| s < self.sent.len()) else {
            return;
        };
        if delivery.redelivered {
            self.redelivered.fetch_add(1, Ordering::Relaxed);
        }
        self.delivered[sequence].store(now, Ordering::Relaxed);
        // The receiver lives until the consumers have been joined.
        let _ = sender.send((sequence, delivery.acker));
    }

    /// Live's stamps: a message arrives with its send, starts and ends
    /// its service; a broker queue rejects nothing here.
    fn live_stamps(&self) -> Stamps {
        let plain = |v: &[AtomicU64]| v.iter().map(|a| a.load(Ordering::Relaxed)).collect();
        Stamps {
            arrived: plain(&self.sent),
            rejected: vec![false; self.sent.len()],
            idle_since: plain(&self.idle_since),
            dequeued: plain(&self.started),
            done: plain(&self.done),
        }
    }

    /// `to − from` over the messages with both stamps.
    fn latency(&self, from: &[AtomicU64], to: &[AtomicU64]) -> Latency {
        let mut values: Vec<u64> = from
            .iter()
            .zip(to)
            .map(|(a, b)| (a.load(Ordering::Relaxed), b.load(Ordering::Relaxed)))
            .filter(|&(a, b)| a != NEVER && b != NEVER)
            .map(|(a, b)| b.saturating_sub(a))
            .collect();
        Latency::of(&mut values)
    }
}

impl BrokerStamps {
    /// From a consumer's acknowledgement to its next delivery, over the
    /// deliveries published before that acknowledgement (ready at the
    /// broker, so the gap is the broker's turnaround, not the traffic's).
    fn turnaround(&self) -> Latency {
        let load = |v: &[AtomicU64], i: usize| v[i].load(Ordering::Relaxed);
        let mut values: Vec<u64> = (0..self.sent.len())
            .filter(|&i| {
                load(&self.started, i) != NEVER && load(&self.sent, i) < load(&self.idle_since, i)
            })
            .map(|i| load(&self.delivered, i).saturating_sub(load(&self.idle_since, i)))
            .collect();
        Latency::of(&mut values)
    }
}

/// The sequence number at the head of a bench payload.
fn sequence_of(payload: &[u8]) -> Option<usize> {
    let bytes: [u8; 8] = payload.get(..8)?.try_into().ok()?;
    usize::try_from(u64::from_le_bytes(bytes)).ok()
}

/// A bench payload: sequence number, scheduled and actual send (ns).
fn payload(sequence: usize, scheduled: u64, sent: u64) -> [u8; PAYLOAD_BYTES] {
    let mut bytes = [0; PAYLOAD_BYTES];
    bytes[..8].copy_from_slice(&(sequence as u64).to_le_bytes());
    bytes[8..16].copy_from_slice(&scheduled.to_le_bytes());
    bytes[16..].copy_from_slice(&sent.to_le_bytes());
    bytes
}

/// What the producer and consumer threads share.
struct Shared<'a> {
    timeline: &'a Timeline,
    handle: &'a Handle,
    queue: &'a Queue,
    stamps: &'a Arc<BrokerStamps>,
    clock: Clock,
    budget_ns: u64,
    /// Messages published and not yet served.
    in_flight: AtomicU64,
    /// The producer has messages left to send.
    sending: AtomicBool,
    /// Every message sent was served: the consumers can stop.
    finished: AtomicBool,
}

impl Shared<'_> {
    /// One message fewer in flight; the last after the producer finished
    /// ends the run.
    fn served(&self) {
        if self.in_flight.fetch_sub(1, Ordering::SeqCst) == 1
            && !self.sending.load(Ordering::SeqCst)
        {
            self.finished.store(true, Ordering::SeqCst);
        }
    }

    fn over(&self, stop: &AtomicBool) -> bool {
        self.finished.load(Ordering::SeqCst)
            || stop.load(Ordering::Relaxed)
            || self.clock.now() >= self.budget_ns
    }
}

/// Publishes each message at its scheduled instant (at once when late).
fn produce(shared: &Shared, stop: &AtomicBool) -> (SchedulingMode, u64) {
    let mode = live::prepare_thread();
    let clock = shared.clock;
    let mut waiter = Waiter::new(WaitMethod::CompensatedSleep, true);
    for (sequence, planned) in shared.timeline.messages.iter().enumerate() {
        if clock.now() >= shared.budget_ns || !waiter.wait_until(&clock, planned.scheduled, stop) {
            break;
        }
        shared.in_flight.fetch_add(1, Ordering::SeqCst);
        let sent = clock.now();
        let stamps = Arc::clone(shared.stamps);
        let confirmed = move || stamps.confirmed[sequence].store(clock.now(), Ordering::Relaxed);
        if shared
            .queue
            .publish(&payload(sequence, planned.scheduled, sent), confirmed)
            .is_err()
        {
            shared.in_flight.fetch_sub(1, Ordering::SeqCst);
            break;
        }
        shared.stamps.sent[sequence].store(sent, Ordering::Relaxed);
    }
    shared.sending.store(false, Ordering::SeqCst);
    if shared.in_flight.load(Ordering::SeqCst) == 0 {
        shared.finished.store(true, Ordering::SeqCst);
    }
    live::finish_thread(mode)
}

/// A consumer: serves each delivery to start + its planned service, then
/// acknowledges it.
fn consume(
    shared: &Shared,
    deliveries: &Receiver<Delivered>,
    stop: &AtomicBool,
) -> (SchedulingMode, u64) {
    let mode = live::prepare_thread();
    let clock = shared.clock;
    let mut waiter = Waiter::new(WaitMethod::CompensatedSleep, false);
    let mut idle_since = clock.now();
    while !shared.over(stop) {
        let Ok((sequence, acker)) = deliveries.recv_timeout(POLL) else {
            continue;
        };
        let started = clock.now();
        let visit = shared.timeline.messages[sequence].visits.start;
        let deadline = started + shared.timeline.visits[visit].service;
        if deadline > shared.budget_ns || !waiter.wait_until(&clock, deadline, stop) {
            break;
        }
        let done = clock.now();
        if ack(shared.handle, &acker).is_err() {
            break;
        }
        let acked = clock.now();
        let stamps = shared.stamps;
        stamps.acked[sequence].store(acked, Ordering::Relaxed);
        stamps.idle_since[sequence].store(idle_since, Ordering::Relaxed);
        stamps.started[sequence].store(started, Ordering::Relaxed);
        stamps.done[sequence].store(done, Ordering::Relaxed);
        idle_since = acked;
        shared.served();
    }
    live::finish_thread(mode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_carries_its_sequence_number() {
        let bytes = payload(123_456, 7, 9);
        assert_eq!(sequence_of(&bytes), Some(123_456));
        assert_eq!(u64::from_le_bytes(bytes[8..16].try_into().unwrap()), 7);
        assert_eq!(u64::from_le_bytes(bytes[16..].try_into().unwrap()), 9);
        assert_eq!(sequence_of(&[1, 2]), None);
    }
}
