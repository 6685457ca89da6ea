//! Validation of `[compare] live`: the settings, and whether every sweep
//! point's model can run on real queues with the chosen channels.

use super::SweepPoint;
use super::error::Problem;
use super::live_settings::{self as live, LiveSettings};
use super::spec::LiveSpec;
use crate::model::Model;
use crate::text::Num;

/// Measured wall seconds per point and channel when not given.
const DEFAULT_SECONDS: f64 = 10.0;

/// Longest measured or warm-up window accepted, in seconds.
const MAX_SECONDS: f64 = 86_400.0;

/// Checks `spec` against every point; `None` spec means live is off.
pub fn settings(spec: &LiveSpec, points: &[SweepPoint]) -> Result<LiveSettings, Problem> {
    if let Some(reason) = points.iter().find_map(|p| live::unsupported(&p.model)) {
        return Err(Problem::new("compare.live", reason));
    }
    let windows = windows(spec, points)?;
    let models: Vec<&Model> = points.iter().map(|p| &p.model).collect();
    let channels = match &spec.channels {
        None => live::default_channels(&models),
        Some(channels) if channels.is_empty() => {
            return Err(Problem::new(
                "compare.live.channels",
                "give at least one channel",
            ));
        }
        Some(channels) => channels.clone(),
    };
    live::check_channels(&models, &channels)
        .map_err(|reason| Problem::new("compare.live.channels", reason))?;
    Ok(LiveSettings {
        channels,
        ..windows
    })
}

/// The time scale and windows of `spec` for every point, without channels:
/// all a run on a broker (`queuelab bench`) takes.
pub fn windows(spec: &LiveSpec, points: &[SweepPoint]) -> Result<LiveSettings, Problem> {
    let base = &points[0].model;
    let positive = |key: &str, value: Option<f64>, default: f64| -> Result<f64, Problem> {
        match value {
            None => Ok(default),
            Some(v) if v.is_finite() && v > 0.0 && v <= MAX_SECONDS => Ok(v),
            Some(v) => Err(Problem::new(
                format!("compare.live.{key}"),
                format!(
                    "must be a number > 0 (and at most {MAX_SECONDS}), got {}",
                    Num(v)
                ),
            )),
        }
    };
    let time_scale_ms = positive(
        "time_scale_ms",
        spec.time_scale_ms,
        LiveSettings::default_time_scale(base),
    )?;
    let seconds = positive("seconds", spec.seconds, DEFAULT_SECONDS)?;
    let warmup_seconds = match spec.warmup_seconds {
        None => (0.05 * seconds).max(1.0),
        Some(v) if v.is_finite() && (0.0..=MAX_SECONDS).contains(&v) => v,
        Some(v) => {
            return Err(Problem::new(
                "compare.live.warmup_seconds",
                format!("must be a number >= 0, got {}", Num(v)),
            ));
        }
    };
    let settings = LiveSettings {
        channels: Vec::new(),
        time_scale_ms,
        seconds,
        warmup_seconds,
    };
    for point in points {
        let expected = settings.expected_visits(&point.model);
        if expected > live::MAX_VISITS {
            return Err(Problem::new(
                "compare.live.seconds",
                format!(
                    "a live run would hold about {expected:.0} visits (messages at a queue), over the limit of {} (about 1 GiB of schedule and stamps); shorten `seconds` or raise `time_scale_ms`",
                    live::MAX_VISITS
                ),
            ));
        }
    }
    Ok(settings)
}
