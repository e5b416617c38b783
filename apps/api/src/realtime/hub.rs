//! One hub per instance: user id → the wake-up handles of that user's live sockets.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

type Sockets = HashMap<i64, Vec<(u64, Arc<Notify>)>>;

/// The live sockets of this instance.
#[derive(Debug, Default)]
pub struct Hub {
    sockets: Mutex<Sockets>,
    next_id: AtomicU64,
}

/// A socket's place in the hub; leaving it (drop) unregisters the socket.
#[derive(Debug)]
pub struct Registration {
    hub: Arc<Hub>,
    user: i64,
    id: u64,
    /// Notified whenever the user may have new events.
    pub wake: Arc<Notify>,
}

impl Hub {
    fn lock(&self) -> MutexGuard<'_, Sockets> {
        // A panic while holding the lock leaves the map consistent (single inserts/removes).
        self.sockets.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a socket of `user`.
    pub fn register(self: &Arc<Self>, user: i64) -> Registration {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let wake = Arc::new(Notify::new());
        self.lock()
            .entry(user)
            .or_default()
            .push((id, wake.clone()));
        Registration {
            hub: self.clone(),
            user,
            id,
            wake,
        }
    }

    /// Adds a socket of `user` unless the user has `max` on this instance
    /// already (checked and added under one lock, so racing upgrades cannot
    /// pass the limit together).
    pub fn register_within(self: &Arc<Self>, user: i64, max: usize) -> Option<Registration> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let wake = Arc::new(Notify::new());
        {
            let mut map = self.lock();
            let list = map.entry(user).or_default();
            if list.len() >= max {
                if list.is_empty() {
                    map.remove(&user);
                }
                return None;
            }
            list.push((id, wake.clone()));
        }
        Some(Registration {
            hub: self.clone(),
            user,
            id,
            wake,
        })
    }

    /// Wakes every socket of `user` (a stored permit, so none is missed while busy).
    pub fn wake_user(&self, user: i64) {
        if let Some(list) = self.lock().get(&user) {
            list.iter().for_each(|(_, n)| n.notify_one());
        }
    }

    /// Wakes every socket: after a missed notification could have happened.
    pub fn wake_all(&self) {
        self.lock()
            .values()
            .flatten()
            .for_each(|(_, n)| n.notify_one());
    }

    /// Live sockets on this instance.
    pub fn socket_count(&self) -> usize {
        self.lock().values().map(Vec::len).sum()
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut map = self.hub.lock();
        if let Some(list) = map.get_mut(&self.user) {
            list.retain(|(id, _)| *id != self.id);
            if list.is_empty() {
                map.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wakes_reach_only_the_user_and_registrations_leave() {
        let hub = Arc::new(Hub::default());
        let a = hub.register(1);
        let b = hub.register(2);
        hub.wake_user(1);
        tokio::time::timeout(std::time::Duration::from_millis(100), a.wake.notified())
            .await
            .unwrap();
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(50), b.wake.notified())
                .await
                .is_err()
        );
        drop(a);
        assert_eq!(hub.socket_count(), 1);
        let second = hub.register_within(2, 2);
        assert!(second.is_some());
        assert!(
            hub.register_within(2, 2).is_none(),
            "a third over a limit of two"
        );
        drop(second);
        assert!(hub.register_within(2, 2).is_some());
        hub.wake_all();
        tokio::time::timeout(std::time::Duration::from_millis(100), b.wake.notified())
            .await
            .unwrap();
    }
}
