//! Copies from removable media: the watch on the protected destinations, each finished
//! file judged against the media, and what the guard does with a copy (DESIGN.md §5).

use super::*;

impl Guard {
    /// Watch the protected destinations (when copy detection is on), leaving out the vault,
    /// the guard's directory and the media mounted now.
    pub(super) fn open_watch(&mut self, media: &[Medium]) {
        let Some(config) = self.config.copies.clone() else {
            return;
        };
        let excluded = self.excluded(media);
        let homes = if config.defaults {
            std::fs::read_to_string("/etc/passwd")
                .map(|p| destinations::homes(&p))
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        // Network shares are always protected: writing there is writing to another machine.
        let mounts = self.probes.mounts.mounts().unwrap_or_default();
        let roots = destinations::protected(&homes, config.defaults, &mounts, &config.extra, &excluded)
            .into_iter()
            .map(|d| d.root)
            .collect();
        self.media_watch = match crate::guard::media_watch::MediaWatch::open() {
            Ok(watch) => Some(watch),
            Err(e) => {
                eprintln!("strongroom guard: the media cannot be watched for changes (each is indexed once): {e}");
                None
            }
        };
        // Root watches every account's home: watching needs root's own read access.
        match as_root(|| DestinationWatch::open(roots, excluded.clone())) {
            Ok(watch) => self.watch = Some(watch),
            Err(e) => eprintln!("strongroom guard: the protected destinations cannot be watched: {e}"),
        }
        // The synced folders of the same homes (and of the directories an officer added,
        // where a client's configuration may live too).
        let scanned: Vec<std::path::PathBuf> = homes.iter().chain(&config.extra).cloned().collect();
        self.open_cloud(&scanned, excluded);
    }

    /// What is never a destination: the vault, the guard's directory, the media.
    pub(super) fn excluded(&self, media: &[Medium]) -> Vec<std::path::PathBuf> {
        let mut out = vec![self.config.vault.clone(), self.config.guard_dir.clone()];
        out.extend(media.iter().map(|m| m.mount_point.clone()));
        out.iter()
            .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
            .collect()
    }

    /// The descriptor the destination watch wakes the guard with.
    pub fn destinations_fd(&self) -> Option<std::os::fd::RawFd> {
        self.watch.as_ref().map(DestinationWatch::wake_fd)
    }

    /// Something happened in a protected destination: judge each finished file.
    pub fn on_destinations(&mut self) -> Result<()> {
        let excluded = self.excluded(&self.media);
        let Some(watch) = self.watch.as_mut() else {
            return Ok(());
        };
        let look = self.matcher.has_anything() || self.cloud.as_ref().is_some_and(|c| !c.roots().is_empty());
        let changes = as_root(|| watch.drain(look));
        let mut finished = changes.finished;
        if changes.rescan {
            // Events were lost: look again at everything under the roots.
            for root in watch.roots().to_vec() {
                finished.extend(as_root(|| crate::guard::watch::scan(&root, &excluded)));
            }
        }
        self.judge_all(finished);
        self.flush()
    }

    /// Timers of the watch: files left open after writing that have gone quiet, and the
    /// periodic scan of directories left unwatched when watches ran out.
    pub(super) fn on_watch_timer(&mut self, now: std::time::Instant) {
        let look = self.matcher.has_anything() || self.has_synced();
        let Some(watch) = self.watch.as_mut() else {
            return;
        };
        let mut paths = watch.settled(now);
        if let Some(files) = as_root(|| watch.unwatched_due(now)) {
            paths.extend(files);
        }
        if look {
            self.judge_all(paths);
        }
    }

    /// Judge each path; root reads what lands in any home, and a file gone or changing
    /// meanwhile is skipped.
    fn judge_all(&mut self, paths: Vec<std::path::PathBuf>) {
        if paths.is_empty() {
            return;
        }
        // A medium whose files changed since it was indexed is indexed again first, at most
        // every few seconds (a loop writing to the stick cannot keep root walking it).
        if let Some(watch) = self.media_watch.as_ref() {
            self.dirty_media.extend(watch.take_dirty());
        }
        if !self.dirty_media.is_empty() && self.last_reindex.elapsed() >= REINDEX_EVERY {
            self.last_reindex = std::time::Instant::now();
            for root in std::mem::take(&mut self.dirty_media) {
                if let Some(medium) = self.media.iter().find(|m| m.mount_point == root).cloned() {
                    as_root(|| self.matcher.add_medium(medium));
                }
            }
        }
        let stale = !self.dirty_media.is_empty();
        for path in paths {
            let synced = self.synced_root_of(&path);
            // A placeholder in a synced folder is never read (reading downloads it): its
            // name alone is judged.
            if let Some(synced) = &synced
                && crate::cloud::marking::is_virtual_file(&path)
            {
                self.judge_placeholder(&path, synced);
                continue;
            }
            match as_root(|| self.matcher.judge(&path)) {
                Ok(Some(Found::Copy(copy))) => self.copy_found(&copy),
                Ok(Some(Found::Material(material))) => self.material_found(material),
                // Nothing now, but a medium's index is out of date: looked at again later.
                Ok(None) if stale => self.judge_later(path),
                Ok(None) => {
                    if let Some(synced) = &synced {
                        self.judge_marking(&path, synced);
                    }
                }
                // Changed while it was hashed (or unreadable for now): looked at again once
                // it is quiet; a file gone is gone.
                Err(_) if path.exists() => self.judge_later(path),
                Err(_) => {}
            }
        }
    }

    /// Judge `path` again once it has been quiet for the settle time.
    fn judge_later(&mut self, path: std::path::PathBuf) {
        if let Some(watch) = self.watch.as_mut() {
            watch.judge_later(path);
        }
    }

    /// Directories left unwatched because watches ran out (scanned every minute instead).
    pub(super) fn unwatched_dirs(&self) -> usize {
        self.watch.as_ref().map_or(0, |w| w.unwatched.len())
    }

    /// The file name of `path` sealed to `level`'s sealing key from the trusted directory
    /// (generation, hex), as events carry host file names.
    pub(super) fn seal_name(&self, level: Level, path: &std::path::Path) -> Option<(u32, String)> {
        let entry = self.directory.as_ref()?.level(level).ok()?;
        let public = crate::encoding::hex::decode::<32>(&entry.sealing_public_key)?;
        let name = path.file_name()?.as_encoded_bytes().to_vec();
        let aad = crate::station::sealed_name::sealed_name_aad(level, entry.generation);
        let blob = crate::crypto::seal::seal_value(&public, &aad, &name).ok()?;
        Some((entry.generation, crate::encoding::hex::encode(&blob)))
    }

    /// Add the file name of `path` sealed to `level` to an event's `details`
    /// (`destination_name_sealed`, `sealing_generation`), or why it is not (`name_not_sealed`).
    pub(super) fn insert_sealed_name(
        &self,
        details: &mut serde_json::Map<String, serde_json::Value>,
        level: Level,
        path: &std::path::Path,
    ) {
        match self.seal_name(level, path) {
            Some((generation, sealed)) => {
                details.insert("destination_name_sealed".into(), json!(sealed));
                details.insert("sealing_generation".into(), json!(generation));
            }
            None => {
                details.insert(
                    "name_not_sealed".into(),
                    json!("no trusted directory gave the sealing key"),
                );
            }
        }
    }

    /// The vault item whose history says it has this content (the highest level when
    /// several do; destroyed ones count, as the material is the same).
    pub(super) fn item_with(&self, sha256: &[u8; 32]) -> Result<Option<crate::vault::history::History>> {
        let admin_keys = crate::accounts::decision::AdminKeys::load(&self.conn, &self.state.station)?;
        let vouch = |seq: u64, event: &[u8]| admin_keys.vouch_for(seq, event);
        Ok(crate::vault::history::with_sha256(&self.conn, sha256, &vouch)?
            .into_iter()
            .next())
    }

    /// Record a copy: `guard.copy`, and `guard.copy.alert` while networked; then, by policy,
    /// seal it into the quarantine (the plaintext goes once the alert naming the entry is
    /// committed). If sealing fails, the copy stays and the alert says why.
    pub(super) fn copy_found(&mut self, copy: &CopyFound) {
        // The vault item with this content, if any, as its custody history states it (the
        // items table can be edited); the copy is sealed at its level, or at the policy's
        // level for unknown material.
        // A lookup that fails (the database busy, damaged) seals at the highest level.
        let (item, level) = match self.item_with(&copy.sha256) {
            Ok(Some(history)) => {
                let level = history.level;
                (Some(history), level)
            }
            Ok(None) => (None, self.policy.guard_unknown_level()),
            Err(_) => (None, Level::TopSecret),
        };
        let sealed = self.seal_name(level, &copy.path);
        let net = self.net.state().clone();
        let with_item = |mut event: NewEvent| {
            if let Some(history) = &item {
                event
                    .details
                    .insert("control_number".into(), json!(history.control_number));
                event.details.insert("item_level".into(), json!(history.level.name()));
            }
            event
        };
        self.push(with_item(record::copy(copy, level, sealed.as_ref(), &net)));
        if !net.is_networked() {
            return;
        }
        let mut alert = with_item(record::copy_alert(copy, level, sealed.as_ref(), &net));
        if self.policy.guard_response != crate::accounts::policy::GuardResponse::Quarantine {
            self.push(alert);
            return;
        }
        match self.contain(copy, level) {
            Ok(contained) => {
                alert.details.insert(
                    "quarantine".into(),
                    json!(crate::encoding::hex::encode(&contained.row.id)),
                );
                self.push_pending(Pending {
                    event: alert,
                    contained: Some(contained),
                });
            }
            Err(why) => {
                alert.details.insert("not_contained".into(), json!(why));
                self.push(alert);
            }
        }
    }

    /// Seal `copy` into the quarantine for `level` with the sealing key of the trusted
    /// directory.
    pub(super) fn contain(&self, copy: &CopyFound, level: Level) -> std::result::Result<Contained, String> {
        let hashed = crate::guard::copies::Hashed {
            sha256: copy.sha256,
            size: copy.size,
            identity: copy.identity,
            owner: copy.owner,
            links: copy.links,
        };
        self.contain_file(&copy.path, &hashed, level, copy.medium.name())
    }

    /// Seal the file at `path`, as `hashed` found it, into the quarantine for `level`;
    /// `source` says where it came from (a medium's name, a synced folder's provider).
    pub(super) fn contain_file(
        &self,
        path: &std::path::Path,
        hashed: &crate::guard::copies::Hashed,
        level: Level,
        source: String,
    ) -> std::result::Result<Contained, String> {
        let directory = self
            .directory
            .as_ref()
            .ok_or("the guard trusts no directory now, so it has no sealing key")?;
        let entry = directory.level(level).map_err(|e| e.to_string())?;
        let recipient = crate::encoding::hex::decode::<32>(&entry.sealing_public_key)
            .ok_or("the directory's sealing key is not a key")?;
        // Never a root file, nor one with another name elsewhere (a hard link): whatever its
        // path leads to, the guard contains only what its owner could have removed.
        if hashed.owner.0 == 0 || hashed.links != 1 {
            return Err("the file belongs to root or has another hard link: it is left in place".into());
        }
        let target = quarantine::Target {
            identity: hashed.identity,
            owner: hashed.owner,
            size: hashed.size,
            sha256: hashed.sha256,
        };
        let sealed = quarantine::seal(path, target, &self.paths.quarantine, level, entry.generation, recipient)
            .map_err(|e| e.to_string())?;
        Ok(Contained {
            row: quarantine_table::Row {
                id: sealed.id,
                level,
                generation: sealed.generation,
                size: hashed.size,
                sha256: hashed.sha256,
                medium: source,
                destination_dir: path
                    .parent()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            },
            copy: path.to_path_buf(),
            target,
            sealed,
        })
    }

    /// Watch every network mount, those mounted since the guard started included.
    pub(super) fn follow_shares(&mut self) {
        let Some(watch) = self.watch.as_mut() else {
            return;
        };
        let Ok(mounts) = self.probes.mounts.mounts() else {
            return;
        };
        let shares: Vec<std::path::PathBuf> = mounts
            .iter()
            .filter(|m| m.reach() == crate::mounts::Reach::Network)
            .map(|m| m.point.clone())
            .collect();
        for share in &shares {
            if !watch.roots().iter().any(|r| share.starts_with(r)) {
                as_root(|| watch.add_root(share.clone()));
            }
        }
        let gone: Vec<std::path::PathBuf> = watch
            .roots()
            .iter()
            .filter(|r| !shares.contains(r) && !r.exists())
            .cloned()
            .collect();
        for root in gone {
            watch.remove_root(&root);
        }
    }
}
