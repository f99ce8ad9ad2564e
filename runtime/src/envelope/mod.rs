//! Requests, responses and faults as SOAP 1.1 envelopes, as the X-Road reference
//! implementation writes them, for any operation the bindings describe.
//!
//! - Requests ([`Request`], [`OpenRequest`], [`parse_request`]): the X-Road header
//!   (`client` = the security server's owner, `service` = the management service provider and
//!   the service code, a fresh `id`, `protocolVersion` `4.0`) and one body element named after
//!   the service code.
//! - Responses ([`Response`], [`parse_reply`], [`parse_response`]): the request's header
//!   echoed, with `requestHash` where the operation's description asks for it, and the body
//!   the operation builds from the request (its fields echoed, `requestId` added).
//! - Faults ([`SoapFault`], [`build_fault`], [`parse_fault`]): `SOAP-ENV:Fault` with one of
//!   the X-Road fault codes of [`FaultCode`](crate::fault::FaultCode).
//!
//! The header is read by the generated `Header` (fields in any order, each at most once) and
//! the body by the operation's generated request or response type: one reader, the one the
//! bindings define. What they refuse is classified here into an [`EnvelopeError`] that names
//! the element path and maps to the fault code a receiver answers with
//! ([`EnvelopeError::fault_code`]).

mod classify;
mod error;
mod fault;
mod frame;
mod header;
mod request;
mod response;
mod response_error;

pub use error::{BuildError, EnvelopeError};
pub use fault::{ReceivedFault, SoapFault, build_fault, parse_any_fault, parse_fault};
pub use request::{EncodedRequest, OpenRequest, Request, parse_request};
pub use response::{
    Reply, Response, SHA512_ALGORITHM_ID, parse_reply, parse_response, request_hash,
};
pub use response_error::ResponseError;
pub use xroad_codec::header::{PROTOCOL_VERSION, is_supported_protocol_version};
