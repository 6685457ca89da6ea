//! Charts and reports as a user gets them: every shipped scenario draws its
//! charts, PNGs decode at the documented size and are not blank, SVGs name
//! their series, legend labels are whole, `plot` redraws identically,
//! `compare` overlays runs (converting time units) and refuses results
//! without the metric or without a common axis.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{assert_succeeded, queue_text, queuelab, write_toml};
use queuelab::chart::{Figure, LEGEND_WIDTH, Mark, Point, SIZE, Series};
use tempfile::TempDir;

fn run(scenario: &Path, out: &Path) {
    let output = queuelab()
        .args(["run", "--quiet", "--out"])
        .arg(out)
        .arg(scenario)
        .output()
        .unwrap();
    assert_succeeded(&output);
}

/// Runs scenario `text` as `<name>.toml` in `dir` into the folder `<name>`,
/// which it returns.
fn run_text(dir: &Path, name: &str, text: &str) -> PathBuf {
    let out = dir.join(name);
    run(&write_toml(dir, name, text), &out);
    out
}

fn shipped_scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

/// Decodes a PNG, checks its size and that it is not blank: its title was
/// rendered (dark text pixels in the title band, so the bundled font works)
/// and the plot area holds coloured marks (the series themselves).
fn assert_png_drawn(path: &Path) {
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    assert_eq!((info.width, info.height), SIZE, "{}", path.display());
    let width = info.width as usize;
    let pixel = |x: usize, y: usize| {
        let at = 3 * (y * width + x);
        [buffer[at], buffer[at + 1], buffer[at + 2]]
    };
    const TITLE_BAND: usize = 35;
    let title_ink = (0..TITLE_BAND)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .filter(|&(x, y)| pixel(x, y).iter().any(|&c| c < 120))
        .count();
    assert!(
        title_ink as f64 > 0.01 * (TITLE_BAND * width) as f64,
        "{}: no title text drawn",
        path.display()
    );
    // Series colours are saturated; text, axes and grid lines are grey.
    let plot_width = width - LEGEND_WIDTH as usize;
    let coloured = (TITLE_BAND..info.height as usize)
        .flat_map(|y| (0..plot_width).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let [r, g, b] = pixel(x, y);
            r.max(g).max(b) - r.min(g).min(b) > 60
        })
        .count();
    assert!(
        coloured > 100,
        "{}: no series drawn ({coloured} coloured pixels)",
        path.display()
    );
}

#[test]
fn every_shipped_scenario_draws_its_charts_and_reports() {
    let tmp = TempDir::new().unwrap();
    // The live scenarios run a minute of wall-clock time each; their
    // simulation charts are the same code, and tests/integration/live.rs
    // runs `queuelab live` briefly.
    let simulated = shipped_scenarios().into_iter().filter(|path| {
        !path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with("live-"))
    });
    for scenario in simulated {
        let out = tmp.path().join(scenario.file_stem().unwrap());
        run(&scenario, &out);
        let charts = out.join("charts");
        // A rate profile has theory per interval only, and no warm-up: its
        // charts are per interval (a whole-run chart would be one bar).
        let profiled = out.join("intervals.csv").is_file();
        let names = if profiled {
            assert!(!charts.join("mean_wait.svg").exists(), "a one-bar chart");
            [
                "intervals-mean_wait",
                "intervals-wait_p99",
                "intervals-mean_in_queue",
                "intervals-utilisation",
                "wait_distribution",
            ]
        } else {
            [
                "mean_wait",
                "mean_sojourn",
                "mean_in_queue",
                "wait_p99",
                "warmup",
            ]
        };
        // A starting backlog has a formula for its drain time only.
        let backlog = fs::read_to_string(&scenario)
            .unwrap()
            .contains("\nbacklog = ");
        let theory_chart = if backlog { "drain_time" } else { names[0] };
        if backlog {
            let svg = fs::read_to_string(charts.join("drain_time.svg")).unwrap();
            assert!(
                svg.contains("theory") && svg.contains("simulation"),
                "drain_time.svg"
            );
        }
        for name in names {
            assert!(
                charts.join(format!("{name}.svg")).is_file(),
                "{}: {name}.svg",
                scenario.display()
            );
            assert_png_drawn(&charts.join(format!("{name}.png")));
            let svg = fs::read_to_string(charts.join(format!("{name}.svg"))).unwrap();
            if name != "warmup" {
                assert!(
                    svg.contains("simulation"),
                    "{name}.svg has no simulation series"
                );
            }
            // Every other shipped scenario has a formula for the mean wait
            // but the rebalance studies (no formula covers rebalances), the
            // bench TTL study (none covers a deterministic patience, M/M/c+D)
            // the JetStream lease rung (none covers the duplicates' work) and
            // the retry topics (no formula is printed for a network with a
            // pure delay; the test computes its traffic equations).
            let formula = !scenario.ends_with("kafka-rebalance-storm.toml")
                && !scenario.ends_with("kafka-retry-topics.toml")
                && !scenario.ends_with("kafka-consumer-joins.toml")
                && !scenario.ends_with("bench-kafka-consumer-joins.toml")
                && !scenario.ends_with("kafka-idle-consumers.toml")
                && !scenario.ends_with("bench-rabbitmq-ttl.toml")
                && !scenario.ends_with("bench-nats-ack-wait.toml");
            if name == theory_chart && formula {
                assert!(
                    svg.contains("theory"),
                    "{}: {name}.svg has no theory series",
                    scenario.display()
                );
            }
        }
        let html = fs::read_to_string(out.join("report.html")).unwrap();
        assert!(
            html.contains("<svg") && !html.contains("src=\""),
            "report.html must embed its charts"
        );
        // Reported interval by interval: a lag chart per queue, embedded.
        if profiled {
            let lag = fs::read_dir(&charts).unwrap().any(|entry| {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                name.starts_with("lag-") && name.ends_with(".svg")
            });
            assert!(
                lag && html.contains("over time"),
                "{}: no lag chart",
                scenario.display()
            );
        }
        let markdown = fs::read_to_string(out.join("report.md")).unwrap();
        assert!(markdown.contains(&format!("](charts/{theory_chart}.svg)")));
    }
}

#[test]
fn blocking_and_distribution_charts_appear_where_they_apply() {
    let tmp = TempDir::new().unwrap();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let bounded = tmp.path().join("bounded");
    run(&scenarios.join("bounded-queue.toml"), &bounded);
    let svg = fs::read_to_string(bounded.join("charts/p_blocked.svg")).unwrap();
    assert!(svg.contains("inbox: theory") && svg.contains("inbox: simulation"));
    let tail = fs::read_to_string(bounded.join("charts/wait_distribution.svg")).unwrap();
    assert!(tail.contains("P(wait &gt; t)") || tail.contains("P(wait > t)"));
    assert!(
        tail.contains("inbox: theory"),
        "M/M/c/K has an exact waiting-time tail"
    );
    let mm1 = tmp.path().join("mm1");
    run(&scenarios.join("mm1-load-sweep.toml"), &mm1);
    assert!(
        !mm1.join("charts/p_blocked.svg").exists(),
        "no blocking, no blocking chart"
    );
}

#[test]
fn sweeps_chart_utilisation_and_closed_loops_their_throughput() {
    let tmp = TempDir::new().unwrap();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let chart = |out: &Path, name: &str| fs::read_to_string(out.join(format!("charts/{name}.svg")));
    let closed = tmp.path().join("closed");
    run(&scenarios.join("closed-clients.toml"), &closed);
    let throughput = chart(&closed, "throughput").unwrap();
    assert!(throughput.contains("system: theory") && throughput.contains("system: simulation"));
    assert!(chart(&closed, "utilisation").is_ok());
    let open = tmp.path().join("open");
    run(&scenarios.join("mm1-load-sweep.toml"), &open);
    let utilisation = chart(&open, "utilisation").unwrap();
    assert!(utilisation.contains("orders: theory") && utilisation.contains("vs load"));
    assert!(
        chart(&open, "throughput").is_err(),
        "open producers set the throughput: no chart"
    );
    let single = tmp.path().join("single");
    run(&scenarios.join("disciplines.toml"), &single);
    assert!(chart(&single, "utilisation").is_err(), "no sweep, no chart");
}

#[test]
fn plot_redraws_the_same_charts_from_saved_results() {
    let tmp = TempDir::new().unwrap();
    let out = tmp.path().join("pipeline");
    run(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/pipeline.toml"),
        &out,
    );
    let charts = out.join("charts");
    let before: Vec<(String, String)> = fs::read_dir(&charts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    assert!(before.len() >= 6);
    fs::remove_dir_all(&charts).unwrap();
    queuelab().arg("plot").arg(&out).assert().success();
    for (name, svg) in before {
        assert_eq!(
            fs::read_to_string(charts.join(&name)).unwrap(),
            svg,
            "{name} differs after plot"
        );
    }
    queuelab()
        .arg("plot")
        .arg(tmp.path().join("nothing-here"))
        .assert()
        .code(2);
}

const MD1: &str = queue_text!(
    "md1",
    "replications = 2
customers = 5_000
",
    "{ dist = \"exponential\", rate = 0.5 }",
    "consumers = 1
service = { dist = \"deterministic\", value = 1.0 }
[sweep]
load = [0.5, 0.7]
",
);

#[test]
fn compare_overlays_runs_and_refuses_results_without_the_metric() {
    let tmp = TempDir::new().unwrap();
    let scenario = |name: &str, text: &str| run_text(tmp.path(), name, text);
    let fifo = scenario("fifo", MD1);
    let lifo = scenario(
        "lifo",
        &MD1.replace("name = \"md1\"", "name = \"md1-lifo\"")
            .replace("value = 1.0 }", "value = 1.0 }\ndiscipline = \"lifo\""),
    );
    let charts = tmp.path().join("compared");
    queuelab()
        .args(["compare", "--metric", "mean_wait", "--out"])
        .arg(&charts)
        .arg(&fifo)
        .arg(&lifo)
        .assert()
        .success();
    let svg = fs::read_to_string(charts.join("compare-mean_wait.svg")).unwrap();
    assert!(
        svg.contains("md1 (q)") && svg.contains("md1-lifo (q)"),
        "legend names each run"
    );
    assert_png_drawn(&charts.join("compare-mean_wait.png"));

    let theory_only = scenario(
        "theory-only",
        &MD1.replace("name = \"md1\"", "name = \"md1-theory\"")
            .replace("[sweep]", "[compare]\nsimulation = false\n[sweep]"),
    );
    let output = queuelab()
        .args(["compare", "--metric", "wait_p99", "--out"])
        .arg(&charts)
        .arg(&fifo)
        .arg(&theory_only)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("theory-only") && stderr.contains("wait_p99"),
        "{stderr}"
    );
    queuelab()
        .args(["compare", "--metric", "speed"])
        .arg(&fifo)
        .assert()
        .code(2);
}

#[test]
fn legend_labels_are_drawn_whole() {
    let label = "long-scenario-name (orders-warehouse): simulation";
    let figure = Figure {
        name: "long".into(),
        title: "long labels".into(),
        x_label: "load".into(),
        y_label: "mean wait".into(),
        categories: None,
        log_y: false,
        axes: Default::default(),
        markers: vec![(1.0, "cut after 2000 (MSER-5), the warm-up".into())],
        series: vec![Series {
            label: label.into(),
            colour: plotters::style::RGBColor(31, 119, 180),
            mark: Mark::Points,
            points: vec![Point {
                x: 0.5,
                y: 1.0,
                bar: Some((0.9, 1.1)),
            }],
        }],
    };
    let svg = figure.to_svg().unwrap();
    assert!(!svg.contains('…'), "a legend label was cut");
    for word in label.split(' ').chain(["(MSER-5),", "warm-up"]) {
        assert!(svg.contains(word), "the legend lacks {word:?}");
    }
}

#[test]
fn compare_refuses_runs_that_share_no_axis_and_converts_time_units() {
    let tmp = TempDir::new().unwrap();
    let scenario = |name: &str, text: &str| run_text(tmp.path(), name, text);
    let compare = |metric: &str, dirs: &[&Path]| {
        queuelab()
            .args(["compare", "--metric", metric, "--out"])
            .arg(tmp.path().join("compared"))
            .args(dirs)
            .output()
            .unwrap()
    };
    // A fixed warm-up: the same cut in either unit.
    let md1 = MD1.replace("customers = 5_000", "customers = 5_000\nwarmup = 500");
    let seconds = scenario("seconds", &md1);
    // A load sweep and a consumer-count sweep: no common axis.
    let consumers = scenario(
        "consumers",
        &md1.replace("name = \"md1\"", "name = \"md1-consumers\"")
            .replace(
                "load = [0.5, 0.7]",
                "parameter = \"queues.q.consumers\"\nvalues = [1, 2]",
            ),
    );
    let output = compare("mean_wait", &[&seconds, &consumers]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("sweeps `load`") && stderr.contains("sweeps `queues.q.consumers`"),
        "{stderr}"
    );
    // The same model in milliseconds: converted to seconds and labelled.
    let millis = scenario(
        "millis",
        &md1.replace("name = \"md1\"", "name = \"md1-ms\"\ntime_unit = \"ms\"")
            .replace("rate = 0.5 }", "rate = 0.0005 }")
            .replace("value = 1.0 }", "value = 1000.0 }"),
    );
    for metric in ["mean_wait", "throughput", "mean_in_queue"] {
        let output = compare(metric, &[&seconds, &millis]);
        assert!(output.status.success(), "{output:?}");
        let read = |dir: &Path| queuelab::report::read_folder(dir).unwrap().0;
        let runs = vec![
            ("md1".to_string(), read(&seconds)),
            ("md1-ms".to_string(), read(&millis)),
        ];
        let metric = queuelab::model::metric::Metric::from_name(metric).unwrap();
        let figure = queuelab::chart::comparison_figure(&runs, metric, None).unwrap();
        assert!(!figure.y_label.contains("ms"), "{}", figure.y_label);
        let series = |prefix: &str| {
            figure
                .series
                .iter()
                .find(|s| s.label.starts_with(prefix) && s.label.ends_with("simulation"))
                .unwrap_or_else(|| panic!("no {prefix} in {:?}", figure.series))
        };
        let (s, ms) = (series("md1 (q)"), series("md1-ms (converted from ms) (q)"));
        for (a, b) in s.points.iter().zip(&ms.points) {
            assert!(
                (a.y - b.y).abs() <= 1e-9 * a.y.abs(),
                "{metric:?}: {} s vs {} converted from ms",
                a.y,
                b.y
            );
        }
    }
    // Units nobody can convert, or a swept parameter in those units: refused.
    let ticks = scenario(
        "ticks",
        &md1.replace(
            "name = \"md1\"",
            "name = \"md1-ticks\"\ntime_unit = \"ticks\"",
        ),
    );
    let output = compare("mean_wait", &[&seconds, &ticks]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot be converted"));
    let by_rate = |name: &str, unit: &str| {
        scenario(
            name,
            &md1.replace(
                "name = \"md1\"",
                &format!("name = \"{name}\"\ntime_unit = \"{unit}\""),
            )
            .replace(
                "load = [0.5, 0.7]",
                "parameter = \"producers.p.interarrival.rate\"\nvalues = [0.5, 0.7]",
            ),
        )
    };
    let output = compare(
        "mean_wait",
        &[&by_rate("rate-s", "s"), &by_rate("rate-ms", "ms")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("same time unit"));
}

#[test]
fn the_warm_up_chart_shows_the_averaged_pilots_and_the_one_cut_every_replication_gets() {
    let tmp = TempDir::new().unwrap();
    let path = tmp.path().join("md1.toml");
    fs::write(&path, MD1.replace("replications = 2", "replications = 4")).unwrap();
    let out = tmp.path().join("md1");
    run(&path, &out);
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&fs::read_to_string(out.join(name)).unwrap()).unwrap()
    };
    let trace = &read("warmup.json")["trace"];
    assert_eq!(trace["method"], "auto");
    assert_eq!(trace["pilots"], 20);
    let averaged = trace["averaged"].as_array().unwrap();
    assert!(averaged.len() > 100, "{} bins", averaged.len());
    // The chart is drawn at the highest load (the second point): the cut it
    // shows is the one each of its replications got.
    let results = read("results.json");
    let simulation = &results["points"][1]["results"][0]["simulation"];
    let cuts = simulation["warmup"].as_array().unwrap();
    assert_eq!(cuts.len(), 4);
    assert!(
        cuts.iter().all(|cut| *cut == trace["truncation"]),
        "{cuts:?} vs {trace}"
    );
    assert_eq!(simulation["warmup_rule"]["pilots"], 20);
    let svg = fs::read_to_string(out.join("charts/warmup.svg")).unwrap();
    assert!(svg.contains("mean of 20 pilots") && svg.contains("mean after the cut"));
}
