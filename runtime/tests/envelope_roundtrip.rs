//! Property tests: every valid request we build, of each of the eleven operations, parses back
//! to the same value, and the response built for it passes the client-side checks.

use proptest::prelude::*;
use xroad_codec::header::RepresentedParty;
use xroad_codec::identifier::Code;
use xroad_mserv::centralservice::{
    AddressChange, AuthCertDeletion, AuthCertReg, ClientDeletion, ClientDisable, ClientEnable,
    ClientReg, ClientRename, MaintenanceModeDisable, MaintenanceModeEnable, OwnerChange,
};
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadSecurityServerIdentifierType,
};
use xroad_mserv::xroad;
use xroad_runtime::ManagementOperation;
use xroad_runtime::envelope::{
    Reply, Request, Response, parse_reply, parse_request, parse_response,
};
use xroad_runtime::operation::ManagementBody;

fn code() -> impl Strategy<Value = Code> {
    "[A-Za-z0-9_. äõ日本<>&'\"-]{1,16}".prop_map(|text| Code::new(text).unwrap())
}

/// Printable text with markup characters, spaces at the ends, and non-ASCII letters.
fn text() -> impl Strategy<Value = String> {
    "[ -~äõ日]{0,24}"
}

fn member() -> impl Strategy<Value = XRoadClientIdentifierType> {
    (code(), code(), code()).prop_map(|(instance, class, member)| XRoadClientIdentifierType {
        object_type: XRoadObjectType::Member,
        x_road_instance: instance,
        member_class: class,
        member_code: member,
        subsystem_code: None,
    })
}

fn client() -> impl Strategy<Value = XRoadClientIdentifierType> {
    (member(), proptest::option::of(code())).prop_map(|(mut client, subsystem)| {
        if subsystem.is_some() {
            client.object_type = XRoadObjectType::Subsystem;
            client.subsystem_code = subsystem;
        }
        client
    })
}

fn server() -> impl Strategy<Value = XRoadSecurityServerIdentifierType> {
    (code(), code(), code(), code()).prop_map(|(instance, class, member, server)| {
        XRoadSecurityServerIdentifierType {
            object_type: XRoadObjectType::Server,
            x_road_instance: instance,
            member_class: class,
            member_code: member,
            server_code: server,
        }
    })
}

fn client_request() -> impl Strategy<Value = xroad::ClientRequestType> {
    (server(), client()).prop_map(|(server, client)| xroad::ClientRequestType {
        server,
        client,
        request_id: None,
    })
}

fn client_reg() -> impl Strategy<Value = xroad::ClientReg> {
    (server(), client(), proptest::option::of(text())).prop_map(
        |(server, client, subsystem_name)| {
            xroad::ClientReg(xroad::ClientRegRequestType {
                server,
                client,
                subsystem_name,
                request_id: None,
            })
        },
    )
}

fn client_rename() -> impl Strategy<Value = xroad::ClientRename> {
    (server(), client(), text()).prop_map(|(server, client, subsystem_name)| {
        xroad::ClientRename(xroad::ClientRenameRequestType {
            server,
            client,
            subsystem_name,
            request_id: None,
        })
    })
}

fn address_change() -> impl Strategy<Value = xroad::AddressChange> {
    (server(), text()).prop_map(|(server, address)| {
        xroad::AddressChange(xroad::AddressChangeRequestType {
            server,
            address,
            request_id: None,
        })
    })
}

fn maintenance_mode_enable() -> impl Strategy<Value = xroad::MaintenanceModeEnable> {
    (server(), proptest::option::of(text())).prop_map(|(server, message)| {
        xroad::MaintenanceModeEnable(xroad::MaintenanceModeEnableRequestType {
            server,
            message,
            request_id: None,
        })
    })
}

fn maintenance_mode_disable() -> impl Strategy<Value = xroad::MaintenanceModeDisable> {
    server().prop_map(|server| {
        xroad::MaintenanceModeDisable(xroad::MaintenanceModeDisableRequestType {
            server,
            request_id: None,
        })
    })
}

fn auth_cert() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..400)
}

/// A request of any of the eleven operations.
#[derive(Debug, Clone)]
enum AnyRequest {
    ClientReg(Request<ClientReg>),
    ClientDeletion(Request<ClientDeletion>),
    OwnerChange(Request<OwnerChange>),
    AuthCertReg(Request<AuthCertReg>),
    AuthCertDeletion(Request<AuthCertDeletion>),
    ClientDisable(Request<ClientDisable>),
    ClientEnable(Request<ClientEnable>),
    ClientRename(Request<ClientRename>),
    AddressChange(Request<AddressChange>),
    MaintenanceModeEnable(Request<MaintenanceModeEnable>),
    MaintenanceModeDisable(Request<MaintenanceModeDisable>),
}

fn auth_cert_reg() -> impl Strategy<Value = xroad::AuthCertReg> {
    (server(), proptest::option::of(text()), auth_cert()).prop_map(
        |(server, address, auth_cert)| {
            xroad::AuthCertReg(xroad::AuthCertRegRequestType {
                server,
                address,
                auth_cert,
                request_id: None,
            })
        },
    )
}

fn auth_cert_deletion() -> impl Strategy<Value = xroad::AuthCertDeletion> {
    (server(), auth_cert()).prop_map(|(server, auth_cert)| {
        xroad::AuthCertDeletion(xroad::AuthCertDeletionRequestType {
            server,
            auth_cert,
            request_id: None,
        })
    })
}

fn represented_party() -> impl Strategy<Value = RepresentedParty> {
    (proptest::option::of(text()), text()).prop_map(|(party_class, party_code)| RepresentedParty {
        party_class,
        party_code,
    })
}

/// The header fields a request may carry besides the mandatory ones.
#[derive(Debug, Clone)]
struct Optional {
    id: Option<String>,
    user_id: Option<String>,
    issue: Option<String>,
    security_server: Option<XRoadSecurityServerIdentifierType>,
    represented_party: Option<RepresentedParty>,
}

fn optional() -> impl Strategy<Value = Optional> {
    (
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(server()),
        proptest::option::of(represented_party()),
    )
        .prop_map(
            |(id, user_id, issue, security_server, represented_party)| Optional {
                id,
                user_id,
                issue,
                security_server,
                represented_party,
            },
        )
}

fn build<O: ManagementOperation>(
    owner: XRoadClientIdentifierType,
    provider: XRoadClientIdentifierType,
    body: O::Request,
    optional: Optional,
) -> Request<O> {
    let mut request = match optional.id {
        Some(id) => Request::<O>::with_id(owner, &provider, body, id),
        None => Request::<O>::new(owner, &provider, body),
    }
    .unwrap();
    request.header.user_id = optional.user_id;
    request.header.issue = optional.issue;
    request.header.security_server = optional.security_server;
    request.header.represented_party = optional.represented_party;
    request
}

fn request() -> impl Strategy<Value = AnyRequest> {
    let header = || (member(), client(), optional());
    prop_oneof![
        (header(), client_reg()).prop_map(|((owner, provider, optional), body)| {
            AnyRequest::ClientReg(build(owner, provider, body, optional))
        }),
        (header(), client_request()).prop_map(|((owner, provider, optional), body)| {
            AnyRequest::ClientDeletion(build(
                owner,
                provider,
                xroad::ClientDeletion(body),
                optional,
            ))
        }),
        (header(), client_request()).prop_map(|((owner, provider, optional), body)| {
            AnyRequest::OwnerChange(build(owner, provider, xroad::OwnerChange(body), optional))
        }),
        (header(), auth_cert_reg()).prop_map(|((owner, provider, optional), body)| {
            AnyRequest::AuthCertReg(build(owner, provider, body, optional))
        }),
        (header(), auth_cert_deletion()).prop_map(|((owner, provider, optional), body)| {
            AnyRequest::AuthCertDeletion(build(owner, provider, body, optional))
        }),
        (header(), client_request()).prop_map(|((owner, provider, optional), body)| {
            AnyRequest::ClientDisable(build(owner, provider, xroad::ClientDisable(body), optional))
        }),
        (header(), client_request()).prop_map(|((owner, provider, optional), body)| {
            AnyRequest::ClientEnable(build(owner, provider, xroad::ClientEnable(body), optional))
        }),
        (header(), client_rename()).prop_map(|((owner, provider, optional), body)| {
            AnyRequest::ClientRename(build(owner, provider, body, optional))
        }),
        (header(), address_change()).prop_map(|((owner, provider, optional), body)| {
            AnyRequest::AddressChange(build(owner, provider, body, optional))
        }),
        (header(), maintenance_mode_enable()).prop_map(|((owner, provider, optional), body)| {
            AnyRequest::MaintenanceModeEnable(build(owner, provider, body, optional))
        }),
        (header(), maintenance_mode_disable()).prop_map(|((owner, provider, optional), body)| {
            AnyRequest::MaintenanceModeDisable(build(owner, provider, body, optional))
        }),
    ]
}

/// Every valid request parses back to the same value.
fn parses_back<O: ManagementOperation>(request: &Request<O>) -> Result<(), TestCaseError>
where
    O::Request: PartialEq + std::fmt::Debug,
{
    let soap = request.to_soap().unwrap();
    prop_assert_eq!(&parse_request::<O>(&soap).unwrap(), request);
    Ok(())
}

/// The response built for a request passes the client-side checks.
fn response_passes<O: ManagementOperation>(
    request: &Request<O>,
    request_id: i64,
    request_hash: bool,
) -> Result<(), TestCaseError>
where
    O::Response: PartialEq + std::fmt::Debug,
{
    let sent = request.to_soap().unwrap();
    let received = parse_request::<O>(&sent).unwrap();
    let answer = Response::answer(&received, &sent, request_id, request_hash).unwrap();
    let response = answer.to_soap().unwrap();
    let body = parse_response(request, &sent, &response).unwrap();
    prop_assert_eq!(body.request_id(), Some(request_id));
    prop_assert_eq!(
        parse_reply::<O>(&response).unwrap(),
        Reply::Response(Box::new(
            Response::answer(request, &sent, request_id, request_hash).unwrap()
        ))
    );
    Ok(())
}

proptest! {
    #[test]
    fn requests_parse_back_to_the_same_value(request in request()) {
        match &request {
            AnyRequest::ClientReg(r) => parses_back(r)?,
            AnyRequest::ClientDeletion(r) => parses_back(r)?,
            AnyRequest::OwnerChange(r) => parses_back(r)?,
            AnyRequest::AuthCertReg(r) => parses_back(r)?,
            AnyRequest::AuthCertDeletion(r) => parses_back(r)?,
            AnyRequest::ClientDisable(r) => parses_back(r)?,
            AnyRequest::ClientEnable(r) => parses_back(r)?,
            AnyRequest::ClientRename(r) => parses_back(r)?,
            AnyRequest::AddressChange(r) => parses_back(r)?,
            AnyRequest::MaintenanceModeEnable(r) => parses_back(r)?,
            AnyRequest::MaintenanceModeDisable(r) => parses_back(r)?,
        }
    }

    #[test]
    fn responses_pass_the_client_checks(request in request(), request_id in 1..=i64::MAX) {
        // Responses to X-Road messages carry `requestHash`; authCertReg's need not.
        match &request {
            AnyRequest::ClientReg(r) => response_passes(r, request_id, true)?,
            AnyRequest::ClientDeletion(r) => response_passes(r, request_id, true)?,
            AnyRequest::OwnerChange(r) => response_passes(r, request_id, true)?,
            AnyRequest::AuthCertReg(r) => {
                response_passes(r, request_id, false)?;
                response_passes(r, request_id, true)?;
            }
            AnyRequest::AuthCertDeletion(r) => response_passes(r, request_id, true)?,
            AnyRequest::ClientDisable(r) => response_passes(r, request_id, true)?,
            AnyRequest::ClientEnable(r) => response_passes(r, request_id, true)?,
            AnyRequest::ClientRename(r) => response_passes(r, request_id, true)?,
            AnyRequest::AddressChange(r) => response_passes(r, request_id, true)?,
            AnyRequest::MaintenanceModeEnable(r) => response_passes(r, request_id, true)?,
            AnyRequest::MaintenanceModeDisable(r) => response_passes(r, request_id, true)?,
        }
    }
}
