//! Assertions shared by the formula tests.

/// Asserts `got` is within `tol` relative of `want`.
pub(crate) fn assert_rel(got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * want.abs(),
        "got {got:e}, want {want:e}"
    );
}
