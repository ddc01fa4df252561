//! Who is watching what may change while the app serves: each open WebSocket that a list of
//! origins admitted — a tenant's, or a configured one — subscribes to that list's changes here,
//! and whatever changes the list (an invalidation, a change heard by a feed, `set_origins`)
//! notifies its watchers, which then check their origin again (`crate::websocket`).
//!
//! One `tokio::sync::watch` channel per watched key (a tenant, a configured name), made by its
//! first watcher and removed by its last: what this holds is one entry per key that has open
//! sockets, and one receiver per socket — given back when the socket ends. Notifying is a
//! version bump, which a watcher sees whenever it next looks, so nothing is missed between two
//! looks and a burst of changes costs one check.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

/// The watchers of keys of type `K`.
pub(crate) struct Watchers<K> {
    channels: Mutex<HashMap<K, watch::Sender<u64>>>,
}

impl<K: Hash + Eq + Clone> Watchers<K> {
    pub(crate) fn new() -> Self {
        Self {
            channels: Mutex::new(HashMap::new()),
        }
    }

    fn channels(&self) -> MutexGuard<'_, HashMap<K, watch::Sender<u64>>> {
        self.channels.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A watcher of `key`, which sees every notification from now on.
    pub(crate) fn subscribe(self: &Arc<Self>, key: K) -> Watching<K> {
        let receiver = self
            .channels()
            .entry(key.clone())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe();
        Watching {
            receiver: Some(receiver),
            key,
            watchers: Arc::clone(self),
        }
    }

    /// Tells the watchers of `key`, if any, that it may have changed.
    pub(crate) fn notify<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(channel) = self.channels().get(key) {
            channel.send_modify(|version| *version = version.wrapping_add(1));
        }
    }

    /// Tells every watcher that what it watches may have changed.
    pub(crate) fn notify_all(&self) {
        for channel in self.channels().values() {
            channel.send_modify(|version| *version = version.wrapping_add(1));
        }
    }

    /// How many keys are watched.
    #[cfg(test)]
    pub(crate) fn keys(&self) -> usize {
        self.channels().len()
    }
}

/// One watcher of one key: given back (and the key forgotten with its last watcher) on drop.
pub(crate) struct Watching<K: Hash + Eq + Clone> {
    /// Always present until dropped.
    receiver: Option<watch::Receiver<u64>>,
    key: K,
    watchers: Arc<Watchers<K>>,
}

impl<K: Hash + Eq + Clone> Watching<K> {
    /// Marks every notification so far as seen: the check that follows covers them.
    pub(crate) fn seen(&mut self) {
        if let Some(receiver) = &mut self.receiver {
            receiver.mark_unchanged();
        }
    }

    /// Waits for a notification not yet seen; never returns if none comes.
    pub(crate) async fn changed(&mut self) {
        match &mut self.receiver {
            // The sender lives while any receiver does: an error cannot happen, and would
            // only mean nothing more will be said.
            Some(receiver) => {
                if receiver.changed().await.is_err() {
                    std::future::pending::<()>().await;
                }
            }
            None => std::future::pending::<()>().await,
        }
    }
}

impl<K: Hash + Eq + Clone> Drop for Watching<K> {
    fn drop(&mut self) {
        let mut channels = self.watchers.channels();
        drop(self.receiver.take());
        if channels
            .get(&self.key)
            .is_some_and(|channel| channel.receiver_count() == 0)
        {
            channels.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    fn ready(future: impl Future<Output = ()>) -> bool {
        let mut future = pin!(future);
        matches!(
            future
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop())),
            Poll::Ready(())
        )
    }

    #[test]
    fn a_watcher_sees_what_was_notified_after_it_subscribed_and_its_key_goes_with_it() {
        let watchers: Arc<Watchers<String>> = Arc::new(Watchers::new());
        watchers.notify("acme");
        let mut acme = watchers.subscribe("acme".to_owned());
        let mut globex = watchers.subscribe("globex".to_owned());
        let second = watchers.subscribe("acme".to_owned());
        assert_eq!(watchers.keys(), 2);
        assert!(!ready(acme.changed()), "nothing since it subscribed");
        watchers.notify("acme");
        watchers.notify("acme");
        assert!(ready(acme.changed()), "two notifications, seen once");
        assert!(!ready(acme.changed()));
        assert!(!ready(globex.changed()), "another key's");
        watchers.notify_all();
        globex.seen();
        assert!(!ready(globex.changed()), "seen before looking");
        assert!(ready(acme.changed()));
        drop(second);
        assert_eq!(watchers.keys(), 2, "acme still has a watcher");
        drop(acme);
        drop(globex);
        assert_eq!(watchers.keys(), 0, "given back with the last watcher");
    }
}
