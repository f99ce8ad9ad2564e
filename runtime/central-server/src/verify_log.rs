//! `central-server verify-log`: verifies stored requests again from their message log.

use xroad_mserv::centralservice::{
    AddressChange, AuthCertDeletion, AuthCertReg, ClientDeletion, ClientDisable, ClientEnable,
    ClientReg, ClientRename, MaintenanceModeDisable, MaintenanceModeEnable, OperationName,
    OwnerChange,
};
use xroad_runtime::ManagementOperation;
use xroad_runtime::envelope::{Reply, parse_reply};
use xroad_runtime::fault::{Fault, FaultCode};
use xroad_runtime::operation::ManagementBody;
use xroad_runtime::verify::Verifier;

use crate::store::{LoggedMessage, RequestRecord};

/// Verifies the request of `record` from its message log as it was received: the same
/// checks on the stored parts, at the time it was received (certificate validity and OCSP
/// freshness then), and checks that the stored response carries the record's request id.
pub fn verify_record(
    verifier: &Verifier,
    record: &RequestRecord,
    logged: &LoggedMessage,
) -> Result<(), Fault> {
    match record.service() {
        OperationName::ClientReg => verify_as::<ClientReg>(verifier, record, logged),
        OperationName::ClientDeletion => verify_as::<ClientDeletion>(verifier, record, logged),
        OperationName::ClientDisable => verify_as::<ClientDisable>(verifier, record, logged),
        OperationName::ClientEnable => verify_as::<ClientEnable>(verifier, record, logged),
        OperationName::ClientRename => verify_as::<ClientRename>(verifier, record, logged),
        OperationName::AuthCertDeletion => verify_as::<AuthCertDeletion>(verifier, record, logged),
        OperationName::OwnerChange => verify_as::<OwnerChange>(verifier, record, logged),
        OperationName::AddressChange => verify_as::<AddressChange>(verifier, record, logged),
        OperationName::MaintenanceModeEnable => {
            verify_as::<MaintenanceModeEnable>(verifier, record, logged)
        }
        OperationName::MaintenanceModeDisable => {
            verify_as::<MaintenanceModeDisable>(verifier, record, logged)
        }
        OperationName::AuthCertReg => verify_as::<AuthCertReg>(verifier, record, logged),
    }
}

fn verify_as<O: ManagementOperation>(
    verifier: &Verifier,
    record: &RequestRecord,
    logged: &LoggedMessage,
) -> Result<(), Fault> {
    let verified = verifier.verify_parts::<O>(&logged.parts, record.received_at)?;
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
