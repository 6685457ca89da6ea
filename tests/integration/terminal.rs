//! What the terminal shows: a short table by default, every metric with
//! `--detail`, `--metric`/`--queue` filters, units in the headers, lines
//! within 100 columns, theory without simulation columns, and no progress
//! bar when stderr is not a terminal.

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::common::queuelab;
use queuelab::report::MAX_LINES;

/// Most columns a default `run` of a shipped scenario may print (lines:
/// [`MAX_LINES`]).
const MAX_COLUMNS: usize = 100;

/// The shipped scenarios that do not run live queues.
fn shipped() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir("scenarios")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension().is_some_and(|e| e == "toml")
                && fs::read_to_string(path).is_ok_and(|text| !text.contains("live ="))
        })
        .collect();
    files.sort();
    files
}

/// `file` copied into `dir` with fewer messages per replication (the
/// shape of the output does not depend on them; the test stays fast).
fn quick_copy(file: &Path, dir: &Path) -> PathBuf {
    let text = fs::read_to_string(file).unwrap();
    let quick: String = text
        .lines()
        .map(|line| {
            if line.starts_with("customers = ") {
                "customers = 4_000".to_string()
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let copy = dir.join(file.file_name().unwrap());
    fs::write(&copy, quick + "\n").unwrap();
    copy
}

/// stdout and stderr of `queuelab args...`, which must succeed.
fn run_ok(args: &[&str], file: &Path, out: &Path) -> (String, String) {
    let output = queuelab()
        .args(args)
        .args(["--replications", "2", "--no-charts", "--out"])
        .arg(out)
        .arg(file)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{}: {stderr}", file.display());
    (String::from_utf8(output.stdout).unwrap(), stderr)
}

fn widest(text: &str) -> usize {
    text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

#[test]
fn every_shipped_scenario_prints_a_short_table_that_fits_the_terminal() {
    let tmp = TempDir::new().unwrap();
    let files = shipped();
    assert!(files.len() >= 10, "{files:?}");
    for file in files {
        let copy = quick_copy(&file, tmp.path());
        let out = tmp.path().join("out");
        let (table, stderr) = run_ok(&["run", "--force"], &copy, &out);
        let name = file.display();
        let lines = table.lines().count();
        assert!(lines <= MAX_LINES, "{name}: {lines} lines\n{table}");
        assert!(widest(&table) <= MAX_COLUMNS, "{name}:\n{table}");
        assert!(widest(&stderr) <= MAX_COLUMNS + 60, "{name}:\n{stderr}");
        assert!(table.contains("mean_wait ["), "{name}: no unit\n{table}");
        // No column that says nothing: nothing is blocked without a length
        // limit (`capacity`, `max_length`, a broker's `x-max-length`).
        let text = fs::read_to_string(&file).unwrap();
        if !["capacity", "max_length", "x-max-length"]
            .iter()
            .any(|limit| text.contains(limit))
        {
            assert!(!table.contains("p_blocked"), "{name}:\n{table}");
        }
        assert!(
            stderr.contains("results written to"),
            "{name}: where the files are\n{stderr}"
        );
        // Progress is for terminals only: a pipe sees none.
        assert!(!stderr.contains("replications"), "{name}: {stderr}");
        let (detail, _) = run_ok(&["run", "--force", "--detail"], &copy, &out);
        assert!(
            detail.lines().count() > lines,
            "{name}: --detail shows more\n{detail}"
        );
        assert!(widest(&detail) <= MAX_COLUMNS, "{name}:\n{detail}");
    }
}

#[test]
fn detail_shows_every_metric_the_short_table_only_the_headline() {
    let tmp = TempDir::new().unwrap();
    let copy = quick_copy(Path::new("scenarios/bounded-queue.toml"), tmp.path());
    let out = tmp.path().join("out");
    let (short, _) = run_ok(&["run"], &copy, &out);
    let (detail, _) = run_ok(&["run", "--force", "--detail"], &copy, &out);
    for metric in [
        "mean_in_system",
        "mean_in_queue",
        "mean_sojourn [ms]",
        "mean_wait [ms]",
        "utilisation",
        "throughput [1/ms]",
        "p_wait",
        "p_blocked",
        "wait_p50 [ms]",
        "wait_p90 [ms]",
        "wait_p99 [ms]",
        "sojourn_p50 [ms]",
        "sojourn_p90 [ms]",
        "sojourn_p99 [ms]",
    ] {
        assert!(detail.contains(metric), "--detail lacks {metric}\n{detail}");
    }
    assert!(detail.contains("simulation [CI]") && detail.contains("agrees (in CI)"));
    for headline in [
        "mean_wait [ms]",
        "wait_p99 [ms]",
        "utilisation",
        "p_blocked",
    ] {
        assert!(short.contains(headline), "{headline}\n{short}");
    }
    for other in ["mean_in_system", "sojourn_p50", "throughput", "class"] {
        assert!(!short.contains(other), "{other}\n{short}");
    }
    // The verdict summary ends both.
    assert!(
        short.contains("verdicts on exact theory: agrees"),
        "{short}"
    );
    assert!(widest(&detail) <= MAX_COLUMNS, "{detail}");
}

#[test]
fn metric_and_queue_choose_the_rows_and_unknown_names_exit_2() {
    let tmp = TempDir::new().unwrap();
    let copy = quick_copy(Path::new("scenarios/pipeline.toml"), tmp.path());
    let out = tmp.path().join("out");
    let (short, _) = run_ok(
        &[
            "run",
            "--metric",
            "mean_sojourn,p_wait",
            "--queue",
            "enrich",
        ],
        &copy,
        &out,
    );
    let header = short.lines().find(|l| l.starts_with("queue")).unwrap();
    assert_eq!(
        header.split_whitespace().collect::<Vec<_>>(),
        ["queue", "mean_sojourn", "[ms]", "p_wait"],
        "{short}"
    );
    for other in ["ingest", "store", "system", "mean_wait"] {
        assert!(!short.contains(other), "{other}\n{short}");
    }
    let (detail, _) = run_ok(
        &[
            "run",
            "--force",
            "--detail",
            "--metric",
            "wait_p90",
            "--metric",
            "utilisation",
            "--queue",
            "system",
        ],
        &copy,
        &out,
    );
    let rows: Vec<&str> = detail
        .lines()
        .filter(|l| l.starts_with("system "))
        .collect();
    // The network end to end has wait_p90 but no utilisation; 3 points.
    assert_eq!(rows.len(), 3, "{detail}");
    assert!(rows.iter().all(|r| r.contains("wait_p90 [ms]")), "{detail}");
    let refused = |args: &[&str], expected: &str| {
        let mut command = queuelab();
        command.args(args);
        if args[0] == "run" {
            command.arg("--out").arg(tmp.path().join("refused"));
        }
        let output = command.arg(&copy).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!tmp.path().join("refused").exists(), "{args:?} ran anyway");
    };
    refused(
        &["run", "--metric", "mean_wiat"],
        "unknown metric `mean_wiat`",
    );
    refused(
        &["run", "--metric", "mean_wait,nope"],
        "allowed: mean_in_system",
    );
    refused(
        &["run", "--queue", "enrichh"],
        "queues: ingest, enrich, store, system",
    );
    refused(&["theory", "--queue", "nope"], "unknown queue `nope`");
    // A service level the scenario does not measure is no metric of it.
    refused(
        &["run", "--metric", "wait_within_5"],
        "`wait_within_5` is not measured by this scenario",
    );
    refused(
        &["run", "--format", "json", "--detail"],
        "JSON and CSV always hold",
    );
    refused(
        &["run", "--format", "csv", "--queue", "enrich"],
        "JSON and CSV always hold",
    );
}

#[test]
fn theory_prints_theory_only() {
    for args in [&["theory"][..], &["theory", "--detail"][..]] {
        let output = queuelab()
            .args(args)
            .arg("scenarios/bounded-queue.toml")
            .output()
            .unwrap();
        assert!(output.status.success());
        let table = String::from_utf8(output.stdout).unwrap();
        assert!(table.contains("6.515e-4"), "p_blocked at load 0.5\n{table}");
        for absent in ["simulation", "verdict", "[CI]", "agrees", "class"] {
            assert!(!table.contains(absent), "{args:?}: {absent}\n{table}");
        }
        assert!(widest(&table) <= MAX_COLUMNS, "{table}");
    }
}

#[test]
fn plan_fits_the_terminal_and_shows_no_progress_on_a_pipe() {
    let tmp = TempDir::new().unwrap();
    let output = queuelab()
        .args(["plan", "--no-charts", "--out"])
        .arg(tmp.path().join("plan"))
        .arg("scenarios/plan-call-centre.toml")
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("candidate"), "{stderr}");
    assert!(stderr.contains("plan written to"), "{stderr}");
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(table.contains("recommendation: "), "{table}");
    assert!(widest(&table) <= MAX_COLUMNS, "{table}");
}
