//! The client and server of the X-Road management services (PR-MSERV 1.20), generated from
//! `wsdl/centralservice.wsdl` by `xroad-codegen` with `--emit client,server --types-from
//! ::xroad_mserv`, in the manner of `tonic-build`:
//! [`centralservice_client::CentralserviceClient`] sends each operation through the runtime's
//! `ManagementClient`; a central server implements [`centralservice_server::Centralservice`]
//! and serves it through [`centralservice_server::CentralserviceServer`], which the runtime's
//! HTTPS server dispatches to. The types, operations and header are those of `xroad-mserv`.
//!
//! # Serving and sending
//!
//! A central server implements [`centralservice_server::Centralservice`], one method per
//! operation, each given a request whose signatures, certificates and OCSP responses the
//! runtime has verified; a security server sends an operation with
//! [`centralservice_client::CentralserviceClient`], which signs it with the key of the member
//! it names and checks the answer. The certificates here come from the throw-away PKI of the
//! `test-pki` feature of `xroad-runtime`.
//!
//! ```
//! use std::net::{Ipv4Addr, SocketAddr};
//! use std::sync::Arc;
//! use std::sync::atomic::{AtomicI64, Ordering};
//!
//! use xroad_mserv::centralservice::ClientReg;
//! use xroad_mserv::xroad::{self, ClientRegRequestType};
//! use xroad_mserv_service::centralservice_client::CentralserviceClient;
//! use xroad_mserv_service::centralservice_server::{Centralservice, CentralserviceServer};
//! use xroad_runtime::cert::TrustStore;
//! use xroad_runtime::client::{CentralServer, ClientSettings, ManagementClient, MemberKey};
//! use xroad_runtime::fault::{Fault, FaultCode};
//! use xroad_runtime::ocsp::{OcspPolicy, OcspVerifier};
//! use xroad_runtime::operation::ManagementBody;
//! use xroad_runtime::service::{Answer, Incoming, ManageTrust, ServiceHandler};
//! use xroad_runtime::transport::{Endpoint, ListenerConfig, Server, ServerConfig};
//! use xroad_runtime::verify::{Verifier, VerifierConfig};
//! # use openssl::x509::X509Ref;
//! # use xroad_mserv::centralservice as ops;
//! # use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;
//! # use xroad_runtime::service::AuthCertRegistry;
//! # use xroad_runtime::signature::SoftwareSigner;
//! # use xroad_runtime::testpki::{CertRequest, OcspHttpListener, TestPki};
//! # use xroad_runtime::transport::TlsIdentity;
//!
//! /// A central server that accepts every client registration.
//! struct Registrations {
//!     next_id: AtomicI64,
//! }
//!
//! impl Centralservice for Registrations {
//!     async fn client_reg(&self, request: Incoming<ClientReg>) -> Result<Answer, Fault> {
//!         println!("{} asks to register {}", request.body().0.server, request.body().0.client);
//!         Ok(Answer::RequestId(self.next_id.fetch_add(1, Ordering::Relaxed)))
//!     }
//!     // … and one method for each of the ten other operations.
//! #   async fn client_deletion(&self, _: Incoming<ops::ClientDeletion>) -> Result<Answer, Fault> { Err(refused()) }
//! #   async fn client_disable(&self, _: Incoming<ops::ClientDisable>) -> Result<Answer, Fault> { Err(refused()) }
//! #   async fn client_enable(&self, _: Incoming<ops::ClientEnable>) -> Result<Answer, Fault> { Err(refused()) }
//! #   async fn client_rename(&self, _: Incoming<ops::ClientRename>) -> Result<Answer, Fault> { Err(refused()) }
//! #   async fn auth_cert_reg(&self, _: Incoming<ops::AuthCertReg>) -> Result<Answer, Fault> { Err(refused()) }
//! #   async fn auth_cert_deletion(&self, _: Incoming<ops::AuthCertDeletion>) -> Result<Answer, Fault> { Err(refused()) }
//! #   async fn owner_change(&self, _: Incoming<ops::OwnerChange>) -> Result<Answer, Fault> { Err(refused()) }
//! #   async fn address_change(&self, _: Incoming<ops::AddressChange>) -> Result<Answer, Fault> { Err(refused()) }
//! #   async fn maintenance_mode_enable(&self, _: Incoming<ops::MaintenanceModeEnable>) -> Result<Answer, Fault> { Err(refused()) }
//! #   async fn maintenance_mode_disable(&self, _: Incoming<ops::MaintenanceModeDisable>) -> Result<Answer, Fault> { Err(refused()) }
//! }
//! # fn refused() -> Fault {
//! #     Fault::new(FaultCode::InvalidRequest, "not served here")
//! # }
//! # /// The registered authentication certificates: the one of the example's security server.
//! # struct Registry(Vec<u8>);
//! # impl AuthCertRegistry for Registry {
//! #     async fn is_registered_auth_cert(
//! #         &self,
//! #         _: &XRoadSecurityServerIdentifierType,
//! #         certificate: &X509Ref,
//! #     ) -> Result<bool, Fault> {
//! #         Ok(certificate.to_der().is_ok_and(|der| der == self.0))
//! #     }
//! # }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! #   let ocsp = OcspHttpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
//! #   let pki = TestPki::builder().ocsp_url(ocsp.url()).build()?;
//! #   let ocsp = ocsp.serve(&pki)?;
//! #   let tls = pki.issue(&CertRequest::tls_server(&["localhost"], &[Ipv4Addr::LOCALHOST.into()]))?;
//! #   let auth = pki.issue(&CertRequest::authentication("EE", "GOV", "TS1OWNER", "TS1"))?;
//! #   let member = pki.issue(&CertRequest::signing("EE", "COM", "MACK"))?;
//! #   let tls_identity = || TlsIdentity::new(tls.cert().clone(), Vec::new(), tls.key().clone());
//! #   let trust = TrustStore::new([pki.ca().cert().clone()])?;
//! #   let registry = Registry(auth.cert_der()?);
//!     // The central server: the runtime's verifier and HTTPS server around the service.
//!     let verifier = Verifier::new(
//!         VerifierConfig::new("EE".parse()?, "SUBSYSTEM:EE/GOV/CENTRAL/management".parse()?),
//!         trust,
//!         OcspVerifier::new(OcspPolicy::default()),
//!     );
//!     let service = CentralserviceServer::new(Registrations { next_id: AtomicI64::new(1) });
//!     let handler =
//!         ServiceHandler::new(service, registry, verifier, ManageTrust::RegisteredAuthCert);
//!     let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
//!     let server = Server::bind(
//!         ServerConfig::new(
//!             ListenerConfig::registration(any, tls_identity()?),
//!             ListenerConfig::manage(any, tls_identity()?),
//!         ),
//!         handler,
//!     )
//!     .await?;
//!     let (registration, manage) =
//!         (server.local_addr(Endpoint::Registration), server.local_addr(Endpoint::Manage));
//!     let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//!     let running = tokio::spawn(server.run_until(async {
//!         let _ = stopped.await;
//!     }));
//!
//!     // A security server: its authentication certificate for TLS, and the signing key of
//!     // each member whose operations it sends.
//!     let mut settings = ClientSettings::new(
//!         "SERVER:EE/GOV/TS1OWNER/TS1".parse()?,
//!         "SUBSYSTEM:EE/GOV/CENTRAL/management".parse()?,
//!         CentralServer {
//!             registration_url: format!("https://{registration}/managementservice/"),
//!             manage_url: format!("https://{manage}/managementservice/manage/"),
//!             tls_certificate: tls.cert().clone(),
//!         },
//!         TlsIdentity::new(auth.cert().clone(), Vec::new(), auth.key().clone())?,
//!         vec![pki.ca().cert().clone()],
//!     );
//!     let signer = Arc::new(SoftwareSigner::from_pkey(member.key().clone())?);
//!     settings.signing_keys = vec![MemberKey::new(signer, member.cert().clone())?];
//!     let client = CentralserviceClient::new(ManagementClient::new(settings)?);
//!     let response = client
//!         .client_reg(xroad::ClientReg(ClientRegRequestType {
//!             server: "SERVER:EE/GOV/TS1OWNER/TS1".parse()?,
//!             client: "SUBSYSTEM:EE/COM/MACK/billing".parse()?,
//!             subsystem_name: Some("Billing".into()),
//!             request_id: None,
//!         }))
//!         .await?;
//!     assert_eq!(response.request_id(), Some(1));
//!
//!     let _ = stop.send(());
//!     running.await?;
//! #   ocsp.shutdown().await;
//!     Ok(())
//! }
//! ```

#[rustfmt::skip]
mod service;
pub use service::*;
