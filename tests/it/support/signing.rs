//! Station signing-key changes driven through the library, the way the station records one
//! when a user is disabled, for the ledger and audit tests.

use strongroom::crypto::sign::SignKey;
use strongroom::ledger::{checkpoint, key_change_note, merkle, note, verify};

use super::{NOW, OFFICER, PASSWORD, TestVault};

/// Station signing-key changes driven through the library, the way the station records one
/// when a user is disabled. The signed directory is left naming the first key, so these
/// helpers sign and verify with the key the test says is current.
impl TestVault {
    /// The station signing key as an unlocked officer's session holds it. (Unlocking and
    /// locking again signs a checkpoint with it.)
    pub fn signing_key(&self) -> SignKey {
        let mut station = strongroom::Station::open(&self.root).expect("open station");
        station
            .unlock(OFFICER, &strongroom::crypto::Password::from(PASSWORD))
            .expect("unlock");
        let seed = station
            .session()
            .expect("session")
            .signing_key()
            .expect("signing key")
            .seed();
        SignKey::from_seed(&seed)
    }

    /// Record that `old` is replaced by `new` (`ledger::key_change_note::record`, one transaction).
    pub fn change_signing_key(&self, old: &SignKey, new: &SignKey) -> key_change_note::KeyChange {
        let mut db = self.db();
        let tx = db.transaction().expect("transaction");
        let change = key_change_note::record(&tx, &self.station_id(), old, new, NOW).expect("record key change");
        tx.commit().expect("commit");
        change
    }

    /// Sign a checkpoint over every event with `key`, as the station does with its current key.
    pub fn checkpoint_with(&self, key: &SignKey) -> Option<u64> {
        let mut db = self.db();
        let tx = db.transaction().expect("transaction");
        let size = checkpoint::write(&tx, &self.station_id(), key, "test", NOW).expect("checkpoint");
        tx.commit().expect("commit");
        size
    }

    /// What an insider holding `key` can do that `checkpoint::write` refuses for a retired
    /// key: sign the log as it stands and insert the checkpoint row by hand. Returns its size.
    pub fn insider_checkpoint(&self, key: &SignKey) -> u64 {
        let db = self.db();
        let mut builder = merkle::TreeBuilder::new();
        let mut stmt = db
            .prepare("SELECT canonical FROM events ORDER BY seq")
            .expect("prepare");
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).expect("events");
        for bytes in rows {
            builder.push(merkle::leaf_hash(&bytes.expect("row")));
        }
        let origin = checkpoint::origin(&self.station_id());
        let body = checkpoint::body(&origin, builder.size(), &builder.root());
        let signed = note::sign(&body, &origin, key).expect("sign");
        db.execute(
            "INSERT INTO checkpoints (epoch, tree_size, root, note, frontier, reason, created_at) VALUES (0, ?1, ?2, ?3, ?4, 'lock', ?5)",
            rusqlite::params![builder.size() as i64, builder.root().to_vec(), signed, builder.frontier(), NOW],
        )
        .expect("insert checkpoint");
        builder.size()
    }

    /// The verifier of `key` under this station's key name.
    pub fn verifier(&self, key: &SignKey) -> note::Verifier {
        note::Verifier::new(&checkpoint::origin(&self.station_id()), key.public()).expect("verifier")
    }

    /// `ledger::verify::verify` with `key` as the signed directory's current key.
    pub fn verify_with(&self, key: &SignKey) -> verify::Report {
        verify::verify(&self.db(), &self.station_id(), &self.verifier(key)).expect("verify")
    }

    /// The database with its append-only triggers dropped, as an insider would.
    pub fn unguarded(&self) -> rusqlite::Connection {
        super::insider::unguarded(&self.root)
    }
}
