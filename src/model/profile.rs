//! Traffic that changes over time: a producer's piecewise-constant rate
//! profile, the reporting intervals it induces, and the stationary model of
//! one interval (for the pointwise stationary approximation).

use crate::model::{Arrivals, Model};
use crate::run::RunLength;

/// Most reporting intervals a run may have: each keeps its own statistics
/// (two histograms per row), so memory grows with their number.
pub const MAX_INTERVALS: usize = 400;

/// One step of a profile: `value` from the end of the previous step (or 0)
/// until `until`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// End of the step, in model time.
    pub until: f64,
    /// The value during the step: messages per time unit for a rate
    /// profile, a whole number for a consumer schedule.
    pub value: f64,
}

/// A piecewise-constant function of time over one period, repeated or not:
/// a producer's rate, or a queue's consumers.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// Steps in time order; `until` strictly increases.
    pub steps: Vec<Step>,
    /// After the last step the profile starts again; otherwise it is 0
    /// from then on (a producer stops sending).
    pub repeats: bool,
}

impl Profile {
    /// Length of one period: the last step's end.
    pub fn period(&self) -> f64 {
        self.steps.last().map_or(0.0, |step| step.until)
    }

    /// Start of step `index`.
    pub fn step_start(&self, index: usize) -> f64 {
        index.checked_sub(1).map_or(0.0, |i| self.steps[i].until)
    }

    /// The integral of the profile over one period.
    fn period_integral(&self) -> f64 {
        (0..self.steps.len())
            .map(|i| self.steps[i].value * (self.steps[i].until - self.step_start(i)))
            .sum()
    }

    /// Time-average value over one period.
    pub fn mean_value(&self) -> f64 {
        self.period_integral() / self.period()
    }

    /// The integral of the profile from 0 to `time` (>= 0).
    pub fn integral(&self, time: f64) -> f64 {
        let period = self.period();
        let (cycles, within) = if self.repeats {
            ((time / period).floor(), time.rem_euclid(period))
        } else {
            (0.0, time.min(period))
        };
        let partial: f64 = (0..self.steps.len())
            .map(|i| {
                let start = self.step_start(i);
                self.steps[i].value * (within.min(self.steps[i].until) - start).max(0.0)
            })
            .sum();
        cycles * self.period_integral() + partial
    }

    /// The time average over `[start, end)`.
    pub fn mean_over(&self, start: f64, end: f64) -> f64 {
        (self.integral(end) - self.integral(start)) / (end - start)
    }

    /// The value in force at model time `time` (0 once a one-off profile
    /// ended).
    pub fn value_at(&self, time: f64) -> f64 {
        let within = if self.repeats {
            time.rem_euclid(self.period())
        } else if time >= self.period() {
            return 0.0;
        } else {
            time
        };
        let index = self.steps.partition_point(|step| step.until <= within);
        self.steps.get(index).map_or(0.0, |step| step.value)
    }

    /// The same profile with every value multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> Profile {
        Profile {
            steps: self
                .steps
                .iter()
                .map(|step| Step {
                    until: step.until,
                    value: step.value * factor,
                })
                .collect(),
            repeats: self.repeats,
        }
    }
}

/// A reporting interval `[start, end)` of model time.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// Model time the interval starts at.
    pub start: f64,
    /// Model time it ends at (excluded).
    pub end: f64,
}

impl Span {
    /// Length.
    pub fn length(&self) -> f64 {
        self.end - self.start
    }

    /// The middle: where to read a profile's value for the span (its
    /// ends may round to a neighbouring step in later periods).
    pub fn middle(&self) -> f64 {
        (self.start + self.end) / 2.0
    }
}

/// The reporting intervals of a run of `model` over `[0, horizon)`: every
/// step boundary of every rate profile and consumer schedule, repeated
/// with them, and every multiple of `report_every`, cut at the horizon (at
/// least the one interval up to the horizon). Empty when no producer has a
/// profile and no `report_every` is set.
pub fn spans(model: &Model, horizon: f64) -> Vec<Span> {
    if !model.has_intervals() {
        return Vec::new();
    }
    let mut boundaries: Vec<f64> = vec![0.0, horizon];
    if let Some(every) = model.report_every {
        let count = ((horizon / every).ceil() as usize).min(MAX_INTERVALS + 1);
        boundaries.extend(
            (1..count)
                .map(|k| k as f64 * every)
                .filter(|&time| time < horizon),
        );
    }
    let rates = model.producers.iter().filter_map(|p| p.profile.as_ref());
    let schedules = model.queues.iter().filter_map(|q| q.schedule.as_ref());
    for profile in rates.chain(schedules) {
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
    // Boundaries that differ by rounding only (2 x 0.3 + 0.3 against 0.9)
    // are one, so no sliver interval appears.
    let tolerance = 1e-9 * horizon;
    boundaries.retain(|&time| time == horizon || time < horizon - tolerance);
    boundaries.sort_by(f64::total_cmp);
    boundaries.dedup_by(|later, earlier| *later - *earlier <= tolerance);
    if let Some(last) = boundaries.last_mut() {
        *last = horizon;
    }
    boundaries
        .windows(2)
        .map(|pair| Span {
            start: pair[0],
            end: pair[1],
        })
        .collect()
}

/// The reporting intervals of a run of `model` measured for `length`:
/// [`spans`] up to the horizon of a model with profiles or `report_every`,
/// none otherwise.
pub fn run_spans(model: &Model, length: RunLength) -> Vec<Span> {
    match length {
        RunLength::Horizon(horizon) if model.has_intervals() => spans(model, horizon),
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
            Some(profile) => profile.value_at(span.middle()),
            None => producer.open_rate(),
        })
        .sum()
}

/// The stationary model of the traffic in force during `span`: each
/// profiled producer sends at its rate at the span's start (rates and
/// consumers are constant within a span), keeping its interarrival shape;
/// silent ones are left out; scheduled queues have the consumers then
/// working. `None` when no producer sends.
pub fn stationary_at(model: &Model, span: Span) -> Option<Model> {
    let mut stationary = model.clone();
    stationary.producers.clear();
    for producer in &model.producers {
        let mut producer = producer.clone();
        if let Some(profile) = producer.profile.take() {
            let rate = profile.value_at(span.middle());
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
    for queue in &mut stationary.queues {
        if let Some(schedule) = queue.schedule.take() {
            queue.consumers = schedule.value_at(span.middle()) as u32;
        }
    }
    (!stationary.producers.is_empty()).then_some(stationary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> Profile {
        let step = |until, value| Step { until, value };
        Profile {
            steps: vec![step(8.0, 1.0), step(12.0, 4.0), step(24.0, 0.0)],
            repeats: true,
        }
    }

    #[test]
    fn mean_value_weights_each_step_by_its_length() {
        // (8 * 1 + 4 * 4 + 12 * 0) / 24 = 1
        assert!((day().mean_value() - 1.0).abs() < 1e-15);
        assert!((day().scaled(2.5).mean_value() - 2.5).abs() < 1e-15);
    }

    #[test]
    fn value_at_repeats_or_stops() {
        let mut profile = day();
        assert_eq!(profile.value_at(0.0), 1.0);
        assert_eq!(profile.value_at(8.0), 4.0);
        assert_eq!(profile.value_at(11.999), 4.0);
        assert_eq!(profile.value_at(12.0), 0.0);
        assert_eq!(profile.value_at(24.0 + 9.0), 4.0);
        profile.repeats = false;
        assert_eq!(profile.value_at(24.0 + 9.0), 0.0);
    }

    #[test]
    fn integrals_add_up_over_steps_and_cycles() {
        let profile = day();
        // 8 * 1 + 2 * 4 = 16 by 10; a whole day is 24; a day and 10 is 40.
        assert!((profile.integral(10.0) - 16.0).abs() < 1e-12);
        assert!((profile.integral(24.0) - 24.0).abs() < 1e-12);
        assert!((profile.integral(34.0) - 40.0).abs() < 1e-12);
        assert!((profile.mean_over(8.0, 12.0) - 4.0).abs() < 1e-12);
        assert!((profile.mean_over(6.0, 10.0) - 2.5).abs() < 1e-12);
    }
}
