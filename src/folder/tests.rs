use std::fs;
use std::path::Path;

use tempfile::TempDir;

use super::*;

fn fill_with(files: &'static [&'static str]) -> impl FnOnce(&Path) -> io::Result<()> {
    move |staging| {
        for file in files {
            let path = staging.join(file);
            fs::create_dir_all(path.parent().unwrap())?;
            fs::write(path, "new")?;
        }
        Ok(())
    }
}

/// Publishes `files` at `dir` under the default policy.
fn publish_files(dir: &Path, files: &'static [&'static str]) {
    publish(dir, Policy::default(), fill_with(files)).unwrap();
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_new_folder_gets_the_files_and_a_marker_listing_them() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("out");
    publish_files(&dir, &["a.json", "charts/x.svg"]);
    assert_eq!(names(&dir), [MARKER, "a.json", "charts"]);
    let marker = Marker::read(&dir).unwrap().unwrap();
    assert_eq!(marker.files, ["a.json", "charts/x.svg"]);
    assert_eq!(names(tmp.path()), ["out"], "no staging folder is left");
}

#[test]
fn an_earlier_folder_is_replaced_and_its_old_files_removed() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("out");
    publish_files(&dir, &["old.json", "charts/old.svg"]);
    publish_files(&dir, &["a.json"]);
    assert_eq!(names(&dir), [MARKER, "a.json"]);
    assert_eq!(names(tmp.path()), ["out"]);
}

#[test]
fn the_users_files_in_an_earlier_results_folder_stay() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("out");
    publish_files(&dir, &["a.json", "charts/x.svg"]);
    fs::write(dir.join("notes.txt"), "mine").unwrap();
    fs::write(dir.join("charts/mine.svg"), "mine").unwrap();
    publish_files(&dir, &["b.json", "charts/y.svg"]);
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "mine");
    assert_eq!(
        fs::read_to_string(dir.join("charts/mine.svg")).unwrap(),
        "mine"
    );
    assert!(!dir.join("a.json").exists() && dir.join("b.json").exists());
}

#[test]
fn a_folder_of_someone_elses_files_is_refused_unless_forced_and_never_touched() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("out");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("mine.txt"), "mine").unwrap();
    let refused = publish(&dir, Policy::default(), fill_with(&["a.json"])).unwrap_err();
    assert_eq!(refused.exit_code(), 2, "{refused}");
    assert!(refused.to_string().contains("mine.txt"), "{refused}");
    assert_eq!(names(&dir), ["mine.txt"]);
    let clash = publish(&dir, Policy::forced(true), fill_with(&["mine.txt"])).unwrap_err();
    assert_eq!(clash.exit_code(), 2, "{clash}");
    assert_eq!(fs::read_to_string(dir.join("mine.txt")).unwrap(), "mine");
    publish(&dir, Policy::forced(true), fill_with(&["a.json"])).unwrap();
    assert_eq!(names(&dir), [MARKER, "a.json", "mine.txt"]);
    assert_eq!(names(tmp.path()), ["out"]);
}

#[test]
fn a_file_or_a_link_at_the_destination_is_refused_and_left_alone() {
    let tmp = TempDir::new().unwrap();
    let file = tmp.path().join("file");
    fs::write(&file, "mine").unwrap();
    for policy in [Policy::default(), Policy::forced(true)] {
        let error = publish(&file, policy, fill_with(&["a.json"])).unwrap_err();
        assert_eq!(error.exit_code(), 2, "{error}");
    }
    std::os::unix::fs::symlink(tmp.path().join("elsewhere"), tmp.path().join("link")).unwrap();
    let error = check(&tmp.path().join("link"), Policy::default()).unwrap_err();
    assert_eq!(error.exit_code(), 2, "{error}");
    assert_eq!(fs::read_to_string(&file).unwrap(), "mine");
    assert_eq!(names(tmp.path()), ["file", "link"]);
}

#[test]
fn kept_entries_move_into_the_new_folder() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("out");
    fs::create_dir_all(dir.join("shards")).unwrap();
    fs::write(dir.join("shards/0.json"), "shard").unwrap();
    let policy = Policy {
        beside_others: false,
        keep: &["shards"],
    };
    publish(&dir, policy, fill_with(&["a.json"])).unwrap();
    publish(&dir, policy, fill_with(&["b.json"])).unwrap();
    assert_eq!(names(&dir), [MARKER, "b.json", "shards"]);
    assert_eq!(
        fs::read_to_string(dir.join("shards/0.json")).unwrap(),
        "shard"
    );
}

#[test]
fn a_failed_fill_leaves_nothing_and_keeps_the_earlier_folder() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("out");
    publish_files(&dir, &["a.json"]);
    let failed = publish(&dir, Policy::default(), |_| {
        Err(io::Error::other("full disk"))
    });
    assert_eq!(failed.unwrap_err().exit_code(), 1);
    assert_eq!(names(&dir), [MARKER, "a.json"]);
    assert_eq!(names(tmp.path()), ["out"]);
}

#[test]
fn a_marker_naming_files_outside_its_folder_is_not_queuelabs() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("out");
    fs::create_dir(&dir).unwrap();
    fs::write(tmp.path().join("precious"), "mine").unwrap();
    let forged = r#"{"written_by": "queuelab", "files": ["../precious"]}"#;
    fs::write(dir.join(MARKER), forged).unwrap();
    fs::write(dir.join("x"), "mine").unwrap();
    assert!(Marker::read(&dir).unwrap().is_none());
    assert_eq!(
        check(&dir, Policy::default()).unwrap_err().exit_code(),
        2,
        "a folder with a forged marker is the user's"
    );
    assert_eq!(
        fs::read_to_string(tmp.path().join("precious")).unwrap(),
        "mine"
    );
}

#[test]
fn stale_staging_folders_of_dead_processes_are_removed() {
    let tmp = TempDir::new().unwrap();
    let dead = tmp.path().join(".out.partial-4294967");
    let unrelated = tmp.path().join(".other.partial-4294967");
    for folder in [&dead, &unrelated] {
        fs::create_dir(folder).unwrap();
        fs::write(folder.join("results.json"), "{}").unwrap();
    }
    publish_files(&tmp.path().join("out"), &["a.json"]);
    assert!(!dead.exists());
    assert!(
        unrelated.exists(),
        "only the destination's own leftovers go"
    );
}

#[test]
fn names_too_long_for_the_file_system_are_refused_up_front() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("x".repeat(240));
    let error = check(&dir, Policy::default()).unwrap_err();
    assert_eq!(error.exit_code(), 2, "{error}");
}
