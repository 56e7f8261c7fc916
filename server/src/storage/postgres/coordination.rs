//! [`Coordination`] in PostgreSQL: rate windows, sign-in back-off and
//! upload leases in tables every replica reads and writes. Each call is one
//! statement or one short transaction; a request pays one round trip more.

use super::PgStorage;
use crate::coordination::{Coordination, Windows, back_off_until};
use crate::storage::Fut;

/// The replicas' shared limits and claims, on the records' pool.
///
/// A claim names its replica; the replica holds an advisory lock on its
/// name for as long as it lives, on a connection of its own. A replica
/// killed mid-PATCH loses that connection at once (the kernel closes its
/// sockets), so another replica can tell its claims are dead and take them
/// without waiting for the lease.
#[derive(Clone)]
pub struct PgCoordination {
    store: PgStorage,
    alive: std::sync::Arc<tokio::sync::Mutex<Option<(String, deadpool_postgres::ClientWrapper)>>>,
}

impl PgStorage {
    /// This database as the replicas' [`Coordination`].
    pub fn coordination(&self) -> PgCoordination {
        PgCoordination { store: self.clone(), alive: Default::default() }
    }
}

impl PgCoordination {
    /// Hold the lock that says replica `me` is alive (again, if its
    /// connection was lost).
    async fn keep_alive(&self, me: &str) -> Result<(), crate::storage::StorageError> {
        let mut alive = self.alive.lock().await;
        if let Some((name, c)) = alive.as_ref()
            && name == me
            && !c.is_closed()
        {
            return Ok(());
        }
        let c = self.store.client().await?;
        c.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", &[&me]).await?;
        // Out of the pool for good: the lock lives as long as this connection.
        let c = deadpool_postgres::Object::take(c);
        *alive = Some((me.to_owned(), c));
        Ok(())
    }
}

impl Coordination for PgCoordination {
    fn hit(&self, key: String, per_minute: u32, now_ms: i64) -> Fut<'_, Result<(), u64>> {
        Box::pin(async move {
            let mut c = self.store.client().await?;
            let tx = c.transaction().await?;
            tx.execute(
                "INSERT INTO rate_windows (key, started, previous, current) VALUES ($1, $2, 0, 0)
                 ON CONFLICT (key) DO NOTHING",
                &[&key, &now_ms],
            )
            .await?;
            let row = tx
                .query_one("SELECT started, previous, current FROM rate_windows WHERE key = $1 FOR UPDATE", &[&key])
                .await?;
            let w = Windows {
                started: row.try_get(0)?,
                previous: row.try_get::<_, i32>(1)? as u32,
                current: row.try_get::<_, i32>(2)? as u32,
            };
            let (next, answer) = w.hit(now_ms, per_minute);
            tx.execute(
                "UPDATE rate_windows SET started = $2, previous = $3, current = $4 WHERE key = $1",
                &[&key, &next.started, &(next.previous as i32), &(next.current as i32)],
            )
            .await?;
            tx.commit().await?;
            Ok(answer)
        })
    }

    fn sign_in_wait(&self, account: String, now_ms: i64) -> Fut<'_, Option<u64>> {
        Box::pin(async move {
            let c = self.store.client().await?;
            let row = c
                .query_opt(
                    "SELECT until FROM sign_in_failures WHERE account = $1 AND until > $2",
                    &[&account.to_lowercase(), &now_ms],
                )
                .await?;
            let until: Option<i64> = row.map(|r| r.try_get(0)).transpose()?;
            Ok(until.map(|u| ((u - now_ms) as u64).div_ceil(1000).max(1)))
        })
    }

    fn sign_in_failed(&self, account: String, now_ms: i64) -> Fut<'_, ()> {
        Box::pin(async move {
            let mut c = self.store.client().await?;
            let tx = c.transaction().await?;
            let account = account.to_lowercase();
            let failures: i32 = tx
                .query_one(
                    "INSERT INTO sign_in_failures (account, failures, until) VALUES ($1, 1, 0)
                     ON CONFLICT (account) DO UPDATE SET failures = sign_in_failures.failures + 1
                     RETURNING failures",
                    &[&account],
                )
                .await?
                .try_get(0)?;
            if let Some(until) = back_off_until(failures as u32, now_ms) {
                tx.execute("UPDATE sign_in_failures SET until = $2 WHERE account = $1", &[&account, &until]).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn sign_in_succeeded(&self, account: String) -> Fut<'_, ()> {
        Box::pin(async move {
            let c = self.store.client().await?;
            c.execute("DELETE FROM sign_in_failures WHERE account = $1", &[&account.to_lowercase()]).await?;
            Ok(())
        })
    }

    fn claim(&self, id: String, holder: String, now_ms: i64, until: i64) -> Fut<'_, bool> {
        Box::pin(async move {
            let me = holder.split('-').next().unwrap_or_default().to_owned();
            self.keep_alive(&me).await?;
            let c = self.store.client().await?;
            // Taken if free, if the holder's lease ran out, or if its
            // replica is gone (its liveness lock is free: the try-lock
            // here, transaction-scoped, ends with this statement).
            let won = c
                .query_opt(
                    "INSERT INTO upload_claims (upload_id, holder, until) VALUES ($1, $2, $3)
                     ON CONFLICT (upload_id) DO UPDATE SET holder = excluded.holder, until = excluded.until
                         WHERE upload_claims.until <= $4
                            OR pg_try_advisory_xact_lock(hashtextextended(split_part(upload_claims.holder, '-', 1), 0))
                     RETURNING 1",
                    &[&id, &holder, &until, &now_ms],
                )
                .await?;
            Ok(won.is_some())
        })
    }

    fn renew(&self, id: String, holder: String, until: i64) -> Fut<'_, ()> {
        Box::pin(async move {
            let c = self.store.client().await?;
            c.execute(
                "UPDATE upload_claims SET until = $3 WHERE upload_id = $1 AND holder = $2",
                &[&id, &holder, &until],
            )
            .await?;
            Ok(())
        })
    }

    fn release(&self, id: String, holder: String) -> Fut<'_, ()> {
        Box::pin(async move {
            let c = self.store.client().await?;
            c.execute("DELETE FROM upload_claims WHERE upload_id = $1 AND holder = $2", &[&id, &holder]).await?;
            Ok(())
        })
    }

    fn tidy(&self, now_ms: i64) -> Fut<'_, ()> {
        Box::pin(async move {
            let c = self.store.client().await?;
            c.execute("DELETE FROM rate_windows WHERE started < $1", &[&(now_ms - 2 * crate::coordination::WINDOW_MS)])
                .await?;
            // As in memory: an account's record goes once it no longer
            // holds it back (below the free failures too, as `Local` does).
            c.execute("DELETE FROM sign_in_failures WHERE until <= $1", &[&now_ms]).await?;
            c.execute("DELETE FROM upload_claims WHERE until < $1", &[&now_ms]).await?;
            Ok(())
        })
    }
}
