//! Nothing lost: every command that writes a folder leaves the user's files
//! alone, refuses what it must not replace, cleans up after a signal and
//! lets concurrent runs on one destination both succeed.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{mm1_text, queuelab};
use tempfile::TempDir;

const TINY: &str = mm1_text!(
    "tiny",
    "seed = 5
replications = 2
customers = 2_000
warmup = 200
",
    "[plan]
decide = \"queues.q.consumers\"
[[plan.targets]]
metric = \"mean_wait\"
max = 5.0
",
);

struct Place {
    tmp: TempDir,
    scenario: PathBuf,
}

fn place() -> Place {
    let tmp = TempDir::new().unwrap();
    let scenario = tmp.path().join("tiny.toml");
    fs::write(&scenario, TINY).unwrap();
    Place { tmp, scenario }
}

/// A folder with the user's files: a note and a nested one.
fn users_folder(parent: &Path, name: &str) -> PathBuf {
    let dir = parent.join(name);
    fs::create_dir_all(dir.join("sub")).unwrap();
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    fs::write(dir.join("sub/data.csv"), "1,2").unwrap();
    dir
}

fn users_files_intact(dir: &Path) {
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
    assert_eq!(fs::read_to_string(dir.join("sub/data.csv")).unwrap(), "1,2");
}

fn hidden_leftovers(parent: &Path) -> Vec<String> {
    fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial-") || n.contains(".old-"))
        .collect()
}

/// Each command that writes a folder, with `--out DIR` (and the scenario).
fn commands(place: &Place, out: &Path) -> Vec<Vec<String>> {
    let file = place.scenario.display().to_string();
    let out = out.display().to_string();
    let results = place.tmp.path().join("done").display().to_string();
    vec![
        vec!["run".into(), file.clone(), "--out".into(), out.clone()],
        vec![
            "live".into(),
            file.clone(),
            "--seconds".into(),
            "0.5".into(),
            "--out".into(),
            out.clone(),
        ],
        vec!["plan".into(), file, "--out".into(), out.clone()],
        vec![
            "compare".into(),
            results,
            "--metric".into(),
            "mean_wait".into(),
            "--out".into(),
            out,
        ],
    ]
}

fn finished_results(place: &Place) {
    queuelab()
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(place.tmp.path().join("done"))
        .arg(&place.scenario)
        .assert()
        .success();
}

#[test]
fn a_folder_of_the_users_files_is_refused_by_every_command_and_left_alone() {
    let place = place();
    finished_results(&place);
    let dir = users_folder(place.tmp.path(), "mine");
    for args in commands(&place, &dir) {
        let output = queuelab().args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("--force") && stderr.contains("notes.txt"),
            "{args:?}: {stderr}"
        );
        users_files_intact(&dir);
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            2,
            "{args:?} added files"
        );
    }
    assert!(hidden_leftovers(place.tmp.path()).is_empty());
}

#[test]
fn force_writes_beside_the_users_files_without_replacing_any() {
    let place = place();
    finished_results(&place);
    let dir = users_folder(place.tmp.path(), "mine");
    for args in commands(&place, &dir) {
        if args[0] == "live" {
            continue; // the same folder code as run; live takes seconds
        }
        queuelab().args(&args).arg("--force").assert().success();
        users_files_intact(&dir);
    }
    // Once queuelab's marker is there, a run needs no --force and still
    // keeps the user's files.
    queuelab()
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(&dir)
        .arg(&place.scenario)
        .assert()
        .success();
    users_files_intact(&dir);
    assert!(dir.join("results.json").is_file());
    assert!(hidden_leftovers(place.tmp.path()).is_empty());
}

#[test]
fn a_file_the_working_directory_and_its_ancestors_are_refused() {
    let place = place();
    let file = place.tmp.path().join("notes.txt");
    fs::write(&file, "mine").unwrap();
    for out in [file.clone(), PathBuf::from("."), PathBuf::from("..")] {
        let output = queuelab()
            .current_dir(place.tmp.path())
            .args(["run", "--quiet", "--force", "--out"])
            .arg(&out)
            .arg(&place.scenario)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "--out {}: {stderr}",
            out.display()
        );
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    let names: Vec<_> = fs::read_dir(place.tmp.path()).unwrap().collect();
    assert_eq!(names.len(), 2, "only the scenario and the note");
    let shard = queuelab()
        .args(["run", "--quiet", "--shard", "0/2", "--out"])
        .arg(&file)
        .arg(&place.scenario)
        .output()
        .unwrap();
    assert_eq!(shard.status.code(), Some(2));
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
}

#[test]
fn merge_touches_only_what_it_wrote_in_the_shard_folder() {
    let place = place();
    let dir = place.tmp.path().join("sharded");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("slurm-12_0.out"), "log").unwrap();
    for k in 0..2 {
        queuelab()
            .args(["run", "--quiet", "--shard", &format!("{k}/2"), "--out"])
            .arg(&dir)
            .arg(&place.scenario)
            .assert()
            .success();
    }
    for _ in 0..2 {
        queuelab()
            .args(["merge", "--quiet", "--no-charts"])
            .arg(&dir)
            .assert()
            .success();
        assert_eq!(
            fs::read_to_string(dir.join("slurm-12_0.out")).unwrap(),
            "log"
        );
        assert!(dir.join("shards/0.json").is_file() && dir.join("shards/1.json").is_file());
        assert!(dir.join("results.json").is_file());
    }
    assert!(hidden_leftovers(place.tmp.path()).is_empty());
}

#[test]
fn plot_redraws_only_a_folder_queuelab_wrote() {
    let place = place();
    let dir = users_folder(place.tmp.path(), "mine");
    queuelab().arg("plot").arg(&dir).assert().code(2);
    users_files_intact(&dir);
    queuelab()
        .args(["run", "--quiet", "--force", "--out"])
        .arg(&dir)
        .arg(&place.scenario)
        .assert()
        .success();
    let results = fs::read(dir.join("results.json")).unwrap();
    queuelab().arg("plot").arg(&dir).assert().success();
    users_files_intact(&dir);
    assert_eq!(fs::read(dir.join("results.json")).unwrap(), results);
    assert!(dir.join("charts").is_dir());
}

/// Starts a run and sends `signal` as soon as its staging folder appears.
fn signal_while_writing(place: &Place, out: &Path, signal: &str) -> Option<i32> {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("queuelab"))
        .args(["run", "--quiet", "--out"])
        .arg(out)
        .arg(&place.scenario)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let staging = out
        .parent()
        .unwrap()
        .join(format!(".out.partial-{}", child.id()));
    let started = Instant::now();
    while !staging.exists() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_micros(200));
    }
    Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap().code()
}

#[test]
fn a_signal_while_writing_leaves_no_partial_folder() {
    let place = place();
    let out = place.tmp.path().join("out");
    for signal in ["INT", "TERM"] {
        let code = signal_while_writing(&place, &out, signal);
        // Either the signal came while writing (130) or just after (0).
        assert!(matches!(code, Some(130) | Some(0)), "SIGINT: exit {code:?}");
        assert!(
            hidden_leftovers(place.tmp.path()).is_empty(),
            "{signal}: {:?}",
            hidden_leftovers(place.tmp.path())
        );
    }
}

#[test]
fn partial_folders_of_dead_processes_are_removed_by_the_next_run() {
    let place = place();
    let parent = place.tmp.path();
    // PIDs above the kernel's limit (2^22) are never alive.
    for leftover in [".out.partial-4294967", ".out.old-4294968"] {
        fs::create_dir(parent.join(leftover)).unwrap();
        fs::write(parent.join(leftover).join("results.json"), "{}").unwrap();
    }
    fs::create_dir_all(parent.join("out/shards")).unwrap();
    fs::write(parent.join("out/shards/.0.json.partial-4294967"), "{").unwrap();
    queuelab()
        .args(["run", "--quiet", "--shard", "0/2", "--out"])
        .arg(parent.join("out"))
        .arg(&place.scenario)
        .assert()
        .success();
    assert!(!parent.join("out/shards/.0.json.partial-4294967").exists());
    queuelab()
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(parent.join("out"))
        .arg(&place.scenario)
        .assert()
        .success();
    assert!(!parent.join(".out.partial-4294967").exists());
    // The replaced folder had no marker and the user's file: it stays.
    assert!(parent.join(".out.old-4294968/results.json").exists());
}

#[test]
fn concurrent_runs_on_one_destination_all_succeed() {
    let place = place();
    let out = place.tmp.path().join("out");
    let children: Vec<_> = (0..12)
        .map(|_| {
            Command::new(assert_cmd::cargo::cargo_bin("queuelab"))
                .args(["run", "--quiet", "--no-charts", "--out"])
                .arg(&out)
                .arg(&place.scenario)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert!(out.join("results.json").is_file());
    assert!(hidden_leftovers(place.tmp.path()).is_empty());
}
