use std::time::{Duration, UNIX_EPOCH};

use xroad_central_server::store::{ManagementRequest, NewRequest, Store, StoreSettings, Submitted};
use xroad_runtime::message::Parts;

use crate::support::TestStore;

const PROVIDER: &str = "SUBSYSTEM:EE/GOV/CENTRAL/management";
const SS1: &str = "SERVER:EE/GOV/OWNER1/SS1";

/// A store with a server, three clients registered and a pending registration (requests
/// 1 to 5), on the backend of this test binary.
fn filled() -> TestStore {
    let test = TestStore::open(crate::BACKEND, PROVIDER, StoreSettings::default());
    let store = &test.store;
    let server = || SS1.parse().unwrap();
    let mut requests = vec![ManagementRequest::AuthCertReg {
        server: server(),
        auth_cert: b"\x30cert".to_vec(),
        address: "ss1.example.org".to_owned(),
    }];
    for n in 0..4 {
        requests.push(ManagementRequest::ClientReg {
            server: server(),
            client: format!("SUBSYSTEM:EE/COM/C/sub{n}").parse().unwrap(),
            subsystem_name: None,
        });
    }
    for (n, request) in (0..).zip(requests) {
        let new = NewRequest {
            request,
            message_id: format!("m{n}"),
            sender: "MEMBER:EE/GOV/OWNER1".parse().unwrap(),
            received_at: UNIX_EPOCH + Duration::from_secs(1_700_000_000 + n),
            log: Parts::soap(format!("<soap n='{n}'/>")),
            transport: Default::default(),
        };
        let submitted = store.submit(new, n < 4, |id| format!("<r>{id}</r>").into_bytes());
        assert!(matches!(submitted, Ok(Submitted::Accepted { .. })));
    }
    test
}

fn findings(store: &Store) -> Vec<String> {
    store
        .audit()
        .unwrap()
        .findings
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn an_untouched_log_has_no_findings_and_a_head() {
    let test = filled();
    let store = &test.store;
    store.approve(5).unwrap();
    let audit = store.audit().unwrap();
    assert_eq!(audit.findings, []);
    assert_eq!(audit.entries, 6, "five requests received, one approval");
    assert_eq!(audit.head.0, 6);
    assert_eq!(audit.head_hex().len(), 64);
}

#[test]
fn a_changed_client_or_sender_is_named() {
    let test = filled();
    let change = "UPDATE requests SET client = 'SUBSYSTEM:EE/COM/C/other' WHERE id = 3;
                  UPDATE requests SET sender = 'MEMBER:EE/GOV/SOMEONE' WHERE id = 4;";
    test.tamper(change, change);
    let found = findings(&test.store);
    assert!(
        found.contains(
            &"log entry 3 (request 3 received) does not match what is stored: it was changed \
              after it was logged"
                .to_owned()
        ),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("log entry 4 (request 4 received)")),
        "{found:?}"
    );
    // The changed client is also a registry the log does not give.
    assert!(
        found.contains(
            &"registry: client SUBSYSTEM:EE/COM/C/sub1 of SERVER:EE/GOV/OWNER1/SS1 is \
              registered, but no logged request registered it"
                .to_owned()
        ),
        "{found:?}"
    );
}

#[test]
fn a_deleted_request_is_named() {
    let test = filled();
    let deletion = "DELETE FROM log_chain WHERE request = 2;
                    DELETE FROM message_log WHERE request = 2;
                    DELETE FROM requests WHERE id = 2;";
    test.tamper(deletion, deletion);
    let found = findings(&test.store);
    assert!(
        found.contains(&"log entry 2 is missing: deleted".to_owned()),
        "{found:?}"
    );
    assert!(
        found.contains(&"request 2 is missing: deleted".to_owned()),
        "{found:?}"
    );
}

#[test]
fn an_inserted_registry_row_or_request_is_named() {
    let test = filled();
    let insertion =
        "INSERT INTO server_clients (server, client) VALUES (1, 'SUBSYSTEM:EE/COM/EVIL/x');
         INSERT INTO requests (id, service, server, client, status, message_id, sender,
                               received_at)
             VALUES (6, 'clientDeletion', 'SERVER:EE/GOV/OWNER1/SS1', 'SUBSYSTEM:EE/COM/C/sub0',
                     'APPROVED', 'forged', 'MEMBER:EE/GOV/OWNER1', 0);";
    test.tamper(insertion, insertion);
    let found = findings(&test.store);
    assert!(
        found.contains(
            &"registry: client SUBSYSTEM:EE/COM/EVIL/x of SERVER:EE/GOV/OWNER1/SS1 is \
              registered, but no logged request registered it"
                .to_owned()
        ),
        "{found:?}"
    );
    assert!(
        found.contains(&"request 6 is stored but not in the log: inserted afterwards".to_owned()),
        "{found:?}"
    );
}

#[test]
fn a_changed_status_or_part_is_named() {
    let test = filled();
    test.tamper(
        "UPDATE requests SET status = 'APPROVED' WHERE id = 5;
         UPDATE message_log SET soap = CAST('<soap n=''changed''/>' AS BLOB) WHERE request = 1;",
        "UPDATE requests SET status = 'APPROVED' WHERE id = 5;
         UPDATE message_log SET soap = convert_to('<soap n=''changed''/>', 'UTF8')
             WHERE request = 1;",
    );
    let found = findings(&test.store);
    assert!(
        found.contains(
            &"request 5 has status APPROVED, but the log gives it SUBMITTED FOR APPROVAL"
                .to_owned()
        ),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("log entry 1 (request 1 received)")),
        "{found:?}"
    );
}
