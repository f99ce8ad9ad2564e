//! Property tests: every valid request we build parses back to the same value, and the
//! response built for it passes the client-side checks.

use proptest::prelude::*;
use xroad_codec::identifier::Code;
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadSecurityServerIdentifierType,
};
use xroad_mserv::xroad;
use xroad_runtime::envelope::{
    Reply, Request, RequestBody, Response, build_response, parse_reply, parse_request,
    parse_response,
};

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

fn auth_cert() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..400)
}

fn body() -> impl Strategy<Value = RequestBody> {
    prop_oneof![
        client_request().prop_map(|body| {
            RequestBody::ClientReg(xroad::ClientReg(xroad::ClientRegRequestType {
                server: body.server,
                client: body.client,
                subsystem_name: None,
                request_id: None,
            }))
        }),
        client_request().prop_map(|body| RequestBody::ClientDeletion(xroad::ClientDeletion(body))),
        client_request().prop_map(|body| RequestBody::OwnerChange(xroad::OwnerChange(body))),
        (server(), proptest::option::of(text()), auth_cert()).prop_map(
            |(server, address, auth_cert)| {
                RequestBody::AuthCertReg(xroad::AuthCertReg(xroad::AuthCertRegRequestType {
                    server,
                    address,
                    auth_cert,
                    request_id: None,
                }))
            }
        ),
        (server(), auth_cert()).prop_map(|(server, auth_cert)| {
            RequestBody::AuthCertDeletion(xroad::AuthCertDeletion(
                xroad::AuthCertDeletionRequestType {
                    server,
                    auth_cert,
                    request_id: None,
                },
            ))
        }),
    ]
}

fn request() -> impl Strategy<Value = Request> {
    (
        member(),
        client(),
        body(),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
    )
        .prop_map(|(owner, provider, body, id, user_id, issue)| {
            let mut request = match id {
                Some(id) => Request::with_id(owner, &provider, body, id),
                None => Request::new(owner, &provider, body),
            }
            .unwrap();
            request.user_id = user_id;
            request.issue = issue;
            request
        })
}

proptest! {
    #[test]
    fn requests_parse_back_to_the_same_value(request in request()) {
        let soap = request.to_soap().unwrap();
        prop_assert_eq!(parse_request(&soap).unwrap(), request);
    }

    #[test]
    fn responses_pass_the_client_checks(request in request(), request_id in 1..=i64::MAX) {
        let sent = request.to_soap().unwrap();
        let received = parse_request(&sent).unwrap();
        let response = build_response(&received, &sent, request_id).unwrap();
        prop_assert_eq!(parse_response(&request, &sent, &response), Ok(request_id));
        prop_assert_eq!(
            parse_reply(&response).unwrap(),
            Reply::Response(Box::new(Response::answer(&request, &sent, request_id).unwrap()))
        );
    }
}
