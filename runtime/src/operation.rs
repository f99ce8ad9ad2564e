//! The operations the runtime sends and serves: any generated [`Operation`] whose header and
//! identifiers are those of `xroad-mserv` — the eleven management services of PR-MSERV, and the
//! operations of any other WSDL generated with the X-Road profile, which reuses them.

pub use xroad_codec::operation::{
    BodyFields, EchoMismatch, Endpoint, ManagementBody, MimePart, Operation, OperationDescription,
    Signer,
};
use xroad_mserv::centralservice::Header;
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};

/// An [`Operation`] the runtime can compose, sign, frame, send, verify and answer: its header is
/// the X-Road [`Header`] and its bodies name security servers and clients with the
/// `xroad-mserv` identifier types. Every operation generated with the X-Road profile is one.
pub trait ManagementOperation:
    Operation<
        Header = Header,
        Request: ManagementBody<
            Server = XRoadSecurityServerIdentifierType,
            Client = XRoadClientIdentifierType,
        >,
        Response: ManagementBody<
            Server = XRoadSecurityServerIdentifierType,
            Client = XRoadClientIdentifierType,
        >,
    >
{
}

impl<O> ManagementOperation for O where
    O: Operation<
            Header = Header,
            Request: ManagementBody<
                Server = XRoadSecurityServerIdentifierType,
                Client = XRoadClientIdentifierType,
            >,
            Response: ManagementBody<
                Server = XRoadSecurityServerIdentifierType,
                Client = XRoadClientIdentifierType,
            >,
        >
{
}
