//! The security server's side of the management services: one method per service.
//!
//! A [`ManagementClient`] builds each request with the security server's owner as sender,
//! signs it through the [`Signer`](crate::signature::Signer) trait, attaches the signing
//! certificate and an OCSP response fetched from the responder the certificate names
//! (reused while fresh), and posts it:
//!
//! | service | endpoint | TLS client certificate | signatures |
//! |---|---|---|---|
//! | authCertReg | registration | none | authentication key, owner |
//! | clientReg | manage | authentication certificate | client's member |
//! | ownerChange | manage | authentication certificate | new owner |
//! | clientDeletion, authCertDeletion | manage | authentication certificate | none |
//!
//! The central server must present the pinned TLS certificate. Its answer must be an HTTP
//! 200 `text/xml` response that echoes the request and carries the SHA-512 hash of the
//! SOAP bytes sent (every service but authCertReg); then the method returns the
//! `requestId`. An HTTP 500 SOAP fault is [`ManagementError::Fault`]; anything else is a
//! [`ManagementError`] that says what was wrong.
//!
//! Signing runs on tokio's blocking thread pool, so a slow signer (an HSM, large RSA keys)
//! does not stall the runtime. Requests can also be prepared once (`prepare_*`) and sent
//! later, on a new connection ([`ManagementClient::send`]) or on a keep-alive
//! [`ManagementConnection`].

mod connection;
mod error;
mod issuer;
mod keys;
mod reply;
mod settings;

pub use connection::ManagementConnection;
pub use error::{KeyPairError, ManagementError, SetupError};
pub use keys::{AuthKey, MemberKey};
pub use settings::{CentralServer, ClientSettings};

use bytes::Bytes;
use openssl::x509::X509;
use xroad_mserv::centralservice::OperationName;
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadSecurityServerIdentifierType,
};
use xroad_mserv::xroad::{
    AuthCertDeletion, AuthCertDeletionRequestType, AuthCertReg, AuthCertRegRequestType,
    ClientDeletion, ClientReg, ClientRegRequestType, ClientRequestType, OwnerChange,
};

use crate::cert::distinguished_name;
use crate::compose::{AuthKeyProof, ComposedRequest, MemberSignature, compose};
use crate::envelope::{Request, RequestBody};
use crate::ocsp::OcspClient;
use crate::signature::SignatureAlgorithm;
use crate::transport::{ClientConfig, Endpoint, HttpsClient, ServerTrust};

use keys::CertifiedKey;

/// The endpoint a service is served at: authCertReg at the registration endpoint, the
/// others at the manage endpoint.
pub fn endpoint_for(operation: OperationName) -> Endpoint {
    match operation {
        OperationName::AuthCertReg => Endpoint::Registration,
        _ => Endpoint::Manage,
    }
}

/// An HTTPS client for one endpoint and its URL.
#[derive(Debug, Clone)]
struct EndpointClient {
    https: HttpsClient,
    url: String,
}

/// Calls the management services of a central server for one security server. Cheap to
/// clone; clones share the TLS contexts and the OCSP cache.
#[derive(Debug, Clone)]
pub struct ManagementClient {
    server: XRoadSecurityServerIdentifierType,
    owner: XRoadClientIdentifierType,
    provider: XRoadClientIdentifierType,
    registration: EndpointClient,
    manage: EndpointClient,
    trusted_cas: Vec<X509>,
    signature_algorithm: SignatureAlgorithm,
    auth_key_algorithm: SignatureAlgorithm,
    ocsp: OcspClient,
}

impl ManagementClient {
    /// A client with `settings`: checks them and builds the TLS contexts of both
    /// endpoints (the manage one with the authentication certificate as client
    /// certificate).
    pub fn new(settings: ClientSettings) -> Result<Self, SetupError> {
        settings.validate()?;
        let ClientSettings {
            server,
            management_service_provider,
            central_server,
            tls_identity,
            trusted_cas,
            signature_algorithm,
            auth_key_algorithm,
            connect_timeout,
            response_timeout,
            max_response_bytes,
            ocsp,
        } = settings;
        let config = |identity| ClientConfig {
            trust: ServerTrust::Pinned(central_server.tls_certificate.clone()),
            identity,
            connect_timeout,
            response_timeout,
            max_response_bytes,
        };
        let https = |endpoint, identity| {
            HttpsClient::new(config(identity))
                .map_err(|source| SetupError::Tls { endpoint, source })
        };
        let registration = EndpointClient {
            https: https(Endpoint::Registration, None)?,
            url: central_server.registration_url,
        };
        let manage = EndpointClient {
            https: https(Endpoint::Manage, Some(tls_identity))?,
            url: central_server.manage_url,
        };
        let owner = XRoadClientIdentifierType {
            object_type: XRoadObjectType::Member,
            x_road_instance: server.x_road_instance.clone(),
            member_class: server.member_class.clone(),
            member_code: server.member_code.clone(),
            subsystem_code: None,
        };
        Ok(Self {
            server,
            owner,
            provider: management_service_provider,
            registration,
            manage,
            trusted_cas,
            signature_algorithm,
            auth_key_algorithm,
            ocsp,
        })
    }

    /// The security server the requests are about.
    pub fn server(&self) -> &XRoadSecurityServerIdentifierType {
        &self.server
    }

    /// The security server's owner: the sender of every request.
    pub fn owner(&self) -> &XRoadClientIdentifierType {
        &self.owner
    }

    /// Registers `auth`'s certificate for the security server at `address` (its host name
    /// or IP address), signed with the authentication key and by the owner (`owner`).
    /// Sent to the registration endpoint without a TLS client certificate.
    pub async fn auth_cert_reg(
        &self,
        address: &str,
        auth: &AuthKey,
        owner: &MemberKey,
    ) -> Result<i64, ManagementError> {
        let composed = self.prepare_auth_cert_reg(address, auth, owner).await?;
        self.send(&composed).await
    }

    /// Registers `client` (a subsystem, or a member) as a client of the security server,
    /// signed by the client's member (`client_owner`).
    pub async fn client_reg(
        &self,
        client: &XRoadClientIdentifierType,
        client_owner: &MemberKey,
    ) -> Result<i64, ManagementError> {
        let composed = self.prepare_client_reg(client, client_owner).await?;
        self.send(&composed).await
    }

    /// Changes the owner of the security server to the member `new_owner`, signed by it
    /// (`new_owner_key`).
    pub async fn owner_change(
        &self,
        new_owner: &XRoadClientIdentifierType,
        new_owner_key: &MemberKey,
    ) -> Result<i64, ManagementError> {
        let composed = self.prepare_owner_change(new_owner, new_owner_key).await?;
        self.send(&composed).await
    }

    /// Removes `client` from the clients of the security server.
    pub async fn client_deletion(
        &self,
        client: &XRoadClientIdentifierType,
    ) -> Result<i64, ManagementError> {
        let composed = self.prepare_client_deletion(client)?;
        self.send(&composed).await
    }

    /// Removes the authentication certificate `auth_cert_der` (DER) from the security
    /// server.
    pub async fn auth_cert_deletion(&self, auth_cert_der: &[u8]) -> Result<i64, ManagementError> {
        let composed = self.prepare_auth_cert_deletion(auth_cert_der)?;
        self.send(&composed).await
    }

    /// The authCertReg request of [`auth_cert_reg`](Self::auth_cert_reg), signed and
    /// framed, not sent.
    pub async fn prepare_auth_cert_reg(
        &self,
        address: &str,
        auth: &AuthKey,
        owner: &MemberKey,
    ) -> Result<ComposedRequest, ManagementError> {
        let body = AuthCertReg(AuthCertRegRequestType {
            server: self.server.clone(),
            address: Some(address.to_owned()),
            auth_cert: auth.0.cert_der.to_vec(),
            request_id: None,
        });
        let request = self.request(body)?;
        self.sign(request, &owner.0, Some(&auth.0)).await
    }

    /// The clientReg request of [`client_reg`](Self::client_reg), signed and framed, not
    /// sent.
    pub async fn prepare_client_reg(
        &self,
        client: &XRoadClientIdentifierType,
        client_owner: &MemberKey,
    ) -> Result<ComposedRequest, ManagementError> {
        let request = self.request(ClientReg(ClientRegRequestType {
            server: self.server.clone(),
            client: client.clone(),
            subsystem_name: None,
            request_id: None,
        }))?;
        self.sign(request, &client_owner.0, None).await
    }

    /// The ownerChange request of [`owner_change`](Self::owner_change), signed and framed,
    /// not sent.
    pub async fn prepare_owner_change(
        &self,
        new_owner: &XRoadClientIdentifierType,
        new_owner_key: &MemberKey,
    ) -> Result<ComposedRequest, ManagementError> {
        if new_owner.object_type != XRoadObjectType::Member {
            return Err(ManagementError::NotAMember {
                operation: OperationName::OwnerChange.as_str(),
                field: "new owner",
                found: new_owner.to_string(),
            });
        }
        let request = self.request(OwnerChange(self.client_request(new_owner)))?;
        self.sign(request, &new_owner_key.0, None).await
    }

    /// The clientDeletion request of [`client_deletion`](Self::client_deletion), not sent.
    pub fn prepare_client_deletion(
        &self,
        client: &XRoadClientIdentifierType,
    ) -> Result<ComposedRequest, ManagementError> {
        let request = self.request(ClientDeletion(self.client_request(client)))?;
        compose_unsigned(request)
    }

    /// The authCertDeletion request of [`auth_cert_deletion`](Self::auth_cert_deletion),
    /// not sent.
    pub fn prepare_auth_cert_deletion(
        &self,
        auth_cert_der: &[u8],
    ) -> Result<ComposedRequest, ManagementError> {
        let request = self.request(AuthCertDeletion(AuthCertDeletionRequestType {
            server: self.server.clone(),
            auth_cert: auth_cert_der.to_vec(),
            request_id: None,
        }))?;
        compose_unsigned(request)
    }

    /// Sends a prepared request on a new connection to its service's endpoint and returns
    /// the request id from the response.
    pub async fn send(&self, composed: &ComposedRequest) -> Result<i64, ManagementError> {
        let endpoint = endpoint_for(composed.request.request.operation());
        self.connect(endpoint).await?.send(composed).await
    }

    /// Opens a keep-alive connection to `endpoint`, presenting the authentication
    /// certificate on the manage endpoint.
    pub async fn connect(
        &self,
        endpoint: Endpoint,
    ) -> Result<ManagementConnection, ManagementError> {
        let client = match endpoint {
            Endpoint::Registration => &self.registration,
            Endpoint::Manage => &self.manage,
        };
        let connection = client
            .https
            .connect(&client.url)
            .await
            .map_err(|source| ManagementError::Transport { endpoint, source })?;
        Ok(ManagementConnection {
            endpoint,
            connection,
        })
    }

    /// The body fields of clientReg, clientDeletion and ownerChange.
    fn client_request(&self, client: &XRoadClientIdentifierType) -> ClientRequestType {
        ClientRequestType {
            server: self.server.clone(),
            client: client.clone(),
            request_id: None,
        }
    }

    /// A request from the owner to the management service provider, with a fresh id.
    fn request(&self, body: impl Into<RequestBody>) -> Result<Request, ManagementError> {
        let body = body.into();
        let operation = body.operation().as_str();
        Request::new(self.owner.clone(), &self.provider, body).map_err(|source| {
            ManagementError::Build {
                operation,
                source: Box::new(source),
            }
        })
    }

    /// Fetches (or reuses) the OCSP response for `member`'s certificate, then signs and
    /// frames `request` on the blocking thread pool; `auth` adds the proof of possession of
    /// the authentication key.
    async fn sign(
        &self,
        request: Request,
        member: &CertifiedKey,
        auth: Option<&CertifiedKey>,
    ) -> Result<ComposedRequest, ManagementError> {
        let operation = request.operation().as_str();
        let ocsp_response = self.ocsp_response(member).await?;
        let member = member.clone();
        let auth = auth.cloned();
        let algorithm = self.signature_algorithm;
        let auth_algorithm = self.auth_key_algorithm;
        let signing = tokio::task::spawn_blocking(move || {
            let signature = MemberSignature {
                signer: &*member.signer,
                algorithm,
                certificate: &member.cert_der,
                ocsp_response: &ocsp_response,
            };
            let proof = auth.as_ref().map(|auth| AuthKeyProof {
                signer: &*auth.signer,
                algorithm: auth_algorithm,
            });
            compose(request, Some(signature), proof)
        });
        signing
            .await
            .map_err(|source| ManagementError::SigningTask { operation, source })?
            .map_err(|source| ManagementError::Compose {
                operation,
                source: Box::new(source),
            })
    }

    /// The OCSP response for `member`'s certificate from the responder it names, asked
    /// about with the configured CA certificate that issued it.
    async fn ocsp_response(&self, member: &CertifiedKey) -> Result<Bytes, ManagementError> {
        let subject = || distinguished_name(member.cert.subject_name());
        let issuer = issuer::issuer_of(&member.cert, &self.trusted_cas)
            .ok_or_else(|| ManagementError::NoIssuer { subject: subject() })?;
        self.ocsp
            .response_for(&member.cert, issuer)
            .await
            .map_err(|source| ManagementError::Ocsp {
                subject: subject(),
                source,
            })
    }
}

/// Frames a request that carries no signature (the deletions).
fn compose_unsigned(request: Request) -> Result<ComposedRequest, ManagementError> {
    let operation = request.operation().as_str();
    compose(request, None, None).map_err(|source| ManagementError::Compose {
        operation,
        source: Box::new(source),
    })
}
