//! Alerts: the events that need a person to look at them — account lockouts, uses of the
//! recovery code, custody and ledger findings, and guard and cloud alerts (actions ending in
//! `.alert`) as those land. An alert stays open until an
//! officer acknowledges it with a comment: an event signed with the admin key.

use crate::accounts::decision::{self, AdminKeys};
use crate::accounts::permissions::Permission;
use crate::accounts::{Role, UserStatus};
use crate::ledger::alert::Alert;
use crate::ledger::{Action, NewEvent, events};
use crate::{Error, Result, details};

use super::{Access, Station};

impl Station {
    /// Open alerts the user may see (newest first), each with who, what, when and what to
    /// do: officers see all; others those with no level or one within their clearance.
    /// Reading them is not activity for the idle lock.
    pub fn alerts(&self) -> Result<Vec<Alert>> {
        let user = self.session_for(Access::Quietly)?.user().clone();
        let keys = AdminKeys::load(&self.conn, &self.station_id)?;
        let open = events::open_alerts(&self.conn, |seq, ack| keys.vouch_for(seq, ack))?;
        Ok(open
            .iter()
            .filter(|e| user.role == Role::Officer || e.level.is_none_or(|l| l <= user.clearance))
            .map(Alert::from_event)
            .collect())
    }

    /// Acknowledge alert `seq`, with a comment (recorded as `alert.acknowledge`); the
    /// comment may be empty unless the policy requires one.
    pub fn acknowledge_alert(&mut self, seq: u64, comment: &str) -> Result<()> {
        let required = self
            .session_for(Access::Ready)?
            .directory()
            .policy()
            .alert_comment_required();
        if required && comment.trim().is_empty() {
            return Err(Error::Denied {
                rule: "alert-comment",
                message: "the policy asks for a comment when an alert is acknowledged".into(),
            });
        }
        let alert = self
            .alerts()?
            .into_iter()
            .find(|e| e.seq == seq)
            .ok_or_else(|| Error::NotFound(format!("open alert {seq}")))?;
        let session = self.session_for(Access::Permitted(Permission::AcknowledgeAlert, alert.level))?;
        let actor = session.user().name.clone();
        // Nobody closes an alert about themselves while another officer could.
        let about_them = alert.subject == actor || alert.actor == actor;
        let other_officers = session
            .directory()
            .users
            .iter()
            .filter(|u| u.role == Role::Officer && u.status == UserStatus::Active && u.name != actor)
            .count();
        if about_them && other_officers > 0 {
            return Err(Error::Denied {
                rule: "separation-of-duties",
                message: format!("alert {seq} is about {actor}; another security officer acknowledges it"),
            });
        }
        // An officer's decision: signed with the admin key, so SQL cannot close an alert.
        let admin = session.admin_key()?;
        let event = NewEvent {
            actor,
            action: Action::AlertAcknowledge,
            subject: alert.subject.clone(),
            level: alert.level,
            item: None,
            details: {
                let mut details = details! { "alert": seq, "alert_action": alert.action.clone() };
                if !comment.trim().is_empty() {
                    details.insert("comment".into(), comment.trim().into());
                }
                details
            },
        };
        let mac = self.event_mac_key();
        let now = self.clock.now();
        self.write(|tx, _| {
            let decide = |body: &[u8]| decision::sign(&admin, body);
            events::append_signed(tx, now, &event, mac.as_ref(), Some(&decide))?;
            Ok(())
        })
    }
}
