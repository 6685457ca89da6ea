//! Reproducible random streams. Every random source of a replication has its
//! own ChaCha8 stream keyed by the scenario seed, with stream number
//! `replication << 32 | source`. Sources: producer `p` interarrivals = `p`;
//! queue `q` services (drawn in arrival order at the queue) = `1 << 20 | q`;
//! queue `q` routing = `2 << 20 | q`; queue `q` random service order =
//! `3 << 20 | q`; queue `q` patience = `4 << 20 | q`.
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
}

/// The stream of `source` in `replication` under `seed`.
pub(crate) fn stream(seed: u64, replication: u32, source: Source) -> Stream {
    let source_id = match source {
        Source::Interarrivals(producer) => producer as u64,
        Source::Services(queue) => 1 << 20 | queue as u64,
        Source::Routing(queue) => 2 << 20 | queue as u64,
        Source::Order(queue) => 3 << 20 | queue as u64,
        Source::Patience(queue) => 4 << 20 | queue as u64,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::from(replication) << 32 | source_id);
    Stream { rng, draws: 0 }
}
