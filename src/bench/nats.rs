//! NATS JetStream as the channel of a live run (feature `nats`,
//! async-nats over a tokio runtime for the connection's I/O). One stream
//! in memory (work-queue retention) on a subject of its own and one
//! durable pull consumer on it, both created for the run under a unique
//! name and deleted after it (no other stream is touched); the producer
//! publishes with the JetStream publish acknowledgement as its confirm.
//!
//! The model's consumers are competing clients of that one JetStream
//! consumer, with explicit acks. A window of `prefetch` messages per
//! consumer is `prefetch` pull requests of one message each, kept
//! outstanding only while a slot is free: a slot asks the broker for its
//! next message once the previous one was acknowledged, so a busy
//! consumer never holds a request that an idle one could have served
//! (what `basic.qos` does for RabbitMQ). Each ack waits for the
//! server's confirmation (an `AckAck`) before the slot asks again: the
//! server (2.9) takes plain acks from a queue of their own while it
//! serves pull requests as they arrive, so a slot's next request could
//! overtake its own ack and be given a duplicate that ack settles. While
//! the run lasts, the consumer's `num_pending` and `num_ack_pending` are
//! sampled (consumer info) as the broker's view of the queue. The
//! JetStream consumer's `max_ack_pending` is the sum of the windows. A
//! shared line is a window of 1. The lease (`ack_wait`) is the queue's `ack_wait` (with its
//! `max_deliver`), or else the server's default, 30 s, far above any
//! service a bench runs, so nothing is redelivered in a sound run. The
//! server checks its leases on a timer that fires 1 ms after the earliest
//! deadline (nats-server 2.9's `ackWaitDelay`), so a lease lasts about
//! `ack_wait` + 1 ms. A redelivery is counted and served again as the
//! model's duplicate is: by a consumer, for the message's planned work,
//! without stamps (each message has one set, its first delivery's), then
//! acknowledged (the server ignores that acknowledgement once the first
//! delivery's has settled the message).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_nats::jetstream::consumer::{AckPolicy, PullConsumer, pull};
use async_nats::jetstream::stream::{RetentionPolicy, StorageType};
use async_nats::jetstream::{self, Context};
use crossbeam_channel::Sender;
use futures_util::StreamExt;
use tokio::runtime::Handle;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use super::depth::{DepthSample, SamplingTask};
use super::drive::{self, Broker, Delivered, Setup, TRANSIT_ROUND_TRIPS};
use super::stamps::{BrokerStamps, PAYLOAD_BYTES, sequence_of};
use super::{BenchError, BenchRun, BrokerKind, Latency, without_password};
use crate::live::{Clock, LiveSettings, NEVER, Timeline};
use crate::model::Model;

/// Longest wait for one delivery while measuring D0.
const TRANSIT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long the server keeps a slot's pull request before it expires
/// (the slot then asks again).
const PULL_EXPIRES: Duration = Duration::from_secs(10);

/// The lease without an `ack_wait`: how long a delivery may stay
/// unacknowledged before the server redelivers it (the server's default,
/// said explicitly).
const DEFAULT_ACK_WAIT: Duration = Duration::from_secs(30);

/// The JetStream consumer's lease: `ack_wait` and `max_deliver` (-1: no
/// limit), from the queue's lease in wall time at `time_scale_ms` per
/// model time unit, or the server's defaults.
fn lease(model: &Model, time_scale_ms: f64) -> (Duration, i64) {
    match model.queues[0].lease() {
        None => (DEFAULT_ACK_WAIT, -1),
        Some(lease) => (
            Duration::from_secs_f64(lease.ack_wait * time_scale_ms / 1000.0),
            lease.max_deliver.map_or(-1, i64::from),
        ),
    }
}

/// Why `url` is not a list of NATS server addresses, if it is not.
pub(super) fn url_problem(url: &str) -> Option<String> {
    url.split(',')
        .find_map(|address| address.trim().parse::<async_nats::ServerAddr>().err())
        .map(|e| {
            format!(
                "not a NATS server address ({e}); write nats://host:port, e.g. {}",
                super::DEFAULT_NATS_URL
            )
        })
}

/// Runs `model` on the NATS server (JetStream enabled) at `url`: see the
/// module comment.
pub(super) fn run(
    model: &Model,
    settings: &LiveSettings,
    url: &str,
    seed: u64,
    stop: &AtomicBool,
) -> Result<Option<BenchRun>, BenchError> {
    let timeline = Timeline::plan(model, settings, seed);
    let runtime = drive::io_runtime()?;
    let handle = runtime.handle().clone();
    let shown = without_password(url);
    let client = handle.block_on(async_nats::connect(url)).map_err(|e| {
        BenchError::Broker(format!(
            "cannot connect to NATS at {shown}: {e} (is it running with JetStream? `nats-server -js` starts it)"
        ))
    })?;
    let consumers = model.queues[0].consumers;
    let prefetch = super::prefetch(model);
    // The context spawns its publish-ack task on the runtime it is made in.
    let context = handle.block_on(async { jetstream::new(client) });
    let window = consumers * prefetch;
    let lease = lease(model, settings.time_scale_ms);
    let run_stream = RunStream::create(&handle, context, window, lease)?;
    let outcome = measure(model, &timeline, &run_stream, prefetch, stop);
    let deleted = run_stream.delete();
    drive::finish_run(outcome, deleted, shown)
}

/// D0, then the run itself, on `run_stream`.
fn measure(
    model: &Model,
    timeline: &Timeline,
    run_stream: &RunStream,
    prefetch: u32,
    stop: &AtomicBool,
) -> Result<Option<BenchRun>, BenchError> {
    let consumers = model.queues[0].consumers;
    let transit_unloaded = transit(run_stream)?;
    let stamps = Arc::new(BrokerStamps::new(timeline.messages.len()));
    let clock = Clock::start();
    let mut deliveries = Vec::with_capacity(consumers as usize);
    let mut slots = Vec::with_capacity((consumers * prefetch) as usize);
    for _ in 0..consumers {
        let (sender, receiver) = crossbeam_channel::unbounded();
        for _ in 0..prefetch {
            let slot = Slot {
                consumer: run_stream.consumer.clone(),
                stamps: Arc::clone(&stamps),
                clock,
                sender: sender.clone(),
            };
            slots.push(run_stream.handle.spawn(slot.serve(usize::MAX)));
        }
        deliveries.push(receiver);
    }
    let setup = Setup {
        kind: BrokerKind::Nats,
        queue: run_stream.name.clone(),
        prefetch,
        transit_unloaded,
        saturation: None,
    };
    let outcome = drive::drive(
        (run_stream, run_stream.pending_sampler()),
        model,
        timeline,
        (&stamps, clock),
        &deliveries,
        setup,
        stop,
    );
    slots.iter().for_each(JoinHandle::abort);
    Ok(outcome)
}

/// One slot of a consumer's window: asks the JetStream consumer for one
/// message, hands it to the consumer's thread and asks again once that
/// thread acknowledged it.
struct Slot {
    consumer: PullConsumer,
    stamps: Arc<BrokerStamps>,
    clock: Clock,
    sender: Sender<Delivered<Ack>>,
}

impl Slot {
    /// Hands over `messages` messages (runs until aborted with
    /// `usize::MAX`, or until the consumer's thread is gone), asking for
    /// none beyond them.
    async fn serve(self, messages: usize) {
        let freed = Arc::new(Notify::new());
        let mut handed = 0;
        while handed < messages {
            let Ok(mut batch) = self
                .consumer
                .batch()
                .max_messages(1)
                .expires(PULL_EXPIRES)
                .messages()
                .await
            else {
                tokio::time::sleep(PULL_EXPIRES).await;
                continue;
            };
            // One message at most: the batch ends with it or at expiry.
            while let Some(Ok(message)) = batch.next().await {
                let now = self.clock.now();
                let redelivered = message.info().is_ok_and(|info| info.delivered > 1);
                let Some(sequence) = sequence_of(&message.payload) else {
                    continue;
                };
                let duplicate = self
                    .stamps
                    .delivered
                    .get(sequence)
                    .is_some_and(|at| at.load(Ordering::Relaxed) != NEVER);
                if duplicate {
                    // Delivered before: a duplicate, served without stamps.
                    self.stamps.redelivered.fetch_add(1, Ordering::Relaxed);
                } else if self
                    .stamps
                    .delivered(&message.payload, redelivered, now)
                    .is_none()
                {
                    continue;
                }
                let ack = Ack {
                    message,
                    freed: Arc::clone(&freed),
                    duplicate,
                };
                if self.sender.send((sequence, ack)).is_err() {
                    return;
                }
                handed += 1;
                freed.notified().await;
            }
        }
    }
}

/// What a consumer thread acknowledges: the delivery, the slot that asks
/// for the next message once it is acknowledged, and whether the delivery
/// duplicates one made before.
pub(super) struct Ack {
    message: jetstream::Message,
    freed: Arc<Notify>,
    duplicate: bool,
}

/// The run's stream, its subject and its durable pull consumer.
struct RunStream {
    name: String,
    subject: String,
    handle: Handle,
    context: Context,
    consumer: PullConsumer,
}

impl RunStream {
    /// Creates a memory stream with work-queue retention and a durable
    /// pull consumer on it (explicit acks, `max_ack_pending` = `window`,
    /// the lease's `ack_wait` and `max_deliver`), both named uniquely for
    /// this run.
    fn create(
        handle: &Handle,
        context: Context,
        window: u32,
        (ack_wait, max_deliver): (Duration, i64),
    ) -> Result<RunStream, BenchError> {
        let name = drive::unique_name();
        let subject = name.replace('-', ".");
        let refused = |what: &str, e: &dyn std::fmt::Display| {
            BenchError::Broker(format!(
                "NATS JetStream refused {what} (stream `{name}`): {e}"
            ))
        };
        let consumer = handle.block_on(async {
            let stream = context
                .create_stream(jetstream::stream::Config {
                    name: name.clone(),
                    subjects: vec![subject.clone()],
                    retention: RetentionPolicy::WorkQueue,
                    storage: StorageType::Memory,
                    ..Default::default()
                })
                .await
                .map_err(|e| refused("the stream", &e))?;
            let consumer = stream
                .create_consumer(pull::Config {
                    durable_name: Some(name.clone()),
                    ack_policy: AckPolicy::Explicit,
                    ack_wait,
                    max_deliver,
                    max_ack_pending: i64::from(window),
                    ..Default::default()
                })
                .await;
            if consumer.is_err() {
                // The stream is the run's own: leave nothing behind.
                let _ = context.delete_stream(&name).await;
            }
            consumer.map_err(|e| refused("the consumer", &e))
        })?;
        Ok(RunStream {
            name,
            subject,
            handle: handle.clone(),
            context,
            consumer,
        })
    }

    /// The consumer's undelivered messages (`num_pending`, the ready
    /// ones) and its delivered, unacknowledged ones (`num_ack_pending`),
    /// asked of the server (consumer info) every [`super::depth::EVERY`].
    fn pending_sampler(&self) -> SamplingTask {
        let consumer = self.consumer.clone();
        SamplingTask::start(&self.handle, move || {
            let consumer = consumer.clone();
            async move {
                let info = consumer.get_info().await.ok()?;
                let count = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
                Some(DepthSample {
                    ready: count(info.num_pending),
                    consumers: None,
                    unacked: Some(count(info.num_ack_pending as u64)),
                })
            }
        })
    }

    /// Deletes the stream (the bench's own, never another) and its consumer.
    fn delete(self) -> Result<(), BenchError> {
        self.handle
            .block_on(self.context.delete_stream(&self.name))
            .map(|_| ())
            .map_err(|e| {
                BenchError::Broker(format!(
                    "could not delete the bench's stream `{}`: {e}",
                    self.name
                ))
            })
    }
}

impl Broker for RunStream {
    type Ack = Ack;

    fn publish(
        &self,
        payload: &[u8],
        on_confirm: impl FnOnce(bool) + Send + 'static,
    ) -> Result<(), BenchError> {
        let confirm = self
            .handle
            .block_on(
                self.context
                    .publish(self.subject.clone(), payload.to_vec().into()),
            )
            .map_err(|e| BenchError::Broker(format!("publishing to NATS JetStream failed: {e}")))?;
        self.handle.spawn(async move {
            if confirm.await.is_ok() {
                on_confirm(true);
            }
        });
        Ok(())
    }

    fn is_duplicate(ack: &Ack) -> bool {
        ack.duplicate
    }

    /// Acknowledges and waits for the server's confirmation (an
    /// `AckAck`), then frees the slot: the server takes plain acks from a
    /// queue of their own, apart from pull requests, so the slot's next
    /// request would otherwise overtake its own ack and could be given the
    /// duplicate that ack settles.
    fn ack(&self, ack: Ack) -> Result<(), BenchError> {
        let acked = self.handle.block_on(ack.message.double_ack());
        ack.freed.notify_one();
        acked.map_err(|e| BenchError::Broker(format!("acknowledging to NATS failed: {e}")))
    }
}

/// The unloaded transit D0: [`TRANSIT_ROUND_TRIPS`] messages, each
/// published once the previous one was delivered and acknowledged, from
/// the publish call to the delivery reaching a slot (one pull request of
/// one message, as in the run).
fn transit(run_stream: &RunStream) -> Result<Latency, BenchError> {
    let stamps = Arc::new(BrokerStamps::new(1));
    let (sender, receiver) = crossbeam_channel::unbounded::<Delivered<Ack>>();
    let clock = Clock::start();
    let slot = Slot {
        consumer: run_stream.consumer.clone(),
        stamps: Arc::clone(&stamps),
        clock,
        sender,
    };
    // Exactly the probe's messages: no pull request of the probe outlives it.
    let probe = run_stream.handle.spawn(slot.serve(TRANSIT_ROUND_TRIPS));
    let mut transits = Vec::with_capacity(TRANSIT_ROUND_TRIPS);
    let measured = (0..TRANSIT_ROUND_TRIPS).try_for_each(|_| {
        stamps.delivered[0].store(NEVER, Ordering::Relaxed);
        let sent = clock.now();
        run_stream.publish(&[0; PAYLOAD_BYTES], |_| {})?;
        let (_, ack) = receiver.recv_timeout(TRANSIT_TIMEOUT).map_err(|_| {
            BenchError::Broker(format!(
                "NATS JetStream delivered no message within {} s while measuring the unloaded transit",
                TRANSIT_TIMEOUT.as_secs()
            ))
        })?;
        let delivered = stamps.delivered[0].load(Ordering::Relaxed);
        transits.push(delivered.saturating_sub(sent));
        run_stream.ack(ack)
    });
    probe.abort();
    measured?;
    Ok(Latency::of(&mut transits))
}
