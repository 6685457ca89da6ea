//! The consumption axis: what a consumer takes at once (one message), and
//! when it is free again.

use super::{Serving, Station};
use crate::model::Consumption;

impl Station<'_> {
    /// A free consumer starts serving `slot`, of `class`; the engine
    /// schedules its departure.
    #[inline(always)]
    pub(super) fn start(&mut self, slot: u32, class: usize) {
        match self.spec.consumption {
            Consumption::OneAtATime => self.busy += 1,
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
        match self.spec.consumption {
            Consumption::OneAtATime => self.busy -= 1,
        }
        if let Some(outages) = &mut self.outages {
            outages.release(slot);
        }
        if let Serving::Preemptive(in_service) = &mut self.serving {
            in_service.stop(slot);
        }
    }
}
