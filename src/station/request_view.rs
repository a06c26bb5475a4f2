//! Two-person requests as people read them: which item (its control number, from the item's
//! custody history rather than its editable row), at what level, who asked, why, and who
//! decided.

use std::collections::HashMap;

use crate::accounts::decision::AdminKeys;
use crate::accounts::requests::{self, Request, RequestStatus};
use crate::accounts::{Role, users};
use crate::vault::history;
use crate::{Result, UserId};

use super::{Access, Station};

/// A request with the names it needs to be read.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RequestView {
    /// The request as stored.
    #[serde(flatten)]
    pub request: Request,
    /// The item's control number, as its import event states it (none if the item has no
    /// custody history any more).
    pub control_number: Option<String>,
    /// Who asked (login name).
    pub requester: String,
    /// The officer who decided (login name).
    pub decided_by_name: Option<String>,
}

impl Station {
    /// Requests: officers see all, others their own (newest first), each naming its item,
    /// level, requester and reason.
    pub fn requests(&self, status: Option<RequestStatus>) -> Result<Vec<RequestView>> {
        let session = self.session_for(Access::Ready)?;
        let (role, me) = (session.user().role, session.user().id);
        let names: HashMap<UserId, String> = users::names(&self.conn)?.into_iter().collect();
        let name = |id: UserId| names.get(&id).cloned().unwrap_or_else(|| id.to_string());
        let keys = AdminKeys::load(&self.conn, &self.station_id)?;
        let vouch = |seq: u64, bytes: &[u8]| keys.vouch_for(seq, bytes);
        requests::list(&self.conn, status)?
            .into_iter()
            .filter(|r| role == Role::Officer || r.requested_by == me)
            .map(|request| {
                let control_number = history::of(&self.conn, request.item, &vouch)?.map(|h| h.control_number);
                Ok(RequestView {
                    control_number,
                    requester: name(request.requested_by),
                    decided_by_name: request.decided_by.map(name),
                    request,
                })
            })
            .collect()
    }
}
