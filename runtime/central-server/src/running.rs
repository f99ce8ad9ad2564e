//! The central server running on a tokio task of this process, as tests and the demo run it.

use std::net::SocketAddr;
use std::path::Path;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use xroad_mserv_service::centralservice_server::CentralserviceServer;
use xroad_runtime::service::ServiceHandler;
use xroad_runtime::transport::{Endpoint, Server};
use xroad_runtime::verify::Verifier;

use crate::config::LoadedConfig;
use crate::service::CentralService;
use crate::store::Store;

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// A central server running in this process.
pub struct RunningCentral {
    /// Address of the registration endpoint.
    pub registration: SocketAddr,
    /// Address of the manage endpoint.
    pub manage: SocketAddr,
    /// Address of the admin listener.
    pub admin: Option<SocketAddr>,
    /// Its store.
    pub store: Store,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl RunningCentral {
    /// Starts the central server of `config` (a `central.toml`) on a tokio task.
    pub async fn start(config: &Path) -> Result<Self, Failure> {
        let loaded = LoadedConfig::load(config)?;
        let verifier_config = loaded.verifier_config()?;
        let provider = verifier_config.management_service_provider.clone();
        let verifier = Verifier::new(
            verifier_config,
            loaded.trust_store()?,
            loaded.ocsp_verifier()?,
        );
        let database = loaded.database()?;
        let settings = loaded.config.store;
        // Opening PostgreSQL connects and migrates with a blocking client.
        let store = tokio::task::spawn_blocking(move || database.open(provider, settings))
            .await
            .map_err(|e| format!("opening the store stopped: {e}"))??;
        let service = CentralService::new(store.clone(), loaded.config.auto_approve);
        let handler = ServiceHandler::new(
            CentralserviceServer::new(service.clone()),
            service,
            verifier,
            loaded.manage_trust(),
        );
        let server = Server::bind(loaded.server_config()?, handler).await?;
        let registration = server.local_addr(Endpoint::Registration);
        let manage = server.local_addr(Endpoint::Manage);
        let admin = server.admin_addr();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            server
                .run_until(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Self {
            registration,
            manage,
            admin,
            store,
            stop,
            task,
        })
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the server to end.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}
