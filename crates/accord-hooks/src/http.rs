//! The HTTP transport: ureq (blocking, rustls), redirects not followed
//! (a 3xx is a failure: the receiver must answer where it was subscribed).

use std::time::Duration;

use crate::worker::{Request, Transport};

/// Sends over HTTP(S), one agent per request timeout.
pub struct Http {
    agent: ureq::Agent,
}

impl Http {
    pub fn new(timeout: Duration) -> Http {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .build();
        Http {
            agent: config.into(),
        }
    }
}

impl Transport for Http {
    fn post(&self, request: &Request<'_>, _timeout: Duration) -> Result<u16, String> {
        let mut builder = self.agent.post(request.url);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        match builder.send(request.body) {
            Ok(response) => Ok(response.status().as_u16()),
            Err(e) => Err(e.to_string()),
        }
    }
}
