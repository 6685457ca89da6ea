//! The consumption axis: what a consumer takes at once, and when it is
//! free again. A poll's batch is served one message after another, so a
//! consumer is busy with one message at a time either way (the poll loop
//! itself is in `poll.rs`).

use super::{Serving, Station};
use crate::model::Consumption;

impl Station<'_> {
    /// A free consumer starts serving `slot`, of `class`; the engine
    /// schedules its departure.
    #[inline(always)]
    pub(super) fn start(&mut self, slot: u32, class: usize) {
        self.start_path::<false>(slot, class);
    }

    /// [`Station::start`] on the engine's lean path (`LEAN`: no outages, no
    /// preemption) or the general one.
    #[inline(always)]
    pub(super) fn start_path<const LEAN: bool>(&mut self, slot: u32, class: usize) {
        match self.spec.consumption {
            Consumption::OneAtATime | Consumption::Polls(_) => self.busy += 1,
        }
        if LEAN {
            return;
        }
        if let Some(outages) = &mut self.outages {
            outages.assign(slot);
        }
        if let Serving::Preemptive(in_service) = &mut self.serving {
            in_service.start(slot, class);
        }
    }

    /// The service of `slot` ends or is interrupted: its consumer is free.
    #[inline(always)]
    pub(super) fn finish(&mut self, slot: u32) {
        self.finish_path::<false>(slot);
    }

    /// [`Station::finish`] on the engine's lean path (`LEAN`: no outages, no
    /// preemption) or the general one.
    #[inline(always)]
    pub(super) fn finish_path<const LEAN: bool>(&mut self, slot: u32) {
        match self.spec.consumption {
            Consumption::OneAtATime | Consumption::Polls(_) => self.busy -= 1,
        }
        if LEAN {
            return;
        }
        if let Some(outages) = &mut self.outages {
            outages.release(slot);
        }
        if let Serving::Preemptive(in_service) = &mut self.serving {
            in_service.stop(slot);
        }
    }
}
