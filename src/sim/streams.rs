//! Reproducible random streams. Every random source of a replication has its
//! own ChaCha8 stream keyed by the scenario seed, with stream number
//! `replication << 32 | source`. Sources: producer `p` interarrivals = `p`;
//! queue `q` services (drawn in arrival order at the queue) = `1 << 20 | q`;
//! queue `q` routing = `2 << 20 | q`; queue `q` random service order =
//! `3 << 20 | q`; queue `q` patience = `4 << 20 | q`; queue `q`
//! acknowledgement round trips = `5 << 20 | q`; queue `q` keys (the
//! partition of each keyed message) = `6 << 20 | q`; queue `q` delivery
//! failures (retries) = `7 << 20 | q`; queue `q` polls (poll overheads,
//! rebalance pauses and replayed services) = `8 << 20 | q`; queue `q` consumer outages (up
//! and repair times, drawn in event order) = `9 << 20 | q`; queue `q`
//! delivery trips (drawn in delivery order) = `10 << 20 | q`. The warm-up pilot runs
//! draw from streams of their own, `pilot << 32 | 1 << 31 | source`, so the
//! truncation point is chosen on data independent of every measured run.
//! The layout depends only on (seed, replication, source), never on the
//! thread or the sweep point, so results are identical whatever the thread
//! count and sweep points share their random numbers.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::dist::Dist;

/// A random stream: the ChaCha8 generator (reached through `Deref` for
/// uniform draws) and the number of distribution values drawn from it, so
/// a [`Dist::Sequence`] replays its values in order.
#[derive(Clone, Debug)]
pub(crate) struct Stream {
    rng: ChaCha8Rng,
    draws: usize,
}

impl Stream {
    /// The next value of `dist` from this stream.
    #[inline]
    pub(crate) fn draw(&mut self, dist: &Dist) -> f64 {
        let n = self.draws;
        self.draws += 1;
        dist.sample_nth(&mut self.rng, n)
    }
}

impl std::ops::Deref for Stream {
    type Target = ChaCha8Rng;

    fn deref(&self) -> &ChaCha8Rng {
        &self.rng
    }
}

impl std::ops::DerefMut for Stream {
    fn deref_mut(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }
}

/// Which random source a stream feeds.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Source {
    /// Interarrival times of a producer.
    Interarrivals(usize),
    /// Service times at a queue.
    Services(usize),
    /// Routing decisions after service at a queue.
    Routing(usize),
    /// The draws of a random service order at a queue.
    Order(usize),
    /// Patience of messages waiting at a queue.
    Patience(usize),
    /// Acknowledgement round trips at a queue with prefetch windows.
    Acks(usize),
    /// The keys (partitions) of messages reaching a partitioned queue.
    Keys(usize),
    /// Whether each delivery at a queue with retries fails.
    Failures(usize),
    /// The up and repair times of a queue's consumers.
    Outages(usize),
    /// The poll overheads at a partitioned queue read by polling.
    Polls(usize),
    /// The trips of deliveries to their consumers at a queue with
    /// prefetch windows.
    Deliveries(usize),
}

/// Which run a stream feeds: a measured replication or a warm-up pilot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreamSet {
    /// Measured replication `r`.
    Replication(u32),
    /// Warm-up pilot run `k` (see [`super::warmup`]).
    Pilot(u32),
}

/// Bit of the stream number that sets pilot streams apart (source numbers
/// stay below `16 << 20`).
const PILOT_BIT: u64 = 1 << 31;

/// The stream of `source` in the run `set` under `seed`.
pub(crate) fn stream(seed: u64, set: StreamSet, source: Source) -> Stream {
    let source_id = match source {
        Source::Interarrivals(producer) => producer as u64,
        Source::Services(queue) => 1 << 20 | queue as u64,
        Source::Routing(queue) => 2 << 20 | queue as u64,
        Source::Order(queue) => 3 << 20 | queue as u64,
        Source::Patience(queue) => 4 << 20 | queue as u64,
        Source::Acks(queue) => 5 << 20 | queue as u64,
        Source::Keys(queue) => 6 << 20 | queue as u64,
        Source::Failures(queue) => 7 << 20 | queue as u64,
        Source::Outages(queue) => 9 << 20 | queue as u64,
        Source::Polls(queue) => 8 << 20 | queue as u64,
        Source::Deliveries(queue) => 10 << 20 | queue as u64,
    };
    let run = match set {
        StreamSet::Replication(replication) => u64::from(replication) << 32,
        StreamSet::Pilot(pilot) => u64::from(pilot) << 32 | PILOT_BIT,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(run | source_id);
    Stream { rng, draws: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn pilot_streams_are_apart_from_every_replication() {
        let first = |set| stream(7, set, Source::Services(0)).random::<u64>();
        let pilot = first(StreamSet::Pilot(3));
        assert_eq!(pilot, first(StreamSet::Pilot(3)));
        for replication in [0, 3, u32::MAX] {
            assert_ne!(pilot, first(StreamSet::Replication(replication)));
        }
        assert_ne!(pilot, first(StreamSet::Pilot(4)));
    }
}
