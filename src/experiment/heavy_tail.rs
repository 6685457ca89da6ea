//! Rows whose mean intervals cannot be trusted: a service so heavy-tailed
//! that a good share of its second moment, which sets the mean wait
//! (Pollaczek–Khinchine), lies in services rarer than one in all those the
//! run draws. Replications then mostly miss those services and fall short
//! together, their spread understates the truth, and the Student-t
//! intervals of the means cover far less often than their confidence (an
//! M/G/1 at load 0.66 with lognormal service of scv 40, 8 replications of
//! 33,000 messages: 68% for 95%; README, "Why does my group keep
//! rebalancing").

use crate::dist::Dist;
use crate::model::metric::Metric;
use crate::model::{Discipline, Model, Target};
use crate::results::HeavyTailBlock;
use crate::run::RunLength;

/// How far the unseen share of E[S²] must exceed an exponential
/// service's in as many draws (the light tail the intervals are known to
/// cover with: M/M/1, README "Warm-up") for a row's means to get no
/// verdict. Measured on that M/G/1 (400 seeds of 8 × 33,000 messages,
/// coverage of `mean_wait` at 95%, binomial sd 1.1%): exponential 96.2%;
/// lognormal scv 1 leaves 0.25% unseen and covers 93.5%, scv 2 0.86% and
/// 92.8%, scv 4 2.6% and 92.0%, scv 10 8.4% and 85.0%, scv 20 16% and
/// 77.8%, scv 40 27% and 68.0%.
pub const UNSEEN_SHARE_LIMIT: f64 = 0.01;

/// The means a heavy tail makes untrustworthy.
const MEANS: [Metric; 4] = [
    Metric::MeanInSystem,
    Metric::MeanInQueue,
    Metric::MeanSojourn,
    Metric::MeanWait,
];

/// The heavy-tail block of `target` (its queue's, or the worst queue's for
/// the system) in a run of `replications` of `length`; `None` when no
/// service there leaves [`UNSEEN_SHARE_LIMIT`] more of E[S²] unseen than an
/// exponential would (or the queue shares its consumers or serves the
/// latest first preemptively, whose mean sojourn needs only the service's
/// mean), or the traffic has no rates to count draws by.
pub fn heavy_tail_block(
    model: &Model,
    target: Target,
    length: RunLength,
    replications: u32,
) -> Option<HeavyTailBlock> {
    let rates = model.arrival_rates()?;
    let external: f64 = model.producers.iter().map(|p| p.open_rate()).sum();
    // Messages of one replication per unit of arrival rate.
    let per_rate = match length {
        RunLength::Customers(customers) if external > 0.0 => customers as f64 / external,
        RunLength::Customers(_) => return None,
        RunLength::Horizon(horizon) => horizon,
    } * f64::from(replications);
    let queues = match target.queue {
        Some(queue) => queue..queue + 1,
        None => 0..model.queues.len(),
    };
    // Processor sharing and preemptive LIFO: the mean sojourn depends on
    // the service's mean alone (M/G/1-PS, M/G/1-LIFO-PR).
    let queues = queues.filter(|&queue| {
        !matches!(
            model.queues[queue].discipline,
            Discipline::ProcessorSharing | Discipline::LifoPreemptive
        )
    });
    let exponential = Dist::exponential_mean(1.0).ok()?;
    // (excess over an exponential, share, draws at the queue) of the worst class.
    let (excess, unseen_share, draws) = queues
        .flat_map(|queue| {
            let rates = &rates[queue];
            let exponential = &exponential;
            (0..model.classes.len()).filter_map(move |class| {
                let draws = rates[class] * per_rate;
                let share = unseen(model.service(queue, class), draws)?;
                let excess = share - unseen(exponential, draws)?;
                Some((excess, share, rates.iter().sum::<f64>() * per_rate))
            })
        })
        // The first of equal excesses.
        .rev()
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    (excess >= UNSEEN_SHARE_LIMIT).then(|| HeavyTailBlock {
        unseen_share,
        draws,
        metrics: MEANS.to_vec(),
    })
}

/// The unseen share of `service`'s E[S²] in `draws` draws; `None` without
/// draws or a distribution.
fn unseen(service: &Dist, draws: f64) -> Option<f64> {
    (draws >= 1.0)
        .then(|| service.unseen_second_moment_share(draws))
        .flatten()
}
