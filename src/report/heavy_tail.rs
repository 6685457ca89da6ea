//! The notes on queues whose service is too heavy-tailed for the
//! intervals of their means (see `experiment/heavy_tail.rs`).

use super::comparison::number_percent;
use crate::results::{Row, RunResults};
use crate::text::{number, significant};

/// The queues (and system) of `results` whose means get no verdict for
/// their heavy-tailed service, in first-seen order, with the largest
/// unseen share of E[S²] among them; `None` when there are none.
pub fn heavy_tailed_queues(results: &RunResults) -> Option<(Vec<String>, f64)> {
    let mut names: Vec<String> = Vec::new();
    let mut share: f64 = 0.0;
    let rows = results.points.iter().flat_map(|p| &p.results);
    for row in rows.filter(|r| r.is_whole()) {
        let Some(tail) = row.simulation.as_ref().and_then(|s| s.heavy_tail.as_ref()) else {
            continue;
        };
        share = share.max(tail.unseen_share);
        if !names.contains(&row.node()) {
            names.push(row.node());
        }
    }
    (!names.is_empty()).then_some((names, share))
}

/// The note on `row`'s means, for a queue's (or the system's) row whose
/// simulation carries a heavy-tail block; `None` for the others and for
/// partitions and classes, which share their queue's note.
pub fn heavy_tail_note(row: &Row, confidence: f64) -> Option<String> {
    if !row.is_whole() {
        return None;
    }
    let tail = row.simulation.as_ref()?.heavy_tail.as_ref()?;
    Some(format!(
        "Heavy tail at {}: {}% of the service time's second moment, which sets the mean wait, comes from services rarer than one in the {} this run draws there, so the replications mostly miss them: the intervals of its means (and of its partitions' and classes' means) cover less often than {}%, and get no verdict. More draws (longer or more replications) shrink that share, slowly.",
        row.node(),
        significant(tail.unseen_share * 100.0, 2),
        number(tail.draws.round()),
        number_percent(confidence),
    ))
}
