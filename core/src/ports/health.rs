//! The health every port reports.

use serde::{Deserialize, Serialize};

/// How a port is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Working.
    Up,
    /// Working, with problems (slow, partly unavailable).
    Degraded,
    /// Not working.
    Down,
}

/// One port's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct PortHealth {
    /// Port name (`"orders"`, `"inventory"`, `"paymentGateway"`, ...).
    pub port: String,
    /// Status.
    pub status: HealthStatus,
    /// What is wrong, or which implementation answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl PortHealth {
    /// A healthy port.
    pub fn up(port: &str, detail: impl Into<String>) -> Self {
        PortHealth {
            port: port.to_owned(),
            status: HealthStatus::Up,
            detail: Some(detail.into()),
        }
    }

    /// An unhealthy port.
    pub fn down(port: &str, detail: impl Into<String>) -> Self {
        PortHealth {
            port: port.to_owned(),
            status: HealthStatus::Down,
            detail: Some(detail.into()),
        }
    }
}
