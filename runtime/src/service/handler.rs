//! The transport handler around a [`ManagementService`].

use std::time::SystemTime;

use bytes::Bytes;
use xroad_mserv::centralservice::OperationName;

use super::incoming::{Incoming, OwnedParts};
use super::{Answer, ManagementService};
use crate::envelope::{RequestBody, build_fault, build_response};
use crate::fault::{Fault, FaultCode};
use crate::multipart::SOAP_CONTENT_TYPE;
use crate::transport::{Endpoint, Handler, HandlerResponse, IncomingRequest, Outcome};
use crate::verify::{VerifiedRequest, Verifier};

/// Transport trust of the manage endpoint (clientReg, clientDeletion, authCertDeletion,
/// ownerChange; UC MESS_05–07).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ManageTrust {
    /// The TLS client certificate must be a registered, approved authentication
    /// certificate of the security server the request names (the default).
    #[default]
    RegisteredAuthCert,
    /// No transport check: for deployments behind a management service provider's
    /// security server, which authenticates the sending security server itself.
    Off,
}

/// Serves the management services: verifies each request, checks it came to the right
/// endpoint (authCertReg to the registration endpoint, the others to the manage endpoint)
/// and, on the manage endpoint, the TLS client certificate; calls the service; answers with
/// the response or a SOAP fault (HTTP 500).
pub struct ServiceHandler<S> {
    service: S,
    verifier: Verifier,
    trust: ManageTrust,
}

impl<S: ManagementService> ServiceHandler<S> {
    /// A handler calling `service` for requests that pass `verifier`.
    pub fn new(service: S, verifier: Verifier, trust: ManageTrust) -> Self {
        if trust == ManageTrust::Off {
            tracing::warn!(
                "manage endpoint transport trust is off: requests are accepted without a \
                 registered authentication certificate as TLS client certificate"
            );
        }
        Self {
            service,
            verifier,
            trust,
        }
    }

    /// The service.
    pub fn service(&self) -> &S {
        &self.service
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    async fn serve(
        &self,
        request: &IncomingRequest,
        outcome: &mut Outcome,
    ) -> Result<Bytes, Fault> {
        let received_at = SystemTime::now();
        let verified =
            self.verifier
                .verify(request.content_type.as_deref(), &request.body, received_at)?;
        let operation = verified.operation();
        outcome.service = Some(operation.as_str().to_owned());
        outcome.message_id = Some(verified.request.header.id.clone());
        outcome.sender = Some(verified.request.header.client.to_string());
        check_endpoint(request.endpoint, operation)?;
        if request.endpoint == Endpoint::Manage && self.trust == ManageTrust::RegisteredAuthCert {
            self.check_client_certificate(request, &verified).await?;
        }
        let parts = OwnedParts::from_parts(&request.body, &verified.parts);
        let VerifiedRequest {
            request: parsed,
            signer,
            ..
        } = verified;
        let incoming = IncomingParts {
            header: &parsed.header,
            parts: &parts,
            signer: &signer,
            peer: request.peer,
            client_certificate: request.client_certificate.as_ref(),
            received_at,
            request: &parsed,
        };
        let answer = match &parsed.body {
            RequestBody::ClientReg(b) => self.service.client_reg(incoming.with(b.0.clone())).await,
            RequestBody::ClientDeletion(b) => {
                self.service
                    .client_deletion(incoming.with(b.0.clone()))
                    .await
            }
            RequestBody::AuthCertReg(b) => {
                self.service.auth_cert_reg(incoming.with(b.0.clone())).await
            }
            RequestBody::AuthCertDeletion(b) => {
                self.service
                    .auth_cert_deletion(incoming.with(b.0.clone()))
                    .await
            }
            RequestBody::OwnerChange(b) => {
                self.service.owner_change(incoming.with(b.0.clone())).await
            }
        }?;
        match answer {
            Answer::Stored { response, .. } => Ok(response),
            Answer::RequestId(id) => build_response(&parsed, &parts.soap, id)
                .map(Bytes::from)
                .map_err(|e| {
                    Fault::new(
                        FaultCode::InternalError,
                        format!("cannot build the response: {e}"),
                    )
                }),
        }
    }

    async fn check_client_certificate(
        &self,
        request: &IncomingRequest,
        verified: &VerifiedRequest<'_>,
    ) -> Result<(), Fault> {
        let server = verified.server();
        let Some(certificate) = &request.client_certificate else {
            return Err(Fault::new(
                FaultCode::IncorrectCertificate,
                format!(
                    "the manage endpoint needs the authentication certificate of {server} as \
                     TLS client certificate; none was presented"
                ),
            ));
        };
        if self
            .service
            .is_registered_auth_cert(server, certificate)
            .await?
        {
            Ok(())
        } else {
            Err(Fault::new(
                FaultCode::IncorrectCertificate,
                format!(
                    "the TLS client certificate is not a registered authentication certificate \
                     of {server}"
                ),
            ))
        }
    }
}

impl<S: ManagementService> Handler for ServiceHandler<S> {
    async fn handle(&self, request: IncomingRequest) -> HandlerResponse {
        let mut outcome = Outcome::default();
        match self.serve(&request, &mut outcome).await {
            Ok(response) => HandlerResponse::ok(SOAP_CONTENT_TYPE, response, outcome),
            Err(fault) => {
                outcome.fault_code = Some(fault.code);
                HandlerResponse::fault(SOAP_CONTENT_TYPE, fault_body(&fault), outcome)
            }
        }
    }
}

/// What every [`Incoming`] of one request shares, borrowed until the typed body is known.
struct IncomingParts<'a> {
    header: &'a xroad_mserv::centralservice::Header,
    parts: &'a OwnedParts,
    signer: &'a Option<crate::cert::MemberId>,
    peer: std::net::SocketAddr,
    client_certificate: Option<&'a openssl::x509::X509>,
    received_at: SystemTime,
    request: &'a crate::envelope::Request,
}

impl IncomingParts<'_> {
    /// The [`Incoming`] with `body`.
    fn with<B>(&self, body: B) -> Incoming<B> {
        Incoming {
            body,
            header: self.header.clone(),
            parts: self.parts.clone(),
            signer: self.signer.clone(),
            peer: self.peer,
            client_certificate: self.client_certificate.cloned(),
            received_at: self.received_at,
            request: self.request.clone(),
        }
    }
}

/// authCertReg belongs to the registration endpoint, everything else to the manage one.
fn check_endpoint(endpoint: Endpoint, operation: OperationName) -> Result<(), Fault> {
    let expected = match operation {
        OperationName::AuthCertReg => Endpoint::Registration,
        _ => Endpoint::Manage,
    };
    if endpoint == expected {
        return Ok(());
    }
    Err(Fault::new(
        FaultCode::InvalidRequest,
        format!(
            "{} requests are served at {}, not at {}",
            operation.as_str(),
            expected.default_path(),
            endpoint.default_path()
        ),
    ))
}

/// The SOAP fault for `fault`; if it cannot be written (it always can: the reason is
/// escaped text), a fault without the reason.
fn fault_body(fault: &Fault) -> Bytes {
    match build_fault(fault) {
        Ok(body) => Bytes::from(body),
        Err(error) => {
            tracing::error!(%error, "cannot write a SOAP fault");
            let bare = Fault::new(fault.code, "");
            Bytes::from(build_fault(&bare).unwrap_or_default())
        }
    }
}
