//! Several central-server nodes on one PostgreSQL database: concurrent writers on both get
//! unique, gap-free request ids, every acknowledged request is stored once, a repeat sent to
//! the other node gets the first response, and the one hash chain verifies.

#[allow(dead_code)] // each test file uses a part
#[path = "support/postgres.rs"]
mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, UNIX_EPOCH};

use support::{Backend, TestStore};
use xroad_central_server::store::{
    ManagementRequest, NewRequest, RequestFilter, Store, StoreSettings, Submitted,
};
use xroad_runtime::message::Parts;

const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";

/// authCertReg `n` of its own server, sent by that server's owner.
fn registration(n: u32, soap: &str) -> NewRequest {
    NewRequest {
        request: ManagementRequest::AuthCertReg {
            server: format!("SERVER:EE/GOV/OWNER{n}/SS").parse().unwrap(),
            auth_cert: format!("\x30cert {n}").into_bytes(),
            address: format!("ss{n}.example.org"),
        },
        message_id: format!("message-{n}"),
        sender: format!("MEMBER:EE/GOV/OWNER{n}").parse().unwrap(),
        received_at: UNIX_EPOCH + Duration::from_secs(1_700_000_000 + u64::from(n)),
        log: Parts::soap(soap.to_owned()),
        transport: Default::default(),
    }
}

fn response(id: i64) -> Vec<u8> {
    format!("<response id='{id}'/>").into_bytes()
}

fn two_nodes() -> (TestStore, Arc<[Store; 2]>) {
    let first = TestStore::open(Backend::Postgres, PROVIDER, StoreSettings::default());
    let second = first.open_again(PROVIDER, StoreSettings::default());
    let nodes = Arc::new([first.store.clone(), second]);
    (first, nodes)
}

#[test]
fn concurrent_writers_on_two_nodes_get_unique_ids_without_gaps() {
    let (_database, nodes) = two_nodes();
    const WRITERS: u32 = 8;
    const EACH: u32 = 25;
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let nodes = Arc::clone(&nodes);
            thread::spawn(move || {
                (0..EACH)
                    .map(|i| {
                        let n = writer * EACH + i;
                        let node = &nodes[(n % 2) as usize];
                        match node.submit(
                            registration(n, &format!("<soap n='{n}'/>")),
                            false,
                            response,
                        ) {
                            Ok(Submitted::Accepted {
                                request_id,
                                response: sent,
                            }) => {
                                assert_eq!(sent, response(request_id));
                                request_id
                            }
                            other => panic!("request {n}: {other:?}"),
                        }
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let acknowledged: Vec<i64> = writers
        .into_iter()
        .flat_map(|writer| writer.join().unwrap())
        .collect();
    let total = i64::from(WRITERS * EACH);
    let unique: BTreeSet<i64> = acknowledged.iter().copied().collect();
    assert_eq!(unique.len(), acknowledged.len(), "an id was given twice");
    assert_eq!(unique, (1..=total).collect(), "ids have gaps");
    for node in nodes.iter() {
        let stored: Vec<i64> = node
            .requests(&RequestFilter::default())
            .unwrap()
            .iter()
            .map(|record| record.id)
            .collect();
        assert_eq!(stored, (1..=total).collect::<Vec<_>>());
        let audit = node.audit().unwrap();
        assert_eq!(audit.findings, [], "the chain verifies from either node");
        assert_eq!(audit.entries, total as usize);
    }
    assert_eq!(
        nodes[0].audit().unwrap().head,
        nodes[1].audit().unwrap().head
    );
}

#[test]
fn a_repeat_sent_to_the_other_node_gets_the_first_response() {
    let (_database, nodes) = two_nodes();
    let Submitted::Accepted {
        request_id,
        response: first,
    } = nodes[0]
        .submit(registration(1, "<soap/>"), false, response)
        .unwrap()
    else {
        panic!("the first request is accepted");
    };
    match nodes[1].submit(registration(1, "<soap/>"), false, response) {
        Ok(Submitted::Repeated {
            request_id: again,
            response: repeated,
        }) => {
            assert_eq!((again, repeated), (request_id, first));
        }
        other => panic!("expected the first response, got {other:?}"),
    }
    let other_content = nodes[1].submit(registration(1, "<soap changed='1'/>"), false, response);
    assert!(
        other_content
            .unwrap_err()
            .to_string()
            .contains("was used by request 1 with other content")
    );
    assert_eq!(nodes[1].max_request_id().unwrap(), Some(1));
}

#[test]
fn a_decision_on_one_node_is_seen_and_chained_by_the_other() {
    let (_database, nodes) = two_nodes();
    nodes[0]
        .submit(registration(1, "<soap/>"), false, response)
        .unwrap();
    nodes[1].approve(1).unwrap();
    let registry = nodes[0].registry().unwrap();
    assert_eq!(registry.len(), 1, "{registry:?}");
    // Approving again on the first node is refused: the status moved on the second.
    let again = nodes[0].approve(1).unwrap_err().to_string();
    assert!(again.contains("its status is APPROVED"), "{again}");
    let audit = nodes[0].audit().unwrap();
    assert_eq!((audit.findings.len(), audit.entries), (0, 2));
}

#[test]
fn concurrent_repeats_of_one_message_on_both_nodes_store_it_once() {
    let (_database, nodes) = two_nodes();
    let senders: Vec<_> = (0..8)
        .map(|n| {
            let nodes = Arc::clone(&nodes);
            thread::spawn(move || nodes[n % 2].submit(registration(7, "<soap/>"), false, response))
        })
        .collect();
    let outcomes: Vec<Submitted> = senders
        .into_iter()
        .map(|sender| sender.join().unwrap().unwrap())
        .collect();
    let accepted = outcomes
        .iter()
        .filter(|o| matches!(o, Submitted::Accepted { .. }))
        .count();
    assert_eq!(accepted, 1, "{outcomes:?}");
    for outcome in &outcomes {
        let (Submitted::Accepted {
            request_id,
            response: sent,
        }
        | Submitted::Repeated {
            request_id,
            response: sent,
        }) = outcome;
        assert_eq!((*request_id, sent), (1, &response(1)));
    }
    assert_eq!(
        nodes[1].requests(&RequestFilter::default()).unwrap().len(),
        1
    );
}

#[test]
fn a_rule_holds_across_nodes_writing_at_once() {
    let (_database, nodes) = two_nodes();
    nodes[0]
        .submit(registration(1, "<soap/>"), true, response)
        .unwrap();
    // Both nodes are asked to put the server into maintenance mode at once: one request
    // wins, every other finds the server in maintenance mode, whichever node it reached.
    let askers: Vec<_> = (0..8)
        .map(|n| {
            let nodes = Arc::clone(&nodes);
            thread::spawn(move || {
                let enable = NewRequest {
                    request: ManagementRequest::MaintenanceModeEnable {
                        server: "SERVER:EE/GOV/OWNER1/SS".parse().unwrap(),
                        message: Some(format!("asker {n}")),
                    },
                    message_id: format!("maintenance-{n}"),
                    ..registration(1, &format!("<soap maintenance='{n}'/>"))
                };
                nodes[n % 2].submit(enable, false, response)
            })
        })
        .collect();
    let mut accepted = 0;
    for asker in askers {
        match asker.join().unwrap() {
            Ok(Submitted::Accepted { .. }) => accepted += 1,
            Err(refused) => assert!(
                refused.to_string().contains("already in maintenance mode"),
                "{refused}"
            ),
            Ok(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(accepted, 1);
    let audit = nodes[1].audit().unwrap();
    assert_eq!((audit.findings.len(), audit.entries), (0, 2));
}
