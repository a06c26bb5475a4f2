//! Importing in the app: a large import with its progress and a cancel that leaves
//! nothing, a batch with a missing path that imports the rest, and a refused import that
//! keeps its files and carries no level over.

use super::*;

#[test]
fn import_runs_with_progress_and_cancel_leaves_nothing() {
    let fx = Fixture::with_vault(&[]);
    let dialogs = Scripted::default();
    let big = fx.file("big.bin", &vec![7u8; 48 << 20]);
    let small = fx.file("small.txt", b"small");
    let mut harness = fx.harness(dialogs.clone());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.model.phase == Phase::Main);
    click(&mut harness, "Import…");
    // No level chosen: refused, there is no default.
    dialogs.0.lock().unwrap().push(vec![small.clone()]);
    click(&mut harness, "Add files…");
    wait(&mut harness, "the dialog's answer", |app| {
        app.s().import.paths.len() == 1
    });
    click(&mut harness, "Import");
    assert!(harness.state().s().import.problem.is_some());
    harness.state_mut().s_mut().import.level = Some(Level::Confidential);
    click(&mut harness, "Import");
    wait(&mut harness, "the import", |app| app.signed(|s| s.items.len() == 1));
    assert!(harness.state().s().jobs[0].outcome.as_ref().unwrap().is_ok());
    // A large import cancelled at once leaves no item and no object.
    type_into(&mut harness, "Or type a path", big.to_str().unwrap());
    click(&mut harness, "Add");
    harness.state_mut().s_mut().import.level = Some(Level::Secret);
    click(&mut harness, "Import");
    let job = harness.state().s().jobs.last().unwrap().id;
    harness.state().s().jobs.last().unwrap().progress.cancel();
    wait(&mut harness, "the cancelled job", |app| {
        app.s().jobs.iter().any(|j| j.id == job && j.outcome.is_some())
    });
    let outcome = harness
        .state()
        .s()
        .jobs
        .iter()
        .find(|j| j.id == job)
        .unwrap()
        .outcome
        .clone();
    assert!(matches!(outcome, Some(Err(f)) if f.cancelled));
    assert_eq!(harness.state().s().items.len(), 1);
    assert_eq!(objects(&fx.root), 1);
    // The jobs panel folds away and is cleared of finished jobs.
    harness.get_by_label("Jobs (0 running)");
    click(&mut harness, "Hide");
    assert!(!harness.state().s().jobs_open);
    click(&mut harness, "Show");
    click(&mut harness, "Clear finished");
    assert!(harness.state().s().jobs.is_empty());
    assert!(harness.query_by_label_contains("Jobs (").is_none());
}

#[test]
fn a_batch_with_a_missing_path_imports_the_rest_and_names_what_was_left_out() {
    let fx = Fixture::with_vault(&[]);
    let good = fx.file("good.kml", b"<kml/>");
    let gone = fx.file("gone.kml", b"<kml/>");
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.model.phase == Phase::Main);
    click(&mut harness, "Import…");
    harness.state_mut().s_mut().import.paths = vec![good, gone.clone()];
    harness.state_mut().s_mut().import.level = Some(Level::Internal);
    std::fs::remove_file(&gone).unwrap();
    click(&mut harness, "Import");
    wait(&mut harness, "the partial batch", |app| {
        app.s().items.len() == 1 && app.model.message.is_some()
    });
    let message = &harness.state().model.message.as_ref().unwrap().failure.message;
    assert!(message.contains("Not imported (1)"), "{message}");
    assert!(message.contains("gone.kml"), "{message}");
    assert!(message.contains("Imported: SR-"), "{message}");
    assert!(harness.state().s().jobs[0].outcome.as_ref().unwrap().is_err());
    assert_eq!(objects(&fx.root), 1);
}

#[test]
fn a_refused_import_keeps_its_files_and_no_level_is_carried_over() {
    let fx = Fixture::with_vault(&[]);
    let mut harness = fx.harness(Scripted::default());
    sign_in(&mut harness, "alice", ALICE_PW);
    wait(&mut harness, "the vault", |app| app.model.phase == Phase::Main);
    click(&mut harness, "Import…");
    // The vault's own database is refused (inside-vault): the file stays listed to fix.
    let inside = fx.root.join("strongroom.db");
    harness.state_mut().s_mut().import.paths = vec![inside.clone()];
    harness.state_mut().s_mut().import.level = Some(Level::Secret);
    click(&mut harness, "Import");
    assert_eq!(
        harness.state().s().import.level,
        None,
        "the next import chooses its own level"
    );
    wait(&mut harness, "the refusal", |app| app.model.message.is_some());
    assert_eq!(harness.state().s().import.paths, vec![inside]);
    harness.get_by_label("Refused by the rule 'inside-vault'");
}
