//! What the charts show, read from their SVG text: theory as a smooth curve
//! across a numeric sweep (passing through the theory of each simulated
//! point), axis text in words, whole-number ticks for counts, the plan's
//! small blocking target on a log axis, grouped bars by queue and class, and
//! `plot` after `run --no-charts` drawing every chart a run with charts has,
//! and an unlimited prefetch (swept as 0) at the right end, in words.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{assert_succeeded, queuelab};
use tempfile::TempDir;

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(format!("{name}.toml"))
}

/// Runs a shipped scenario with few replications into `out`.
fn run(name: &str, out: &Path, extra: &[&str]) {
    let output = queuelab()
        .args(["run", "--quiet", "--replications", "2", "--out"])
        .arg(out)
        .args(extra)
        .arg(shipped(name))
        .output()
        .unwrap();
    assert_succeeded(&output);
}

fn svg(dir: &Path, chart: &str) -> String {
    fs::read_to_string(dir.join("charts").join(format!("{chart}.svg")))
        .unwrap_or_else(|e| panic!("{chart}.svg: {e}"))
}

/// The text of every `<text>` element (plotters puts it on its own line).
fn texts(svg: &str) -> Vec<String> {
    svg.split("</text>")
        .filter(|part| part.contains("<text"))
        .filter_map(|part| part.trim_end().lines().last())
        .map(|line| line.trim().to_string())
        .collect()
}

/// The number of points of each polyline stroked in `colour` (e.g. `#1F77B4`).
fn polylines(svg: &str, colour: &str) -> Vec<usize> {
    svg.split("<polyline")
        .skip(1)
        .filter(|element| element.contains(&format!("stroke=\"{colour}\"")))
        .filter_map(|element| {
            let points = element.split("points=\"").nth(1)?.split('"').next()?;
            Some(points.split_whitespace().count())
        })
        .collect()
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// The default theory colour (one row per chart).
const THEORY: &str = "#1F77B4";

#[test]
fn a_load_sweep_draws_theory_as_a_smooth_curve_through_each_points_theory() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("mm1");
    run("mm1-load-sweep", &out, &[]);
    let chart = svg(&out, "mean_wait");
    let longest = polylines(&chart, THEORY).into_iter().max().unwrap_or(0);
    assert!(longest >= 50, "the theory line has {longest} points");
    // The curve's values at the swept loads are the theory of results.json.
    let curves = read_json(&out.join("theory_curves.json"));
    assert_eq!(curves["parameter"], "load");
    let grid: Vec<f64> = curves["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(grid.len() > 100 && grid.windows(2).all(|w| w[0] < w[1]));
    let wait = &curves["rows"][0]["metrics"]["mean_wait"];
    let results = read_json(&out.join("results.json"));
    for point in results["points"].as_array().unwrap() {
        let load = point["parameters"]["load"].as_f64().unwrap();
        let at = grid
            .iter()
            .position(|&x| x == load)
            .expect("swept load on the grid");
        assert_eq!(
            wait[at], point["results"][0]["theory"]["metrics"]["mean_wait"],
            "load {load}"
        );
    }
    // Between the points too: M/M/1 at mu = 1 per ms waits rho / (1 - rho).
    let mu = {
        let first = &results["points"][0];
        let rho = first["parameters"]["load"].as_f64().unwrap();
        let w = first["results"][0]["theory"]["metrics"]["mean_wait"]
            .as_f64()
            .unwrap();
        rho / ((1.0 - rho) * w)
    };
    for (k, &rho) in grid.iter().enumerate() {
        let expected = rho / (mu * (1.0 - rho));
        let value = wait[k].as_f64().unwrap();
        assert!((value - expected).abs() <= 1e-9 * expected, "load {rho}");
    }
}

#[test]
fn axes_read_in_words_and_counts_tick_whole_numbers() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("mmc");
    run("mmc-consumers", &out, &[]);
    let chart = svg(&out, "mean_wait");
    let text = texts(&chart);
    assert!(
        text.iter().any(|t| t == "consumers of payments"),
        "{text:?}"
    );
    assert!(text.iter().any(|t| t == "mean wait (ms)"), "{text:?}");
    assert!(!chart.contains("queues.payments.consumers"));
    assert!(
        !chart.contains("mean_wait vs"),
        "the title names the metric in words"
    );
    // Ticks 3, 4, ..., 8 consumers; none in between.
    for count in ["3", "4", "5", "6", "7", "8"] {
        assert!(text.iter().any(|t| t == count), "no tick {count}: {text:?}");
    }
    assert!(
        !text.iter().any(|t| t.ends_with(".5")),
        "half consumers: {text:?}"
    );
    // The theory between the swept counts is at whole counts only (7 among them).
    let curves = read_json(&out.join("theory_curves.json"));
    assert_eq!(
        curves["values"],
        serde_json::json!([3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    );
}

#[test]
fn an_unlimited_prefetch_stands_right_of_the_others_in_words() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("prefetch");
    run("prefetch-sweep", &out, &[]);
    let text = texts(&svg(&out, "mean_wait"));
    assert!(text.iter().any(|t| t == "unlimited"), "{text:?}");
    assert!(text.iter().any(|t| t == "100"), "{text:?}");
    // Ticks past the largest window (100) would read as windows: none.
    assert!(!text.iter().any(|t| t == "120"), "{text:?}");
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    assert!(report.contains("## queues.work.prefetch = unlimited"));
    assert!(!report.contains("## queues.work.prefetch = 0"));
    // The results keep the value as swept.
    let results = read_json(&out.join("results.json"));
    let last = results["points"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["parameters"]["queues.work.prefetch"], 0);
}

#[test]
fn the_plan_for_a_small_blocking_target_draws_it_on_a_log_axis() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("plan");
    queuelab()
        .args(["plan", "--quiet", "--out"])
        .arg(&out)
        .arg(shipped("plan-broker-buffer"))
        .assert()
        .success();
    let text = texts(&svg(&out, "plan-p_blocked"));
    for tick in ["0.001", "0.01", "0.1"] {
        assert!(text.iter().any(|t| t == tick), "no tick {tick}: {text:?}");
    }
    assert!(
        text.iter().any(|t| t == "capacity of orders (messages)"),
        "{text:?}"
    );
    assert!(
        text.iter().any(|t| t == "fraction of arrivals rejected"),
        "{text:?}"
    );
}

#[test]
fn a_hot_key_draws_a_bar_per_partition_with_the_hottest_named() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("hot");
    run("kafka-hot-key", &out, &[]);
    // The third point (Zipf exponent 1): partition 2 at load 0.915, exact.
    for metric in ["utilisation", "mean_wait"] {
        let text = texts(&svg(&out, &format!("partitions-events-{metric}-3")));
        assert!(
            text.iter().any(|t| t == "hottest: events[2], load 0.915"),
            "{metric}: {text:?}"
        );
        for partition in 0..6 {
            let label = format!("events[{partition}]");
            assert!(text.contains(&label), "{label}: {text:?}");
        }
    }
    assert!(
        !out.join("charts/partitions-events-mean_wait-4.svg")
            .exists()
    );
}

#[test]
fn a_comparison_by_class_draws_grouped_bars_of_the_mean_and_the_99th_percentile() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("disciplines");
    run("disciplines", &out, &[]);
    let chart = svg(&out, "waits");
    let text = texts(&chart);
    for label in [
        "mean wait: simulation (CI)",
        "wait p99: simulation (CI)",
        "theory",
        "fifo/urgent",
        "priority/bulk",
    ] {
        assert!(text.iter().any(|t| t == label), "no {label:?}: {text:?}");
    }
    // Two bars per group (nine groups), each a filled rectangle.
    let bars = chart
        .split("<rect")
        .skip(1)
        .filter(|r| r.contains("opacity=\"0.55\""))
        .count();
    assert!(bars >= 18, "{bars} bars");
    // The single-metric charts are bars too, not a row of dots.
    let mean = svg(&out, "mean_wait");
    assert!(mean.matches("opacity=\"0.55\"").count() >= 9);
}

/// The chart files of a results folder.
fn chart_files(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir.join("charts"))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn plot_after_no_charts_draws_every_chart_a_run_with_charts_has() {
    let tmp = TempDir::new().unwrap();
    for name in ["mm1-load-sweep", "daily-profile"] {
        let drawn = tmp.path().join(format!("{name}-drawn"));
        let bare = tmp.path().join(format!("{name}-bare"));
        run(name, &drawn, &[]);
        run(name, &bare, &["--no-charts"]);
        assert!(chart_files(&bare).is_empty(), "--no-charts drew charts");
        // The chart data is saved and listed in the marker.
        let marker = fs::read_to_string(bare.join(".queuelab")).unwrap();
        for file in ["distributions.json", "theory_curves.json", "warmup.json"] {
            let expected = drawn.join(file).is_file();
            assert_eq!(bare.join(file).is_file(), expected, "{name}: {file}");
            assert_eq!(marker.contains(file), expected, "{name}: marker and {file}");
        }
        queuelab().arg("plot").arg(&bare).assert().success();
        let charts = chart_files(&drawn);
        assert!(
            charts.contains("wait_distribution.svg"),
            "{name}: {charts:?}"
        );
        assert_eq!(chart_files(&bare), charts, "{name}");
        for chart in &charts {
            if chart.ends_with(".svg") {
                assert_eq!(
                    fs::read_to_string(bare.join("charts").join(chart)).unwrap(),
                    fs::read_to_string(drawn.join("charts").join(chart)).unwrap(),
                    "{name}: {chart}"
                );
            }
        }
    }
}

#[test]
fn the_waiting_time_tail_shows_its_confidence_band() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("mm1");
    run("mm1-load-sweep", &out, &[]);
    let data = read_json(&out.join("distributions.json"));
    let series = &data["series"][0];
    let simulation = series["simulation"].as_array().unwrap();
    let band = series["band"]
        .as_array()
        .expect("a band from 2 replications");
    assert!(
        band.len() >= simulation.len() / 2,
        "{} of {}",
        band.len(),
        simulation.len()
    );
    // Each band holds its pooled estimate (near it: the pooled share weighs
    // replications by their messages) and stays within [0, 1].
    let mut inside = 0;
    for entry in band {
        let [t, low, high] = [0, 1, 2].map(|i| entry[i].as_f64().unwrap());
        assert!((0.0..=high).contains(&low) && high <= 1.0, "{entry}");
        let pooled = simulation
            .iter()
            .find(|p| p[0].as_f64() == Some(t))
            .and_then(|p| p[1].as_f64())
            .unwrap();
        inside += usize::from(low - 1e-3 <= pooled && pooled <= high + 1e-3);
    }
    assert!(inside * 10 >= band.len() * 9, "{inside} of {}", band.len());
    let chart = svg(&out, "wait_distribution");
    assert!(chart.contains("<polygon"), "no band drawn");
    assert!(texts(&chart).iter().any(|t| t == "orders: simulation CI"));
}

#[test]
fn a_rate_profile_is_charted_in_clock_time_with_the_rate_behind() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("daily");
    run("daily-profile", &out, &[]);
    let chart = svg(&out, "intervals-mean_wait");
    let text = texts(&chart);
    for label in [
        "00:00",
        "12:00",
        "24:00",
        "time of day",
        "arrival rate (per s)",
    ] {
        assert!(text.iter().any(|t| t == label), "no {label:?}: {text:?}");
    }
    // The peak rate of 12 per s is on the rate's axis (ticks to 15).
    assert!(text.iter().any(|t| t == "15"), "{text:?}");
    assert!(!text.iter().any(|t| t == "43200"), "seconds on the axis");
    // No whole-run chart of one bar.
    let charts = chart_files(&out);
    assert!(!charts.contains("mean_wait.svg"), "{charts:?}");
    assert!(charts.contains("intervals-utilisation.svg"), "{charts:?}");
}

#[test]
fn live_charts_show_the_replay_beside_the_live_queue() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("live");
    let output = queuelab()
        .args([
            "live",
            "--quiet",
            "--seconds",
            "1",
            "--channels",
            "crossbeam",
        ])
        .args(["--replications", "2", "--out"])
        .arg(&out)
        .arg(shipped("live-channels"))
        .output()
        .unwrap();
    assert_succeeded(&output);
    let text = texts(&svg(&out, "mean_wait"));
    for label in ["jobs: live (crossbeam)", "jobs: replay (crossbeam)"] {
        assert!(text.iter().any(|t| t == label), "no {label:?}: {text:?}");
    }
}
