//! The central server store through its public API: each service from receipt to registry,
//! every business rule (accepted and refused, a refusal changing nothing), decisions, and
//! repeated requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tempfile::TempDir;
use xroad_central_server::store::{
    Action, MessageLog, NewRequest, RequestFilter, RuleViolation, Service, Status, Store,
    StoreError, Submitted,
};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};

const SS1: &str = "SERVER:EE/GOV/OWNER1/SS1";
const SS2: &str = "SERVER:EE/GOV/OWNER2/SS2";
const CLIENT: &str = "SUBSYSTEM:EE/COM/CLIENT/sub";
const NEW_OWNER: &str = "MEMBER:EE/COM/NEWOWNER";
const CERT1: &[u8] = b"\x30\x82\x01\x0aDER of auth certificate 1";
const CERT2: &[u8] = b"\x30\x82\x01\x0aDER of auth certificate 2";

fn server(text: &str) -> XRoadSecurityServerIdentifierType {
    text.parse().unwrap()
}

fn client(text: &str) -> XRoadClientIdentifierType {
    text.parse().unwrap()
}

/// A store in a temporary directory and a source of distinct message ids.
struct Fixture {
    _dir: TempDir,
    store: Store,
    messages: AtomicU64,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("central.db")).unwrap();
        Self {
            _dir: dir,
            store,
            messages: AtomicU64::new(0),
        }
    }

    /// A request of `service` with the given fields, a fresh message id and a message log
    /// whose every part is distinct.
    fn request(
        &self,
        service: Service,
        server_id: &str,
        client_id: Option<&str>,
        auth_cert: Option<&[u8]>,
        address: Option<&str>,
    ) -> NewRequest {
        let n = self.messages.fetch_add(1, Ordering::Relaxed);
        let server = server(server_id);
        let sender = format!(
            "MEMBER:{}/{}/{}",
            server.x_road_instance, server.member_class, server.member_code
        );
        let tagged = |part: &str| format!("{part} of message {n}").into_bytes();
        NewRequest {
            service,
            server,
            client: client_id.map(client),
            auth_cert: auth_cert.map(<[u8]>::to_vec),
            address: address.map(str::to_owned),
            message_id: format!("message-{n}"),
            sender: client(&sender),
            received_at: UNIX_EPOCH + Duration::from_nanos(1_700_000_000_000_000_000 + n),
            log: MessageLog {
                soap: tagged("<soap/>"),
                signature: Some(("SHA256withRSA".to_owned(), tagged("signature"))),
                auth_key_signature: auth_cert
                    .map(|_| ("SHA512withRSA".to_owned(), tagged("auth key signature"))),
                auth_certificate: auth_cert.map(<[u8]>::to_vec),
                signing_certificate: Some(tagged("signing certificate")),
                ocsp_response: Some(tagged("ocsp response")),
            },
        }
    }

    fn submit(&self, request: NewRequest, auto_approve: bool) -> Result<Submitted, StoreError> {
        self.store.submit(request, auto_approve, response_for)
    }

    /// Submits and expects a new request id.
    fn accept(&self, request: NewRequest, auto_approve: bool) -> i64 {
        match self.submit(request, auto_approve) {
            Ok(Submitted::Accepted { request_id, .. }) => request_id,
            other => panic!("expected acceptance, got {other:?}"),
        }
    }

    fn accept_new(
        &self,
        service: Service,
        server: &str,
        client: Option<&str>,
        cert: Option<&[u8]>,
        address: Option<&str>,
        auto_approve: bool,
    ) -> i64 {
        self.accept(
            self.request(service, server, client, cert, address),
            auto_approve,
        )
    }

    /// Registers a security server with one auth certificate.
    fn register_server(&self, server: &str, cert: &[u8]) {
        self.accept_new(
            Service::AuthCertReg,
            server,
            None,
            Some(cert),
            Some("ss.example.org"),
            true,
        );
    }

    fn register_client(&self, server: &str, client: &str) {
        self.accept_new(Service::ClientReg, server, Some(client), None, None, true);
    }

    fn status(&self, id: i64) -> Status {
        self.store.request(id).unwrap().unwrap().status
    }

    fn clients_of(&self, server_id: &str) -> Vec<String> {
        self.store
            .registry()
            .unwrap()
            .into_iter()
            .find(|record| record.id == server(server_id))
            .map(|record| record.clients.iter().map(ToString::to_string).collect())
            .unwrap_or_default()
    }

    /// Submits `request` and expects it refused for `expected`, with the store unchanged.
    fn refuse(&self, request: NewRequest, auto_approve: bool, expected: &RuleViolation) {
        let before = self.store.dump().unwrap();
        match self.submit(request, auto_approve) {
            Err(StoreError::Rule(violation)) => assert_eq!(*violation, *expected),
            other => panic!("expected {expected}, got {other:?}"),
        }
        assert_eq!(self.store.dump().unwrap(), before);
    }

    /// Approves `id` and expects it refused for `expected`, with the store unchanged.
    fn refuse_approval(&self, id: i64, expected: &RuleViolation) {
        let before = self.store.dump().unwrap();
        match self.store.approve(id) {
            Err(StoreError::Rule(violation)) => assert_eq!(*violation, *expected),
            other => panic!("expected {expected}, got {other:?}"),
        }
        assert_eq!(self.store.dump().unwrap(), before);
        assert_eq!(self.status(id), Status::SubmittedForApproval);
    }
}

fn response_for(request_id: i64) -> Vec<u8> {
    format!("<response><requestId>{request_id}</requestId></response>").into_bytes()
}

#[test]
fn auth_cert_registration_creates_the_server_on_approval() {
    let f = Fixture::new();
    let request = f.request(
        Service::AuthCertReg,
        SS1,
        None,
        Some(CERT1),
        Some("ss1.example.org"),
    );
    let id = f.accept(request.clone(), false);

    let record = f.store.request(id).unwrap().unwrap();
    assert_eq!(record.status, Status::SubmittedForApproval);
    assert_eq!(
        (record.service, &record.server, &record.client),
        (request.service, &request.server, &request.client)
    );
    assert_eq!(
        (&record.auth_cert, &record.address, &record.message_id),
        (&request.auth_cert, &request.address, &request.message_id)
    );
    assert_eq!(
        (&record.sender, record.received_at),
        (&request.sender, request.received_at)
    );
    let logged = f.store.message_log(id).unwrap().unwrap();
    assert_eq!(logged.log, request.log);
    assert_eq!(logged.response, response_for(id));
    assert!(f.store.registry().unwrap().is_empty());
    assert!(!f.store.is_auth_cert_of(&server(SS1), CERT1).unwrap());

    f.store.approve(id).unwrap();
    assert_eq!(f.status(id), Status::Approved);
    let registry = f.store.registry().unwrap();
    assert_eq!(registry.len(), 1);
    assert_eq!(registry[0].id, server(SS1));
    assert_eq!(registry[0].owner, client("MEMBER:EE/GOV/OWNER1"));
    assert_eq!(registry[0].address.as_deref(), Some("ss1.example.org"));
    assert_eq!(registry[0].auth_certs, [CERT1]);
    assert!(f.store.is_auth_cert_of(&server(SS1), CERT1).unwrap());
    assert!(!f.store.is_auth_cert_of(&server(SS2), CERT1).unwrap());
    assert!(!f.store.is_auth_cert_of(&server(SS1), CERT2).unwrap());
}

#[test]
fn a_second_auth_cert_is_added_and_updates_the_address() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let id = f.accept_new(
        Service::AuthCertReg,
        SS1,
        None,
        Some(CERT2),
        Some("new.example.org"),
        false,
    );
    f.store.approve(id).unwrap();
    let registry = f.store.registry().unwrap();
    assert_eq!(registry.len(), 1);
    assert_eq!(registry[0].auth_certs, [CERT1, CERT2]);
    assert_eq!(registry[0].address.as_deref(), Some("new.example.org"));
    // Without an address the address stays.
    let cert3: &[u8] = b"\x30\x82third";
    f.accept_new(Service::AuthCertReg, SS1, None, Some(cert3), None, true);
    assert_eq!(
        f.store.registry().unwrap()[0].address.as_deref(),
        Some("new.example.org")
    );
}

#[test]
fn client_registration_and_deletion() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let id = f.accept_new(Service::ClientReg, SS1, Some(CLIENT), None, None, false);
    assert_eq!(f.status(id), Status::SubmittedForApproval);
    assert!(f.clients_of(SS1).is_empty());
    f.store.approve(id).unwrap();
    assert_eq!(f.status(id), Status::Approved);
    assert_eq!(f.clients_of(SS1), [CLIENT]);

    // Deletions are applied on receipt.
    let deletion = f.accept_new(
        Service::ClientDeletion,
        SS1,
        Some(CLIENT),
        None,
        None,
        false,
    );
    assert_eq!(f.status(deletion), Status::Approved);
    assert!(f.clients_of(SS1).is_empty());
}

#[test]
fn auth_cert_deletion_is_applied_on_receipt() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let id = f.accept_new(
        Service::AuthCertDeletion,
        SS1,
        None,
        Some(CERT1),
        None,
        false,
    );
    assert_eq!(f.status(id), Status::Approved);
    assert!(!f.store.is_auth_cert_of(&server(SS1), CERT1).unwrap());
    let registry = f.store.registry().unwrap();
    assert_eq!(registry.len(), 1, "the server stays registered");
    assert!(registry[0].auth_certs.is_empty());
}

#[test]
fn owner_change_renames_the_server_and_keeps_its_clients_and_certs() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_client(SS1, CLIENT);
    let id = f.accept_new(
        Service::OwnerChange,
        SS1,
        Some(NEW_OWNER),
        None,
        None,
        false,
    );
    assert_eq!(f.status(id), Status::SubmittedForApproval);
    f.store.approve(id).unwrap();

    let renamed = server("SERVER:EE/COM/NEWOWNER/SS1");
    let registry = f.store.registry().unwrap();
    assert_eq!(registry.len(), 1);
    assert_eq!(registry[0].id, renamed);
    assert_eq!(registry[0].owner, client(NEW_OWNER));
    assert_eq!(registry[0].auth_certs, [CERT1]);
    assert_eq!(registry[0].clients, [client(CLIENT)]);
    assert!(f.store.is_auth_cert_of(&renamed, CERT1).unwrap());
    assert!(!f.store.is_auth_cert_of(&server(SS1), CERT1).unwrap());
}

#[test]
fn auto_approve_applies_registrations_in_the_same_transaction() {
    let f = Fixture::new();
    let cert = f.accept_new(Service::AuthCertReg, SS1, None, Some(CERT1), None, true);
    let client_reg = f.accept_new(Service::ClientReg, SS1, Some(CLIENT), None, None, true);
    let owner = f.accept_new(Service::OwnerChange, SS1, Some(NEW_OWNER), None, None, true);
    for id in [cert, client_reg, owner] {
        assert_eq!(f.status(id), Status::Approved);
    }
    let registry = f.store.registry().unwrap();
    assert_eq!(registry[0].id, server("SERVER:EE/COM/NEWOWNER/SS1"));
    assert_eq!(registry[0].clients, [client(CLIENT)]);
}

#[test]
fn rule_second_pending_request_for_the_same_thing() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);

    let first = f.accept_new(Service::ClientReg, SS1, Some(CLIENT), None, None, false);
    f.refuse(
        f.request(Service::ClientReg, SS1, Some(CLIENT), None, None),
        false,
        &RuleViolation::AlreadyPending {
            service: Service::ClientReg,
            server: server(SS1),
            client: Some(client(CLIENT)),
            pending: first,
        },
    );
    // Another client on the same server is another thing.
    f.accept_new(
        Service::ClientReg,
        SS1,
        Some("SUBSYSTEM:EE/COM/CLIENT/other"),
        None,
        None,
        false,
    );
    // Once declined, the request is no longer pending.
    f.store.decline(first).unwrap();
    f.accept_new(Service::ClientReg, SS1, Some(CLIENT), None, None, false);

    let cert = f.accept_new(Service::AuthCertReg, SS2, None, Some(CERT2), None, false);
    // The same certificate counts whichever server it is for.
    f.refuse(
        f.request(Service::AuthCertReg, SS1, None, Some(CERT2), None),
        false,
        &RuleViolation::AlreadyPending {
            service: Service::AuthCertReg,
            server: server(SS1),
            client: None,
            pending: cert,
        },
    );
    f.store.revoke(cert).unwrap();
    f.accept_new(Service::AuthCertReg, SS1, None, Some(CERT2), None, false);

    let owner = f.accept_new(
        Service::OwnerChange,
        SS1,
        Some(NEW_OWNER),
        None,
        None,
        false,
    );
    let again = f.request(Service::OwnerChange, SS1, Some(NEW_OWNER), None, None);
    let expected = RuleViolation::AlreadyPending {
        service: Service::OwnerChange,
        server: server(SS1),
        client: Some(client(NEW_OWNER)),
        pending: owner,
    };
    assert!(
        expected
            .to_string()
            .contains("owner change of security server"),
        "{expected}"
    );
    f.refuse(again, false, &expected);
    // With auto-approve too: the pending request is checked first.
    f.refuse(
        f.request(Service::OwnerChange, SS1, Some(NEW_OWNER), None, None),
        true,
        &expected,
    );
}

#[test]
fn rule_client_already_registered() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_client(SS1, CLIENT);
    f.refuse(
        f.request(Service::ClientReg, SS1, Some(CLIENT), None, None),
        true,
        &RuleViolation::ClientAlreadyRegistered {
            server: server(SS1),
            client: client(CLIENT),
        },
    );
    // The same client on another server is fine.
    f.register_server(SS2, CERT2);
    f.register_client(SS2, CLIENT);
}

#[test]
fn rule_client_not_registered() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let violation = RuleViolation::ClientNotRegistered {
        server: server(SS1),
        client: client(CLIENT),
    };
    f.refuse(
        f.request(Service::ClientDeletion, SS1, Some(CLIENT), None, None),
        false,
        &violation,
    );
    f.register_client(SS1, CLIENT);
    f.accept_new(
        Service::ClientDeletion,
        SS1,
        Some(CLIENT),
        None,
        None,
        false,
    );
    // Deleted once, it cannot be deleted again.
    f.refuse(
        f.request(Service::ClientDeletion, SS1, Some(CLIENT), None, None),
        false,
        &violation,
    );
}

#[test]
fn rule_auth_cert_already_registered_to_this_or_another_server() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let this = RuleViolation::AuthCertAlreadyRegistered {
        server: server(SS1),
        registered_to: server(SS1),
    };
    assert!(this.to_string().contains("this security server"), "{this}");
    f.refuse(
        f.request(Service::AuthCertReg, SS1, None, Some(CERT1), None),
        false,
        &this,
    );
    let other = RuleViolation::AuthCertAlreadyRegistered {
        server: server(SS2),
        registered_to: server(SS1),
    };
    assert!(
        other
            .to_string()
            .contains("another security server SERVER:EE/GOV/OWNER1/SS1"),
        "{other}"
    );
    f.refuse(
        f.request(Service::AuthCertReg, SS2, None, Some(CERT1), None),
        true,
        &other,
    );
    f.accept_new(Service::AuthCertReg, SS2, None, Some(CERT2), None, true);
}

#[test]
fn rule_auth_cert_not_registered_to_that_server() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_server(SS2, CERT2);
    f.refuse(
        f.request(
            Service::AuthCertDeletion,
            SS1,
            None,
            Some(b"\x30unknown certificate"),
            None,
        ),
        false,
        &RuleViolation::AuthCertNotRegistered {
            server: server(SS1),
            registered_to: None,
        },
    );
    f.refuse(
        f.request(Service::AuthCertDeletion, SS1, None, Some(CERT2), None),
        false,
        &RuleViolation::AuthCertNotRegistered {
            server: server(SS1),
            registered_to: Some(server(SS2)),
        },
    );
    f.accept_new(
        Service::AuthCertDeletion,
        SS2,
        None,
        Some(CERT2),
        None,
        false,
    );
}

#[test]
fn rule_unknown_security_server() {
    let f = Fixture::new();
    let unknown = |service| RuleViolation::UnknownServer {
        service,
        server: server(SS2),
    };
    f.register_server(SS1, CERT1);
    f.refuse(
        f.request(Service::ClientReg, SS2, Some(CLIENT), None, None),
        true,
        &unknown(Service::ClientReg),
    );
    f.refuse(
        f.request(Service::ClientDeletion, SS2, Some(CLIENT), None, None),
        false,
        &unknown(Service::ClientDeletion),
    );
    f.refuse(
        f.request(Service::OwnerChange, SS2, Some(NEW_OWNER), None, None),
        false,
        &unknown(Service::OwnerChange),
    );
    f.refuse(
        f.request(Service::AuthCertDeletion, SS2, None, Some(CERT1), None),
        false,
        &unknown(Service::AuthCertDeletion),
    );
    assert_eq!(
        unknown(Service::ClientReg).to_string(),
        "clientReg: unknown security server SERVER:EE/GOV/OWNER2/SS2"
    );
    // Each is accepted once the server is registered.
    f.register_server(SS2, CERT2);
    f.register_client(SS2, CLIENT);
    f.accept_new(
        Service::ClientDeletion,
        SS2,
        Some(CLIENT),
        None,
        None,
        false,
    );
    f.accept_new(
        Service::OwnerChange,
        SS2,
        Some(NEW_OWNER),
        None,
        None,
        false,
    );
    f.accept_new(
        Service::AuthCertDeletion,
        SS2,
        None,
        Some(CERT2),
        None,
        false,
    );
}

#[test]
fn rule_new_owner_is_already_the_owner() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.refuse(
        f.request(
            Service::OwnerChange,
            SS1,
            Some("MEMBER:EE/GOV/OWNER1"),
            None,
            None,
        ),
        true,
        &RuleViolation::AlreadyOwner {
            server: server(SS1),
            owner: client("MEMBER:EE/GOV/OWNER1"),
        },
    );
    f.accept_new(Service::OwnerChange, SS1, Some(NEW_OWNER), None, None, true);
}

#[test]
fn rule_owner_change_to_an_identifier_already_taken() {
    let f = Fixture::new();
    f.register_server("SERVER:EE/GOV/OWNER1/SS", CERT1);
    f.register_server("SERVER:EE/GOV/OWNER2/SS", CERT2);
    f.refuse(
        f.request(
            Service::OwnerChange,
            "SERVER:EE/GOV/OWNER1/SS",
            Some("MEMBER:EE/GOV/OWNER2"),
            None,
            None,
        ),
        true,
        &RuleViolation::ServerIdTaken {
            server: server("SERVER:EE/GOV/OWNER1/SS"),
            taken: server("SERVER:EE/GOV/OWNER2/SS"),
        },
    );
}

#[test]
fn approval_checks_the_rules_again() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    // Two owner changes to different owners may both be pending; once one is approved the
    // server has a new identifier and the other names an unknown server.
    let first = f.accept_new(
        Service::OwnerChange,
        SS1,
        Some(NEW_OWNER),
        None,
        None,
        false,
    );
    let second = f.accept_new(
        Service::OwnerChange,
        SS1,
        Some("MEMBER:EE/COM/THIRD"),
        None,
        None,
        false,
    );
    let client_reg = f.accept_new(Service::ClientReg, SS1, Some(CLIENT), None, None, false);
    f.store.approve(first).unwrap();
    let unknown = |service| RuleViolation::UnknownServer {
        service,
        server: server(SS1),
    };
    f.refuse_approval(second, &unknown(Service::OwnerChange));
    f.refuse_approval(client_reg, &unknown(Service::ClientReg));

    // The identifier an owner change leads to is taken by a server registered since.
    f.register_server("SERVER:EE/GOV/A/SS", CERT2);
    let change = f.accept_new(
        Service::OwnerChange,
        "SERVER:EE/GOV/A/SS",
        Some("MEMBER:EE/GOV/B"),
        None,
        None,
        false,
    );
    f.register_server("SERVER:EE/GOV/B/SS", b"\x30\x82third");
    f.refuse_approval(
        change,
        &RuleViolation::ServerIdTaken {
            server: server("SERVER:EE/GOV/A/SS"),
            taken: server("SERVER:EE/GOV/B/SS"),
        },
    );
}

#[test]
fn decisions_follow_the_status_rules() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let declined = f.accept_new(Service::ClientReg, SS1, Some(CLIENT), None, None, false);
    f.store.decline(declined).unwrap();
    assert_eq!(f.status(declined), Status::Declined);
    let revoked = f.accept_new(Service::ClientReg, SS1, Some(CLIENT), None, None, false);
    f.store.revoke(revoked).unwrap();
    assert_eq!(f.status(revoked), Status::Revoked);
    let deletion = f.accept_new(
        Service::AuthCertDeletion,
        SS1,
        None,
        Some(CERT1),
        None,
        false,
    );

    let cases = [
        (declined, Action::Approve, Status::Declined),
        (declined, Action::Decline, Status::Declined),
        (declined, Action::Revoke, Status::Declined),
        (revoked, Action::Approve, Status::Revoked),
        (deletion, Action::Decline, Status::Approved),
        (deletion, Action::Revoke, Status::Approved),
    ];
    for (id, action, status) in cases {
        let before = f.store.dump().unwrap();
        let outcome = match action {
            Action::Approve => f.store.approve(id),
            Action::Decline => f.store.decline(id),
            Action::Revoke => f.store.revoke(id),
        };
        match outcome {
            Err(error @ StoreError::Transition { .. }) => {
                assert!(
                    error
                        .to_string()
                        .contains(&format!("its status is {status}")),
                    "{error}"
                );
            }
            other => panic!("{action} of request {id}: expected a transition error, got {other:?}"),
        }
        assert_eq!(f.store.dump().unwrap(), before);
    }
    assert!(matches!(
        f.store.approve(999),
        Err(StoreError::UnknownRequest(999))
    ));
}

#[test]
fn a_repeated_message_id_gets_the_first_response_and_stores_nothing() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let request = f.request(Service::ClientReg, SS1, Some(CLIENT), None, None);
    let first = f.submit(request.clone(), false).unwrap();
    let Submitted::Accepted {
        request_id,
        response,
    } = first
    else {
        panic!("expected acceptance, got {first:?}");
    };
    let before = f.store.dump().unwrap();

    // Same sender and id, even with a different body, which now breaks a rule: the first
    // response, and the responder is not called.
    let mut repeat = request.clone();
    repeat.log.soap = b"<other/>".to_vec();
    let called = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&called);
    let again = f
        .store
        .submit(repeat, true, move |id| {
            flag.store(true, Ordering::SeqCst);
            response_for(id)
        })
        .unwrap();
    assert_eq!(
        again,
        Submitted::Repeated {
            request_id,
            response
        }
    );
    assert!(!called.load(Ordering::SeqCst));
    assert_eq!(f.store.dump().unwrap(), before);

    // The same message id from another sender is another request.
    let mut other_sender = request;
    other_sender.sender = client("MEMBER:EE/GOV/SOMEONE");
    other_sender.client = Some(client("SUBSYSTEM:EE/COM/CLIENT/second"));
    assert!(f.accept(other_sender, false) > request_id);
}

#[test]
fn requests_without_the_fields_of_their_service_are_refused() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let cases = [
        (
            f.request(Service::ClientReg, SS1, None, None, None),
            "client",
        ),
        (
            f.request(Service::ClientReg, SS1, Some(CLIENT), Some(CERT2), None),
            "auth_cert",
        ),
        (
            f.request(Service::ClientDeletion, SS1, Some(CLIENT), None, Some("a")),
            "address",
        ),
        (
            f.request(Service::OwnerChange, SS1, Some(CLIENT), None, None),
            "client",
        ),
        (
            f.request(Service::AuthCertReg, SS1, Some(CLIENT), Some(CERT2), None),
            "client",
        ),
        (
            f.request(Service::AuthCertReg, SS1, None, None, None),
            "auth_cert",
        ),
        (
            f.request(Service::AuthCertReg, SS1, None, Some(b""), None),
            "auth_cert",
        ),
        (
            f.request(Service::AuthCertDeletion, SS1, None, Some(CERT1), Some("a")),
            "address",
        ),
    ];
    let before = f.store.dump().unwrap();
    for (request, field) in cases {
        let service = request.service;
        match f.submit(request, true) {
            Err(StoreError::Malformed {
                field: found,
                service: s,
                ..
            }) => {
                assert_eq!((s, found), (service, field));
            }
            other => panic!("{service} without proper {field}: got {other:?}"),
        }
    }
    let mut no_id = f.request(Service::ClientReg, SS1, Some(CLIENT), None, None);
    no_id.message_id.clear();
    assert!(matches!(
        f.submit(no_id, true),
        Err(StoreError::Malformed {
            field: "message_id",
            ..
        })
    ));
    let mut far_future = f.request(Service::ClientReg, SS1, Some(CLIENT), None, None);
    far_future.received_at = SystemTime::UNIX_EPOCH + Duration::from_secs(300 * 366 * 86_400);
    assert!(matches!(
        f.submit(far_future, true),
        Err(StoreError::TimeOutOfRange)
    ));
    assert_eq!(f.store.dump().unwrap(), before);
}

#[test]
fn a_panicking_responder_stores_nothing() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let before = f.store.dump().unwrap();
    let request = f.request(Service::ClientReg, SS1, Some(CLIENT), None, None);
    let outcome = f.store.submit(request.clone(), true, |_| {
        panic!("response cannot be built")
    });
    assert!(
        matches!(outcome, Err(StoreError::ResponsePanicked)),
        "{outcome:?}"
    );
    assert_eq!(f.store.dump().unwrap(), before);
    // The same request goes through once the response can be built.
    f.accept(request, true);
    assert_eq!(f.clients_of(SS1), [CLIENT]);
}

#[test]
fn requests_are_listed_by_filter() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_server(SS2, CERT2);
    let pending = f.accept_new(Service::ClientReg, SS1, Some(CLIENT), None, None, false);
    let approved = f.accept_new(Service::ClientReg, SS2, Some(CLIENT), None, None, true);
    let ids = |filter: RequestFilter| -> Vec<i64> {
        f.store
            .requests(&filter)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(ids(RequestFilter::default()).len(), 4);
    assert_eq!(
        ids(RequestFilter {
            service: Some(Service::ClientReg),
            ..RequestFilter::default()
        }),
        [pending, approved]
    );
    assert_eq!(
        ids(RequestFilter {
            status: Some(Status::SubmittedForApproval),
            ..RequestFilter::default()
        }),
        [pending]
    );
    assert_eq!(
        ids(RequestFilter {
            service: Some(Service::ClientReg),
            server: Some(server(SS2)),
            status: Some(Status::Approved),
        }),
        [approved]
    );
    assert!(f.store.request(approved + 1).unwrap().is_none());
    assert!(f.store.message_log(approved + 1).unwrap().is_none());
    f.store.integrity_check().unwrap();
}
