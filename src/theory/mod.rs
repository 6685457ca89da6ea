//! TEMPORARY STUB while the formulas are written.
mod result;
pub use result::TheoryResult;
/// stub
pub fn evaluate(_model: &crate::model::Model) -> Vec<(crate::sim::Target, TheoryResult)> {
    Vec::new()
}
/// stub
pub mod jackson {
    /// stub: Gaussian elimination of (I - P^T) x = gamma
    pub fn solve_traffic_equations(gamma: &[f64], routing: &[Vec<f64>]) -> Option<Vec<f64>> {
        let n = gamma.len();
        let mut a: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                (0..n)
                    .map(|j| if i == j { 1.0 } else { 0.0 } - routing[j][i])
                    .chain(std::iter::once(gamma[i]))
                    .collect()
            })
            .collect();
        for col in 0..n {
            let pivot = (col..n).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
            if a[pivot][col].abs() < 1e-12 {
                return None;
            }
            a.swap(col, pivot);
            for row in 0..n {
                if row != col {
                    let f = a[row][col] / a[col][col];
                    for k in col..=n {
                        a[row][k] -= f * a[col][k];
                    }
                }
            }
        }
        Some((0..n).map(|i| a[i][n] / a[i][i]).collect())
    }
}
