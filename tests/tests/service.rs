//! The checked-in client and server of `xroad-mserv-service`
//! (`generated/mserv-service/src/service.rs`) compile against the interface the runtime gives
//! them, and route as they should. This test is its own small `xroad_runtime`, in-process:
//! the client writes the request, the server reads it, calls the implementation of the
//! generated trait and writes the generated `respond`, and the client reads that and checks
//! the echo. All eleven services go through the generated client.

extern crate self as xroad_runtime;

use std::future::Future;
use std::pin::pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use xroad_codec::operation::{ManagementBody, Operation};
use xroad_codec::soap::Envelope;
use xroad_codec::xml::XmlRoot;
use xroad_mserv::centralservice::{self, Header};
use xroad_mserv::identifiers::{XRoadClientIdentifierType, XRoadSecurityServerIdentifierType};
use xroad_tests::annex_a;

/// The client and server of the generated crate, as that crate holds them.
mod generated {
    include!("../../generated/mserv-service/src/service.rs");
}

use generated::centralservice_client::CentralserviceClient;
use generated::centralservice_server::{Centralservice, CentralserviceServer};
use service::{Answer, Call, Dispatch, Incoming};

/// What the runtime sends and serves: operations with the `xroad-mserv` header and
/// identifiers (as in `xroad-runtime`).
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

/// Runs a future that never waits (everything here is in-process).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the in-process runtime never waits"),
    }
}

/// SOAP faults.
pub mod fault {
    /// A fault: its code and string.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Fault {
        /// The fault code.
        pub code: &'static str,
        /// What went wrong.
        pub string: String,
    }
}

/// The server side: what the generated `Dispatch` impl is called with.
pub mod service {
    use std::future::Future;

    use xroad_codec::operation::OperationDescription;
    use xroad_codec::xml;
    use xroad_mserv::NAMESPACES;

    use super::ManagementOperation;
    use super::fault::Fault;

    /// Routes requests by service code.
    pub trait Dispatch: Send + Sync + 'static {
        /// The description of the operation `service_code` names.
        fn operation(&self, service_code: &str) -> Option<&'static OperationDescription>;

        /// Serves `call`.
        fn dispatch<'a>(
            &'a self,
            call: Call<'a>,
        ) -> impl Future<Output = Result<Answered, Fault>> + Send + 'a;
    }

    /// A request that arrived: its service code and body element.
    pub struct Call<'a> {
        service_code: &'a str,
        body: &'a [u8],
    }

    impl<'a> Call<'a> {
        /// A call of `service_code` with the body element `body`.
        pub fn new(service_code: &'a str, body: &'a [u8]) -> Self {
            Self { service_code, body }
        }

        /// The service code of the header.
        pub fn service_code(&self) -> &str {
            self.service_code
        }

        /// Reads the request as `O`'s, lets `handler` answer it, and writes `O`'s response.
        pub async fn serve<O, F, Fut>(self, handler: F) -> Result<Answered, Fault>
        where
            O: ManagementOperation,
            F: FnOnce(Incoming<O>) -> Fut,
            Fut: Future<Output = Result<Answer, Fault>>,
        {
            let invalid = |e: xml::Error| Fault {
                code: "invalid_request",
                string: e.to_string(),
            };
            let request: O::Request = xml::from_slice(self.body).map_err(invalid)?;
            let answer = handler(Incoming {
                request: request.clone(),
            })
            .await?;
            let response = O::respond(&request, answer.request_id);
            let body = xml::to_string_with(&response, NAMESPACES).map_err(invalid)?;
            Ok(Answered {
                operation: O::NAME,
                body: body.into_bytes(),
            })
        }

        /// The fault for a service code no operation has.
        pub fn unknown(self) -> Fault {
            Fault {
                code: "invalid_request",
                string: format!("unknown service code {}", self.service_code),
            }
        }
    }

    /// A verified request of operation `O`.
    pub struct Incoming<O: ManagementOperation> {
        /// Its body.
        pub request: O::Request,
    }

    /// What an implementation answers: the central server's id of the request.
    pub struct Answer {
        /// The request id.
        pub request_id: i64,
    }

    /// A response ready to send.
    pub struct Answered {
        /// The operation answered.
        pub operation: &'static str,
        /// The response body element.
        pub body: Vec<u8>,
    }
}

/// The client side.
pub mod client {
    use std::sync::Arc;

    use xroad_codec::operation::EchoMismatch;
    use xroad_codec::xml;
    use xroad_mserv::NAMESPACES;

    use super::fault::Fault;
    use super::service::{Call, Dispatch};
    use super::{ManagementOperation, block_on};

    type Send = dyn Fn(&str, &[u8]) -> Result<Vec<u8>, Fault> + std::marker::Send + Sync;

    /// Sends requests to a server in the same process.
    #[derive(Clone)]
    pub struct ManagementClient {
        send: Arc<Send>,
    }

    impl std::fmt::Debug for ManagementClient {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("ManagementClient")
        }
    }

    impl ManagementClient {
        /// A client of `server`.
        pub fn to(server: impl Dispatch) -> Self {
            Self {
                send: Arc::new(move |code, body| {
                    block_on(server.dispatch(Call::new(code, body))).map(|a| a.body)
                }),
            }
        }

        /// Sends `request` and returns the response once it echoes the request.
        pub async fn call<O: ManagementOperation>(
            &self,
            request: O::Request,
        ) -> Result<O::Response, ManagementError> {
            let body = xml::to_string_with(&request, NAMESPACES).map_err(ManagementError::Xml)?;
            let answer = (self.send)(O::NAME, body.as_bytes()).map_err(ManagementError::Fault)?;
            let response: O::Response = xml::from_slice(&answer).map_err(ManagementError::Xml)?;
            O::check_echo(&request, &response).map_err(ManagementError::Echo)?;
            Ok(response)
        }
    }

    /// Why a call failed.
    #[derive(Debug)]
    pub enum ManagementError {
        /// The server answered with a fault.
        Fault(Fault),
        /// Writing the request or reading the response failed.
        Xml(xml::Error),
        /// The response does not echo the request.
        Echo(EchoMismatch),
    }
}

/// A central server that numbers the requests and records what it served.
#[derive(Default)]
struct Registry {
    served: Mutex<Vec<String>>,
}

impl Registry {
    fn answer<O: ManagementOperation>(
        &self,
        request: &Incoming<O>,
    ) -> Result<Answer, fault::Fault> {
        let mut served = self.served.lock().unwrap();
        served.push(format!("{} {}", O::NAME, request.request.server()));
        Ok(Answer {
            request_id: 1000 + served.len() as i64,
        })
    }
}

macro_rules! serve_by_recording {
    ($($method:ident: $operation:ident),* $(,)?) => {
        impl Centralservice for Registry {
            $(
                async fn $method(
                    &self,
                    request: Incoming<centralservice::$operation>,
                ) -> Result<Answer, fault::Fault> {
                    self.answer(&request)
                }
            )*
        }
    };
}

serve_by_recording! {
    client_reg: ClientReg,
    client_deletion: ClientDeletion,
    client_disable: ClientDisable,
    client_enable: ClientEnable,
    client_rename: ClientRename,
    auth_cert_deletion: AuthCertDeletion,
    owner_change: OwnerChange,
    address_change: AddressChange,
    maintenance_mode_enable: MaintenanceModeEnable,
    maintenance_mode_disable: MaintenanceModeDisable,
    auth_cert_reg: AuthCertReg,
}

/// The request body of an Annex A request.
fn body<B: XmlRoot>(fixture: &str) -> B {
    Envelope::<Header, B>::from_slice(annex_a(fixture).as_bytes())
        .unwrap_or_else(|e| panic!("{fixture}: {e}"))
        .body
}

#[test]
fn all_eleven_services_through_the_generated_client_and_server() {
    let server = CentralserviceServer::new(Registry::default());
    let client = CentralserviceClient::new(client::ManagementClient::to(server.clone()));
    block_on(async {
        let reg = client
            .client_reg(body("a1-client-reg-request-1.20.xml"))
            .await
            .unwrap();
        assert_eq!(reg.0.subsystem_name.as_deref(), Some("subsystem name"));
        assert_eq!(reg.request_id(), Some(1001));
        client
            .client_deletion(body("a2-client-deletion-request.xml"))
            .await
            .unwrap();
        let reg = client
            .auth_cert_reg(body("a3-auth-cert-reg-request.xml"))
            .await
            .unwrap();
        assert_eq!(reg.0.auth_cert.len(), 955);
        client
            .auth_cert_deletion(body("a4-auth-cert-deletion-request.xml"))
            .await
            .unwrap();
        client
            .owner_change(body("a5-owner-change-request.xml"))
            .await
            .unwrap();
        let moved = client
            .address_change(body("a6-address-change-request.xml"))
            .await
            .unwrap();
        assert_eq!(moved.address(), Some("security-server.address"));
        client
            .client_disable(body("a7-client-disable-request.xml"))
            .await
            .unwrap();
        client
            .client_enable(body("a8-client-enable-request.xml"))
            .await
            .unwrap();
        let renamed = client
            .client_rename(body("a9-client-rename-request.xml"))
            .await
            .unwrap();
        assert_eq!(renamed.0.subsystem_name, "SUBSYSTEM Name");
        let on = client
            .maintenance_mode_enable(body("a10-maintenance-mode-enable-request.xml"))
            .await
            .unwrap();
        assert!(on.0.message.is_some());
        let off = client
            .maintenance_mode_disable(body("a11-maintenance-mode-disable-request.xml"))
            .await
            .unwrap();
        assert_eq!(off.request_id(), Some(1011));
    });
    let served = server.get_ref().served.lock().unwrap().clone();
    let codes: Vec<&str> = served
        .iter()
        .map(|s| s.split(' ').next().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "clientReg",
            "clientDeletion",
            "authCertReg",
            "authCertDeletion",
            "ownerChange",
            "addressChange",
            "clientDisable",
            "clientEnable",
            "clientRename",
            "maintenanceModeEnable",
            "maintenanceModeDisable"
        ]
    );
    assert_eq!(served[0], "clientReg SERVER:EE/GOV/TS1OWNER/TS1");
    // The client hands back the management client it sends through.
    let again = CentralserviceClient::new(client.clone().into_inner());
    assert_eq!(
        format!("{:?}", again.inner()),
        format!("{:?}", client.inner())
    );
}

#[test]
fn the_server_describes_its_operations_and_refuses_unknown_codes() {
    let server = CentralserviceServer::new(Registry::default());
    for name in centralservice::OperationName::ALL {
        assert_eq!(server.operation(name.as_str()), Some(name.description()));
    }
    assert_eq!(server.operation("getRandom"), None);
    assert_eq!(
        server.operation("ClientReg"),
        None,
        "service codes are case-sensitive"
    );
    let body = b"<x/>";
    let fault = match block_on(server.dispatch(Call::new("getRandom", body))) {
        Err(fault) => fault,
        Ok(answered) => panic!("answered {}", answered.operation),
    };
    assert_eq!(fault.string, "unknown service code getRandom");
    // A body that is not the operation's is the runtime's to refuse, before the trait is called.
    let fault = match block_on(server.dispatch(Call::new("clientReg", body))) {
        Err(fault) => fault,
        Ok(answered) => panic!("answered {}", answered.operation),
    };
    assert_eq!(fault.code, "invalid_request");
    assert!(server.get_ref().served.lock().unwrap().is_empty());
}
