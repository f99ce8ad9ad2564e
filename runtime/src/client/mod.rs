//! The security server's side of the management services: [`ManagementClient::call`] sends
//! a request of any operation the bindings describe. The generated client of a service (the
//! `…Client` in the manner of tonic-build) wraps it with one method per operation.
//!
//! For each request the client builds the SOAP message with the security server's owner as
//! sender, makes the signatures the operation's description lists — with the signing key of
//! the member the request names (the client's owner, the new owner, the security server's
//! owner) or with the authentication key — through the [`Signer`](crate::signature::Signer)
//! trait, attaches each signing certificate and an OCSP response fetched from the responder
//! the certificate names (reused while fresh), and posts it to the endpoint the description
//! names: the registration endpoint without a TLS client certificate, the manage endpoint
//! with the authentication certificate.
//!
//! The central server must present the pinned TLS certificate. Its answer must be an HTTP
//! 200 `text/xml` response that echoes the request, carries the SHA-512 hash of the SOAP
//! bytes sent where the operation's responses carry it, and a positive `requestId`; then
//! the response body is returned. An HTTP 500 SOAP fault is [`ManagementError::Fault`]
//! with an X-Road fault code, [`ManagementError::OtherFault`] with any other `faultcode`
//! (a SOAP 1.1 fault from a proxy, or `SOAP-ENV:Server`); anything else is a [`ManagementError`] that says what was wrong.
//!
//! Signing runs on tokio's blocking thread pool, so a slow signer (an HSM, large RSA keys)
//! does not stall the runtime. Requests can also be prepared once
//! ([`ManagementClient::prepare`]) and sent later, on a new connection
//! ([`ManagementClient::send`]) or on a keep-alive [`ManagementConnection`].

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

use std::sync::Arc;

use bytes::Bytes;
use openssl::x509::X509;
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadSecurityServerIdentifierType,
};

use crate::cert::distinguished_name;
use crate::compose::{ComposedRequest, SignatureInput, compose};
use crate::envelope::Request;
use crate::ocsp::OcspClient;
use crate::operation::{ManagementBody, ManagementOperation, Signer as SignedBy};
use crate::signature::SignatureAlgorithm;
use crate::transport::{ClientConfig, Endpoint, HttpsClient, ServerTrust};

use keys::CertifiedKey;

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
    signing_keys: Arc<[MemberKey]>,
    auth_key: Option<AuthKey>,
    ocsp: OcspClient,
}

/// A key for one signature of a request, and what goes with it.
struct SigningStep {
    key: CertifiedKey,
    algorithm: SignatureAlgorithm,
    /// The OCSP response for a member's signing certificate.
    ocsp_response: Option<Bytes>,
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
            signing_keys,
            auth_key,
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
            signing_keys: signing_keys.into(),
            auth_key,
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

    /// Sends a request of operation `O` with `body`: builds, signs and frames it
    /// ([`ManagementClient::prepare`]), posts it on a new connection to the operation's
    /// endpoint, and returns the response body after checking that it answers the request.
    pub async fn call<O: ManagementOperation>(
        &self,
        body: O::Request,
    ) -> Result<O::Response, ManagementError> {
        let composed = self.prepare::<O>(body).await?;
        self.send(&composed).await
    }

    /// The request of operation `O` with `body` from the security server's owner to the
    /// management service provider, with a fresh id, signed as the operation's description
    /// says and framed, not sent.
    pub async fn prepare<O: ManagementOperation>(
        &self,
        body: O::Request,
    ) -> Result<ComposedRequest<O>, ManagementError> {
        let request =
            Request::<O>::new(self.owner.clone(), &self.provider, body).map_err(|source| {
                ManagementError::Build {
                    operation: O::NAME,
                    source: Box::new(source),
                }
            })?;
        let mut steps = Vec::new();
        for (_, signed_by, _, ocsp) in O::DESCRIPTION.signatures() {
            let step = match signed_by {
                SignedBy::AuthenticationKey => SigningStep {
                    key: self
                        .auth_key
                        .as_ref()
                        .ok_or(ManagementError::NoAuthKey { operation: O::NAME })?
                        .0
                        .clone(),
                    algorithm: self.auth_key_algorithm,
                    ocsp_response: None,
                },
                member_role => {
                    let member = self.signing_member::<O>(member_role, &request.body)?;
                    let key = self.signing_key::<O>(member)?;
                    let ocsp_response = match ocsp {
                        Some(_) => Some(self.ocsp_response(&key.key).await?),
                        None => None,
                    };
                    SigningStep {
                        key: key.key.clone(),
                        algorithm: self.signature_algorithm,
                        ocsp_response,
                    }
                }
            };
            steps.push(step);
        }
        let signing = tokio::task::spawn_blocking(move || {
            let inputs: Vec<SignatureInput<'_>> = steps
                .iter()
                .map(|step| SignatureInput {
                    signer: &*step.key.signer,
                    algorithm: step.algorithm,
                    certificate: &step.key.cert_der,
                    ocsp_response: step.ocsp_response.as_deref(),
                })
                .collect();
            compose(request, &inputs)
        });
        signing
            .await
            .map_err(|source| ManagementError::SigningTask {
                operation: O::NAME,
                source,
            })?
            .map_err(|source| ManagementError::Compose {
                operation: O::NAME,
                source: Box::new(source),
            })
    }

    /// Sends a prepared request on a new connection to its operation's endpoint and returns
    /// the response body.
    pub async fn send<O: ManagementOperation>(
        &self,
        composed: &ComposedRequest<O>,
    ) -> Result<O::Response, ManagementError> {
        self.connect(O::DESCRIPTION.endpoint)
            .await?
            .send(composed)
            .await
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

    /// The member whose signature `signed_by` names in a request with `body`.
    fn signing_member<'b, O: ManagementOperation>(
        &'b self,
        signed_by: SignedBy,
        body: &'b O::Request,
    ) -> Result<&'b XRoadClientIdentifierType, ManagementError> {
        let client = || {
            body.client()
                .ok_or(ManagementError::NoClient { operation: O::NAME })
        };
        match signed_by {
            SignedBy::ClientOwner => client(),
            SignedBy::NewOwner => {
                let new_owner = client()?;
                if new_owner.object_type != XRoadObjectType::Member {
                    return Err(ManagementError::NotAMember {
                        operation: O::NAME,
                        field: "new owner",
                        found: new_owner.to_string(),
                    });
                }
                Ok(new_owner)
            }
            SignedBy::ServerOwner | SignedBy::AuthenticationKey => Ok(&self.owner),
        }
    }

    /// The signing key of the member `member` names.
    fn signing_key<O: ManagementOperation>(
        &self,
        member: &XRoadClientIdentifierType,
    ) -> Result<&MemberKey, ManagementError> {
        self.signing_keys
            .iter()
            .find(|key| key.member().matches(member))
            .ok_or_else(|| ManagementError::NoSigningKey {
                operation: O::NAME,
                member: format!(
                    "{}/{}/{}",
                    member.x_road_instance, member.member_class, member.member_code
                ),
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
