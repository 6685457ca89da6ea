//! Validation of `rate_profile` on producers, and of the run settings a
//! profile implies: a run by time from an empty system at time 0.

use super::error::Problem;
use super::spec::{ProducerSpec, RunSpec};
use crate::dist::Dist;
use crate::model::Model;
use crate::profile::{MAX_INTERVALS, RateProfile, RateStep, spans};
use crate::run::{RunConfig, RunLength, Warmup};

/// The producer's `rate_profile`, checked: `until` finite and strictly
/// increasing from above 0, rates finite and >= 0, some rate above 0.
pub fn rate_profile(producer: &ProducerSpec, key: &str) -> Result<Option<RateProfile>, Problem> {
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
    if steps.is_empty() {
        return Err(Problem::new(
            key,
            "needs at least one step, e.g. [{ until = 3600, rate = 10.0 }]",
        ));
    }
    let mut previous = 0.0;
    for (index, step) in steps.iter().enumerate() {
        if !(step.until.is_finite() && step.until > previous) {
            return Err(Problem::new(
                key,
                format!(
                    "step {}: `until` must be finite and greater than the previous step's ({previous}), got {}",
                    index + 1,
                    step.until
                ),
            ));
        }
        if !(step.rate.is_finite() && step.rate >= 0.0) {
            return Err(Problem::new(
                key,
                format!(
                    "step {}: `rate` must be a finite number of messages per time unit >= 0, got {}",
                    index + 1,
                    step.rate
                ),
            ));
        }
        previous = step.until;
    }
    if steps.iter().all(|step| step.rate == 0.0) {
        return Err(Problem::new(key, "every step has rate 0: nothing is sent"));
    }
    Ok(Some(RateProfile {
        steps: steps
            .iter()
            .map(|step| RateStep {
                until: step.until,
                rate: step.rate,
            })
            .collect(),
        repeats: producer.rate_profile_repeats.unwrap_or(false),
    }))
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
    let intervals = spans(model, horizon).len();
    if intervals > MAX_INTERVALS {
        return Err(Problem::new(
            "run.horizon",
            format!(
                "{intervals} reporting intervals over {horizon} time units; at most {MAX_INTERVALS} are kept: shorten the horizon or use fewer steps"
            ),
        ));
    }
    run.length = RunLength::Horizon(horizon);
    run.warmup = Warmup::Customers(0);
    Ok(())
}

fn repeat_word(repeats: bool) -> &'static str {
    if repeats { "repeating" } else { "once" }
}
