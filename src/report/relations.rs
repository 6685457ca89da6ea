//! Relations that should hold between measured means (Little's law, the
//! seed article's claim), as lines of text.

use crate::results::{Relation, SEED_CLAIM};
use crate::text::number;

/// Relations as `name: left vs right (error)` lines; the seed article's
/// claim says that it is no law, so that its gap does not read as a fault.
pub fn relation_lines(relations: &[Relation]) -> Vec<String> {
    relations
        .iter()
        .map(|r| {
            let caveat = if r.relation == SEED_CLAIM {
                " (a claim, not a law: it holds only while every consumer is busy, so a gap is expected)"
            } else {
                ""
            };
            format!(
                "{}: {} vs {} ({:+.1}%){caveat}",
                r.relation,
                number(r.left),
                number(r.right),
                r.relative_error * 100.0
            )
        })
        .collect()
}
