//! The admission axis: which arriving messages a station lets in.

use super::Station;
use crate::model::{Admission, Overflow};

impl Station<'_> {
    /// Whether an arrival gets in now.
    #[inline(always)]
    pub(super) fn admits(&self) -> bool {
        match self.spec.admission {
            Admission::Unbounded => true,
            Admission::Bounded {
                capacity,
                overflow: Overflow::RejectNew,
            } => self.in_system < capacity,
        }
    }
}
