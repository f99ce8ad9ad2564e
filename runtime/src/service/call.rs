//! [`Call`]: a request whose operation the generated server is about to pick.

use std::future::Future;
use std::pin::Pin;
use std::time::SystemTime;

use bytes::Bytes;
use openssl::x509::X509Ref;
use xroad_mserv::identifiers::XRoadSecurityServerIdentifierType;

use super::{Answer, Answered, AuthCertRegistry, Incoming, ManageTrust};
use crate::envelope::Response;
use crate::fault::{Fault, FaultCode};
use crate::operation::ManagementOperation;
use crate::transport::{Endpoint, IncomingRequest};
use crate::verify::{ClientCertVerifier, OpenedRequest, Verifier};

/// A received request whose content type, framing and SOAP header have been checked; its
/// service code picks the operation. The generated server's
/// [`Dispatch::dispatch`](super::Dispatch::dispatch) matches on [`Call::service_code`] and
/// calls [`Call::serve`] with the operation and the method of the service trait.
pub struct Call<'a> {
    pub(super) opened: OpenedRequest<'a>,
    pub(super) incoming: &'a IncomingRequest,
    pub(super) received_at: SystemTime,
    pub(super) verifier: &'a Verifier,
    pub(super) trust: ManageTrust,
    pub(super) registry: &'a dyn RegistryCheck,
    pub(super) client_certs: &'a ClientCertVerifier,
}

impl<'a> Call<'a> {
    /// The service code of the request.
    pub fn service_code(&self) -> &str {
        self.opened.service_code()
    }

    /// The fault for a service code that names no operation of the service.
    pub fn unknown(self) -> Fault {
        self.opened.unknown_service()
    }

    /// Serves the request as operation `O`: reads its body and parts, checks addressing, the
    /// TLS client certificate on the manage endpoint (a registered authentication certificate
    /// of the security server the body names — the cheap check first —, then its chain to an
    /// approved CA, validity, key usage and OCSP status), then the signatures, certificates
    /// and OCSP responses of the request; calls `handler` with the verified request, and
    /// builds the response for the request id it answers with.
    pub async fn serve<O, F, Fut>(self, handler: F) -> Result<Answered, Fault>
    where
        O: ManagementOperation,
        F: FnOnce(Incoming<O>) -> Fut,
        Fut: Future<Output = Result<Answer, Fault>>,
    {
        let parsed = self.verifier.read::<O>(self.opened)?;
        if self.incoming.endpoint == Endpoint::Manage
            && self.trust == ManageTrust::RegisteredAuthCert
        {
            let certificate =
                check_client_certificate(self.registry, self.incoming, parsed.server()).await?;
            self.client_certs
                .check(self.verifier, certificate, self.received_at)
                .await?;
        }
        let verified = self.verifier.authenticate(parsed, self.received_at)?;
        let request_hash =
            O::DESCRIPTION.request_hash && self.trust == ManageTrust::RegisteredAuthCert;
        let request = verified.request.clone();
        let soap = verified.parts.soap.clone();
        let incoming = Incoming {
            request: verified.request,
            parts: verified.parts,
            signer: verified.signer,
            peer: self.incoming.peer,
            client_certificate: self.incoming.client_certificate.clone(),
            received_at: self.received_at,
            request_hash,
        };
        match handler(incoming).await? {
            Answer::Stored {
                request_id,
                response,
            } => Ok(Answered {
                request_id,
                response,
            }),
            Answer::RequestId(request_id) => {
                let response = Response::answer(&request, &soap, request_id, request_hash)
                    .and_then(|response| response.to_soap())
                    .map_err(|e| {
                        Fault::new(
                            FaultCode::InternalError,
                            format!("cannot build the response: {e}"),
                        )
                    })?;
                Ok(Answered {
                    request_id,
                    response: Bytes::from(response),
                })
            }
        }
    }
}

/// The cheap half of the manage endpoint's transport trust: the TLS client certificate must
/// be a registered authentication certificate of `server`. Returns the certificate.
async fn check_client_certificate<'i>(
    registry: &dyn RegistryCheck,
    incoming: &'i IncomingRequest,
    server: &XRoadSecurityServerIdentifierType,
) -> Result<&'i X509Ref, Fault> {
    let Some(certificate) = &incoming.client_certificate else {
        return Err(Fault::new(
            FaultCode::IncorrectCertificate,
            format!(
                "the manage endpoint needs the authentication certificate of {server} as TLS \
                 client certificate; none was presented"
            ),
        ));
    };
    if registry.is_registered(server, certificate).await? {
        Ok(certificate)
    } else {
        Err(Fault::new(
            FaultCode::IncorrectCertificate,
            format!(
                "the TLS client certificate is not a registered authentication certificate of \
                 {server}"
            ),
        ))
    }
}

/// A future of a registry check, boxed so that [`Call`] needs no type parameter.
type RegistryFuture<'b> = Pin<Box<dyn Future<Output = Result<bool, Fault>> + Send + 'b>>;

/// [`AuthCertRegistry`] as an object, for [`Call`].
pub(super) trait RegistryCheck: Send + Sync {
    fn is_registered<'b>(
        &'b self,
        server: &'b XRoadSecurityServerIdentifierType,
        certificate: &'b X509Ref,
    ) -> RegistryFuture<'b>;
}

impl<R: AuthCertRegistry> RegistryCheck for R {
    fn is_registered<'b>(
        &'b self,
        server: &'b XRoadSecurityServerIdentifierType,
        certificate: &'b X509Ref,
    ) -> RegistryFuture<'b> {
        Box::pin(self.is_registered_auth_cert(server, certificate))
    }
}
