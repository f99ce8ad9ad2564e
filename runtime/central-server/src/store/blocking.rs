//! Where the blocking PostgreSQL client may run. It refuses to start on a thread that drives
//! async tasks; tokio's blocking pool is fine, as is any thread outside a runtime.

use std::cell::Cell;

thread_local! {
    /// Whether this thread is running work that [`on_blocking_pool`] handed over.
    static ON_BLOCKING_POOL: Cell<bool> = const { Cell::new(false) };
}

/// Runs `work` on tokio's blocking pool and awaits it; store calls inside run in place.
/// `None` if `work` panicked.
pub(super) async fn on_blocking_pool<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    tokio::task::spawn_blocking(move || {
        /// Clears the mark when the work ends, also by a panic: pool threads are reused.
        struct Mark;
        impl Drop for Mark {
            fn drop(&mut self) {
                ON_BLOCKING_POOL.set(false);
            }
        }
        ON_BLOCKING_POOL.set(true);
        let _mark = Mark;
        work()
    })
    .await
    .ok()
}

/// Runs `work`, which uses the blocking PostgreSQL client, where that client can run: here,
/// when this thread is outside any runtime or was handed the work by [`on_blocking_pool`];
/// otherwise (called from async code) on a thread of its own that this one waits for. This
/// keeps the store's promise that every method blocks, wherever it is called from.
pub(super) fn off_async<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() || ON_BLOCKING_POOL.get() {
        return work();
    }
    std::thread::scope(|scope| {
        scope
            .spawn(work)
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_a_runtime_work_runs_here() {
        let here = std::thread::current().id();
        assert_eq!(off_async(|| std::thread::current().id()), here);
    }

    #[tokio::test]
    async fn from_async_code_work_runs_on_a_thread_of_its_own() {
        let here = std::thread::current().id();
        assert_ne!(off_async(|| std::thread::current().id()), here);
    }

    #[tokio::test]
    async fn on_the_blocking_pool_work_runs_in_place_and_the_mark_is_cleared() {
        let (pool_thread, ran_on) = on_blocking_pool(|| {
            (
                std::thread::current().id(),
                off_async(|| std::thread::current().id()),
            )
        })
        .await
        .unwrap();
        assert_eq!(pool_thread, ran_on);
        let panicked = on_blocking_pool(|| -> () { panic!("work panics") }).await;
        assert!(panicked.is_none());
        // A plain spawn_blocking, maybe on the same pool thread, is not marked.
        let marked = tokio::task::spawn_blocking(|| ON_BLOCKING_POOL.get())
            .await
            .unwrap();
        assert!(!marked);
    }
}
