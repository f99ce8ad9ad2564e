//! `central-server verify-log`: verifies stored requests again from their message log.

use bytes::Bytes;
use xroad_mserv::centralservice::{
    AuthCertDeletion, AuthCertReg, ClientDeletion, ClientReg, OperationName, OwnerChange,
};
use xroad_runtime::ManagementOperation;
use xroad_runtime::envelope::{Reply, parse_reply};
use xroad_runtime::fault::{Fault, FaultCode};
use xroad_runtime::message::{Attachment, Parts};
use xroad_runtime::operation::ManagementBody;
use xroad_runtime::verify::Verifier;

use crate::store::{LoggedMessage, MessageLog, RequestRecord};

/// Verifies the request of `record` from its message log as it was received: the same
/// checks, at the time it was received (certificate validity and OCSP freshness then), and
/// checks that the stored response carries the record's request id.
pub fn verify_record(
    verifier: &Verifier,
    record: &RequestRecord,
    logged: &LoggedMessage,
) -> Result<(), Fault> {
    match record.service {
        OperationName::ClientReg => verify_as::<ClientReg>(verifier, record, logged),
        OperationName::ClientDeletion => verify_as::<ClientDeletion>(verifier, record, logged),
        OperationName::AuthCertDeletion => verify_as::<AuthCertDeletion>(verifier, record, logged),
        OperationName::OwnerChange => verify_as::<OwnerChange>(verifier, record, logged),
        OperationName::AuthCertReg => verify_as::<AuthCertReg>(verifier, record, logged),
    }
}

fn verify_as<O: ManagementOperation>(
    verifier: &Verifier,
    record: &RequestRecord,
    logged: &LoggedMessage,
) -> Result<(), Fault> {
    let parts = parts_of(O::NAME, &logged.log);
    let verified = verifier.verify_parts::<O>(&parts, record.received_at)?;
    if verified.request.header.id != record.message_id {
        return Err(Fault::new(
            FaultCode::InvalidRequest,
            format!(
                "the logged SOAP message has id {}, the record {}",
                verified.request.header.id, record.message_id
            ),
        ));
    }
    match parse_reply::<O>(&logged.response) {
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

/// The parts of a logged request, in the order its operation lays them out.
fn parts_of(operation: &str, log: &MessageLog) -> Parts {
    let signature = |s: &Option<(String, Vec<u8>)>| {
        s.as_ref().map(|(id, value)| Attachment {
            signature_algorithm_id: Some(id.clone()),
            body: Bytes::copy_from_slice(value),
        })
    };
    let part = |p: &Option<Vec<u8>>| {
        p.as_ref().map(|bytes| Attachment {
            signature_algorithm_id: None,
            body: Bytes::copy_from_slice(bytes),
        })
    };
    let attachments = match operation {
        "authCertReg" => vec![
            signature(&log.auth_key_signature),
            signature(&log.signature),
            part(&log.auth_certificate),
            part(&log.signing_certificate),
            part(&log.ocsp_response),
        ],
        _ => vec![
            signature(&log.signature),
            part(&log.signing_certificate),
            part(&log.ocsp_response),
        ],
    };
    Parts {
        soap: Bytes::copy_from_slice(&log.soap),
        attachments: attachments.into_iter().flatten().collect(),
    }
}
