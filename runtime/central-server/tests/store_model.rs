//! Random sequences of submits and decisions on a small universe of servers, clients and
//! certificates, checked against an in-memory model of the rules: every outcome, every
//! refusal and the registry after each step must match, and a refused step must leave the
//! database dump unchanged.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, UNIX_EPOCH};

use proptest::prelude::*;
use xroad_central_server::store::{
    MessageLog, NewRequest, RuleViolation, ServerRecord, Service, Status, Store, StoreError,
    Submitted,
};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};

const MEMBERS: [&str; 3] = ["M1", "M2", "M3"];
const SERVER_CODES: [&str; 2] = ["SS1", "SS2"];
const SUBSYSTEMS: [&str; 2] = ["SUBSYSTEM:EE/COM/C/a", "SUBSYSTEM:EE/COM/C/b"];
const CERTS: [&[u8]; 3] = [b"\x30cert-0", b"\x30cert-1", b"\x30cert-2"];

fn member(index: usize) -> String {
    format!("MEMBER:EE/GOV/{}", MEMBERS[index])
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
        service: Service,
        owner: usize,
        code: usize,
        /// Subsystem index for client requests, member index for ownerChange.
        client: usize,
        cert: usize,
        address: bool,
        auto_approve: bool,
    },
    /// Approve, decline or revoke the stored request at this index (modulo their number).
    Decide { request: usize, action: u8 },
}

fn step() -> impl Strategy<Value = Step> {
    let service = prop_oneof![
        Just(Service::ClientReg),
        Just(Service::ClientDeletion),
        Just(Service::AuthCertReg),
        Just(Service::AuthCertDeletion),
        Just(Service::OwnerChange),
    ];
    prop_oneof![
        3 => (service, 0..3usize, 0..2usize, 0..3usize, 0..3usize, any::<bool>(), any::<bool>())
            .prop_map(|(service, owner, code, client, cert, address, auto_approve)| Step::Submit {
                service,
                owner,
                code,
                client,
                cert,
                address,
                auto_approve,
            }),
        1 => (0..64usize, 0..3u8).prop_map(|(request, action)| Step::Decide { request, action }),
    ]
}

/// A registered security server in the model.
#[derive(Debug, Clone, Default)]
struct ModelServer {
    owner: String,
    address: Option<String>,
    certs: BTreeSet<Vec<u8>>,
    clients: BTreeSet<String>,
}

/// A stored request in the model.
#[derive(Debug, Clone)]
struct ModelRequest {
    id: i64,
    service: Service,
    server: String,
    client: Option<String>,
    cert: Option<Vec<u8>>,
    address: Option<String>,
    status: Status,
}

#[derive(Debug, Default)]
struct Model {
    servers: BTreeMap<String, ModelServer>,
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
    fn violation(&self, request: &ModelRequest, this: Option<i64>) -> Option<RuleViolation> {
        let server_id = server(&request.server);
        let registered = self.servers.get(&request.server);
        let unknown = RuleViolation::UnknownServer {
            service: request.service,
            server: server_id.clone(),
        };
        let pending = self
            .requests
            .iter()
            .find(|other| {
                other.status.is_pending()
                    && Some(other.id) != this
                    && other.service == request.service
                    && match request.service {
                        Service::AuthCertReg | Service::AuthCertDeletion => {
                            other.cert == request.cert
                        }
                        _ => other.server == request.server && other.client == request.client,
                    }
            })
            .map(|other| RuleViolation::AlreadyPending {
                service: request.service,
                server: server_id.clone(),
                client: request.client.as_deref().map(client),
                pending: other.id,
            });
        let client_text = request.client.clone().unwrap_or_default();
        match request.service {
            Service::ClientReg | Service::ClientDeletion => {
                let Some(record) = registered else {
                    return Some(unknown);
                };
                pending.or_else(|| {
                    let has = record.clients.contains(&client_text);
                    match (request.service, has) {
                        (Service::ClientReg, true) => {
                            Some(RuleViolation::ClientAlreadyRegistered {
                                server: server_id.clone(),
                                client: client(&client_text),
                            })
                        }
                        (Service::ClientDeletion, false) => {
                            Some(RuleViolation::ClientNotRegistered {
                                server: server_id.clone(),
                                client: client(&client_text),
                            })
                        }
                        _ => None,
                    }
                })
            }
            Service::AuthCertReg => pending.or_else(|| {
                let cert = request.cert.as_deref().unwrap_or_default();
                self.cert_holder(cert)
                    .map(|holder| RuleViolation::AuthCertAlreadyRegistered {
                        server: server_id.clone(),
                        registered_to: server(holder),
                    })
            }),
            Service::AuthCertDeletion => {
                if registered.is_none() {
                    return Some(unknown);
                }
                pending.or_else(|| {
                    let cert = request.cert.as_deref().unwrap_or_default();
                    match self.cert_holder(cert) {
                        Some(holder) if *holder == request.server => None,
                        holder => Some(RuleViolation::AuthCertNotRegistered {
                            server: server_id.clone(),
                            registered_to: holder.map(|h| server(h)),
                        }),
                    }
                })
            }
            Service::OwnerChange => {
                let Some(record) = registered else {
                    return Some(unknown);
                };
                pending.or_else(|| {
                    if record.owner == client_text {
                        return Some(RuleViolation::AlreadyOwner {
                            server: server_id.clone(),
                            owner: client(&client_text),
                        });
                    }
                    let renamed = renamed(&request.server, &client_text);
                    self.servers
                        .contains_key(&renamed)
                        .then(|| RuleViolation::ServerIdTaken {
                            server: server_id.clone(),
                            taken: server(&renamed),
                        })
                })
            }
        }
    }

    fn apply(&mut self, request: &ModelRequest) {
        let client = request.client.clone().unwrap_or_default();
        match request.service {
            Service::ClientReg => {
                self.server_mut(&request.server).clients.insert(client);
            }
            Service::ClientDeletion => {
                self.server_mut(&request.server).clients.remove(&client);
            }
            Service::AuthCertReg => {
                let record = self
                    .servers
                    .entry(request.server.clone())
                    .or_insert_with(|| {
                        let id = server(&request.server);
                        ModelServer {
                            owner: format!(
                                "MEMBER:{}/{}/{}",
                                id.x_road_instance, id.member_class, id.member_code
                            ),
                            ..ModelServer::default()
                        }
                    });
                if request.address.is_some() {
                    record.address.clone_from(&request.address);
                }
                record
                    .certs
                    .insert(request.cert.clone().unwrap_or_default());
            }
            Service::AuthCertDeletion => {
                let cert = request.cert.clone().unwrap_or_default();
                self.server_mut(&request.server).certs.remove(&cert);
            }
            Service::OwnerChange => {
                let mut record = self.servers.remove(&request.server).unwrap_or_default();
                record.owner.clone_from(&client);
                self.servers
                    .insert(renamed(&request.server, &client), record);
            }
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
                auth_certs: record.certs.iter().cloned().collect(),
                clients: record.clients.iter().map(|c| client(c)).collect(),
            })
            .collect()
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
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("model.db")).unwrap();
    let mut model = Model::default();
    for (n, step) in steps.iter().enumerate() {
        let before = store.dump().unwrap();
        let refused = match step {
            Step::Submit {
                service,
                owner,
                code,
                client: client_index,
                cert,
                address,
                auto_approve,
            } => {
                let is_cert = matches!(service, Service::AuthCertReg | Service::AuthCertDeletion);
                let request = ModelRequest {
                    id: 0,
                    service: *service,
                    server: server_id(*owner, *code),
                    client: match service {
                        Service::OwnerChange => Some(member(*client_index)),
                        _ if is_cert => None,
                        _ => Some(SUBSYSTEMS[*client_index % 2].to_owned()),
                    },
                    cert: is_cert.then(|| CERTS[*cert].to_vec()),
                    address: (*service == Service::AuthCertReg && *address)
                        .then(|| format!("ss-{n}.example.org")),
                    status: Status::SubmittedForApproval,
                };
                let new = NewRequest {
                    service: *service,
                    server: server(&request.server),
                    client: request.client.as_deref().map(client),
                    auth_cert: request.cert.clone(),
                    address: request.address.clone(),
                    message_id: format!("model-{n}"),
                    sender: client(&member(*owner)),
                    received_at: UNIX_EPOCH + Duration::from_secs(n as u64),
                    log: MessageLog::default(),
                };
                let expected = model.violation(&request, None);
                let outcome = store.submit(new, *auto_approve, |id| id.to_string().into_bytes());
                match (outcome, expected) {
                    (Ok(Submitted::Accepted { request_id, .. }), None) => {
                        let applied = *auto_approve
                            || matches!(
                                service,
                                Service::ClientDeletion | Service::AuthCertDeletion
                            );
                        if applied {
                            model.apply(&request);
                        }
                        model.requests.push(ModelRequest {
                            id: request_id,
                            status: if applied {
                                Status::Approved
                            } else {
                                Status::SubmittedForApproval
                            },
                            ..request
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
                    (true, Status::Approved) => match model.violation(&target, Some(target.id)) {
                        Some(violation) => Err(Some(violation)),
                        None => Ok(()),
                    },
                    (true, _) => Ok(()),
                };
                match (outcome, expected) {
                    (Ok(()), Ok(())) => {
                        if status == Status::Approved {
                            model.apply(&target);
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
    let statuses: Vec<_> = model.requests.iter().map(|r| (r.id, r.status)).collect();
    let stored: Vec<_> = store
        .requests(&Default::default())
        .unwrap()
        .iter()
        .map(|r| (r.id, r.status))
        .collect();
    prop_assert_eq!(stored, statuses);
    store.integrity_check().unwrap();
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_store_follows_the_model(steps in prop::collection::vec(step(), 1..40)) {
        run(&steps)?;
    }
}
