//! Requests, responses and faults as SOAP 1.1 envelopes, as the X-Road reference
//! implementation writes them.
//!
//! - Requests ([`Request`], [`build_request`], [`parse_request`]): the X-Road header
//!   (`client` = the security server's owner, `service` = the management service provider and
//!   the service code, a fresh `id`, `protocolVersion` `4.0`) and one body element in the
//!   `xroad` namespace named after the service code.
//! - Responses ([`Response`], [`build_response`], [`parse_response`]): the request echoed,
//!   with the body element renamed `<serviceCode>Response` and `requestId` appended, and
//!   (for every service but `authCertReg`) the SHA-512 hash of the request's SOAP bytes in
//!   `requestHash`.
//! - Faults ([`SoapFault`], [`build_fault`], [`parse_fault`]): `SOAP-ENV:Fault` with one of
//!   the X-Road fault codes of [`FaultCode`](crate::fault::FaultCode).
//!
//! Reading is strict: the header fields may come in any order (as the reference accepts) but
//! each at most once, unknown header elements are refused, and the body must be the element
//! the service code names. Every refusal is an [`EnvelopeError`] that names the element path
//! and maps to the fault code a receiver answers with ([`EnvelopeError::fault_code`]).

mod body;
mod error;
mod fault;
mod frame;
mod header;
mod identifier;
mod request;
mod response;

pub use error::{BuildError, EnvelopeError, ResponseError};
pub use fault::{SoapFault, build_fault, parse_fault};
pub use header::{PROTOCOL_VERSION, is_supported_protocol_version};
pub use request::{EncodedRequest, Request, RequestBody, build_request, parse_request};
pub use response::{
    Reply, Response, ResponseBody, SHA512_ALGORITHM_ID, build_response, parse_reply,
    parse_response, request_hash,
};
