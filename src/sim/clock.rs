//! Arrival times of a producer whose rate follows a profile, by a change of
//! time: gaps of mean 1 are laid out in *operational time* (the expected
//! number of arrivals so far, Lambda(t) = integral of the rate), and each
//! arrival happens when Lambda reaches the running sum of the gaps. With
//! exponential gaps this is exactly a non-homogeneous Poisson process; with
//! any other shape the arrivals keep its variability at every rate.

use crate::model::profile::Profile;

/// A step of a profile with a rate above 0.
#[derive(Clone, Copy, Debug)]
struct RateStep {
    /// Model time it starts at, within the period.
    start: f64,
    /// Messages per time unit.
    rate: f64,
    /// Operational time (expected arrivals) at its start.
    operational_start: f64,
}

/// A producer's position in operational time.
#[derive(Clone, Debug)]
pub(crate) struct ProfileClock {
    /// The steps that send, in time order.
    steps: Vec<RateStep>,
    /// Model time of one period.
    period: f64,
    /// Operational time of one period.
    period_arrivals: f64,
    /// The profile starts again after its period (else it ends there).
    repeats: bool,
    /// Operational time of the last arrival.
    operational: f64,
}

impl ProfileClock {
    /// A clock at time 0 of `profile`.
    pub(crate) fn new(profile: &Profile) -> Self {
        let mut steps = Vec::with_capacity(profile.steps.len());
        let mut cumulative = 0.0;
        for (index, step) in profile.steps.iter().enumerate() {
            let start = profile.step_start(index);
            if step.value > 0.0 {
                steps.push(RateStep {
                    start,
                    rate: step.value,
                    operational_start: cumulative,
                });
            }
            cumulative += step.value * (step.until - start);
        }
        ProfileClock {
            steps,
            period: profile.period(),
            period_arrivals: cumulative,
            repeats: profile.repeats,
            operational: 0.0,
        }
    }

    /// The time of the next arrival, `gap` (mean 1) later in operational
    /// time; `None` once a profile that does not repeat has ended. An
    /// arrival that lands exactly where a silent step begins happens when
    /// the traffic resumes, so silent intervals stay silent; one that lands
    /// exactly on the period's end happens then.
    pub(crate) fn next_arrival(&mut self, gap: f64) -> Option<f64> {
        self.operational += gap;
        // The period it falls in, counting its very end as inside it.
        let cycles = ((self.operational / self.period_arrivals).ceil() - 1.0).max(0.0);
        if cycles >= 1.0 && !self.repeats {
            return None;
        }
        let within = self.operational - cycles * self.period_arrivals;
        // The last step with a rate that starts at or before `within`.
        let index = self
            .steps
            .partition_point(|step| step.operational_start <= within)
            .saturating_sub(1);
        let step = self.steps[index];
        Some(cycles * self.period + step.start + (within - step.operational_start) / step.rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::profile::Step;

    fn profile(repeats: bool) -> Profile {
        // 2 per unit until 1, silent until 3, 1 per unit until 4: 3 arrivals
        // expected per period of 4.
        Profile {
            steps: vec![
                Step {
                    until: 1.0,
                    value: 2.0,
                },
                Step {
                    until: 3.0,
                    value: 0.0,
                },
                Step {
                    until: 4.0,
                    value: 1.0,
                },
            ],
            repeats,
        }
    }

    #[test]
    fn operational_time_maps_back_through_each_step() {
        let mut clock = ProfileClock::new(&profile(true));
        // Lambda = 1 at t = 0.5; 2 at t = 3, when the traffic resumes after
        // the silent step; 2.5 at 3.5; 3 at 4, the end of the period; then
        // 3.5 at 4.25 in the second period.
        let times: Vec<f64> = [1.0, 1.0, 0.5, 0.5, 0.5]
            .iter()
            .map(|&gap| clock.next_arrival(gap).unwrap())
            .collect();
        let expected = [0.5, 3.0, 3.5, 4.0, 4.25];
        for (time, expected) in times.iter().zip(expected) {
            assert!((time - expected).abs() < 1e-12, "{times:?}");
        }
    }

    #[test]
    fn a_profile_that_does_not_repeat_stops() {
        let mut clock = ProfileClock::new(&profile(false));
        assert_eq!(clock.next_arrival(2.9), Some(3.9));
        assert_eq!(clock.next_arrival(0.1), Some(4.0));
        assert_eq!(clock.next_arrival(0.1), None);
    }
}
