//! The station policy through the station: anyone signed in may read it; officers change
//! one setting at a time, each change a new signed directory and a `policy.change` event with
//! the old and the new value.

use crate::accounts::permissions::Permission;
use crate::accounts::policy::Policy;
use crate::accounts::{directory, directory_copy};
use crate::ledger::{Action, NewEvent};
use crate::{Error, Result, details};

use super::{Access, Station};

impl Station {
    /// The policy in force (from the verified directory).
    pub fn policy(&self) -> Result<Policy> {
        Ok(self.session_for(Access::Ready)?.directory().policy())
    }

    /// Set one policy setting (officers only). Returns the old value.
    pub fn set_policy(&mut self, key: &str, value: &str) -> Result<String> {
        let session = self.session_for(Access::Permitted(Permission::Policy, None))?;
        let mut policy = session.directory().policy();
        let old = policy.set(key, value)?;
        let new = policy.get(key).unwrap_or_default();
        if old == new {
            return Err(Error::InvalidInput(format!("{key} is already {new}")));
        }
        let admin = session.admin_key()?;
        let actor = session.user().name.clone();
        let mut next = session.directory().successor(&self.now());
        next.policy = Some(policy);
        let signed = next.sign(&admin)?;
        let now = self.now();
        let version = signed.directory.version;
        let copy = directory_copy::details(&signed)?;
        self.write(|tx, events| {
            directory::store(tx, &signed, &now)?;
            events.push(NewEvent {
                actor,
                action: Action::PolicyChange,
                subject: key.to_string(),
                level: None,
                item: None,
                details: details! { "setting": key, "old": old.clone(), "new": new, "directory_version": version, "directory": copy },
            });
            Ok(())
        })?;
        let idle = time::Duration::minutes(i64::from(signed.directory.policy().idle_lock_minutes));
        self.idle.set_timeout(idle);
        if let Some(session) = self.session.as_mut() {
            session.set_directory(signed.directory);
        }
        Ok(old)
    }
}
