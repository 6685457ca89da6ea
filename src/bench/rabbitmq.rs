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
//! planned service, then acknowledges it, or, for a delivery the plan
//! fails (a model's `retry` with `requeue = "head"`), nacks it with
//! `requeue=true`: a classic queue puts the message back in its original
//! place, ahead of every ready message, and delivers it again flagged
//! redelivered.
//!
//! A model's `max_length` becomes `x-max-length` with its `overflow` as
//! `x-overflow`, and a deterministic `patience` `x-message-ttl`. A
//! dead-letter queue is declared for every run (and deleted after it) as
//! the queue's `x-dead-letter-exchange` target: a consumer there stamps
//! each message the broker dropped from the head or expired, by the
//! `x-death` reason, and a publisher nack marks one refused
//! (`reject-publish`), so live's loss metrics are measured. A
//! `reject-publish-dlx` queue both nacks and dead-letters (reason
//! `maxlen`) each message it refuses: the refusal is settled once both
//! were seen, and the copies are counted beside the nacks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;
use lapin::Acker;
use lapin::Confirmation;
use lapin::message::DeliveryResult;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, QueueDeclareOptions, QueueDeleteOptions, QueuePurgeOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use tokio::runtime::Handle;

use super::depth::{DepthSample, SamplingTask};
use super::drive::{self, Broker, Delivered, Sampler, Setup, TRANSIT_ROUND_TRIPS};
use super::saturation::{self, Saturation};
use super::stamps::{BrokerStamps, payload, sent_of};
use super::{BenchError, BenchRun, BrokerKind, DepthSamples, Latency, without_password};
use crate::live::{Clock, LiveSettings, Timeline};
use crate::model::{Admission, Limit, Loss, Model, Overflow};

/// Longest wait for one delivery while measuring D0.
const TRANSIT_TIMEOUT: Duration = Duration::from_secs(5);

/// The queue deletes itself after this long unused (`x-expires`, ms), should
/// the run die before deleting it.
const EXPIRES_MS: i32 = 600_000;

/// Why `url` is not an AMQP URL, if it is not.
pub(super) fn url_problem(url: &str) -> Option<String> {
    url.parse::<lapin::uri::AMQPUri>().err().map(|e| {
        format!(
            "not an AMQP URL ({e}); write amqp://user:password@host:port/vhost, e.g. {}",
            super::DEFAULT_RABBITMQ_URL
        )
    })
}

/// Runs `model` on the RabbitMQ at `url`: see the module comment.
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
    let connect = |role: &str| {
        let runtime = async_rs::Runtime::tokio_with_handle(handle.clone());
        handle
            .block_on(Connection::connect_with_runtime(
                url,
                ConnectionProperties::default(),
                runtime,
            ))
            .map_err(|e| {
                let text = e.to_string();
                let hint = if text.contains("ACCESS_REFUSED") || text.contains("NOT_ALLOWED") {
                    "check the user, password and vhost in --url"
                } else {
                    "is it running? `rabbitmq-server -detached` starts it"
                };
                BenchError::Broker(format!(
                    "cannot connect the {role} to RabbitMQ at {shown}: {text} ({hint})"
                ))
            })
    };
    let arguments = arguments(model, timeline.window.ns_per_unit)?;
    let publishing = connect("producer")?;
    let consuming = connect("consumers")?;
    let queue = Queue::declare(&handle, &publishing, arguments)?;
    let outcome = measure(model, &timeline, &handle, &queue, &consuming, stop);
    let deleted = queue.delete();
    drive::finish_run(outcome, deleted, shown)
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
    let saturation = saturation(handle, queue, consuming, (consumers, prefetch))?;
    let offered = model
        .arrival_rates()
        .map_or(0.0, |rates| rates.iter().flatten().sum::<f64>())
        * 1e9
        / timeline.window.ns_per_unit;
    saturation.admits(offered, consumers)?;
    let stamps = BrokerStamps::new(timeline.messages.len());
    let refusals_dead_lettered =
        model.queues[0].admission.overflow() == Some(Overflow::RejectToDeadLetter);
    let stamps = Arc::new(if refusals_dead_lettered {
        stamps.dead_lettering_refusals()
    } else {
        stamps
    });
    let clock = Clock::start();
    let ttl_ns = model.queues[0]
        .patience()
        .map_or(0, |ttl| (ttl.mean() * timeline.window.ns_per_unit) as u64);
    let reading = Reading {
        ttl_ns,
        refusals: refusals_dead_lettered,
    };
    let dead_letters = watch_dead_letters(handle, queue, consuming, (&stamps, clock), reading)?;
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
                async move { hand_over(delivery, &stamps, clock, &sender) }
            });
        deliveries.push(receiver);
        subscriptions.push(subscription);
    }
    let setup = Setup {
        kind: BrokerKind::Rabbitmq,
        queue: queue.name.clone(),
        prefetch,
        transit_unloaded,
        saturation: Some(saturation),
    };
    let sampler = DepthSampler::start(handle, queue, consuming)?;
    let outcome = drive::drive(
        (queue, sampler),
        model,
        timeline,
        (&stamps, clock),
        &deliveries,
        setup,
        stop,
    );
    for (channel, _) in subscriptions {
        close(handle, &channel)?;
    }
    close(handle, &dead_letters)?;
    Ok(outcome)
}

/// The queue arguments that give `model`'s queue its RabbitMQ behaviour
/// at `ns_per_unit` wall ns per model time unit: `x-max-length` and
/// `x-overflow` for a `max_length`, `x-message-ttl` (whole ms) for a
/// deterministic `patience` (see [`super::unsupported`]).
fn arguments(model: &Model, ns_per_unit: f64) -> Result<FieldTable, BenchError> {
    let queue = &model.queues[0];
    let mut arguments = FieldTable::default();
    if let Admission::Bounded {
        limit: Limit::Waiting(length),
        overflow,
        ..
    } = queue.admission
    {
        let length = i64::from(length);
        arguments.insert("x-max-length".into(), AMQPValue::LongLongInt(length));
        let overflow = AMQPValue::LongString(overflow.name().into());
        arguments.insert("x-overflow".into(), overflow);
    }
    if let Some(patience) = queue.patience() {
        let ms = patience.mean() * ns_per_unit / 1e6;
        let whole = ms.round();
        if (ms - whole).abs() > 1e-6 || whole < 1.0 {
            return Err(BenchError::Broker(format!(
                "queue `{}`: its patience is {ms} ms of wall time at this time scale; RabbitMQ's x-message-ttl takes whole milliseconds (at least 1)",
                queue.name
            )));
        }
        let ttl = AMQPValue::LongLongInt(whole as i64);
        arguments.insert("x-message-ttl".into(), ttl);
    }
    Ok(arguments)
}

/// How the dead letters of a run read: the queue's TTL (ns of wall time,
/// 0 without one) and whether a `maxlen` death is a refusal's copy
/// (`reject-publish-dlx`) rather than a drop from the head.
#[derive(Clone, Copy)]
struct Reading {
    ttl_ns: u64,
    refusals: bool,
}

/// What a dead letter of the run stands for.
enum DeadLetter {
    /// A message lost while ready: dropped from the head or expired.
    Lost(Loss),
    /// A refused message's copy (`reject-publish-dlx`).
    Refused,
}

/// Starts a consumer (automatic acknowledgements) on the run's
/// dead-letter queue that stamps each message dead-lettered into
/// `stamps`: by its `x-death` reason `maxlen`, as dropped from the head
/// when it arrives there, or, when `reading` says the queue dead-letters
/// its refusals, as the copy of a refused message; by `expired`, as
/// expired at its send + the TTL (the broker's expiry instant: it
/// dead-letters expired messages from the head, later, and the
/// dead-letter queue's transit comes on top). Returns its channel, to
/// close.
fn watch_dead_letters(
    handle: &Handle,
    queue: &Queue,
    consuming: &Connection,
    (stamps, clock): (&Arc<BrokerStamps>, Clock),
    reading: Reading,
) -> Result<lapin::Channel, BenchError> {
    let failed = |what: &str, e: lapin::Error| {
        BenchError::Broker(format!(
            "RabbitMQ refused {what} on the dead-letter queue `{}`: {e}",
            queue.dead_letters
        ))
    };
    let (channel, consumer) = handle.block_on(async {
        let channel = consuming
            .create_channel()
            .await
            .map_err(|e| failed("a channel", e))?;
        let consumer = channel
            .basic_consume(
                queue.dead_letters.as_str().into(),
                ShortString::default(),
                BasicConsumeOptions {
                    no_ack: true,
                    ..BasicConsumeOptions::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(|e| failed("basic.consume", e))?;
        Ok::<_, BenchError>((channel, consumer))
    })?;
    let stamps = Arc::clone(stamps);
    consumer.set_delegate(move |delivery: DeliveryResult| {
        let stamps = Arc::clone(&stamps);
        async move {
            let Ok(Some(delivery)) = delivery else {
                return;
            };
            let now = clock.now();
            let at = match death(delivery.properties.headers(), reading.refusals) {
                Some(DeadLetter::Refused) => {
                    stamps.refusal_dead_lettered(&delivery.data);
                    return;
                }
                Some(DeadLetter::Lost(Loss::Dropped)) => (Loss::Dropped, now),
                Some(DeadLetter::Lost(Loss::Expired)) => {
                    let expiry = sent_of(&delivery.data).map(|sent| sent + reading.ttl_ns);
                    (Loss::Expired, expiry.map_or(now, |t| t.min(now)))
                }
                None => return,
            };
            stamps.lost(&delivery.data, at.0, at.1);
        }
    });
    Ok(channel)
}

/// What an `x-death` header's latest reason makes a dead letter:
/// `maxlen`, a refusal's copy when `refusals` (the queue is
/// `reject-publish-dlx`) or else a drop from the head; `expired`, an
/// expiry; `None` for any other.
fn death(headers: &Option<FieldTable>, refusals: bool) -> Option<DeadLetter> {
    let AMQPValue::FieldArray(deaths) = headers.as_ref()?.inner().get("x-death")? else {
        return None;
    };
    let AMQPValue::FieldTable(latest) = deaths.as_slice().first()? else {
        return None;
    };
    let reason = match latest.inner().get("reason")? {
        AMQPValue::LongString(reason) => reason.to_string(),
        AMQPValue::ShortString(reason) => reason.to_string(),
        _ => return None,
    };
    match reason.as_str() {
        "maxlen" if refusals => Some(DeadLetter::Refused),
        "maxlen" => Some(DeadLetter::Lost(Loss::Dropped)),
        "expired" => Some(DeadLetter::Lost(Loss::Expired)),
        _ => None,
    }
}

/// A delivery reached a consumer's delegate: stamps it and hands it to
/// the consumer's thread.
fn hand_over(
    delivery: DeliveryResult,
    stamps: &BrokerStamps,
    clock: Clock,
    sender: &Sender<Delivered<Acker>>,
) {
    let Ok(Some(delivery)) = delivery else {
        return;
    };
    if let Some(sequence) = stamps.delivered(&delivery.data, delivery.redelivered, clock.now()) {
        // The receiver lives until the consumers have been joined.
        let _ = sender.send((sequence, delivery.acker));
    }
}

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

/// The run's queue and its dead-letter queue, with a publishing channel
/// (confirms on).
struct Queue {
    name: String,
    dead_letters: String,
    handle: Handle,
    channel: lapin::Channel,
}

impl Queue {
    /// Declares a classic, non-durable queue with `arguments` under a name
    /// unique to this run, and its dead-letter queue, both expiring after
    /// [`EXPIRES_MS`] unused.
    fn declare(
        handle: &Handle,
        publishing: &Connection,
        mut arguments: FieldTable,
    ) -> Result<Queue, BenchError> {
        let name = drive::unique_name();
        let dead_letters = format!("{name}-dead-letters");
        let failed = |what: &str, e: lapin::Error| {
            BenchError::Broker(format!("RabbitMQ refused {what} (queue `{name}`): {e}"))
        };
        let expires = || {
            let mut arguments = FieldTable::default();
            arguments.insert("x-expires".into(), AMQPValue::LongInt(EXPIRES_MS));
            arguments
        };
        arguments.insert("x-expires".into(), AMQPValue::LongInt(EXPIRES_MS));
        // The default exchange routes by queue name.
        arguments.insert(
            "x-dead-letter-exchange".into(),
            AMQPValue::LongString("".into()),
        );
        arguments.insert(
            "x-dead-letter-routing-key".into(),
            AMQPValue::LongString(dead_letters.as_str().into()),
        );
        let channel = handle.block_on(async {
            let channel = publishing
                .create_channel()
                .await
                .map_err(|e| failed("a channel", e))?;
            channel
                .queue_declare(
                    dead_letters.as_str().into(),
                    QueueDeclareOptions::default(),
                    expires(),
                )
                .await
                .map_err(|e| failed("queue.declare of the dead-letter queue", e))?;
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
            dead_letters,
            handle: handle.clone(),
            channel,
        })
    }

    /// Removes every message from the queue (the saturation probe's).
    fn purge(&self) -> Result<(), BenchError> {
        self.handle
            .block_on(
                self.channel
                    .queue_purge(self.name.as_str().into(), QueuePurgeOptions::default()),
            )
            .map(|_| ())
            .map_err(|e| {
                BenchError::Broker(format!(
                    "RabbitMQ refused queue.purge of the bench's queue `{}`: {e}",
                    self.name
                ))
            })
    }

    /// Deletes the queue and its dead-letter queue (the bench's own,
    /// never another).
    fn delete(self) -> Result<(), BenchError> {
        for name in [&self.name, &self.dead_letters] {
            self.handle
                .block_on(
                    self.channel
                        .queue_delete(name.as_str().into(), QueueDeleteOptions::default()),
                )
                .map_err(|e| {
                    BenchError::Broker(format!(
                        "could not delete the bench's queue `{name}` (it expires after {} s unused): {e}",
                        EXPIRES_MS / 1000
                    ))
                })?;
        }
        Ok(())
    }
}

impl Broker for Queue {
    type Ack = Acker;

    fn publish(
        &self,
        payload: &[u8],
        on_confirm: impl FnOnce(bool) + Send + 'static,
    ) -> Result<(), BenchError> {
        let confirm = self
            .handle
            .block_on(self.channel.basic_publish(
                "".into(),
                self.name.as_str().into(),
                BasicPublishOptions::default(),
                payload,
                BasicProperties::default(),
            ))
            .map_err(|e| BenchError::Broker(format!("publishing to RabbitMQ failed: {e}")))?;
        self.handle.spawn(async move {
            match confirm.await {
                Ok(Confirmation::Ack(_)) => on_confirm(true),
                Ok(Confirmation::Nack(_)) => on_confirm(false),
                _ => {}
            }
        });
        Ok(())
    }

    fn ack(&self, acker: Acker) -> Result<(), BenchError> {
        self.handle
            .block_on(acker.ack(BasicAckOptions::default()))
            .map(|_| ())
            .map_err(|e| BenchError::Broker(format!("acknowledging to RabbitMQ failed: {e}")))
    }

    fn nack(&self, acker: Acker) -> Result<(), BenchError> {
        let requeue = BasicNackOptions {
            multiple: false,
            requeue: true,
        };
        self.handle
            .block_on(acker.nack(requeue))
            .map(|_| ())
            .map_err(|e| BenchError::Broker(format!("nacking to RabbitMQ failed: {e}")))
    }
}

/// The run's queue's ready messages and consumers, asked of the broker
/// (a passive `queue.declare` on a channel of its own) every
/// [`super::depth::EVERY`].
struct DepthSampler {
    handle: Handle,
    task: SamplingTask,
    channel: lapin::Channel,
}

impl DepthSampler {
    /// Starts sampling `queue` over `consuming`.
    fn start(
        handle: &Handle,
        queue: &Queue,
        consuming: &Connection,
    ) -> Result<DepthSampler, BenchError> {
        let channel = handle
            .block_on(consuming.create_channel())
            .map_err(|e| BenchError::Broker(format!("RabbitMQ refused a sampling channel: {e}")))?;
        let (asking, name) = (channel.clone(), queue.name.clone());
        let task = SamplingTask::start(handle, move || {
            let (asking, name) = (asking.clone(), name.clone());
            async move {
                let passive = QueueDeclareOptions {
                    passive: true,
                    ..QueueDeclareOptions::default()
                };
                let state = asking
                    .queue_declare(name.as_str().into(), passive, FieldTable::default())
                    .await
                    .ok()?;
                Some(DepthSample {
                    ready: state.message_count(),
                    consumers: Some(state.consumer_count()),
                    unacked: None,
                })
            }
        });
        Ok(DepthSampler {
            handle: handle.clone(),
            task,
            channel,
        })
    }
}

impl Sampler for DepthSampler {
    fn finish(self) -> Option<DepthSamples> {
        let samples = self.task.finish();
        // The samples are in; a channel that fails to close loses nothing.
        let _ = close(&self.handle, &self.channel);
        samples
    }
}

/// The broker's saturation rate (see [`super::saturation`]): `consumers`
/// with `prefetch` each, acknowledging every delivery at once, while
/// messages are published as fast as confirms allow; the queue is purged
/// after, so no probe message reaches the run.
fn saturation(
    handle: &Handle,
    queue: &Queue,
    consuming: &Connection,
    (consumers, prefetch): (u32, u32),
) -> Result<Saturation, BenchError> {
    let delivered = Arc::new(AtomicU64::new(0));
    let mut channels = Vec::with_capacity(consumers as usize);
    for index in 0..consumers {
        let who = format!("saturation probe {index}");
        let (channel, consumer) = subscribe(handle, queue, consuming, prefetch, &who)?;
        let delivered = Arc::clone(&delivered);
        consumer.set_delegate(move |delivery: DeliveryResult| {
            let delivered = Arc::clone(&delivered);
            async move {
                if let Ok(Some(delivery)) = delivery {
                    delivered.fetch_add(1, Ordering::Relaxed);
                    // A failed ack shows as fewer deliveries.
                    let _ = delivery.acker.ack(BasicAckOptions::default()).await;
                }
            }
        });
        channels.push(channel);
    }
    let unconfirmed = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    while start.elapsed() < saturation::WINDOW {
        if unconfirmed.load(Ordering::Acquire) >= saturation::UNCONFIRMED {
            std::thread::sleep(Duration::from_micros(50));
            continue;
        }
        unconfirmed.fetch_add(1, Ordering::AcqRel);
        let confirmed = Arc::clone(&unconfirmed);
        queue.publish(&payload(usize::MAX, 0, 0), move |_| {
            confirmed.fetch_sub(1, Ordering::AcqRel);
        })?;
    }
    let measured = Saturation::of(delivered.load(Ordering::Relaxed), start.elapsed());
    let settle = Instant::now();
    while unconfirmed.load(Ordering::Acquire) > 0 && settle.elapsed() < TRANSIT_TIMEOUT {
        std::thread::sleep(Duration::from_millis(1));
    }
    for channel in &channels {
        close(handle, channel)?;
    }
    queue.purge()?;
    Ok(measured)
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
        // A sequence number no run has: never stamped, even if lost.
        queue.publish(&payload(usize::MAX, 0, 0), |_| {})?;
        let (delivered, acker) = receiver.recv_timeout(TRANSIT_TIMEOUT).map_err(|_| {
            BenchError::Broker(format!(
                "RabbitMQ delivered no message within {} s while measuring the unloaded transit",
                TRANSIT_TIMEOUT.as_secs()
            ))
        })?;
        transits.push(delivered.saturating_sub(sent));
        queue.ack(acker)?;
    }
    close(handle, &channel)?;
    Ok(Latency::of(&mut transits))
}
