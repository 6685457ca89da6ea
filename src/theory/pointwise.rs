//! Formulas for traffic that changes over time, interval by interval.

use super::recognise::evaluate;
use super::result::TheoryResult;
use crate::model::Model;
use crate::model::Target;
use crate::model::profile::{Span, stationary_at};

/// Formula rows of one sweep point: none for the whole run of a model
/// whose rates follow profiles (it has no steady state), and the pointwise
/// stationary approximation of each reporting interval.
#[derive(Clone, Debug, Default)]
pub struct PointTheory {
    /// Rows for the whole run.
    pub whole: Vec<(Target, TheoryResult)>,
    /// Rows per reporting interval, in interval order (empty without
    /// intervals, or when theory is off).
    pub intervals: Vec<Vec<(Target, TheoryResult)>>,
}

impl PointTheory {
    /// The formulas of `model` over the reporting intervals `spans`.
    pub fn evaluate(model: &Model, spans: &[Span]) -> PointTheory {
        PointTheory {
            whole: evaluate(model),
            intervals: spans.iter().map(|&span| pointwise(model, span)).collect(),
        }
    }
}

/// The pointwise stationary approximation (PSA) of `span`: the steady state
/// of the model at the rates in force during the span, labelled as an
/// approximation. It ignores the backlog carried in from the previous
/// interval and the time the queue takes to settle, so it is close when
/// intervals are long against the time to drain, and optimistic just after
/// a rise. Nothing where the span's traffic has no formula or no steady
/// state (a load of 1 or more in the span).
pub fn pointwise(model: &Model, span: Span) -> Vec<(Target, TheoryResult)> {
    let Some(stationary) = stationary_at(model, span) else {
        return Vec::new();
    };
    evaluate(&stationary)
        .into_iter()
        .map(|(target, result)| {
            let label = format!(
                "pointwise stationary approximation: {} at this interval's rates",
                result.model
            );
            (
                target,
                TheoryResult {
                    exact: false,
                    model: label,
                    ..result
                },
            )
        })
        .collect()
}
