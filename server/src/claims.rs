//! Claims held by this process: which uploads have a writer right now.
//!
//! One PATCH (or the finish a `HEAD` may start) at a time per upload: a
//! second one is answered `423 Locked` and retries, instead of both writing
//! the same file. Per process: with several replicas (issue 18) the claim
//! moves to the database.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// The uploads being written now.
#[derive(Debug, Default, Clone)]
pub struct InFlight(Arc<Mutex<HashSet<String>>>);

/// A claim on one upload, released when dropped.
#[derive(Debug)]
pub struct Writer {
    held: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl InFlight {
    /// Claim upload `id`; `None` if another request holds it.
    pub fn claim(&self, id: &str) -> Option<Writer> {
        let mut held = self.0.lock().unwrap_or_else(|p| p.into_inner());
        held.insert(id.to_owned()).then(|| Writer { held: self.0.clone(), id: id.to_owned() })
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.held.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_writer_at_a_time_and_released_on_drop() {
        let claims = InFlight::default();
        let first = claims.claim("u1");
        assert!(first.is_some());
        assert!(claims.claim("u1").is_none(), "a second writer waits");
        assert!(claims.claim("u2").is_some(), "another upload is free");
        drop(first);
        assert!(claims.claim("u1").is_some(), "released on drop");
    }
}
