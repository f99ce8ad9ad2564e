//! `central-server verify-log`: verifies stored requests again from their message log.

use xroad_codec::operation::MimePart;
use xroad_runtime::envelope::{Reply, parse_reply};
use xroad_runtime::fault::{Fault, FaultCode};
use xroad_runtime::message::{Parts, RequestParts, SignaturePart};
use xroad_runtime::verify::Verifier;

use crate::store::{LoggedMessage, RequestRecord, Service};

/// Verifies the request of `record` from its message log as it was received: the same
/// checks, at the time it was received (certificate validity and OCSP freshness then), and
/// checks that the stored response carries the record's request id.
pub fn verify_record(
    verifier: &Verifier,
    record: &RequestRecord,
    logged: &LoggedMessage,
) -> Result<(), Fault> {
    let parts = request_parts(record.service(), &logged.parts)?;
    let message = parts.encode(record.service()).map_err(|e| e.to_fault())?;
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

/// The logged parts as the parts of `service`'s request, in the order of its description.
fn request_parts(service: Service, logged: &Parts) -> Result<RequestParts<'_>, Fault> {
    let described = service.parts();
    if described.len() != logged.len() {
        return Err(Fault::new(
            FaultCode::InvalidRequest,
            format!(
                "the message log has {} MIME parts, {service} requests have {}",
                logged.len(),
                described.len()
            ),
        ));
    }
    let mut parts = RequestParts::soap(&logged.soap);
    for (part, attachment) in described.iter().skip(1).zip(&logged.attachments) {
        let body = &attachment.body[..];
        let signature = || {
            attachment
                .signature_algorithm_id
                .as_deref()
                .map(|algorithm_id| SignaturePart {
                    algorithm_id,
                    value: body,
                })
                .ok_or_else(|| {
                    Fault::new(
                        FaultCode::InvalidRequest,
                        format!(
                            "the logged {} has no signature algorithm id",
                            part.description()
                        ),
                    )
                })
        };
        match part {
            MimePart::SoapMessage => {}
            MimePart::Signature => parts.signature = Some(signature()?),
            MimePart::AuthKeySignature => parts.auth_key_signature = Some(signature()?),
            MimePart::AuthCertificate => parts.auth_certificate = Some(body),
            MimePart::SigningCertificate => parts.signing_certificate = Some(body),
            MimePart::OcspResponse => parts.ocsp_response = Some(body),
        }
    }
    Ok(parts)
}
