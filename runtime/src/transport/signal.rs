//! The shutdown signal of a server process.

use std::future::pending;

/// Completes on the first Ctrl-C (SIGINT) or, on Unix, SIGTERM: pass it to
/// [`Server::run_until`](super::Server::run_until). A signal whose handler cannot be
/// installed is logged and not waited for.
pub async fn shutdown_signal() {
    let interrupt = async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => tracing::info!("received Ctrl-C"),
            Err(error) => {
                tracing::error!(%error, "cannot listen for Ctrl-C");
                pending::<()>().await;
            }
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
                tracing::info!("received SIGTERM");
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
