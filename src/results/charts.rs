//! The data charts need beyond results.json, saved beside it so `plot` can
//! redraw without simulating: the waiting-time distribution at one point,
//! the warm-up trace, and theory on a fine grid of a numeric sweep.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::metric::Metric;
use crate::sim::WarmupTrace;

/// File holding [`DistributionData`].
pub const DISTRIBUTIONS_FILE: &str = "distributions.json";
/// File holding [`WarmupData`].
pub const WARMUP_FILE: &str = "warmup.json";

/// File holding [`TheoryCurves`].
pub const THEORY_CURVES_FILE: &str = "theory_curves.json";

/// What charts need besides the results document, saved beside it (with
/// or without charts) so `plot` can draw every chart later.
#[derive(Clone, Debug, Default)]
pub struct ChartInputs {
    /// Waiting-time tails at the detail point.
    pub distribution: Option<DistributionData>,
    /// Warm-up trace at the detail point.
    pub warmup: Option<WarmupData>,
    /// Theory on a fine grid of a numeric sweep.
    pub curves: Option<TheoryCurves>,
}

/// P(wait > t) curves at one sweep point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistributionData {
    /// Index of the point.
    pub point: usize,
    /// The point's parameters as text (empty without a sweep).
    pub label: String,
    /// One entry per queue (or class of a single queue).
    pub series: Vec<DistributionSeries>,
}

/// The waiting-time tail of one row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistributionSeries {
    /// Queue name.
    pub queue: String,
    /// Class name, when the row is one class.
    pub class: Option<String>,
    /// Simulated (t, P(wait > t)) over all replications.
    pub simulation: Vec<(f64, f64)>,
    /// The confidence interval of P(wait > t) at each `t` of `simulation`,
    /// (t, low, high) across replications (none from one replication, or
    /// in files written before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<Vec<(f64, f64, f64)>>,
    /// Exact (t, P(wait > t)) where theory has the distribution.
    pub theory: Option<Vec<(f64, f64)>>,
}

/// The warm-up trace at one sweep point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WarmupData {
    /// Index of the point.
    pub point: usize,
    /// The point's parameters as text.
    pub label: String,
    /// The trace.
    pub trace: WarmupTrace,
}

/// Theory on a fine grid of the one swept parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TheoryCurves {
    /// The swept parameter, as results.json names it.
    pub parameter: String,
    /// The grid, increasing; it holds every swept value.
    pub values: Vec<f64>,
    /// One curve set per result row.
    pub rows: Vec<CurveRow>,
}

/// The formulas of one result row along the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurveRow {
    /// Queue name (or the system; `queue[p]` for a partition).
    pub queue: String,
    /// Class name, when the row is one class.
    pub class: Option<String>,
    /// Per grid value: whether the formulas there are exact (`None` where
    /// no formula applies).
    pub exact: Vec<Option<bool>>,
    /// Per metric, its value at each grid value (`None` where it has none).
    pub metrics: BTreeMap<Metric, Vec<Option<f64>>>,
}

/// A curve: (x, y, exact) where the formula has a value, increasing in x.
pub type Curve = Vec<(f64, f64, bool)>;

impl TheoryCurves {
    /// The curve of `metric` for the row `queue`/`class`, if any value.
    pub fn curve(&self, queue: &str, class: Option<&str>, metric: Metric) -> Option<Curve> {
        let row = self
            .rows
            .iter()
            .find(|r| r.queue == queue && r.class.as_deref() == class)?;
        let values = row.metrics.get(&metric)?;
        let curve: Curve = self
            .values
            .iter()
            .zip(values)
            .zip(&row.exact)
            .filter_map(|((&x, y), exact)| Some((x, (*y)?, (*exact)?)))
            .collect();
        (!curve.is_empty()).then_some(curve)
    }
}
