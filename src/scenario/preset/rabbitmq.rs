//! RabbitMQ: a queue read by competing consumers, with the queue arguments
//! and consumer settings its users set (RabbitMQ 3.x and 4.x; the broker on
//! this machine is 3.10).

use super::settings::Settings;
use super::{Expansion, Problem, from_millis};

/// Quorum queues' default `x-delivery-limit` from RabbitMQ 4.0 (docs
/// "Quorum Queues"; 3.x has none).
const DEFAULT_DELIVERY_LIMIT: i64 = 20;

/// Expands a RabbitMQ queue's `settings` (version `major`) into `expansion`.
pub(super) fn expand(
    settings: &Settings<'_>,
    major: u32,
    time_unit: &str,
    expansion: &mut Expansion,
) -> Result<(), Problem> {
    let consumers = settings.count("consumers", 1)?.ok_or_else(|| {
        settings.problem(
            "consumers",
            "required: the consumers reading the queue, a whole number >= 1",
        )
    })?;
    // Docs "Consumers", single active consumer: one consumer at a time
    // receives; the others stand by and take over when it goes away.
    if settings.flag("x-single-active-consumer")? == Some(true) {
        expansion.set(
            "consumers",
            1,
            format!(
                "`x-single-active-consumer` = true: one of the {consumers} consumers is active"
            ),
        );
    } else {
        expansion.set("consumers", consumers, "`consumers`");
    }
    let service = settings.dist("service")?.ok_or_else(|| {
        settings.problem(
            "service",
            "required: the consumer's work per message, a distribution such as { dist = \"exponential\", mean = 0.01 }",
        )
    })?;
    expansion.set("service", service.clone(), "`service`");
    // Docs "Time-To-Live and Expiration": a per-queue message TTL in
    // milliseconds counts only time in the queue, never in a consumer's
    // prefetch buffer; no TTL by default.
    if let Some(ttl) = settings.number("x-message-ttl", 0.0)? {
        let patience = from_millis(settings, "x-message-ttl", ttl, time_unit)?;
        let mut table = toml::Table::new();
        table.insert("dist".into(), "deterministic".into());
        table.insert("value".into(), patience.into());
        expansion.set(
            "patience",
            table,
            format!("`x-message-ttl` = {ttl} ms: a ready message expires after it"),
        );
    }
    // Docs "Dead Letter Exchanges": expired messages are republished to the
    // exchange; queuelab takes the queue bound to it.
    if let Some(queue) = settings.text("x-dead-letter-exchange")? {
        expansion.set(
            "dead_letter",
            queue,
            "`x-dead-letter-exchange`: the queue bound to it",
        );
    }
    nacks(settings, major, expansion)?;
    let unlimited_prefetch = prefetch(settings, expansion)?;
    length_limit(settings, unlimited_prefetch, expansion)?;
    if let Some(backlog) = settings.count("backlog", 0)? {
        expansion.set("backlog", backlog, "`backlog`");
    }
    expansion.unmodelled.push(
        "`consumer_timeout` (default 30 min, docs \"Delivery Acknowledgement Timeout\"): a delivery unacknowledged that long closes its channel; services are assumed far shorter".into(),
    );
    Ok(())
}

/// Failed deliveries: `failure` (queuelab's, not a broker setting: the
/// share of deliveries the consumer nacks, by default with `requeue=true`,
/// which puts the message back at the head of the queue, docs "Consumer
/// Acknowledgements and Publisher Confirms"; `requeue` = false
/// dead-letters them instead), limited on quorum queues
/// (`x-queue-type = "quorum"`) by `x-delivery-limit`: past it the message
/// is dead-lettered, or dropped (docs "Quorum Queues", poison message
/// handling). The limit's default: none in 3.x, 20 from 4.0. Classic
/// queues have no delivery limit.
fn nacks(settings: &Settings<'_>, major: u32, expansion: &mut Expansion) -> Result<(), Problem> {
    let quorum = settings.word("x-queue-type", &["classic", "quorum"])? == Some("quorum");
    let limit = settings.count("x-delivery-limit", 0)?;
    if limit.is_some() && !quorum {
        return Err(settings.problem(
            "x-delivery-limit",
            "applies to quorum queues only: set `x-queue-type` = \"quorum\", or remove it",
        ));
    }
    let dlx_overflow = settings
        .value("x-overflow")
        .is_some_and(|v| v.as_str() == Some("reject-publish-dlx"));
    if quorum && dlx_overflow {
        return Err(settings.problem(
            "x-overflow",
            "quorum queues do not support \"reject-publish-dlx\" (docs \"Queue Length Limit\"); use \"drop-head\" or \"reject-publish\"",
        ));
    }
    // basic.reject / basic.nack's own argument: requeue=false dead-letters
    // the message at once (docs "Dead Letter Exchanges").
    let requeue = settings.flag("requeue")?;
    let failure = settings.share("failure")?;
    if requeue.is_some() && failure.is_none() {
        return Err(settings.problem(
            "requeue",
            "says what a nack does with the failed deliveries: set `failure`, their share, or remove it",
        ));
    }
    let Some(p) = failure.filter(|p| *p > 0.0) else {
        return Ok(());
    };
    if requeue == Some(false) {
        if limit.is_some() {
            return Err(settings.problem(
                "x-delivery-limit",
                "counts redeliveries, and with `requeue` = false nothing is redelivered: remove one",
            ));
        }
        dead_letter_nacks(settings, p, expansion);
        return Ok(());
    }
    let (max_retries, from) = match (quorum, limit, major) {
        (false, _, _) => (None, "a classic queue has no delivery limit".to_string()),
        (true, Some(limit), _) => (Some(limit), format!("`x-delivery-limit` = {limit}")),
        (true, None, 3) => (
            None,
            "3.x quorum queues have no default delivery limit (docs \"Quorum Queues\")".to_string(),
        ),
        (true, None, _) => (
            Some(DEFAULT_DELIVERY_LIMIT),
            format!(
                "default `x-delivery-limit` = {DEFAULT_DELIVERY_LIMIT} from 4.0 (docs \"Quorum Queues\")"
            ),
        ),
    };
    let mut retry = toml::Table::new();
    retry.insert("p".into(), p.into());
    retry.insert("requeue".into(), "head".into());
    let then = match max_retries {
        Some(limit) => {
            retry.insert("max_retries".into(), limit.into());
            if settings.value("x-dead-letter-exchange").is_some() {
                "; then dead-lettered"
            } else {
                "; then dropped"
            }
        }
        None => ", unlimited",
    };
    expansion.set(
        "retry",
        retry,
        format!(
            "`failure` = {p}: nack with requeue=true, back to the head of the queue; {from}{then}"
        ),
    );
    Ok(())
}

/// `failure` = `p` nacked with `requeue` = false (basic.reject or
/// basic.nack): the broker dead-letters each failed message at once to the
/// queue bound to `x-dead-letter-exchange`, or drops it without one (docs
/// "Dead Letter Exchanges"); no retry.
fn dead_letter_nacks(settings: &Settings<'_>, p: f64, expansion: &mut Expansion) {
    let mut retry = toml::Table::new();
    retry.insert("p".into(), p.into());
    retry.insert("max_retries".into(), 0.into());
    let then = if settings.value("x-dead-letter-exchange").is_some() {
        "dead-lettered at once to `x-dead-letter-exchange`"
    } else {
        "dropped at once (no `x-dead-letter-exchange`)"
    };
    expansion.set(
        "retry",
        retry,
        format!(
            "`failure` = {p} with `requeue` = false: basic.reject/nack with requeue=false, {then}"
        ),
    );
}

/// The consumers' windows: `prefetch` (`basic.qos`; docs "Consumer
/// Prefetch": none set, or 0, is unlimited), `auto-ack` (deliveries count
/// as acknowledged when sent: no window), and two distributions that hold
/// a window slot: `ack`, the acknowledgement round trip after each
/// service, and `delivery`, a delivery's trip to its consumer.
/// Returns true when the windows are unlimited.
fn prefetch(settings: &Settings<'_>, expansion: &mut Expansion) -> Result<bool, Problem> {
    let prefetch = settings.count("prefetch", 0)?;
    let ack = settings.dist("ack")?;
    let delivery = settings.dist("delivery")?;
    if settings.flag("auto-ack")? == Some(true) {
        if prefetch.is_some() || ack.is_some() {
            let setting = if prefetch.is_some() {
                "prefetch"
            } else {
                "ack"
            };
            return Err(settings.problem(
                setting,
                "has no effect with `auto-ack` = true (nothing is acknowledged); remove one of them",
            ));
        }
        if delivery.is_some() {
            return Err(settings.problem(
                "delivery",
                "is a trip that holds a prefetch window's slot, and `auto-ack` = true has no window; remove one of them",
            ));
        }
        expansion.set(
            "prefetch",
            "unlimited",
            "`auto-ack` = true: deliveries need no acknowledgement, so no window",
        );
        return Ok(true);
    }
    match prefetch {
        Some(0) | None => expansion.set(
            "prefetch",
            "unlimited",
            if prefetch.is_some() {
                "`prefetch` = 0: unlimited"
            } else {
                "default: no `basic.qos`, unlimited (docs \"Consumer Prefetch\")"
            },
        ),
        Some(window) if window > i64::from(u16::MAX) => {
            return Err(settings.problem(
                "prefetch",
                format!(
                    "must be a whole number from 0 (unlimited) to {} (basic.qos is 16-bit), got {window}",
                    u16::MAX
                ),
            ));
        }
        Some(window) => expansion.set("prefetch", window, "`prefetch` (basic.qos)"),
    }
    let unlimited = matches!(prefetch, None | Some(0));
    if let Some(ack) = ack {
        expansion.set(
            "ack",
            ack.clone(),
            "`ack`: the acknowledgement round trip, the slot held meanwhile",
        );
    }
    if let Some(delivery) = delivery {
        expansion.set(
            "delivery",
            delivery.clone(),
            "`delivery`: the trip to the consumer once sent, the slot held meanwhile",
        );
    }
    Ok(unlimited)
}

/// The queue's length limit: `x-max-length` counts ready messages only,
/// and `x-overflow` says what a full queue does (docs "Queue Length
/// Limit": `drop-head` by default; `reject-publish-dlx` dead-letters the
/// refused message).
fn length_limit(
    settings: &Settings<'_>,
    unlimited_prefetch: bool,
    expansion: &mut Expansion,
) -> Result<(), Problem> {
    let policies = ["drop-head", "reject-publish", "reject-publish-dlx"];
    let overflow = settings.word("x-overflow", &policies)?;
    let Some(length) = settings.count("x-max-length", 0)? else {
        if overflow.is_some() {
            return Err(settings.problem(
                "x-overflow",
                "says what a full queue does: set `x-max-length` too, or remove it",
            ));
        }
        return Ok(());
    };
    let binds = if unlimited_prefetch {
        " (with unlimited prefetch every message is delivered at once, so none stays ready and the limit never binds: set `prefetch`)"
    } else {
        ""
    };
    expansion.set(
        "max_length",
        length,
        format!("`x-max-length`: ready messages only{binds}"),
    );
    match overflow {
        None => expansion.set(
            "overflow",
            "drop-head",
            "default `x-overflow` = \"drop-head\" (docs \"Queue Length Limit\")",
        ),
        Some(policy) => {
            if policy == "reject-publish-dlx" && settings.value("x-dead-letter-exchange").is_none()
            {
                return Err(settings.problem(
                    "x-overflow",
                    "\"reject-publish-dlx\" dead-letters the refused message: set `x-dead-letter-exchange`",
                ));
            }
            expansion.set("overflow", policy, "`x-overflow`");
        }
    }
    Ok(())
}
