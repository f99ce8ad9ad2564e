//! The transport handler around a generated server.

use std::time::SystemTime;

use bytes::Bytes;

use super::call::Call;
use super::{AuthCertRegistry, Dispatch, ManageTrust};
use crate::envelope::build_fault;
use crate::fault::{Fault, FaultCode};
use crate::multipart::SOAP_CONTENT_TYPE;
use crate::ocsp::{OcspClient, OcspClientConfig};
use crate::operation::OperationDescription;
use crate::transport::{
    Endpoint, Handler, HandlerResponse, IncomingRequest, Outcome, UNKNOWN_SERVICE,
};
use crate::verify::{ClientCertVerifier, Verifier};

/// Serves a generated server (`D`): verifies each request, checks it came to the endpoint its
/// operation's description names and, on the manage endpoint, the TLS client certificate
/// (registered in `registry`, then chain, validity, key usage and OCSP status); calls the
/// service; answers with the response or a SOAP fault (HTTP 500).
pub struct ServiceHandler<D, R> {
    service: D,
    registry: R,
    verifier: Verifier,
    trust: ManageTrust,
    client_certs: ClientCertVerifier,
}

impl<D: Dispatch, R: AuthCertRegistry> ServiceHandler<D, R> {
    /// A handler calling `service` for requests that pass `verifier`, with `registry` as the
    /// manage endpoint's transport trust. The TLS client certificate's OCSP status is
    /// fetched with an [`OcspClient`] of default settings whose freshness is the verifier's
    /// OCSP `max_age`; [`with_client_cert_verifier`](Self::with_client_cert_verifier)
    /// replaces it.
    pub fn new(service: D, registry: R, verifier: Verifier, trust: ManageTrust) -> Self {
        if trust == ManageTrust::Off {
            tracing::warn!(
                "manage endpoint transport trust is off: requests are accepted without a \
                 registered authentication certificate as TLS client certificate"
            );
        }
        let ocsp = OcspClient::new(OcspClientConfig {
            freshness: verifier.ocsp().policy().max_age,
            ..OcspClientConfig::default()
        });
        Self {
            service,
            registry,
            verifier,
            trust,
            client_certs: ClientCertVerifier::new(ocsp),
        }
    }

    /// Checks TLS client certificates with `client_certs` instead (another OCSP client,
    /// cache size).
    pub fn with_client_cert_verifier(mut self, client_certs: ClientCertVerifier) -> Self {
        self.client_certs = client_certs;
        self
    }

    /// The checks of TLS client certificates.
    pub fn client_cert_verifier(&self) -> &ClientCertVerifier {
        &self.client_certs
    }

    /// The service.
    pub fn service(&self) -> &D {
        &self.service
    }

    /// The registry of authentication certificates.
    pub fn registry(&self) -> &R {
        &self.registry
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
        let opened = self
            .verifier
            .open(request.content_type.as_deref(), &request.body)?;
        let header = opened.header();
        outcome.message_id = Some(header.id.clone());
        outcome.sender = Some(header.client.to_string());
        let Some(description) = self.service.operation(opened.service_code()) else {
            outcome.service = Some(UNKNOWN_SERVICE);
            return Err(opened.unknown_service());
        };
        outcome.service = Some(description.name);
        check_endpoint(request.endpoint, description)?;
        let call = Call {
            opened,
            incoming: request,
            received_at,
            verifier: &self.verifier,
            trust: self.trust,
            registry: &self.registry,
            client_certs: &self.client_certs,
        };
        Ok(self.service.dispatch(call).await?.response)
    }
}

impl<D: Dispatch, R: AuthCertRegistry> Handler for ServiceHandler<D, R> {
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

    fn services(&self) -> Vec<(Endpoint, &'static str)> {
        self.service
            .operations()
            .iter()
            .map(|description| (description.endpoint, description.name))
            .collect()
    }
}

/// Each operation is served at the endpoint its description names.
fn check_endpoint(endpoint: Endpoint, description: &OperationDescription) -> Result<(), Fault> {
    if endpoint == description.endpoint {
        return Ok(());
    }
    Err(Fault::new(
        FaultCode::InvalidRequest,
        format!(
            "{} requests are served at {}, not at {}",
            description.name,
            description.endpoint.default_path(),
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
