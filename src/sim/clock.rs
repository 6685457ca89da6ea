//! Arrival times of a producer whose rate follows a profile, by a change of
//! time: gaps of mean 1 are laid out in *operational time* (the expected
//! number of arrivals so far, Lambda(t) = integral of the rate), and each
//! arrival happens when Lambda reaches the running sum of the gaps. With
//! exponential gaps this is exactly a non-homogeneous Poisson process; with
//! any other shape the arrivals keep its variability at every rate.

use crate::profile::RateProfile;

/// A producer's position in operational time.
#[derive(Clone, Debug)]
pub(crate) struct ProfileClock {
    /// (start, rate, operational time at the start) of each step with a rate.
    steps: Vec<(f64, f64, f64)>,
    /// Model time of one period.
    period: f64,
    /// Operational time of one period.
    period_arrivals: f64,
    repeats: bool,
    /// Operational time of the last arrival.
    operational: f64,
}

impl ProfileClock {
    /// A clock at time 0 of `profile`.
    pub(crate) fn new(profile: &RateProfile) -> Self {
        let mut steps = Vec::with_capacity(profile.steps.len());
        let mut cumulative = 0.0;
        for (index, step) in profile.steps.iter().enumerate() {
            let start = profile.step_start(index);
            if step.rate > 0.0 {
                steps.push((start, step.rate, cumulative));
            }
            cumulative += step.rate * (step.until - start);
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
    /// time; `None` once a profile that does not repeat has ended.
    pub(crate) fn next_arrival(&mut self, gap: f64) -> Option<f64> {
        self.operational += gap;
        let cycles = (self.operational / self.period_arrivals).floor();
        if cycles >= 1.0 && !self.repeats {
            return None;
        }
        let within = self.operational - cycles * self.period_arrivals;
        // The last step with a rate that starts at or before `within`.
        let index = self
            .steps
            .partition_point(|&(_, _, cumulative)| cumulative <= within)
            .saturating_sub(1);
        let (start, rate, cumulative) = self.steps[index];
        Some(cycles * self.period + start + (within - cumulative) / rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::RateStep;

    fn profile(repeats: bool) -> RateProfile {
        // 2 per unit until 1, silent until 3, 1 per unit until 4: 3 arrivals
        // expected per period of 4.
        RateProfile {
            steps: vec![
                RateStep {
                    until: 1.0,
                    rate: 2.0,
                },
                RateStep {
                    until: 3.0,
                    rate: 0.0,
                },
                RateStep {
                    until: 4.0,
                    rate: 1.0,
                },
            ],
            repeats,
        }
    }

    #[test]
    fn operational_time_maps_back_through_each_step() {
        let mut clock = ProfileClock::new(&profile(true));
        // Lambda = 1 at t = 0.5; 2 at t = 1 (then silent until 3); 2.5 at 3.5.
        let times: Vec<f64> = [1.0, 1.0, 0.5, 1.0, 0.5]
            .iter()
            .map(|&gap| clock.next_arrival(gap).unwrap())
            .collect();
        let expected = [0.5, 3.0, 3.5, 4.25, 4.5];
        for (time, expected) in times.iter().zip(expected) {
            assert!((time - expected).abs() < 1e-12, "{times:?}");
        }
    }

    #[test]
    fn a_profile_that_does_not_repeat_stops() {
        let mut clock = ProfileClock::new(&profile(false));
        assert_eq!(clock.next_arrival(2.9), Some(3.9));
        assert_eq!(clock.next_arrival(0.2), None);
    }
}
