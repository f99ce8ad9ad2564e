use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, UNIX_EPOCH};

use proptest::prelude::*;
use xroad_central_server::store::{
    ClientRecord, MaintenanceMode, ManagementRequest, NewRequest, RuleViolation, ServerRecord,
    Service, Status, StoreError, StoreSettings, Submitted,
};
use xroad_mserv::identifiers::{
    XRoadClientIdentifierType, XRoadObjectType, XRoadSecurityServerIdentifierType,
};
use xroad_runtime::message::Parts;

use crate::support::TestStore;

const MEMBERS: [&str; 3] = ["M1", "M2", "M3"];
const SERVER_CODES: [&str; 2] = ["SS1", "SS2"];
const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";
/// Clients: two subsystems, the management service provider's, and a member that owns
/// servers (`M2`): a client that can become an owner, and an owner that cannot be a client.
const CLIENTS: [&str; 4] = [
    "SUBSYSTEM:EE/COM/C/a",
    "SUBSYSTEM:EE/COM/C/b",
    PROVIDER,
    "MEMBER:EE/GOV/M2",
];
const CERTS: [&[u8]; 4] = [b"\x30cert-0", b"\x30cert-1", b"\x30cert-2", b"\x30cert-3"];
/// Subsystem names, blank ones included.
const NAMES: [&str; 4] = ["", "Alpha", "Beta", " "];

/// Every service, for choosing one.
const SERVICES: [Service; 11] = Service::ALL;

fn member(index: usize) -> String {
    format!("MEMBER:EE/GOV/{}", MEMBERS[index % MEMBERS.len()])
}

fn server_id(owner: usize, code: usize) -> String {
    format!("SERVER:EE/GOV/{}/{}", MEMBERS[owner], SERVER_CODES[code])
}

fn server(text: &str) -> XRoadSecurityServerIdentifierType {
    text.parse().unwrap()
}

fn client(text: &str) -> XRoadClientIdentifierType {
    text.parse().unwrap()
}

/// One step of a scenario.
#[derive(Debug, Clone)]
enum Step {
    Submit {
        service: usize,
        owner: usize,
        code: usize,
        /// Client index; member index for ownerChange (3 picks a subsystem instead).
        pick: usize,
        cert: usize,
        /// Subsystem name index for clientReg and clientRename.
        name: usize,
        /// clientReg: with a name; maintenanceModeEnable: with a message.
        with: bool,
        auto_approve: bool,
    },
    /// Approve, decline or revoke the stored request at this index (modulo their number).
    Decide { request: usize, action: u8 },
}

/// A service index; the registrations are more frequent, so that later requests find
/// servers and clients.
fn service() -> impl Strategy<Value = usize> {
    let index = |service: Service| SERVICES.iter().position(|s| *s == service).unwrap_or(0);
    prop_oneof![
        4 => Just(index(Service::AuthCertReg)),
        4 => Just(index(Service::ClientReg)),
        8 => 0..SERVICES.len(),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (
            // Mostly the first server code, so that servers are found more often.
            (service(), 0..2usize, prop_oneof![4 => Just(0usize), 1 => Just(1usize)], 0..4usize),
            (0..CERTS.len(), 0..NAMES.len(), any::<bool>(), prop::bool::weighted(0.7)),
        )
            .prop_map(|((service, owner, code, pick), (cert, name, with, auto_approve))| {
                Step::Submit {
                    service,
                    owner,
                    code,
                    pick,
                    cert,
                    name,
                    with,
                    auto_approve,
                }
            }),
        1 => (0..64usize, 0..3u8).prop_map(|(request, action)| Step::Decide { request, action }),
    ]
}

/// The request a submit step sends; `n` makes addresses and messages distinct.
fn request_of(step: &Step, n: usize) -> Option<ManagementRequest> {
    let Step::Submit {
        service,
        owner,
        code,
        pick,
        cert,
        name,
        with,
        ..
    } = *step
    else {
        return None;
    };
    use ManagementRequest as R;
    let server = server(&server_id(owner, code));
    let picked = client(CLIENTS[pick]);
    let cert = CERTS[cert].to_vec();
    let name = NAMES[name].to_owned();
    Some(match SERVICES[service] {
        Service::ClientReg => R::ClientReg {
            server,
            client: picked,
            subsystem_name: with.then_some(name),
        },
        Service::ClientDeletion => R::ClientDeletion {
            server,
            client: picked,
        },
        Service::ClientDisable => R::ClientDisable {
            server,
            client: picked,
        },
        Service::ClientEnable => R::ClientEnable {
            server,
            client: picked,
        },
        Service::ClientRename => R::ClientRename {
            server,
            client: picked,
            subsystem_name: name,
        },
        Service::AuthCertReg => R::AuthCertReg {
            server,
            auth_cert: cert,
            address: format!("ss-{n}.example.org"),
        },
        Service::AuthCertDeletion => R::AuthCertDeletion {
            server,
            auth_cert: cert,
        },
        Service::OwnerChange => R::OwnerChange {
            server,
            new_owner: if pick == 3 {
                client(CLIENTS[0])
            } else {
                client(&member(pick))
            },
        },
        Service::AddressChange => R::AddressChange {
            server,
            address: format!("10.0.0.{}", n % 256),
        },
        Service::MaintenanceModeEnable => R::MaintenanceModeEnable {
            server,
            message: with.then(|| format!("maintenance {n}")),
        },
        Service::MaintenanceModeDisable => R::MaintenanceModeDisable { server },
    })
}

/// A registered security server in the model.
#[derive(Debug, Clone, Default)]
struct ModelServer {
    owner: String,
    address: Option<String>,
    /// `Some(message)` while in maintenance mode.
    maintenance: Option<Option<String>>,
    certs: BTreeSet<Vec<u8>>,
    /// Clients and whether each is enabled.
    clients: BTreeMap<String, bool>,
}

/// A stored request in the model.
#[derive(Debug, Clone)]
struct ModelRequest {
    id: i64,
    request: ManagementRequest,
    status: Status,
}

#[derive(Debug, Default)]
struct Model {
    servers: BTreeMap<String, ModelServer>,
    /// Subsystem names, which belong to the subsystem, not to one server.
    names: BTreeMap<String, String>,
    requests: Vec<ModelRequest>,
}

impl Model {
    fn cert_holder(&self, cert: &[u8]) -> Option<&String> {
        self.servers
            .iter()
            .find(|(_, record)| record.certs.contains(cert))
            .map(|(id, _)| id)
    }

    /// The rules, in the order the store checks them; `this` is a request being approved.
    fn violation(&self, request: &ManagementRequest, this: Option<i64>) -> Option<RuleViolation> {
        use ManagementRequest as R;
        let service = request.service();
        let server_id = request.server().clone();
        let key = server_id.to_string();
        let subsystem = |c: &XRoadClientIdentifierType| c.object_type == XRoadObjectType::Subsystem;
        match request {
            R::ClientReg {
                client,
                subsystem_name: Some(name),
                ..
            } if !name.trim().is_empty() && !subsystem(client) => {
                return Some(RuleViolation::NotASubsystem {
                    service,
                    server: server_id,
                    client: client.clone(),
                });
            }
            R::ClientRename { client, .. } if !subsystem(client) => {
                return Some(RuleViolation::NotASubsystem {
                    service,
                    server: server_id,
                    client: client.clone(),
                });
            }
            R::ClientRename {
                client,
                subsystem_name,
                ..
            } if subsystem_name.trim().is_empty() => {
                return Some(RuleViolation::BlankSubsystemName {
                    server: server_id,
                    client: client.clone(),
                });
            }
            R::OwnerChange { new_owner, .. }
                if new_owner.object_type != XRoadObjectType::Member =>
            {
                return Some(RuleViolation::NewOwnerNotAMember {
                    server: server_id,
                    new_owner: new_owner.clone(),
                });
            }
            _ => {}
        }
        let registered = self.servers.get(&key);
        if registered.is_none() && service != Service::AuthCertReg {
            return Some(RuleViolation::UnknownServer {
                service,
                server: server_id,
            });
        }
        let has = |c: &XRoadClientIdentifierType| {
            registered.is_some_and(|record| record.clients.contains_key(&c.to_string()))
        };
        let not_registered = |c: &XRoadClientIdentifierType| {
            Some(RuleViolation::ClientNotRegistered {
                service,
                server: server_id.clone(),
                client: c.clone(),
            })
        };
        let pending = || {
            self.requests
                .iter()
                .find(|other| {
                    other.status.is_pending()
                        && Some(other.id) != this
                        && other.request.service() == service
                        && match (&other.request, request) {
                            (
                                R::AuthCertReg { auth_cert: a, .. },
                                R::AuthCertReg { auth_cert: b, .. },
                            )
                            | (
                                R::AuthCertDeletion { auth_cert: a, .. },
                                R::AuthCertDeletion { auth_cert: b, .. },
                            ) => a == b,
                            (other, request) => {
                                other.server() == request.server()
                                    && pending_client(other) == pending_client(request)
                            }
                        }
                })
                .map(|other| RuleViolation::AlreadyPending {
                    service,
                    server: server_id.clone(),
                    client: pending_client(request).cloned(),
                    pending: other.id,
                })
        };
        match request {
            R::ClientReg { client, .. }
                if registered.is_some_and(|record| record.owner == client.to_string()) =>
            {
                Some(RuleViolation::CannotRegisterOwner {
                    server: server_id.clone(),
                    owner: client.clone(),
                })
            }
            R::ClientReg { client, .. } => pending().or_else(|| {
                has(client).then(|| RuleViolation::ClientAlreadyRegistered {
                    server: server_id.clone(),
                    client: client.clone(),
                })
            }),
            R::ClientDeletion { client, .. } => pending().or_else(|| {
                if has(client) {
                    None
                } else {
                    not_registered(client)
                }
            }),
            R::AuthCertReg { auth_cert, .. } => pending().or_else(|| {
                self.cert_holder(auth_cert)
                    .map(|holder| RuleViolation::AuthCertAlreadyRegistered {
                        server: server_id.clone(),
                        registered_to: server(holder),
                    })
            }),
            R::AuthCertDeletion { auth_cert, .. } => {
                pending().or_else(|| match self.cert_holder(auth_cert) {
                    Some(holder) if *holder == key => None,
                    holder => Some(RuleViolation::AuthCertNotRegistered {
                        server: server_id.clone(),
                        registered_to: holder.map(|h| server(h)),
                    }),
                })
            }
            R::OwnerChange { new_owner, .. } => pending().or_else(|| {
                let owner = new_owner.to_string();
                if registered.is_some_and(|record| record.owner == owner) {
                    return Some(RuleViolation::AlreadyOwner {
                        server: server_id.clone(),
                        owner: new_owner.clone(),
                    });
                }
                if !has(new_owner) {
                    return Some(RuleViolation::NewOwnerNotAClient {
                        server: server_id.clone(),
                        new_owner: new_owner.clone(),
                    });
                }
                let renamed = renamed(&key, &owner);
                self.servers
                    .contains_key(&renamed)
                    .then(|| RuleViolation::ServerIdTaken {
                        server: server_id.clone(),
                        taken: server(&renamed),
                    })
            }),
            R::AddressChange { .. } => None,
            R::ClientDisable { client, .. } => {
                if !has(client) {
                    not_registered(client)
                } else if client.to_string() == PROVIDER {
                    Some(RuleViolation::ProviderCannotBeDisabled {
                        server: server_id.clone(),
                        client: client.clone(),
                    })
                } else {
                    None
                }
            }
            R::ClientEnable { client, .. } | R::ClientRename { client, .. } => {
                if has(client) {
                    None
                } else {
                    not_registered(client)
                }
            }
            R::MaintenanceModeEnable { .. } => {
                if has(&self::client(PROVIDER)) {
                    Some(RuleViolation::ServerHostsProvider {
                        server: server_id.clone(),
                        provider: self::client(PROVIDER),
                    })
                } else if registered.is_some_and(|record| record.maintenance.is_some()) {
                    Some(RuleViolation::AlreadyInMaintenanceMode {
                        server: server_id.clone(),
                    })
                } else {
                    None
                }
            }
            R::MaintenanceModeDisable { .. } => {
                if registered.is_some_and(|record| record.maintenance.is_some()) {
                    None
                } else {
                    Some(RuleViolation::NotInMaintenanceMode {
                        server: server_id.clone(),
                    })
                }
            }
        }
    }

    fn apply(&mut self, request: &ManagementRequest) {
        use ManagementRequest as R;
        let key = request.server().to_string();
        match request {
            R::ClientReg {
                client,
                subsystem_name,
                ..
            } => {
                self.server_mut(&key)
                    .clients
                    .insert(client.to_string(), true);
                if let Some(name) = subsystem_name
                    .as_ref()
                    .filter(|name| !name.trim().is_empty())
                {
                    self.names.insert(client.to_string(), name.clone());
                }
            }
            R::ClientDeletion { client, .. } => {
                self.server_mut(&key).clients.remove(&client.to_string());
            }
            R::ClientDisable { client, .. } => {
                self.server_mut(&key)
                    .clients
                    .insert(client.to_string(), false);
            }
            R::ClientEnable { client, .. } => {
                self.server_mut(&key)
                    .clients
                    .insert(client.to_string(), true);
            }
            R::ClientRename {
                client,
                subsystem_name,
                ..
            } => {
                self.names
                    .insert(client.to_string(), subsystem_name.clone());
            }
            R::AuthCertReg {
                server: id,
                auth_cert,
                address,
            } => {
                let record = self.servers.entry(key).or_insert_with(|| ModelServer {
                    owner: format!(
                        "MEMBER:{}/{}/{}",
                        id.x_road_instance, id.member_class, id.member_code
                    ),
                    ..ModelServer::default()
                });
                record.address = Some(address.clone());
                record.certs.insert(auth_cert.clone());
            }
            R::AuthCertDeletion { auth_cert, .. } => {
                self.server_mut(&key).certs.remove(auth_cert);
            }
            R::OwnerChange { new_owner, .. } => {
                let owner = new_owner.to_string();
                let mut record = self.servers.remove(&key).unwrap_or_default();
                record.clients.entry(record.owner.clone()).or_insert(true);
                record.clients.remove(&owner);
                record.owner.clone_from(&owner);
                self.servers.insert(renamed(&key, &owner), record);
            }
            R::AddressChange { address, .. } => {
                self.server_mut(&key).address = Some(address.clone());
            }
            R::MaintenanceModeEnable { message, .. } => {
                self.server_mut(&key).maintenance =
                    Some(message.clone().filter(|message| !message.is_empty()));
            }
            R::MaintenanceModeDisable { .. } => self.server_mut(&key).maintenance = None,
        }
    }

    fn server_mut(&mut self, id: &str) -> &mut ModelServer {
        self.servers.entry(id.to_owned()).or_default()
    }

    fn registry(&self) -> Vec<ServerRecord> {
        self.servers
            .iter()
            .map(|(id, record)| ServerRecord {
                id: server(id),
                owner: client(&record.owner),
                address: record.address.clone(),
                maintenance: record
                    .maintenance
                    .clone()
                    .map(|message| MaintenanceMode { message }),
                auth_certs: record.certs.iter().cloned().collect(),
                clients: record
                    .clients
                    .iter()
                    .map(|(c, enabled)| ClientRecord {
                        id: client(c),
                        enabled: *enabled,
                        subsystem_name: self.names.get(c).cloned(),
                    })
                    .collect(),
            })
            .collect()
    }
}

/// The client a pending request of the 1.15 client services is about.
fn pending_client(request: &ManagementRequest) -> Option<&XRoadClientIdentifierType> {
    match request {
        ManagementRequest::ClientReg { client, .. }
        | ManagementRequest::ClientDeletion { client, .. }
        | ManagementRequest::OwnerChange {
            new_owner: client, ..
        } => Some(client),
        _ => None,
    }
}

/// The identifier of `server_text` once `owner` owns it.
fn renamed(server_text: &str, owner: &str) -> String {
    let id = server(server_text);
    let owner = client(owner);
    format!(
        "SERVER:{}/{}/{}/{}",
        owner.x_road_instance, owner.member_class, owner.member_code, id.server_code
    )
}

fn run(steps: &[Step]) -> Result<(), TestCaseError> {
    let TestStore {
        store,
        place: _place,
    } = TestStore::open(crate::BACKEND, PROVIDER, StoreSettings::default());
    let mut model = Model::default();
    for (n, step) in steps.iter().enumerate() {
        let before = store.dump().unwrap();
        let refused = match step {
            Step::Submit {
                auto_approve,
                owner,
                ..
            } => {
                let request = request_of(step, n).expect("a submit step");
                let new = NewRequest {
                    request: request.clone(),
                    message_id: format!("model-{n}"),
                    sender: client(&member(*owner)),
                    received_at: UNIX_EPOCH + Duration::from_secs(n as u64),
                    log: Parts::soap(format!("<soap n='{n}'/>")),
                    transport: Default::default(),
                };
                let expected = model.violation(&request, None);
                let outcome = store.submit(new, *auto_approve, |id| id.to_string().into_bytes());
                match (outcome, expected) {
                    (Ok(Submitted::Accepted { request_id, .. }), None) => {
                        let applied = *auto_approve || request.applies_on_receipt();
                        if applied {
                            model.apply(&request);
                        }
                        model.requests.push(ModelRequest {
                            id: request_id,
                            request,
                            status: if applied {
                                Status::Approved
                            } else {
                                Status::SubmittedForApproval
                            },
                        });
                        false
                    }
                    (Err(StoreError::Rule(found)), Some(expected)) => {
                        prop_assert_eq!(*found, expected, "step {}: {:?}", n, step);
                        true
                    }
                    (outcome, expected) => {
                        return Err(TestCaseError::fail(format!(
                            "step {n} {step:?}: store gave {outcome:?}, model expected {expected:?}"
                        )));
                    }
                }
            }
            Step::Decide { request, action } => {
                if model.requests.is_empty() {
                    continue;
                }
                let index = request % model.requests.len();
                let target = model.requests[index].clone();
                let (outcome, allowed, status) = match action {
                    0 => (
                        store.approve(target.id),
                        target.status.is_pending(),
                        Status::Approved,
                    ),
                    1 => (
                        store.decline(target.id),
                        target.status.is_pending(),
                        Status::Declined,
                    ),
                    _ => (
                        store.revoke(target.id),
                        target.status == Status::SubmittedForApproval,
                        Status::Revoked,
                    ),
                };
                let expected = match (allowed, status) {
                    (false, _) => Err(None),
                    (true, Status::Approved) => {
                        match model.violation(&target.request, Some(target.id)) {
                            Some(violation) => Err(Some(violation)),
                            None => Ok(()),
                        }
                    }
                    (true, _) => Ok(()),
                };
                match (outcome, expected) {
                    (Ok(()), Ok(())) => {
                        if status == Status::Approved {
                            model.apply(&target.request);
                        }
                        model.requests[index].status = status;
                        false
                    }
                    (Err(StoreError::Transition { .. }), Err(None)) => true,
                    (Err(StoreError::Rule(found)), Err(Some(expected))) => {
                        prop_assert_eq!(*found, expected, "step {}: {:?}", n, step);
                        true
                    }
                    (outcome, expected) => {
                        return Err(TestCaseError::fail(format!(
                            "step {n} {step:?}: store gave {outcome:?}, model expected {expected:?}"
                        )));
                    }
                }
            }
        };
        if refused {
            prop_assert_eq!(
                store.dump().unwrap(),
                before,
                "step {} {:?} changed the store",
                n,
                step
            );
        }
        prop_assert_eq!(
            store.registry().unwrap(),
            model.registry(),
            "after step {}",
            n
        );
    }
    let stored: Vec<_> = store
        .requests(&Default::default())
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.request, r.status))
        .collect();
    let modelled: Vec<_> = model
        .requests
        .into_iter()
        .map(|r| (r.id, r.request, r.status))
        .collect();
    prop_assert_eq!(stored, modelled);
    store.integrity_check().unwrap();
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_store_follows_the_model(steps in prop::collection::vec(step(), 1..60)) {
        run(&steps)?;
    }
}
