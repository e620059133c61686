//! One renewal task for many sessions (a seller directory's sellers): a session waiting for its
//! renewal point is an entry in a timer queue, not a task of its own.
//!
//! Each entry is looked at when it is due, as a session's own renewer looks at its token (see
//! `renewer.rs`): still fresh, it waits again; due and in use, it is renewed in a short task of
//! its own (at most `concurrency` at once); idle, it leaves the queue until its next use.

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::future::BoxFuture;
use tokio::sync::{Semaphore, mpsc};
use tokio_util::time::DelayQueue;

/// The longest an entry waits in the queue before it is looked at again.
const LONGEST_WAIT: Duration = Duration::from_secs(3600);

/// How soon a session due while every renewal slot is taken is looked at again.
const BUSY_PAUSE: Duration = Duration::from_millis(50);

/// What a look at a watched session found.
pub(crate) enum Look {
    /// Fresh: look again after this long.
    Wait(Duration),
    /// Due, and in use since the last renewal: renew now.
    Renew,
    /// Idle, without a token, or with a token use keeps alive: leave the queue.
    Stop,
}

/// How a renewal ended.
pub(crate) enum Renewed {
    /// Look again at once (at the new token).
    Done,
    /// Try again after this long.
    RetryIn(Duration),
    /// Not to be retried (the credentials were refused).
    GiveUp,
}

/// A session the scheduler can watch.
pub(crate) trait Watched: Send + Sync + 'static {
    /// A look at the session's token and use.
    fn look(&self) -> Look;
    /// One renewal ahead of expiry; `failures` is how many in a row failed before.
    fn renew(self: Arc<Self>, failures: u32) -> BoxFuture<'static, Renewed>;
    /// The session left the queue: its next use puts it back.
    fn stopped(&self);
}

/// One entry: the session (weakly: a dropped session leaves the queue at its next look) and its
/// failed renewals in a row. An entry dropped, however (the session is idle, refused, or the
/// runtime of the task is gone), tells its session it is no longer watched.
struct Entry {
    session: Weak<dyn Watched>,
    failures: u32,
}

impl Drop for Entry {
    fn drop(&mut self) {
        if let Some(session) = self.session.upgrade() {
            session.stopped();
        }
    }
}

/// The handle sessions hold: puts them in the queue of the task, which it starts (again) in the
/// runtime of the caller when none runs there.
pub(crate) struct Scheduler {
    queue: Mutex<Option<mpsc::UnboundedSender<(Entry, Duration)>>>,
    concurrency: usize,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl Scheduler {
    /// A scheduler renewing at most `concurrency` sessions at once.
    pub(crate) fn new(concurrency: usize) -> Self {
        Scheduler {
            queue: Mutex::new(None),
            concurrency: concurrency.max(1),
        }
    }

    /// Watches `session` from now on. `false` outside a tokio runtime (the session then reads
    /// the clocks itself, and the next use in a runtime tries again).
    pub(crate) fn watch(&self, session: Weak<dyn Watched>) -> bool {
        let entry = Entry {
            session,
            failures: 0,
        };
        // Nothing panics while it is held, and an `Option` is consistent whatever happened.
        let mut queue = self
            .queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = match queue.as_ref() {
            Some(tx) => match tx.send((entry, Duration::ZERO)) {
                Ok(()) => return true,
                Err(mpsc::error::SendError((entry, _))) => entry,
            },
            None => entry,
        };
        // No task, or its runtime is gone: start one here.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return false;
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let sent = tx.send((entry, Duration::ZERO)).is_ok();
        runtime.spawn(run(rx, tx.downgrade(), self.concurrency));
        *queue = Some(tx);
        sent
    }
}

/// The task: entries come in on `incoming` (new sessions, and renewals that ended), wait in the
/// queue until due, and are looked at then.
async fn run(
    mut incoming: mpsc::UnboundedReceiver<(Entry, Duration)>,
    back: mpsc::WeakUnboundedSender<(Entry, Duration)>,
    concurrency: usize,
) {
    let mut queue: DelayQueue<Entry> = DelayQueue::new();
    let renewing = Arc::new(Semaphore::new(concurrency));
    loop {
        let due = tokio::select! {
            received = incoming.recv() => match received {
                Some((entry, wait)) => {
                    queue.insert(entry, wait.min(LONGEST_WAIT));
                    continue;
                }
                // Every sender is gone (the scheduler and its renewals): nothing can come back.
                None => return,
            },
            Some(expired) = queue.next(), if !queue.is_empty() => expired.into_inner(),
        };
        let Some(session) = due.session.upgrade() else {
            continue;
        };
        match session.look() {
            Look::Wait(wait) => {
                queue.insert(due, wait.min(LONGEST_WAIT));
            }
            // Dropping the entry tells the session.
            Look::Stop => {}
            Look::Renew => {
                // At most `concurrency` renewals, and as many tasks: a burst of due sessions
                // waits in the queue, looked at again shortly, not in tasks of its own.
                let Ok(permit) = Arc::clone(&renewing).try_acquire_owned() else {
                    queue.insert(due, BUSY_PAUSE);
                    continue;
                };
                let Some(back) = back.upgrade() else {
                    continue;
                };
                tokio::spawn(async move {
                    let mut due = due;
                    let _permit = permit;
                    let wait = match session.renew(due.failures).await {
                        Renewed::Done => {
                            due.failures = 0;
                            Duration::ZERO
                        }
                        Renewed::RetryIn(wait) => {
                            due.failures = due.failures.saturating_add(1);
                            // A vendor's `Retry-After` may say years: the timer queue holds
                            // at most about two, and an hour is long enough to look again.
                            wait.min(LONGEST_WAIT)
                        }
                        // The session refuses to log in again; dropping the entry tells it.
                        Renewed::GiveUp => return,
                    };
                    // When the scheduler's runtime is gone, the entry is dropped with the error,
                    // which tells the session; its next use starts another task.
                    let _ = back.send((due, wait));
                });
            }
        }
    }
}
