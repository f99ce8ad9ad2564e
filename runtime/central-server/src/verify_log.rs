//! `central-server verify-log`: verifies stored requests again from their message log, and
//! compares what is stored with what was signed.

use std::fmt;

use xroad_mserv::centralservice::{
    AddressChange, AuthCertDeletion, AuthCertReg, ClientDeletion, ClientDisable, ClientEnable,
    ClientReg, ClientRename, MaintenanceModeDisable, MaintenanceModeEnable, OperationName,
    OwnerChange,
};
use xroad_runtime::envelope::Response;
use xroad_runtime::fault::{Fault, FaultCode};
use xroad_runtime::verify::{VerifiedRequest, Verifier};

use crate::store::{LoggedMessage, RequestRecord};
use crate::typed::StoredOperation;

/// Why a stored request does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogMismatch {
    /// The stored parts do not verify as they were received.
    #[error("the logged message does not verify: {0}")]
    Verification(Fault),
    /// A stored column differs from what the signed SOAP part says.
    #[error("stored {field} is {stored}, the logged SOAP part says {logged}")]
    Field {
        /// The column.
        field: &'static str,
        /// Its stored value.
        stored: String,
        /// What the SOAP part says.
        logged: String,
    },
    /// The response built again from the logged request is not the one whose hash is
    /// stored.
    #[error("the response built again for request id {0} is not the one that was sent")]
    Response(i64),
}

/// Verifies the request of `record` from its message log as it was received: the same
/// checks on the stored parts, at the time it was received (certificate validity and OCSP
/// freshness then); checks that the stored request, message id and sender are what the
/// SOAP part says, and that the response built again for the record's id is the one sent.
pub fn verify_record(
    verifier: &Verifier,
    record: &RequestRecord,
    logged: &LoggedMessage,
) -> Result<(), LogMismatch> {
    dispatch(record, |verify| {
        verify.check(verifier, record, logged).map(drop)
    })
}

/// The response that was sent for `record`, built again from its logged SOAP part (it is
/// not stored: it repeats the request) and checked against the stored hash.
pub fn response_of(
    verifier: &Verifier,
    record: &RequestRecord,
    logged: &LoggedMessage,
) -> Result<Vec<u8>, LogMismatch> {
    dispatch(record, |verify| verify.check(verifier, record, logged))
}

/// The operation of `record`, for [`Check`].
fn dispatch<T>(
    record: &RequestRecord,
    run: impl FnOnce(&dyn Check) -> Result<T, LogMismatch>,
) -> Result<T, LogMismatch> {
    match record.service() {
        OperationName::ClientReg => run(&As::<ClientReg>::new()),
        OperationName::ClientDeletion => run(&As::<ClientDeletion>::new()),
        OperationName::ClientDisable => run(&As::<ClientDisable>::new()),
        OperationName::ClientEnable => run(&As::<ClientEnable>::new()),
        OperationName::ClientRename => run(&As::<ClientRename>::new()),
        OperationName::AuthCertDeletion => run(&As::<AuthCertDeletion>::new()),
        OperationName::OwnerChange => run(&As::<OwnerChange>::new()),
        OperationName::AddressChange => run(&As::<AddressChange>::new()),
        OperationName::MaintenanceModeEnable => run(&As::<MaintenanceModeEnable>::new()),
        OperationName::MaintenanceModeDisable => run(&As::<MaintenanceModeDisable>::new()),
        OperationName::AuthCertReg => run(&As::<AuthCertReg>::new()),
    }
}

/// The checks of one operation, as an object.
trait Check {
    /// Checks `record` and returns the response built again.
    fn check(
        &self,
        verifier: &Verifier,
        record: &RequestRecord,
        logged: &LoggedMessage,
    ) -> Result<Vec<u8>, LogMismatch>;
}

/// [`Check`] for operation `O`.
struct As<O>(std::marker::PhantomData<O>);

impl<O> As<O> {
    fn new() -> Self {
        Self(std::marker::PhantomData)
    }
}

impl<O: StoredOperation> Check for As<O> {
    fn check(
        &self,
        verifier: &Verifier,
        record: &RequestRecord,
        logged: &LoggedMessage,
    ) -> Result<Vec<u8>, LogMismatch> {
        let verified: VerifiedRequest<O> = verifier
            .verify_parts::<O>(&logged.parts, record.received_at)
            .map_err(LogMismatch::Verification)?;
        let header = &verified.request.header;
        same("message id", &record.message_id, &header.id)?;
        same("sender", &record.sender, &header.client)?;
        let signed = O::typed(&verified.request.body).map_err(LogMismatch::Verification)?;
        same("server", record.request.server(), signed.server())?;
        same("request", &record.request.subject(), &signed.subject())?;
        if record.request != signed {
            return Err(LogMismatch::Field {
                field: "request",
                stored: format!("{:?}", record.request),
                logged: format!("{signed:?}"),
            });
        }
        // The runtime adds requestHash where the central server answers directly; the
        // response sent is one of the two.
        for request_hash in [true, false] {
            let rebuilt = Response::answer(
                &verified.request,
                &logged.parts.soap,
                record.id,
                request_hash,
            )
            .and_then(|response| response.to_soap())
            .map_err(|e| {
                LogMismatch::Verification(Fault::new(
                    FaultCode::InternalError,
                    format!("the response cannot be built again: {e}"),
                ))
            })?;
            if openssl::sha::sha256(&rebuilt) == logged.response_sha256 {
                return Ok(rebuilt);
            }
        }
        Err(LogMismatch::Response(record.id))
    }
}

/// Fails with [`LogMismatch::Field`] unless the stored and logged values are equal.
fn same<T: PartialEq + fmt::Display + ?Sized>(
    field: &'static str,
    stored: &T,
    logged: &T,
) -> Result<(), LogMismatch> {
    if stored == logged {
        return Ok(());
    }
    Err(LogMismatch::Field {
        field,
        stored: stored.to_string(),
        logged: logged.to_string(),
    })
}
