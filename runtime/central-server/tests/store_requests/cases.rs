use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use xroad_central_server::store::{
    Action, ClientRecord, MaintenanceMode, ManagementRequest, NewRequest, RequestFilter,
    RuleViolation, ServerRecord, Service, Status, Store, StoreError, StoreSettings, Submitted,
    Transport,
};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
use xroad_runtime::message::{Attachment, Parts};

use crate::support::{Place, TestStore};

const SS1: &str = "SERVER:EE/GOV/OWNER1/SS1";
const SS2: &str = "SERVER:EE/GOV/OWNER2/SS2";
const CLIENT: &str = "SUBSYSTEM:EE/COM/CLIENT/sub";
const NEW_OWNER: &str = "MEMBER:EE/COM/NEWOWNER";
const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";
const CERT1: &[u8] = b"\x30\x82\x01\x0aDER of auth certificate 1";
const CERT2: &[u8] = b"\x30\x82\x01\x0aDER of auth certificate 2";

fn server(text: &str) -> XRoadSecurityServerIdentifierType {
    text.parse().unwrap()
}

fn client(text: &str) -> XRoadClientIdentifierType {
    text.parse().unwrap()
}

fn client_reg(server_id: &str, client_id: &str) -> ManagementRequest {
    ManagementRequest::ClientReg {
        server: server(server_id),
        client: client(client_id),
        subsystem_name: None,
    }
}

fn named_client_reg(server_id: &str, client_id: &str, name: &str) -> ManagementRequest {
    ManagementRequest::ClientReg {
        server: server(server_id),
        client: client(client_id),
        subsystem_name: Some(name.to_owned()),
    }
}

fn client_deletion(server_id: &str, client_id: &str) -> ManagementRequest {
    ManagementRequest::ClientDeletion {
        server: server(server_id),
        client: client(client_id),
    }
}

fn auth_cert_reg(server_id: &str, cert: &[u8], address: &str) -> ManagementRequest {
    ManagementRequest::AuthCertReg {
        server: server(server_id),
        auth_cert: cert.to_vec(),
        address: address.to_owned(),
    }
}

fn auth_cert_deletion(server_id: &str, cert: &[u8]) -> ManagementRequest {
    ManagementRequest::AuthCertDeletion {
        server: server(server_id),
        auth_cert: cert.to_vec(),
    }
}

fn owner_change(server_id: &str, new_owner: &str) -> ManagementRequest {
    ManagementRequest::OwnerChange {
        server: server(server_id),
        new_owner: client(new_owner),
    }
}

fn address_change(server_id: &str, address: &str) -> ManagementRequest {
    ManagementRequest::AddressChange {
        server: server(server_id),
        address: address.to_owned(),
    }
}

fn client_disable(server_id: &str, client_id: &str) -> ManagementRequest {
    ManagementRequest::ClientDisable {
        server: server(server_id),
        client: client(client_id),
    }
}

fn client_enable(server_id: &str, client_id: &str) -> ManagementRequest {
    ManagementRequest::ClientEnable {
        server: server(server_id),
        client: client(client_id),
    }
}

fn client_rename(server_id: &str, client_id: &str, name: &str) -> ManagementRequest {
    ManagementRequest::ClientRename {
        server: server(server_id),
        client: client(client_id),
        subsystem_name: name.to_owned(),
    }
}

fn maintenance_on(server_id: &str, message: Option<&str>) -> ManagementRequest {
    ManagementRequest::MaintenanceModeEnable {
        server: server(server_id),
        message: message.map(str::to_owned),
    }
}

fn maintenance_off(server_id: &str) -> ManagementRequest {
    ManagementRequest::MaintenanceModeDisable {
        server: server(server_id),
    }
}

/// A store on the backend of this test binary and a source of distinct message ids.
struct Fixture {
    store: Store,
    _place: Place,
    messages: AtomicU64,
}

impl Fixture {
    fn new() -> Self {
        let TestStore { store, place } =
            TestStore::open(crate::BACKEND, PROVIDER, StoreSettings::default());
        Self {
            store,
            _place: place,
            messages: AtomicU64::new(0),
        }
    }

    /// `request` as received: a fresh message id, sent by the server's owner, with a
    /// message log of the parts its service carries, every part distinct.
    fn received(&self, request: ManagementRequest) -> NewRequest {
        let n = self.messages.fetch_add(1, Ordering::Relaxed);
        let server = request.server();
        let sender = format!(
            "MEMBER:{}/{}/{}",
            server.x_road_instance, server.member_class, server.member_code
        );
        let tagged = |part: &str| format!("{part} of message {n}").into_bytes();
        let description = request.service().description();
        let attachments = (1..description.parts.len())
            .map(|index| Attachment {
                signature_algorithm_id: description.parts[index]
                    .is_signature()
                    .then(|| "SHA256withRSA".to_owned()),
                body: tagged(&description.part_description(index)).into(),
            })
            .collect();
        NewRequest {
            request,
            message_id: format!("message-{n}"),
            sender: client(&sender),
            received_at: UNIX_EPOCH + Duration::from_nanos(1_700_000_000_000_000_000 + n),
            log: Parts {
                soap: tagged("<soap/>").into(),
                attachments,
            },
            transport: Default::default(),
        }
    }

    fn submit(&self, request: NewRequest, auto_approve: bool) -> Result<Submitted, StoreError> {
        self.store.submit(request, auto_approve, response_for)
    }

    /// Submits and expects a new request id.
    fn accept_received(&self, request: NewRequest, auto_approve: bool) -> i64 {
        match self.submit(request, auto_approve) {
            Ok(Submitted::Accepted { request_id, .. }) => request_id,
            other => panic!("expected acceptance, got {other:?}"),
        }
    }

    /// Submits `request` as received and expects a new request id.
    fn accept(&self, request: ManagementRequest, auto_approve: bool) -> i64 {
        self.accept_received(self.received(request), auto_approve)
    }

    /// Registers a security server with one auth certificate.
    fn register_server(&self, server: &str, cert: &[u8]) {
        self.accept(auth_cert_reg(server, cert, "ss.example.org"), true);
    }

    fn register_client(&self, server: &str, client: &str) {
        self.accept(client_reg(server, client), true);
    }

    fn status(&self, id: i64) -> Status {
        self.store.request(id).unwrap().unwrap().status
    }

    fn server_record(&self, server_id: &str) -> ServerRecord {
        self.store
            .registry()
            .unwrap()
            .into_iter()
            .find(|record| record.id == server(server_id))
            .unwrap_or_else(|| panic!("{server_id} is not registered"))
    }

    fn clients_of(&self, server_id: &str) -> Vec<String> {
        self.store
            .registry()
            .unwrap()
            .into_iter()
            .find(|record| record.id == server(server_id))
            .map(|record| record.clients.iter().map(|c| c.id.to_string()).collect())
            .unwrap_or_default()
    }

    /// The client `client_id` of `server_id` in the registry.
    fn client_record(&self, server_id: &str, client_id: &str) -> ClientRecord {
        self.server_record(server_id)
            .clients
            .into_iter()
            .find(|record| record.id == client(client_id))
            .unwrap_or_else(|| panic!("{client_id} is not a client of {server_id}"))
    }

    /// Submits `request` and expects it refused for `expected`, with the store unchanged.
    fn refuse(&self, request: ManagementRequest, auto_approve: bool, expected: &RuleViolation) {
        let before = self.store.dump().unwrap();
        match self.submit(self.received(request), auto_approve) {
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
    let request = f.received(auth_cert_reg(SS1, CERT1, "ss1.example.org"));
    let id = f.accept_received(request.clone(), false);

    let record = f.store.request(id).unwrap().unwrap();
    assert_eq!(record.status, Status::SubmittedForApproval);
    assert_eq!(record.request, request.request);
    assert_eq!(record.service(), Service::AuthCertReg);
    assert_eq!(record.message_id, request.message_id);
    assert_eq!(
        (&record.sender, record.received_at),
        (&request.sender, request.received_at)
    );
    let logged = f.store.message_log(id).unwrap().unwrap();
    assert_eq!(logged.parts, request.log);
    assert_eq!(logged.parts.len(), 6, "authCertReg carries six parts");
    assert_eq!(
        logged.response_sha256,
        openssl::sha::sha256(&response_for(id))
    );
    assert!(f.store.registry().unwrap().is_empty());
    assert!(!f.store.is_auth_cert_of(&server(SS1), CERT1).unwrap());

    f.store.approve(id).unwrap();
    assert_eq!(f.status(id), Status::Approved);
    let registry = f.store.registry().unwrap();
    assert_eq!(registry.len(), 1);
    assert_eq!(registry[0].id, server(SS1));
    assert_eq!(registry[0].owner, client("MEMBER:EE/GOV/OWNER1"));
    assert_eq!(registry[0].address.as_deref(), Some("ss1.example.org"));
    assert_eq!(registry[0].maintenance, None);
    assert_eq!(registry[0].auth_certs, [CERT1]);
    assert!(f.store.is_auth_cert_of(&server(SS1), CERT1).unwrap());
    assert!(!f.store.is_auth_cert_of(&server(SS2), CERT1).unwrap());
    assert!(!f.store.is_auth_cert_of(&server(SS1), CERT2).unwrap());
}

#[test]
fn a_second_auth_cert_is_added_and_updates_the_address() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let id = f.accept(auth_cert_reg(SS1, CERT2, "new.example.org"), false);
    f.store.approve(id).unwrap();
    let registry = f.store.registry().unwrap();
    assert_eq!(registry.len(), 1);
    assert_eq!(registry[0].auth_certs, [CERT1, CERT2]);
    assert_eq!(registry[0].address.as_deref(), Some("new.example.org"));
}

#[test]
fn client_registration_and_deletion() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let id = f.accept(client_reg(SS1, CLIENT), false);
    assert_eq!(f.status(id), Status::SubmittedForApproval);
    assert!(f.clients_of(SS1).is_empty());
    f.store.approve(id).unwrap();
    assert_eq!(f.status(id), Status::Approved);
    assert_eq!(
        f.server_record(SS1).clients,
        [ClientRecord {
            id: client(CLIENT),
            enabled: true,
            subsystem_name: None,
        }]
    );

    // Deletions are applied on receipt.
    let deletion = f.accept(client_deletion(SS1, CLIENT), false);
    assert_eq!(f.status(deletion), Status::Approved);
    assert!(f.clients_of(SS1).is_empty());
    // A deletion carries no parts besides the SOAP message.
    let logged = f.store.message_log(deletion).unwrap().unwrap();
    assert!(logged.parts.attachments.is_empty());
}

#[test]
fn auth_cert_deletion_is_applied_on_receipt() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let id = f.accept(auth_cert_deletion(SS1, CERT1), false);
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
    f.register_client(SS1, NEW_OWNER);
    let id = f.accept(owner_change(SS1, NEW_OWNER), false);
    assert_eq!(f.status(id), Status::SubmittedForApproval);
    f.store.approve(id).unwrap();

    let renamed = server("SERVER:EE/COM/NEWOWNER/SS1");
    let registry = f.store.registry().unwrap();
    assert_eq!(registry.len(), 1);
    assert_eq!(registry[0].id, renamed);
    assert_eq!(registry[0].owner, client(NEW_OWNER));
    assert_eq!(registry[0].auth_certs, [CERT1]);
    // As in the reference: the old owner became a client, the new one is a client no more.
    assert_eq!(
        f.clients_of("SERVER:EE/COM/NEWOWNER/SS1"),
        ["MEMBER:EE/GOV/OWNER1", CLIENT]
    );
    assert!(f.store.is_auth_cert_of(&renamed, CERT1).unwrap());
    assert!(!f.store.is_auth_cert_of(&server(SS1), CERT1).unwrap());
}

#[test]
fn auto_approve_applies_registrations_in_the_same_transaction() {
    let f = Fixture::new();
    let cert = f.accept(auth_cert_reg(SS1, CERT1, "ss1.example.org"), true);
    let registration = f.accept(client_reg(SS1, CLIENT), true);
    let new_owner = f.accept(client_reg(SS1, NEW_OWNER), true);
    let owner = f.accept(owner_change(SS1, NEW_OWNER), true);
    for id in [cert, registration, new_owner, owner] {
        assert_eq!(f.status(id), Status::Approved);
    }
    let registry = f.store.registry().unwrap();
    assert_eq!(registry[0].id, server("SERVER:EE/COM/NEWOWNER/SS1"));
    assert_eq!(
        f.clients_of("SERVER:EE/COM/NEWOWNER/SS1"),
        ["MEMBER:EE/GOV/OWNER1", CLIENT]
    );
}

#[test]
fn rule_second_pending_request_for_the_same_thing() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);

    let first = f.accept(client_reg(SS1, CLIENT), false);
    f.refuse(
        client_reg(SS1, CLIENT),
        false,
        &RuleViolation::AlreadyPending {
            service: Service::ClientReg,
            server: server(SS1),
            client: Some(client(CLIENT)),
            pending: first,
        },
    );
    // Another client on the same server is another thing.
    f.accept(client_reg(SS1, "SUBSYSTEM:EE/COM/CLIENT/other"), false);
    // Once declined, the request is no longer pending.
    f.store.decline(first).unwrap();
    f.accept(client_reg(SS1, CLIENT), false);

    let cert = f.accept(auth_cert_reg(SS2, CERT2, "ss2.example.org"), false);
    // The same certificate counts whichever server it is for.
    f.refuse(
        auth_cert_reg(SS1, CERT2, "ss1.example.org"),
        false,
        &RuleViolation::AlreadyPending {
            service: Service::AuthCertReg,
            server: server(SS1),
            client: None,
            pending: cert,
        },
    );
    f.store.revoke(cert).unwrap();
    f.accept(auth_cert_reg(SS1, CERT2, "ss1.example.org"), false);

    f.register_client(SS1, NEW_OWNER);
    let owner = f.accept(owner_change(SS1, NEW_OWNER), false);
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
    f.refuse(owner_change(SS1, NEW_OWNER), false, &expected);
    // With auto-approve too: the pending request is checked first.
    f.refuse(owner_change(SS1, NEW_OWNER), true, &expected);
}

#[test]
fn rule_client_already_registered() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_client(SS1, CLIENT);
    f.refuse(
        client_reg(SS1, CLIENT),
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
        service: Service::ClientDeletion,
        server: server(SS1),
        client: client(CLIENT),
    };
    assert_eq!(
        violation.to_string(),
        "clientDeletion: client SUBSYSTEM:EE/COM/CLIENT/sub is not registered on security \
         server SERVER:EE/GOV/OWNER1/SS1"
    );
    f.refuse(client_deletion(SS1, CLIENT), false, &violation);
    f.register_client(SS1, CLIENT);
    f.accept(client_deletion(SS1, CLIENT), false);
    // Deleted once, it cannot be deleted again.
    f.refuse(client_deletion(SS1, CLIENT), false, &violation);
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
    f.refuse(auth_cert_reg(SS1, CERT1, "ss1.example.org"), false, &this);
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
    f.refuse(auth_cert_reg(SS2, CERT1, "ss2.example.org"), true, &other);
    f.accept(auth_cert_reg(SS2, CERT2, "ss2.example.org"), true);
}

#[test]
fn rule_auth_cert_not_registered_to_that_server() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_server(SS2, CERT2);
    f.refuse(
        auth_cert_deletion(SS1, b"\x30unknown certificate"),
        false,
        &RuleViolation::AuthCertNotRegistered {
            server: server(SS1),
            registered_to: None,
        },
    );
    f.refuse(
        auth_cert_deletion(SS1, CERT2),
        false,
        &RuleViolation::AuthCertNotRegistered {
            server: server(SS1),
            registered_to: Some(server(SS2)),
        },
    );
    f.accept(auth_cert_deletion(SS2, CERT2), false);
}

#[test]
fn rule_unknown_security_server() {
    let f = Fixture::new();
    let unknown = |service| RuleViolation::UnknownServer {
        service,
        server: server(SS2),
    };
    f.register_server(SS1, CERT1);
    let refused = [
        client_reg(SS2, CLIENT),
        client_deletion(SS2, CLIENT),
        owner_change(SS2, NEW_OWNER),
        auth_cert_deletion(SS2, CERT1),
        address_change(SS2, "ss2.example.org"),
        client_disable(SS2, CLIENT),
        client_enable(SS2, CLIENT),
        client_rename(SS2, CLIENT, "New name"),
        maintenance_on(SS2, None),
        maintenance_off(SS2),
    ];
    for request in refused {
        let service = request.service();
        f.refuse(request, true, &unknown(service));
    }
    assert_eq!(
        unknown(Service::AddressChange).to_string(),
        "addressChange: unknown security server SERVER:EE/GOV/OWNER2/SS2"
    );
    // Each is accepted once the server is registered.
    f.register_server(SS2, CERT2);
    f.register_client(SS2, CLIENT);
    f.accept(address_change(SS2, "ss2.example.org"), false);
    f.accept(client_disable(SS2, CLIENT), false);
    f.accept(client_enable(SS2, CLIENT), false);
    f.accept(client_rename(SS2, CLIENT, "New name"), false);
    f.accept(maintenance_on(SS2, None), false);
    f.accept(maintenance_off(SS2), false);
    f.accept(client_deletion(SS2, CLIENT), false);
    f.register_client(SS2, NEW_OWNER);
    f.accept(owner_change(SS2, NEW_OWNER), false);
    f.accept(auth_cert_deletion(SS2, CERT2), false);
}

#[test]
fn rule_new_owner_is_already_the_owner() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.refuse(
        owner_change(SS1, "MEMBER:EE/GOV/OWNER1"),
        true,
        &RuleViolation::AlreadyOwner {
            server: server(SS1),
            owner: client("MEMBER:EE/GOV/OWNER1"),
        },
    );
    f.register_client(SS1, NEW_OWNER);
    f.accept(owner_change(SS1, NEW_OWNER), true);
}

#[test]
fn rule_new_owner_must_be_a_client_of_the_server() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_server(SS2, CERT2);
    // A client of another server is not enough.
    f.register_client(SS2, NEW_OWNER);
    let violation = RuleViolation::NewOwnerNotAClient {
        server: server(SS1),
        new_owner: client(NEW_OWNER),
    };
    assert_eq!(
        violation.to_string(),
        format!(
            "ownerChange: the new owner {NEW_OWNER} is not a client of security server {SS1}; \
             register it as a client first"
        )
    );
    f.refuse(owner_change(SS1, NEW_OWNER), false, &violation);
    f.refuse(owner_change(SS1, NEW_OWNER), true, &violation);
    // A disabled client counts, as in the reference.
    f.register_client(SS1, NEW_OWNER);
    f.accept(client_disable(SS1, NEW_OWNER), false);
    let pending = f.accept(owner_change(SS1, NEW_OWNER), false);
    // Deleted again before the approval: the approval is refused.
    f.accept(client_deletion(SS1, NEW_OWNER), false);
    f.refuse_approval(pending, &violation);
}

#[test]
fn rule_the_owner_cannot_be_registered_as_a_client() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let owner = "MEMBER:EE/GOV/OWNER1";
    let violation = RuleViolation::CannotRegisterOwner {
        server: server(SS1),
        owner: client(owner),
    };
    assert_eq!(
        violation.to_string(),
        format!(
            "clientReg: {owner} owns security server {SS1} and cannot be registered as its client"
        )
    );
    f.refuse(client_reg(SS1, owner), false, &violation);
    f.refuse(client_reg(SS1, owner), true, &violation);
    // Its subsystems can be.
    f.accept(client_reg(SS1, "SUBSYSTEM:EE/GOV/OWNER1/sub"), true);
    // Once it has handed the server over, the old owner is a client already.
    f.register_client(SS1, NEW_OWNER);
    f.accept(owner_change(SS1, NEW_OWNER), true);
    let renamed = "SERVER:EE/COM/NEWOWNER/SS1";
    f.refuse(
        client_reg(renamed, owner),
        true,
        &RuleViolation::ClientAlreadyRegistered {
            server: server(renamed),
            client: client(owner),
        },
    );
    f.refuse(
        client_reg(renamed, NEW_OWNER),
        true,
        &RuleViolation::CannotRegisterOwner {
            server: server(renamed),
            owner: client(NEW_OWNER),
        },
    );
}

#[test]
fn rule_new_owner_must_be_a_member() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let violation = RuleViolation::NewOwnerNotAMember {
        server: server(SS1),
        new_owner: client(CLIENT),
    };
    assert!(
        violation.to_string().contains("is not a member"),
        "{violation}"
    );
    f.refuse(owner_change(SS1, CLIENT), true, &violation);
}

#[test]
fn rule_owner_change_to_an_identifier_already_taken() {
    let f = Fixture::new();
    f.register_server("SERVER:EE/GOV/OWNER1/SS", CERT1);
    f.register_server("SERVER:EE/GOV/OWNER2/SS", CERT2);
    f.register_client("SERVER:EE/GOV/OWNER1/SS", "MEMBER:EE/GOV/OWNER2");
    f.refuse(
        owner_change("SERVER:EE/GOV/OWNER1/SS", "MEMBER:EE/GOV/OWNER2"),
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
    f.register_client(SS1, NEW_OWNER);
    f.register_client(SS1, "MEMBER:EE/COM/THIRD");
    // Two owner changes to different owners may both be pending; once one is approved the
    // server has a new identifier and the other names an unknown server.
    let first = f.accept(owner_change(SS1, NEW_OWNER), false);
    let second = f.accept(owner_change(SS1, "MEMBER:EE/COM/THIRD"), false);
    let registration = f.accept(client_reg(SS1, CLIENT), false);
    f.store.approve(first).unwrap();
    let unknown = |service| RuleViolation::UnknownServer {
        service,
        server: server(SS1),
    };
    f.refuse_approval(second, &unknown(Service::OwnerChange));
    f.refuse_approval(registration, &unknown(Service::ClientReg));

    // The identifier an owner change leads to is taken by a server registered since.
    f.register_server("SERVER:EE/GOV/A/SS", CERT2);
    f.register_client("SERVER:EE/GOV/A/SS", "MEMBER:EE/GOV/B");
    let change = f.accept(owner_change("SERVER:EE/GOV/A/SS", "MEMBER:EE/GOV/B"), false);
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
    f.register_client(SS1, "SUBSYSTEM:EE/COM/CLIENT/other");
    let declined = f.accept(client_reg(SS1, CLIENT), false);
    f.store.decline(declined).unwrap();
    assert_eq!(f.status(declined), Status::Declined);
    let revoked = f.accept(client_reg(SS1, CLIENT), false);
    f.store.revoke(revoked).unwrap();
    assert_eq!(f.status(revoked), Status::Revoked);
    let deletion = f.accept(auth_cert_deletion(SS1, CERT1), false);
    // The services of PR-MSERV 1.20 are applied on receipt: nothing is left to decide.
    let disabled = f.accept(client_disable(SS1, "SUBSYSTEM:EE/COM/CLIENT/other"), false);
    let maintenance = f.accept(maintenance_on(SS1, None), false);

    let cases = [
        (declined, Action::Approve, Status::Declined),
        (declined, Action::Decline, Status::Declined),
        (declined, Action::Revoke, Status::Declined),
        (revoked, Action::Approve, Status::Revoked),
        (deletion, Action::Decline, Status::Approved),
        (deletion, Action::Revoke, Status::Approved),
        (disabled, Action::Approve, Status::Approved),
        (disabled, Action::Decline, Status::Approved),
        (maintenance, Action::Revoke, Status::Approved),
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
    let request = f.received(client_reg(SS1, CLIENT));
    let first = f.submit(request.clone(), false).unwrap();
    let Submitted::Accepted {
        request_id,
        response,
    } = first
    else {
        panic!("expected acceptance, got {first:?}");
    };
    let before = f.store.dump().unwrap();

    // Same sender, id and SOAP part: a repeat, which gets the first response and stores
    // nothing, even when the other parts differ (a signature made again, a fresher OCSP
    // response: the SOAP part is what the signature covers).
    let mut repeat = request.clone();
    repeat.log.attachments[2].body = b"a fresher OCSP response".to_vec().into();
    let again = f.submit(repeat, false).unwrap();
    assert_eq!(
        again,
        Submitted::Repeated {
            request_id,
            response
        }
    );
    assert_eq!(f.store.dump().unwrap(), before);

    // The same message id from another sender is another request.
    let mut other_sender = request;
    other_sender.sender = client("MEMBER:EE/GOV/SOMEONE");
    other_sender.request = client_reg(SS1, "SUBSYSTEM:EE/COM/CLIENT/second");
    assert!(f.accept_received(other_sender, false) > request_id);
}

#[test]
fn a_used_message_id_with_other_content_is_refused() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let request = f.received(client_reg(SS1, CLIENT));
    let first = f.accept_received(request.clone(), false);
    let before = f.store.dump().unwrap();
    let expected = RuleViolation::MessageIdUsed {
        sender: request.sender.clone(),
        message_id: request.message_id.clone(),
        request: first,
    };
    assert_eq!(
        expected.to_string(),
        format!(
            "message id {} of sender {} was used by request {first} with other content; only \
             a byte-identical repeat of its SOAP part is answered as a repeat",
            request.message_id, request.sender
        )
    );
    // Another body, a SOAP part that differs in one byte, the same body as another
    // service: each is refused, the responder is not called, nothing changes.
    let mut other_body = request.clone();
    other_body.log.soap = "<other/>".into();
    other_body.request = maintenance_off(SS1);
    let mut one_byte = request.clone();
    let mut soap = request.log.soap.to_vec();
    soap[0] ^= 1;
    one_byte.log.soap = soap.into();
    let mut longer = request.clone();
    longer.log.soap = [&request.log.soap[..], b" "].concat().into();
    for (case, changed) in [
        ("other body", other_body),
        ("one byte", one_byte),
        ("longer", longer),
    ] {
        let called = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&called);
        let refused = f.store.submit(changed, true, move |id| {
            flag.store(true, Ordering::SeqCst);
            response_for(id)
        });
        match refused {
            Err(StoreError::Rule(violation)) => assert_eq!(*violation, expected, "{case}"),
            other => panic!("{case}: expected a refusal, got {other:?}"),
        }
        assert!(!called.load(Ordering::SeqCst), "{case}");
        assert_eq!(f.store.dump().unwrap(), before, "{case}");
    }
}

#[test]
fn a_message_id_and_a_time_the_store_cannot_hold_are_refused() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let before = f.store.dump().unwrap();
    let mut no_id = f.received(client_reg(SS1, CLIENT));
    no_id.message_id.clear();
    assert!(matches!(
        f.submit(no_id, true),
        Err(StoreError::Malformed {
            service: Service::ClientReg,
            field: "message_id",
            ..
        })
    ));
    let mut far_future = f.received(client_reg(SS1, CLIENT));
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
    let request = f.received(client_reg(SS1, CLIENT));
    let outcome = f.store.submit(request.clone(), true, |_| {
        panic!("response cannot be built")
    });
    assert!(
        matches!(outcome, Err(StoreError::ResponsePanicked)),
        "{outcome:?}"
    );
    assert_eq!(f.store.dump().unwrap(), before);
    // The same request goes through once the response can be built.
    f.accept_received(request, true);
    assert_eq!(f.clients_of(SS1), [CLIENT]);
}

#[test]
fn requests_are_listed_by_filter() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_server(SS2, CERT2);
    let pending = f.accept(client_reg(SS1, CLIENT), false);
    let approved = f.accept(client_reg(SS2, CLIENT), true);
    let disabled = f.accept(client_disable(SS2, CLIENT), false);
    let ids = |filter: RequestFilter| -> Vec<i64> {
        f.store
            .requests(&filter)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect()
    };
    assert_eq!(ids(RequestFilter::default()).len(), 5);
    assert_eq!(
        ids(RequestFilter {
            service: Some(Service::ClientReg),
            ..RequestFilter::default()
        }),
        [pending, approved]
    );
    assert_eq!(
        ids(RequestFilter {
            service: Some(Service::ClientDisable),
            ..RequestFilter::default()
        }),
        [disabled]
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
    assert!(f.store.request(disabled + 1).unwrap().is_none());
    assert!(f.store.message_log(disabled + 1).unwrap().is_none());
    f.store.integrity_check().unwrap();
}

// The services of PR-MSERV 1.20: applied on receipt, each refusal changing nothing.

#[test]
fn address_change_sets_the_address_at_once() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let request = f.received(address_change(SS1, "10.1.2.3"));
    let id = f.accept_received(request.clone(), false);
    let record = f.store.request(id).unwrap().unwrap();
    assert_eq!(record.status, Status::Approved);
    assert_eq!(record.request, request.request);
    let logged = f.store.message_log(id).unwrap().unwrap();
    assert_eq!(logged.parts, request.log);
    assert_eq!(logged.parts.len(), 4, "SOAP, signature, certificate, OCSP");
    let registry = f.server_record(SS1);
    assert_eq!(registry.address.as_deref(), Some("10.1.2.3"));
    assert_eq!(registry.auth_certs, [CERT1], "nothing else changes");
    // The same address again is no error.
    f.accept(address_change(SS1, "10.1.2.3"), false);
    assert_eq!(f.server_record(SS1).address.as_deref(), Some("10.1.2.3"));
}

#[test]
fn client_disable_and_enable_switch_the_client() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_server(SS2, CERT2);
    f.register_client(SS1, CLIENT);
    f.register_client(SS2, CLIENT);

    let disabled = f.accept(client_disable(SS1, CLIENT), false);
    assert_eq!(f.status(disabled), Status::Approved);
    assert!(!f.client_record(SS1, CLIENT).enabled);
    assert!(
        f.client_record(SS2, CLIENT).enabled,
        "only on the server named"
    );
    // Disabling a disabled client is accepted and leaves it disabled, as in the reference.
    f.accept(client_disable(SS1, CLIENT), false);
    assert!(!f.client_record(SS1, CLIENT).enabled);

    let enabled = f.accept(client_enable(SS1, CLIENT), false);
    assert_eq!(f.status(enabled), Status::Approved);
    assert!(f.client_record(SS1, CLIENT).enabled);
    // Enabling an enabled client is accepted too.
    f.accept(client_enable(SS1, CLIENT), false);
    assert!(f.client_record(SS1, CLIENT).enabled);

    // A client deleted while disabled comes back enabled when registered again.
    f.accept(client_disable(SS1, CLIENT), false);
    f.accept(client_deletion(SS1, CLIENT), false);
    f.register_client(SS1, CLIENT);
    assert!(f.client_record(SS1, CLIENT).enabled);
}

#[test]
fn rule_client_disable_and_enable_need_the_client_on_that_server() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_server(SS2, CERT2);
    f.register_client(SS2, CLIENT);
    for request in [client_disable(SS1, CLIENT), client_enable(SS1, CLIENT)] {
        let service = request.service();
        f.refuse(
            request,
            false,
            &RuleViolation::ClientNotRegistered {
                service,
                server: server(SS1),
                client: client(CLIENT),
            },
        );
    }
    // A registration still waiting for approval is no registered client either.
    f.accept(client_reg(SS1, CLIENT), false);
    f.refuse(
        client_disable(SS1, CLIENT),
        false,
        &RuleViolation::ClientNotRegistered {
            service: Service::ClientDisable,
            server: server(SS1),
            client: client(CLIENT),
        },
    );
}

#[test]
fn rule_the_providers_client_cannot_be_disabled() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_client(SS1, PROVIDER);
    let violation = RuleViolation::ProviderCannotBeDisabled {
        server: server(SS1),
        client: client(PROVIDER),
    };
    assert_eq!(
        violation.to_string(),
        "clientDisable: client SUBSYSTEM:EE/GOV/CENTRAL/management of security server \
         SERVER:EE/GOV/OWNER1/SS1 is the management service provider's subsystem and cannot \
         be disabled"
    );
    f.refuse(client_disable(SS1, PROVIDER), false, &violation);
    assert!(f.client_record(SS1, PROVIDER).enabled);
    // Where it is not a client, the registration rule comes first, as in the reference.
    f.register_server(SS2, CERT2);
    f.refuse(
        client_disable(SS2, PROVIDER),
        false,
        &RuleViolation::ClientNotRegistered {
            service: Service::ClientDisable,
            server: server(SS2),
            client: client(PROVIDER),
        },
    );
    // Enabling it is not refused.
    f.accept(client_enable(SS1, PROVIDER), false);
}

#[test]
fn client_rename_names_the_subsystem_on_every_server() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_server(SS2, CERT2);
    f.register_client(SS1, CLIENT);
    f.register_client(SS2, CLIENT);
    let request = f.received(client_rename(SS1, CLIENT, "Tax service"));
    let id = f.accept_received(request.clone(), false);
    let record = f.store.request(id).unwrap().unwrap();
    assert_eq!(record.status, Status::Approved);
    assert_eq!(record.request, request.request);
    assert_eq!(
        f.client_record(SS1, CLIENT),
        ClientRecord {
            id: client(CLIENT),
            enabled: true,
            subsystem_name: Some("Tax service".to_owned()),
        }
    );
    // The name belongs to the subsystem, not to its registration on one server.
    assert_eq!(
        f.client_record(SS2, CLIENT).subsystem_name.as_deref(),
        Some("Tax service")
    );
    // A disabled client can be renamed, and the same name again is no error.
    f.accept(client_disable(SS1, CLIENT), false);
    f.accept(client_rename(SS1, CLIENT, "Customs"), false);
    f.accept(client_rename(SS1, CLIENT, "Customs"), false);
    let renamed = f.client_record(SS1, CLIENT);
    assert_eq!(renamed.subsystem_name.as_deref(), Some("Customs"));
    assert!(!renamed.enabled);
    // Deleting the client from both servers keeps the subsystem's name for later.
    f.accept(client_deletion(SS1, CLIENT), false);
    f.accept(client_deletion(SS2, CLIENT), false);
    f.register_client(SS1, CLIENT);
    assert_eq!(
        f.client_record(SS1, CLIENT).subsystem_name.as_deref(),
        Some("Customs")
    );
}

#[test]
fn rule_client_rename_needs_a_registered_subsystem_and_a_name() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_server(SS2, CERT2);
    f.register_client(SS1, "MEMBER:EE/COM/CLIENT");
    f.register_client(SS2, CLIENT);
    let member = RuleViolation::NotASubsystem {
        service: Service::ClientRename,
        server: server(SS1),
        client: client("MEMBER:EE/COM/CLIENT"),
    };
    assert!(
        member.to_string().contains("is not a subsystem"),
        "{member}"
    );
    f.refuse(
        client_rename(SS1, "MEMBER:EE/COM/CLIENT", "Name"),
        false,
        &member,
    );
    f.register_client(SS1, CLIENT);
    for blank in ["", "  \t"] {
        f.refuse(
            client_rename(SS1, CLIENT, blank),
            false,
            &RuleViolation::BlankSubsystemName {
                server: server(SS1),
                client: client(CLIENT),
            },
        );
    }
    // Registered on SS2 but not on this server.
    let other = "SUBSYSTEM:EE/COM/CLIENT/other";
    f.register_client(SS2, other);
    f.refuse(
        client_rename(SS1, other, "Name"),
        false,
        &RuleViolation::ClientNotRegistered {
            service: Service::ClientRename,
            server: server(SS1),
            client: client(other),
        },
    );
    assert_eq!(f.client_record(SS1, CLIENT).subsystem_name, None);
}

#[test]
fn client_reg_stores_the_subsystem_name_and_applies_it_on_approval() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_server(SS2, CERT2);
    let request = f.received(named_client_reg(SS1, CLIENT, "Tax service"));
    let id = f.accept_received(request.clone(), false);
    let record = f.store.request(id).unwrap().unwrap();
    assert_eq!(record.request, request.request, "the name is stored");
    assert!(f.clients_of(SS1).is_empty());
    f.store.approve(id).unwrap();
    assert_eq!(
        f.client_record(SS1, CLIENT).subsystem_name.as_deref(),
        Some("Tax service")
    );

    // On another server: without a name, or with an empty one, the name stays.
    f.accept(client_reg(SS2, CLIENT), true);
    assert_eq!(
        f.client_record(SS2, CLIENT).subsystem_name.as_deref(),
        Some("Tax service")
    );
    f.accept(client_deletion(SS2, CLIENT), false);
    f.accept(named_client_reg(SS2, CLIENT, ""), true);
    assert_eq!(
        f.client_record(SS1, CLIENT).subsystem_name.as_deref(),
        Some("Tax service")
    );
    // A different name replaces it, for every server.
    f.accept(client_deletion(SS2, CLIENT), false);
    f.accept(named_client_reg(SS2, CLIENT, "Customs"), true);
    assert_eq!(
        f.client_record(SS1, CLIENT).subsystem_name.as_deref(),
        Some("Customs")
    );
}

#[test]
fn rule_client_reg_names_only_a_subsystem() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let member = "MEMBER:EE/COM/CLIENT";
    f.refuse(
        named_client_reg(SS1, member, "Name"),
        true,
        &RuleViolation::NotASubsystem {
            service: Service::ClientReg,
            server: server(SS1),
            client: client(member),
        },
    );
    // An empty name names nothing and is accepted.
    f.accept(named_client_reg(SS1, member, ""), true);
    assert_eq!(f.client_record(SS1, member).subsystem_name, None);
}

#[test]
fn maintenance_mode_is_entered_and_left() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_server(SS2, CERT2);
    let request = f.received(maintenance_on(SS1, Some("Back at 14:00")));
    let id = f.accept_received(request.clone(), false);
    let record = f.store.request(id).unwrap().unwrap();
    assert_eq!(record.status, Status::Approved);
    assert_eq!(record.request, request.request);
    assert_eq!(
        f.server_record(SS1).maintenance,
        Some(MaintenanceMode {
            message: Some("Back at 14:00".to_owned())
        })
    );
    assert_eq!(f.server_record(SS2).maintenance, None);

    let off = f.accept(maintenance_off(SS1), false);
    assert_eq!(f.status(off), Status::Approved);
    assert_eq!(f.server_record(SS1).maintenance, None);

    // Without a message; leaving clears whatever there was.
    f.accept(maintenance_on(SS1, None), false);
    assert_eq!(
        f.server_record(SS1).maintenance,
        Some(MaintenanceMode { message: None })
    );
    f.accept(maintenance_off(SS1), false);
    f.accept(maintenance_on(SS1, Some("again")), false);
    f.accept(maintenance_off(SS1), false);
    assert_eq!(f.server_record(SS1).maintenance, None);
}

#[test]
fn rule_maintenance_mode_cannot_be_entered_twice_or_left_when_not_in_it() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let not_in = RuleViolation::NotInMaintenanceMode {
        server: server(SS1),
    };
    assert_eq!(
        not_in.to_string(),
        "maintenanceModeDisable: security server SERVER:EE/GOV/OWNER1/SS1 is not in \
         maintenance mode"
    );
    f.refuse(maintenance_off(SS1), false, &not_in);
    f.accept(maintenance_on(SS1, Some("first")), false);
    let already = RuleViolation::AlreadyInMaintenanceMode {
        server: server(SS1),
    };
    assert_eq!(
        already.to_string(),
        "maintenanceModeEnable: security server SERVER:EE/GOV/OWNER1/SS1 is already in \
         maintenance mode"
    );
    f.refuse(maintenance_on(SS1, Some("second")), false, &already);
    assert_eq!(
        f.server_record(SS1).maintenance,
        Some(MaintenanceMode {
            message: Some("first".to_owned())
        }),
        "the first message stays"
    );
    f.accept(maintenance_off(SS1), false);
    f.refuse(maintenance_off(SS1), false, &not_in);
}

#[test]
fn rule_a_server_hosting_the_provider_cannot_enter_maintenance_mode() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_client(SS1, PROVIDER);
    let violation = RuleViolation::ServerHostsProvider {
        server: server(SS1),
        provider: client(PROVIDER),
    };
    assert_eq!(
        violation.to_string(),
        "maintenanceModeEnable: security server SERVER:EE/GOV/OWNER1/SS1 has the management \
         service provider's subsystem SUBSYSTEM:EE/GOV/CENTRAL/management as a client and \
         cannot enter maintenance mode"
    );
    f.refuse(maintenance_on(SS1, None), false, &violation);
    // Once the provider's subsystem is deleted from the server, it may.
    f.accept(client_deletion(SS1, PROVIDER), false);
    f.accept(maintenance_on(SS1, None), false);
    // The provider check comes before the maintenance mode check, as in the reference.
    f.register_client(SS1, PROVIDER);
    f.refuse(maintenance_on(SS1, None), false, &violation);
}

#[test]
fn every_service_is_listed_with_its_subject() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.register_client(SS1, CLIENT);
    for request in [
        address_change(SS1, "10.0.0.9"),
        client_disable(SS1, CLIENT),
        client_enable(SS1, CLIENT),
        client_rename(SS1, CLIENT, "Tax"),
        maintenance_on(SS1, Some("soon back")),
        maintenance_off(SS1),
    ] {
        f.accept(request, false);
    }
    let listed: Vec<(Service, String)> = f
        .store
        .requests(&RequestFilter::default())
        .unwrap()
        .iter()
        .map(|record| (record.service(), record.request.subject()))
        .collect();
    assert_eq!(
        listed,
        [
            (
                Service::AuthCertReg,
                "authentication certificate, address ss.example.org".to_owned()
            ),
            (Service::ClientReg, CLIENT.to_owned()),
            (Service::AddressChange, "address 10.0.0.9".to_owned()),
            (Service::ClientDisable, CLIENT.to_owned()),
            (Service::ClientEnable, CLIENT.to_owned()),
            (Service::ClientRename, format!("{CLIENT} renamed \"Tax\"")),
            (
                Service::MaintenanceModeEnable,
                "message \"soon back\"".to_owned()
            ),
            (Service::MaintenanceModeDisable, String::new()),
        ]
    );
}

#[test]
fn a_blank_name_or_message_is_none() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    f.accept(named_client_reg(SS1, CLIENT, "Billing"), true);
    f.accept(client_deletion(SS1, CLIENT), true);
    // A blank name in clientReg keeps the subsystem's name, as an absent one does.
    f.accept(named_client_reg(SS1, CLIENT, "  "), true);
    assert_eq!(
        f.client_record(SS1, CLIENT).subsystem_name.as_deref(),
        Some("Billing")
    );
    // An empty maintenance message is no message.
    f.accept(maintenance_on(SS1, Some("")), false);
    assert_eq!(
        f.server_record(SS1).maintenance,
        Some(MaintenanceMode { message: None })
    );
}

#[test]
fn the_bytes_stored_per_server_per_day_are_limited() {
    let settings = StoreSettings {
        max_bytes_per_server_per_day: 200,
        ..StoreSettings::default()
    };
    let TestStore {
        store,
        place: _place,
    } = TestStore::open(crate::BACKEND, PROVIDER, settings);
    let day = UNIX_EPOCH + Duration::from_secs(20_000 * 86_400);
    let new = |n: u32, server_id: &str, size: usize, at: SystemTime| NewRequest {
        request: auth_cert_reg(
            server_id,
            format!("\x30cert{n}").as_bytes(),
            "ss.example.org",
        ),
        message_id: format!("limit-{n}"),
        sender: client("MEMBER:EE/GOV/OWNER1"),
        received_at: at,
        log: Parts::soap(vec![b'x'; size]),
        transport: Default::default(),
    };
    let submit = |request| store.submit(request, true, response_for);
    assert!(matches!(
        submit(new(1, SS1, 150, day)),
        Ok(Submitted::Accepted { .. })
    ));
    let before = store.dump().unwrap();
    match submit(new(2, SS1, 51, day + Duration::from_secs(3600))) {
        Err(error @ StoreError::DailyLimit { .. }) => assert_eq!(
            error.to_string(),
            format!(
                "security server {SS1} has sent 150 bytes of requests today (UTC); this request \
                 of 51 bytes would go over the limit of 200 bytes per server per day, and is \
                 refused: send it again tomorrow, or ask the central server's operator"
            )
        ),
        other => panic!("expected the daily limit, got {other:?}"),
    }
    assert_eq!(
        store.dump().unwrap(),
        before,
        "a refused request stores nothing"
    );
    // Up to the limit, another server, and the next day are accepted.
    assert!(matches!(
        submit(new(3, SS1, 50, day)),
        Ok(Submitted::Accepted { .. })
    ));
    assert!(matches!(
        submit(new(4, SS2, 200, day)),
        Ok(Submitted::Accepted { .. })
    ));
    let tomorrow = day + Duration::from_secs(86_400);
    assert!(matches!(
        submit(new(5, SS1, 200, tomorrow)),
        Ok(Submitted::Accepted { .. })
    ));
}

#[test]
fn where_a_request_came_from_is_stored_with_it() {
    let f = Fixture::new();
    f.register_server(SS1, CERT1);
    let mut request = f.received(client_deletion(SS1, CLIENT));
    f.register_client(SS1, CLIENT);
    request.transport = Transport {
        peer: Some("192.0.2.10:40123".parse().unwrap()),
        client_certificate: Some(CERT1.to_vec()),
    };
    let id = f.accept_received(request, false);
    let logged = f.store.message_log(id).unwrap().unwrap();
    assert_eq!(logged.peer.as_deref(), Some("192.0.2.10:40123"));
    assert_eq!(
        logged.client_certificate_sha256,
        Some(openssl::sha::sha256(CERT1))
    );
}
