//! The schedule a live run follows, generated from the seed before any
//! thread starts: every message's absolute arrival instant and its service
//! requirement, in wall-clock nanoseconds.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::LiveSettings;
use crate::model::{Arrivals, Model};

/// Stream of producer `p`'s interarrival gaps is `PRODUCER_STREAM + p`.
const PRODUCER_STREAM: u64 = 0;
/// Stream of the service requirements.
const SERVICE_STREAM: u64 = 1 << 20;

/// One planned message.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Planned {
    /// Arrival instant, ns from the run's start.
    pub scheduled: u64,
    /// Service requirement, ns.
    pub service: u64,
    /// Class index.
    pub class: usize,
}

/// Every message of a live run, in arrival order, and the run's windows.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// Messages by scheduled arrival (ties: producer order).
    pub messages: Vec<Planned>,
    /// End of the warm-up window (ns): earlier arrivals are not measured.
    pub warmup_end: u64,
    /// End of the run (ns): the last scheduled arrival is before it.
    pub end: u64,
    /// Wall nanoseconds per model time unit.
    pub ns_per_unit: f64,
}

impl Timeline {
    /// Plans a run of the single-queue `model`: open producers send from 0
    /// to `warmup_seconds + seconds`; services come from the queue's (or
    /// class's) distribution. Deterministic in `seed`.
    pub fn plan(model: &Model, settings: &LiveSettings, seed: u64) -> Timeline {
        let ns_per_unit = settings.time_scale_ms * 1e6;
        let warmup_end = (settings.warmup_seconds * 1e9) as u64;
        let end = warmup_end + (settings.seconds * 1e9) as u64;
        let horizon = end as f64 / ns_per_unit;
        let mut arrivals: Vec<(f64, usize)> = Vec::new();
        for (index, producer) in model.producers.iter().enumerate() {
            let Arrivals::Open { interarrival } = &producer.arrivals else {
                continue;
            };
            let mut rng = stream(seed, PRODUCER_STREAM + index as u64);
            let mut time = interarrival.sample(&mut rng);
            while time < horizon {
                arrivals.push((time, producer.class));
                time += interarrival.sample(&mut rng);
            }
        }
        arrivals.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut services = stream(seed, SERVICE_STREAM);
        let messages = arrivals
            .into_iter()
            .map(|(time, class)| Planned {
                scheduled: (time * ns_per_unit) as u64,
                service: (model.service(0, class).sample(&mut services) * ns_per_unit) as u64,
                class,
            })
            .collect();
        Timeline {
            messages,
            warmup_end,
            end,
            ns_per_unit,
        }
    }

    /// Expected number of messages of a plan, before drawing it.
    pub fn expected_messages(model: &Model, settings: &LiveSettings) -> f64 {
        let rate: f64 = model.producers.iter().map(|p| p.open_rate()).sum();
        let units = (settings.warmup_seconds + settings.seconds) * 1e3 / settings.time_scale_ms;
        rate * units
    }
}

fn stream(seed: u64, id: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(id);
    rng
}
