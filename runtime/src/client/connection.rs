//! A keep-alive connection to one management service endpoint.

use std::fmt;

use crate::compose::ComposedRequest;
use crate::operation::{ManagementBody, ManagementOperation};
use crate::transport::{Connection, Endpoint};

use super::error::ManagementError;
use super::reply;

/// A keep-alive HTTPS connection to one endpoint of the central server, for sending
/// requests (prepared once, e.g. for a load test) one after the other. Made by
/// [`ManagementClient::connect`](super::ManagementClient::connect).
pub struct ManagementConnection {
    pub(super) endpoint: Endpoint,
    pub(super) connection: Connection,
}

impl ManagementConnection {
    /// The endpoint connected to.
    pub fn endpoint(&self) -> Endpoint {
        self.endpoint
    }

    /// Whether the server or an error closed the connection; connect again then.
    pub fn is_closed(&self) -> bool {
        self.connection.is_closed()
    }

    /// Sends `composed` and returns the response body, as
    /// [`ManagementClient::send`](super::ManagementClient::send) does. The request must be
    /// for this connection's endpoint.
    pub async fn send<O: ManagementOperation>(
        &mut self,
        composed: &ComposedRequest<O>,
    ) -> Result<O::Response, ManagementError> {
        let expected = O::DESCRIPTION.endpoint;
        if expected != self.endpoint {
            return Err(ManagementError::WrongEndpoint {
                operation: O::NAME,
                expected,
                connection: self.endpoint,
            });
        }
        let answer = self
            .connection
            .post(
                &composed.message.content_type,
                composed.message.body.clone(),
            )
            .await
            .map_err(|source| ManagementError::Transport {
                endpoint: self.endpoint,
                source,
            })?;
        let header = &composed.request.request.header;
        match reply::response(&composed.request, &answer, self.endpoint) {
            Ok(response) => {
                tracing::debug!(
                    operation = O::NAME,
                    id = %header.id,
                    endpoint = %self.endpoint,
                    request_id = response.request_id(),
                    "management request accepted"
                );
                Ok(response)
            }
            Err(error) => {
                tracing::debug!(
                    operation = O::NAME,
                    id = %header.id,
                    endpoint = %self.endpoint,
                    %error,
                    "management request not accepted"
                );
                Err(error)
            }
        }
    }
}

impl fmt::Debug for ManagementConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManagementConnection")
            .field("endpoint", &self.endpoint)
            .field("connection", &self.connection)
            .finish()
    }
}
