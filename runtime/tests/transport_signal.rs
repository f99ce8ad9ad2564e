//! `shutdown_signal` completes on SIGTERM. In its own test binary: once tokio handles
//! SIGTERM, the process no longer dies of it.

use std::time::Duration;

use xroad_runtime::transport::shutdown_signal;

#[cfg(unix)]
#[tokio::test]
async fn shutdown_signal_completes_on_sigterm() {
    let mut signal = Box::pin(shutdown_signal());
    // Polling it installs the handlers; it must not complete on its own.
    assert!(
        tokio::time::timeout(Duration::from_millis(100), &mut signal)
            .await
            .is_err(),
        "completed without a signal"
    );
    // SAFETY: `kill` with this process's id and a valid signal number has no memory effects.
    let sent = unsafe { libc::kill(libc::getpid(), libc::SIGTERM) };
    assert_eq!(sent, 0, "kill failed");
    tokio::time::timeout(Duration::from_secs(5), signal)
        .await
        .expect("shutdown_signal completes after SIGTERM");
}
