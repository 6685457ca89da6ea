//! `run --shard K/N` and `merge`: the merged results are byte-identical to a
//! single-machine run for any N, reruns are idempotent, and incomplete or
//! mixed sets of shards are refused with the documented exit codes.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::queuelab;
use tempfile::TempDir;

/// Two queues in tandem, two classes, a two-point sweep, three replications:
/// six units, with rows where some metrics do not apply.
const SCENARIO: &str = r#"name = "sharded"
[run]
seed = 11
replications = 3
customers = 4_000
[[classes]]
name = "urgent"
priority = 0
[[classes]]
name = "bulk"
priority = 1
[[producers]]
name = "a"
to = "front"
class = "urgent"
interarrival = { dist = "exponential", rate = 0.2 }
[[producers]]
name = "b"
to = "front"
class = "bulk"
interarrival = { dist = "exponential", rate = 0.3 }
[[queues]]
name = "front"
consumers = 1
discipline = "priority"
service = { dist = "gamma", mean = 1.0, scv = 0.5 }
next = [{ to = "back", p = 1.0 }]
[[queues]]
name = "back"
consumers = 2
capacity = 6
service = { dist = "exponential", mean = 1.2 }
[sweep]
load = [0.5, 0.7]
"#;

const UNITS: u32 = 6;

/// Files a merge must reproduce exactly.
const RESULT_FILES: [&str; 7] = [
    "results.json",
    "summary.csv",
    "replications.csv",
    "distributions.json",
    "warmup.json",
    "report.md",
    "report.html",
];

struct Setup {
    tmp: TempDir,
    scenario: PathBuf,
}

fn setup() -> Setup {
    setup_with(SCENARIO)
}

fn setup_with(text: &str) -> Setup {
    let tmp = TempDir::new().unwrap();
    let scenario = tmp.path().join("sharded.toml");
    fs::write(&scenario, text).unwrap();
    Setup { tmp, scenario }
}

impl Setup {
    fn dir(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn single(&self) -> PathBuf {
        let out = self.dir("single");
        queuelab()
            .args(["run", "--quiet", "--out"])
            .arg(&out)
            .arg(&self.scenario)
            .assert()
            .success();
        out
    }

    fn shard(&self, out: &Path, index: u32, count: u32, extra: &[&str]) -> assert_cmd::Command {
        let mut command = queuelab();
        command
            .args(["run", "--quiet", "--shard"])
            .arg(format!("{index}/{count}"))
            .arg("--out")
            .arg(out)
            .args(extra)
            .arg(&self.scenario);
        command
    }

    fn all_shards(&self, out: &Path, count: u32) {
        for index in 0..count {
            self.shard(out, index, count, &[]).assert().success();
        }
    }
}

fn merge(dir: &Path) -> assert_cmd::Command {
    let mut command = queuelab();
    command.args(["merge", "--quiet"]).arg(dir);
    command
}

fn stderr_of(command: &mut assert_cmd::Command, code: i32) -> String {
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(code), "{output:?}");
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn merged_results_are_byte_identical_for_any_shard_count() {
    let setup = setup();
    let single = setup.single();
    for count in [1, 2, 3, 7, UNITS + 5] {
        let out = setup.dir(&format!("n{count}"));
        setup.all_shards(&out, count);
        merge(&out).assert().success();
        for file in RESULT_FILES {
            let (expected, merged) = (single.join(file), out.join(file));
            assert!(
                fs::read(&expected).unwrap() == fs::read(&merged).unwrap(),
                "{file} differs with {count} shards"
            );
        }
        assert!(
            out.join("shards/0.json").is_file(),
            "merge keeps the shards"
        );
    }
}

#[test]
fn one_long_run_per_point_merges_byte_identically_with_its_batches() {
    let setup = setup_with(&SCENARIO.replace("replications = 3", "replications = 1"));
    let single = setup.single();
    let results = fs::read_to_string(single.join("results.json")).unwrap();
    assert!(results.contains("\"batch_means\""), "batch means expected");
    for count in [1, 2, 3] {
        let out = setup.dir(&format!("n{count}"));
        setup.all_shards(&out, count);
        merge(&out).assert().success();
        for file in RESULT_FILES {
            assert!(
                fs::read(single.join(file)).unwrap() == fs::read(out.join(file)).unwrap(),
                "{file} differs with {count} shards"
            );
        }
    }
}

#[test]
fn rerunning_a_shard_rewrites_the_identical_file() {
    let setup = setup();
    let out = setup.dir("out");
    setup
        .shard(&out, 1, 2, &["--threads", "2"])
        .assert()
        .success();
    let first = fs::read(out.join("shards/1.json")).unwrap();
    setup
        .shard(&out, 1, 2, &["--threads", "1"])
        .assert()
        .success();
    assert!(first == fs::read(out.join("shards/1.json")).unwrap());
}

#[test]
fn missing_shards_are_listed_for_resubmission() {
    let setup = setup();
    let out = setup.dir("out");
    for index in [0, 2, 4] {
        setup.shard(&out, index, 5, &[]).assert().success();
    }
    let message = stderr_of(&mut merge(&out), 3);
    assert!(message.contains("2 of 5 shards missing: 1,3"), "{message}");
    let listed = merge(&out).arg("--missing").output().unwrap();
    assert_eq!(listed.status.code(), Some(3));
    assert_eq!(String::from_utf8(listed.stdout).unwrap(), "1,3\n");
    assert!(!out.join("results.json").exists(), "no partial results");

    let empty = setup.dir("empty");
    stderr_of(&mut merge(&empty), 3);
    let listed = merge(&empty)
        .args(["--missing", "--shards", "3"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(listed.stdout).unwrap(), "0,1,2\n");

    setup.shard(&out, 1, 5, &[]).assert().success();
    setup.shard(&out, 3, 5, &[]).assert().success();
    let listed = merge(&out).arg("--missing").output().unwrap();
    assert_eq!(listed.status.code(), Some(0));
    assert_eq!(String::from_utf8(listed.stdout).unwrap(), "\n");
}

#[test]
fn shards_of_different_runs_are_refused_naming_the_field() {
    let setup = setup();
    let out = setup.dir("seed");
    setup.shard(&out, 0, 2, &[]).assert().success();
    setup
        .shard(&out, 1, 2, &["--seed", "12"])
        .assert()
        .success();
    let message = stderr_of(&mut merge(&out), 4);
    assert!(
        message.contains("`seed` is 12") && message.contains("1.json"),
        "{message}"
    );

    let out = setup.dir("scenario");
    setup.shard(&out, 0, 2, &[]).assert().success();
    fs::write(
        &setup.scenario,
        SCENARIO.replace("seed = 11", "seed = 11 # edited"),
    )
    .unwrap();
    setup.shard(&out, 1, 2, &[]).assert().success();
    fs::write(&setup.scenario, SCENARIO).unwrap();
    let message = stderr_of(&mut merge(&out), 4);
    assert!(message.contains("`scenario_sha256`"), "{message}");

    let out = setup.dir("version");
    setup.all_shards(&out, 2);
    let path = out.join("shards/1.json");
    let text = fs::read_to_string(&path).unwrap();
    let version = format!("\"queuelab_version\":\"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(text.contains(&version));
    fs::write(
        &path,
        text.replace(&version, "\"queuelab_version\":\"0.0.1\""),
    )
    .unwrap();
    let message = stderr_of(&mut merge(&out), 4);
    assert!(message.contains("`queuelab_version`"), "{message}");

    let out = setup.dir("count");
    setup.shard(&out, 0, 2, &[]).assert().success();
    setup.shard(&out, 1, 3, &[]).assert().success();
    let message = stderr_of(&mut merge(&out), 4);
    assert!(message.contains("`shards` is 3"), "{message}");
}

#[test]
fn a_duplicate_shard_is_refused() {
    let setup = setup();
    let out = setup.dir("out");
    setup.all_shards(&out, 2);
    fs::copy(out.join("shards/1.json"), out.join("shards/1-again.json")).unwrap();
    let message = stderr_of(&mut merge(&out), 4);
    assert!(message.contains("both shard 1"), "{message}");
}

#[test]
fn a_shard_killed_mid_write_leaves_no_shard_file() {
    let setup = setup();
    let out = setup.dir("out");
    let killed = setup
        .shard(&out, 0, 2, &[])
        .env("QUEUELAB_TEST_ABORT_MID_WRITE", "1")
        .output()
        .unwrap();
    assert!(!killed.status.success());
    assert!(!out.join("shards/0.json").exists());
    setup.shard(&out, 1, 2, &[]).assert().success();
    let listed = merge(&out).arg("--missing").output().unwrap();
    assert_eq!(String::from_utf8(listed.stdout).unwrap(), "0\n");

    let failed = stderr_of(
        setup
            .shard(&out, 0, 2, &[])
            .env("QUEUELAB_TEST_FAIL_SHARD", "0"),
        1,
    );
    assert!(failed.contains("failed on purpose"), "{failed}");
    assert!(!out.join("shards/0.json").exists());
}

#[test]
fn precision_driven_runs_and_bad_shard_ids_are_usage_errors() {
    let setup = setup();
    let out = setup.dir("out");
    for bad in ["2/2", "1", "x/3"] {
        let output = queuelab()
            .args(["run", "--shard", bad])
            .arg(&setup.scenario)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{bad}");
    }
    fs::write(
        &setup.scenario,
        SCENARIO.replace(
            "replications = 3",
            "replications = 3\ntarget_precision = 0.05",
        ),
    )
    .unwrap();
    let message = stderr_of(&mut setup.shard(&out, 0, 2, &[]), 2);
    assert!(message.contains("target_precision"), "{message}");
}

#[test]
fn edited_shards_are_refused() {
    use queuelab::shard::{ExactFloat, ShardFile};
    let setup = setup();
    let out = setup.dir("out");
    setup.all_shards(&out, 2);
    let path = out.join("shards/1.json");
    let original = fs::read_to_string(&path).unwrap();
    let file: ShardFile = serde_json::from_str(&original).unwrap();
    let rewrite =
        |file: &ShardFile| fs::write(&path, serde_json::to_string(file).unwrap()).unwrap();

    // A number edited by hand, units swapped, a seed relabelled: the
    // digest no longer matches.
    let (metric, value) = file.units[0].values[0]
        .iter()
        .next()
        .map(|(m, v)| (*m, v.0))
        .unwrap();
    let mut edited = file.clone();
    edited.units[0].values[0].insert(metric, ExactFloat(value * 1.01));
    let mut swapped = file.clone();
    let first = swapped.units[0].values.clone();
    swapped.units[0].values = swapped.units[1].values.clone();
    swapped.units[1].values = first;
    let mut relabelled = file.clone();
    relabelled.header.seed += 1;
    for tampered in [edited, swapped, relabelled] {
        rewrite(&tampered);
        let message = stderr_of(&mut merge(&out), 4);
        assert!(
            message.contains("content_sha256") && message.contains("1.json"),
            "{message}"
        );
    }

    // Impossible values are refused even with the digest recomputed.
    for (metric, impossible) in [
        (queuelab::model::metric::Metric::PWait, 7.0),
        (queuelab::model::metric::Metric::MeanWait, -1.0),
    ] {
        let mut forged = file.clone();
        forged.units[0].values[0].insert(metric, ExactFloat(impossible));
        let forged = ShardFile::new(forged.header, forged.scenario_source, forged.units);
        rewrite(&forged);
        let message = stderr_of(&mut merge(&out), 4);
        assert!(
            message.contains("no run can produce") && message.contains(&metric.name()),
            "{message}"
        );
    }

    // A header claiming billions of shards is refused without listing them.
    let mut huge = file.clone();
    huge.header.shards = u32::MAX;
    rewrite(&ShardFile::new(
        huge.header,
        huge.scenario_source,
        huge.units,
    ));
    let message = stderr_of(&mut merge(&out), 4);
    assert!(
        message.contains("100000") && message.len() < 500,
        "{message}"
    );

    fs::write(&path, original).unwrap();
    merge(&out).assert().success();
}
