//! Validation of `rate_profile` on producers, and of the run settings a
//! profile implies: a run by time from an empty system at time 0.

use super::error::Problem;
use super::spec::{ConsumersSpec, ProducerSpec, QueueSpec, RunSpec};
use crate::dist::Dist;
use crate::model::Model;
use crate::model::profile::{MAX_INTERVALS, Profile, Step, spans};
use crate::run::{RunConfig, RunLength, Warmup};
use crate::text::Num;

/// Most messages a replication with rate profiles may expect to send.
const MAX_MESSAGES: f64 = 1e11;

/// The producer's `rate_profile`, checked: `until` finite and strictly
/// increasing from above 0, rates finite and >= 0, some rate above 0.
pub fn rate_profile(producer: &ProducerSpec, key: &str) -> Result<Option<Profile>, Problem> {
    let key = format!("{key}.rate_profile");
    let Some(steps) = &producer.rate_profile else {
        if producer.rate_profile_repeats.is_some() {
            return Err(Problem::new(
                format!("{key}_repeats"),
                "only applies with a `rate_profile`",
            ));
        }
        return Ok(None);
    };
    if producer.closed.is_some() {
        return Err(Problem::new(
            key,
            "applies to open producers (`interarrival`), not to closed loops",
        ));
    }
    let profile = checked_steps(
        &key,
        steps.iter().map(|step| (step.until, step.rate)),
        "`rate` must be a finite number of messages per time unit >= 0",
        |rate| rate.is_finite() && rate >= 0.0,
    )?;
    if steps.iter().all(|step| step.rate == 0.0) {
        return Err(Problem::new(key, "every step has rate 0: nothing is sent"));
    }
    if !profile.mean_value().is_finite() {
        return Err(Problem::new(
            key,
            "the steps send more messages per period than a number can hold: use smaller `until` or `rate` values",
        ));
    }
    Ok(Some(Profile {
        repeats: producer.rate_profile_repeats.unwrap_or(false),
        ..profile
    }))
}

/// Steps given as (`until`, value) pairs, checked: at least one, `until`
/// finite and strictly increasing from above 0, every value passing
/// `valid` (else `rule` is the message); not repeating.
fn checked_steps(
    key: &str,
    steps: impl ExactSizeIterator<Item = (f64, f64)>,
    rule: &str,
    valid: fn(f64) -> bool,
) -> Result<Profile, Problem> {
    if steps.len() == 0 {
        return Err(Problem::new(
            key,
            "needs at least one step, e.g. [{ until = 3600, ... }]",
        ));
    }
    let mut previous = 0.0;
    let mut checked = Vec::with_capacity(steps.len());
    for (index, (until, value)) in steps.enumerate() {
        if !(until.is_finite() && until > previous) {
            return Err(Problem::new(
                key,
                format!(
                    "step {}: `until` must be finite and greater than the previous step's ({}), got {}",
                    Num(previous),
                    Num(until),
                    index + 1
                ),
            ));
        }
        if !valid(value) {
            return Err(Problem::new(
                key,
                format!("step {}: {rule}, got {}", index + 1, Num(value)),
            ));
        }
        checked.push(Step { until, value });
        previous = until;
    }
    Ok(Profile {
        steps: checked,
        repeats: false,
    })
}

/// The queue's `consumers_schedule`, checked: `until` finite and strictly
/// increasing from above 0, at least 1 consumer per step, a discipline
/// that never interrupts a service. It repeats (or not) with the rate
/// profiles, which [`adapt_run`] checks it matches.
pub fn consumer_schedule(queue: &QueueSpec, key: &str) -> Result<Option<Profile>, Problem> {
    let key = format!("{key}.consumers_schedule");
    let Some(steps) = &queue.consumers_schedule else {
        return Ok(None);
    };
    if queue.discipline.interrupts_service() {
        return Err(Problem::new(
            key,
            "applies to queues whose services run to completion (fifo, lifo, priority, random)",
        ));
    }
    checked_steps(
        &key,
        steps
            .iter()
            .map(|step| (step.until, f64::from(step.consumers))),
        "needs at least 1 consumer",
        |consumers| consumers >= 1.0,
    )
    .map(Some)
}

/// The most consumers a schedule has at any time.
pub fn most_consumers(schedule: &Profile) -> ConsumersSpec {
    let most = schedule.steps.iter().map(|s| s.value).fold(0.0, f64::max);
    ConsumersSpec::Count(most as u32)
}

/// The interarrival shape of a profiled producer: `interarrival` (any
/// distribution but a trace) stretched to mean 1, or exponential (Poisson
/// arrivals) when it is left out.
pub fn shape(interarrival: Option<Dist>, key: &str) -> Result<Dist, Problem> {
    let key = format!("{key}.interarrival");
    match interarrival {
        None => Dist::exponential_mean(1.0).map_err(|e| Problem::new(key, e.to_string())),
        Some(Dist::Sequence { .. }) => Err(Problem::new(
            key,
            "a recorded `trace` has its own times; it cannot follow a `rate_profile` too",
        )),
        Some(dist) => dist
            .scaled(1.0 / dist.mean())
            .map_err(|e| Problem::new(key, e.to_string())),
    }
}

/// Adapts `run` to a model whose producers follow profiles: every profile
/// shares one period and one `rate_profile_repeats`; the run is measured by
/// time (`horizon`, one period by default, at most one period when the
/// profiles do not repeat) from an empty system at time 0, so no warm-up
/// is cut; the intervals stay within [`MAX_INTERVALS`].
pub fn adapt_run(run: &mut RunConfig, spec: &RunSpec, model: &Model) -> Result<(), Problem> {
    let mut profiled = model
        .producers
        .iter()
        .filter_map(|p| p.profile.as_ref().map(|profile| (&p.name, profile)));
    let Some((first_name, first)) = profiled.next() else {
        if let Some(queue) = model.queues.iter().find(|q| q.schedule.is_some()) {
            return Err(Problem::new(
                format!("queues.{}.consumers_schedule", queue.name),
                "follows the traffic over time: give a producer a `rate_profile` (the schedule repeats with it)",
            ));
        }
        if let Some(every) = model.report_every {
            return adapt_reported_run(run, spec, every);
        }
        return Ok(());
    };
    for (name, profile) in profiled {
        if profile.period() != first.period() || profile.repeats != first.repeats {
            return Err(Problem::new(
                format!("producers.{name}.rate_profile"),
                format!(
                    "every profile must cover the same period and repeat alike: `{first_name}` ends at {} ({}), this one at {} ({})",
                    first.period(),
                    repeat_word(first.repeats),
                    profile.period(),
                    repeat_word(profile.repeats)
                ),
            ));
        }
    }
    let period = first.period();
    for queue in &model.queues {
        if let Some(schedule) = &queue.schedule
            && schedule.period() != period
        {
            return Err(Problem::new(
                format!("queues.{}.consumers_schedule", queue.name),
                format!(
                    "must cover the rate profile's period: its last step ends at {}, the profile's at {period}",
                    schedule.period()
                ),
            ));
        }
    }
    if spec.customers.is_some() {
        return Err(Problem::new(
            "run.customers",
            format!(
                "a rate profile is measured over time: give `horizon` instead (default: the profile's period, {period})"
            ),
        ));
    }
    if let Some(precision) = spec.target_precision {
        return Err(Problem::new(
            "run.target_precision",
            format!(
                "a rate profile reports each interval separately; set `replications` instead of a precision target ({precision})"
            ),
        ));
    }
    if matches!(spec.warmup, super::spec::WarmupSpec::Count(count) if count > 0) {
        return Err(Problem::new(
            "run.warmup",
            "a rate profile starts empty at time 0 and every interval is reported, so no warm-up is cut; remove `warmup` (or set 0)",
        ));
    }
    let horizon = spec.horizon.unwrap_or(period);
    if !first.repeats && horizon > period {
        return Err(Problem::new(
            "run.horizon",
            format!(
                "the profile ends at {period} and does not repeat, so nothing arrives after it; give a horizon <= {period} or `rate_profile_repeats = true`"
            ),
        ));
    }
    let cycles = if first.repeats {
        (horizon / period).ceil()
    } else {
        1.0
    };
    let intervals = spans(model, period).len() as f64 * cycles;
    if intervals > MAX_INTERVALS as f64 {
        return Err(Problem::new(
            "run.horizon",
            format!(
                "about {intervals:.3e} reporting intervals over {horizon:.6e} time units; at most {MAX_INTERVALS} are kept: shorten the horizon or use fewer steps"
            ),
        ));
    }
    let messages: f64 = model
        .producers
        .iter()
        .map(|producer| match &producer.profile {
            Some(profile) => profile.integral(horizon),
            None => producer.open_rate() * horizon,
        })
        .sum();
    if !(messages.is_finite() && messages <= MAX_MESSAGES) {
        return Err(Problem::new(
            "run.horizon",
            format!(
                "the producers would send about {messages:.3e} messages per replication; at most {MAX_MESSAGES:.0e}: shorten the horizon or lower the rates"
            ),
        ));
    }
    run.length = RunLength::Horizon(horizon);
    run.warmup = Warmup::Customers(0);
    Ok(())
}

/// Adapts `run` to steady traffic reported every `every` time units
/// (`report_every` without rate profiles): measured by `horizon` from an
/// empty system at time 0, no warm-up cut, within [`MAX_INTERVALS`].
fn adapt_reported_run(run: &mut RunConfig, spec: &RunSpec, every: f64) -> Result<(), Problem> {
    let Some(horizon) = spec.horizon else {
        return Err(Problem::new(
            "run.report_every",
            "reports the run interval by interval over time: give `horizon` (the run's length in time units) instead of `customers`",
        ));
    };
    if let Some(precision) = spec.target_precision {
        return Err(Problem::new(
            "run.target_precision",
            format!(
                "`report_every` reports each interval separately; set `replications` instead of a precision target ({precision})"
            ),
        ));
    }
    if matches!(spec.warmup, super::spec::WarmupSpec::Count(count) if count > 0) {
        return Err(Problem::new(
            "run.warmup",
            "`report_every` starts empty at time 0 and every interval is reported, so no warm-up is cut; remove `warmup` (or set 0)",
        ));
    }
    let intervals = (horizon / every).ceil();
    if intervals > MAX_INTERVALS as f64 {
        return Err(Problem::new(
            "run.report_every",
            format!(
                "{intervals:.0} reporting intervals over the horizon {horizon}; at most {MAX_INTERVALS} are kept: report less often or shorten the horizon"
            ),
        ));
    }
    run.warmup = Warmup::Customers(0);
    Ok(())
}

fn repeat_word(repeats: bool) -> &'static str {
    if repeats { "repeating" } else { "once" }
}
