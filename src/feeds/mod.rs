//! Read-only views over everything: the change feed replicas follow, the audit trail, and
//! statistics for dashboards.

pub mod audit;
pub mod changes;
pub mod stats;
