//! Traffic that changes over time: a producer's piecewise-constant rate
//! profile, the reporting intervals it induces, and the stationary model of
//! one interval (for the pointwise stationary approximation).

use crate::model::{Arrivals, Model};
use crate::run::RunLength;

/// Most reporting intervals a run may have: each keeps its own statistics
/// (two histograms per row), so memory grows with their number.
pub const MAX_INTERVALS: usize = 400;

/// One step of a profile: `rate` messages per time unit from the end of the
/// previous step (or 0) until `until`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateStep {
    /// End of the step, in model time.
    pub until: f64,
    /// Messages per time unit during the step (0 = silent).
    pub rate: f64,
}

/// A piecewise-constant arrival rate over one period, repeated or not.
#[derive(Clone, Debug, PartialEq)]
pub struct RateProfile {
    /// Steps in time order; `until` strictly increases.
    pub steps: Vec<RateStep>,
    /// After the last step the profile starts again; otherwise the producer
    /// stops sending.
    pub repeats: bool,
}

impl RateProfile {
    /// Length of one period: the last step's end.
    pub fn period(&self) -> f64 {
        self.steps.last().map_or(0.0, |step| step.until)
    }

    /// Start of step `index`.
    pub fn step_start(&self, index: usize) -> f64 {
        index.checked_sub(1).map_or(0.0, |i| self.steps[i].until)
    }

    /// Time-average rate over one period.
    pub fn mean_rate(&self) -> f64 {
        let messages: f64 = (0..self.steps.len())
            .map(|i| self.steps[i].rate * (self.steps[i].until - self.step_start(i)))
            .sum();
        messages / self.period()
    }

    /// The rate in force at model time `time` (0 once a one-off profile ended).
    pub fn rate_at(&self, time: f64) -> f64 {
        let within = if self.repeats {
            time.rem_euclid(self.period())
        } else if time >= self.period() {
            return 0.0;
        } else {
            time
        };
        let index = self.steps.partition_point(|step| step.until <= within);
        self.steps.get(index).map_or(0.0, |step| step.rate)
    }

    /// The same profile with every rate multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> RateProfile {
        RateProfile {
            steps: self
                .steps
                .iter()
                .map(|step| RateStep {
                    until: step.until,
                    rate: step.rate * factor,
                })
                .collect(),
            repeats: self.repeats,
        }
    }
}

/// A reporting interval `[start, end)` of model time.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// Start.
    pub start: f64,
    /// End.
    pub end: f64,
}

impl Span {
    /// Length.
    pub fn length(&self) -> f64 {
        self.end - self.start
    }
}

/// The reporting intervals of a run of `model` over `[0, horizon)`: every
/// step boundary of every profile, repeated with the profiles, cut at the
/// horizon. Empty when no producer has a profile.
pub fn spans(model: &Model, horizon: f64) -> Vec<Span> {
    let mut boundaries: Vec<f64> = vec![0.0, horizon];
    for profile in model.producers.iter().filter_map(|p| p.profile.as_ref()) {
        let period = profile.period();
        let cycles = if profile.repeats {
            (horizon / period).ceil() as usize
        } else {
            1
        };
        for cycle in 0..cycles.min(MAX_INTERVALS + 1) {
            let offset = cycle as f64 * period;
            boundaries.extend(
                profile
                    .steps
                    .iter()
                    .map(|step| offset + step.until)
                    .filter(|&time| time < horizon),
            );
        }
    }
    if boundaries.len() == 2 {
        return Vec::new();
    }
    boundaries.sort_by(f64::total_cmp);
    boundaries.dedup();
    boundaries
        .windows(2)
        .map(|pair| Span {
            start: pair[0],
            end: pair[1],
        })
        .collect()
}

/// The reporting intervals of a run of `model` measured for `length`:
/// [`spans`] up to the horizon of a model with profiles, none otherwise.
pub fn run_spans(model: &Model, length: RunLength) -> Vec<Span> {
    match length {
        RunLength::Horizon(horizon) if model.has_profiles() => spans(model, horizon),
        _ => Vec::new(),
    }
}

/// Messages per time unit that every producer together sends during
/// `span` (closed loops count 0).
pub fn arrival_rate_in(model: &Model, span: Span) -> f64 {
    model
        .producers
        .iter()
        .map(|producer| match &producer.profile {
            Some(profile) => profile.rate_at(span.start),
            None => producer.open_rate(),
        })
        .sum()
}

/// The stationary model of the traffic in force during `span`: each
/// profiled producer sends at its rate at the span's start (the rate is
/// constant within a span), keeping its interarrival shape; silent ones are
/// left out. `None` when no producer sends.
pub fn stationary_at(model: &Model, span: Span) -> Option<Model> {
    let mut stationary = model.clone();
    stationary.producers.clear();
    for producer in &model.producers {
        let mut producer = producer.clone();
        if let Some(profile) = producer.profile.take() {
            let rate = profile.rate_at(span.start);
            if rate <= 0.0 {
                continue;
            }
            if let Arrivals::Open { interarrival } = &mut producer.arrivals {
                // The shape has mean 1: stretching it by 1/rate gives the rate.
                *interarrival = interarrival.scaled(1.0 / rate).ok()?;
            }
        }
        stationary.producers.push(producer);
    }
    (!stationary.producers.is_empty()).then_some(stationary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> RateProfile {
        RateProfile {
            steps: vec![
                RateStep {
                    until: 8.0,
                    rate: 1.0,
                },
                RateStep {
                    until: 12.0,
                    rate: 4.0,
                },
                RateStep {
                    until: 24.0,
                    rate: 0.0,
                },
            ],
            repeats: true,
        }
    }

    #[test]
    fn mean_rate_weights_each_step_by_its_length() {
        // (8 * 1 + 4 * 4 + 12 * 0) / 24 = 1
        assert!((day().mean_rate() - 1.0).abs() < 1e-15);
        assert!((day().scaled(2.5).mean_rate() - 2.5).abs() < 1e-15);
    }

    #[test]
    fn rate_at_repeats_or_stops() {
        let mut profile = day();
        assert_eq!(profile.rate_at(0.0), 1.0);
        assert_eq!(profile.rate_at(8.0), 4.0);
        assert_eq!(profile.rate_at(11.999), 4.0);
        assert_eq!(profile.rate_at(12.0), 0.0);
        assert_eq!(profile.rate_at(24.0 + 9.0), 4.0);
        profile.repeats = false;
        assert_eq!(profile.rate_at(24.0 + 9.0), 0.0);
    }
}
