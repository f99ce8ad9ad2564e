//! `central-server verify-log`: verifies stored requests again from their message log.

use xroad_runtime::envelope::{Reply, parse_reply};
use xroad_runtime::fault::{Fault, FaultCode};
use xroad_runtime::message::{RequestParts, SignaturePart};
use xroad_runtime::verify::Verifier;

use crate::store::{LoggedMessage, RequestRecord};

/// Verifies the request of `record` from its message log as it was received: the same
/// checks, at the time it was received (certificate validity and OCSP freshness then), and
/// checks that the stored response carries the record's request id.
pub fn verify_record(
    verifier: &Verifier,
    record: &RequestRecord,
    logged: &LoggedMessage,
) -> Result<(), Fault> {
    let log = &logged.log;
    fn signature(s: &Option<(String, Vec<u8>)>) -> Option<SignaturePart<'_>> {
        s.as_ref().map(|(algorithm_id, value)| SignaturePart {
            algorithm_id,
            value,
        })
    }
    let parts = RequestParts {
        soap: &log.soap,
        auth_key_signature: signature(&log.auth_key_signature),
        signature: signature(&log.signature),
        auth_certificate: log.auth_certificate.as_deref(),
        signing_certificate: log.signing_certificate.as_deref(),
        ocsp_response: log.ocsp_response.as_deref(),
    };
    let message = parts.encode(record.service).map_err(|e| e.to_fault())?;
    let verified = verifier.verify(
        Some(&message.content_type),
        &message.body,
        record.received_at,
    )?;
    if verified.request.header.id != record.message_id {
        return Err(Fault::new(
            FaultCode::InvalidRequest,
            format!(
                "the logged SOAP message has id {}, the record {}",
                verified.request.header.id, record.message_id
            ),
        ));
    }
    match parse_reply(&logged.response) {
        Ok(Reply::Response(response)) if response.body.request_id() == Some(record.id) => Ok(()),
        Ok(Reply::Response(response)) => Err(Fault::new(
            FaultCode::InvalidRequest,
            format!(
                "the stored response carries request id {:?}, the record is {}",
                response.body.request_id(),
                record.id
            ),
        )),
        Ok(Reply::Fault(fault)) => Err(Fault::new(
            FaultCode::InvalidRequest,
            format!("the stored response is a fault: {}", Fault::from(fault)),
        )),
        Err(error) => Err(Fault::new(
            FaultCode::InvalidRequest,
            format!("the stored response cannot be read: {error}"),
        )),
    }
}
