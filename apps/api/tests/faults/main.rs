//! Fault tests with real processes: the `stm-api` binary is started, killed
//! and restarted by the tests; PostgreSQL is stopped under load on a
//! throwaway cluster; the SMTP relay goes away and comes back; two instances
//! share one database. See docs/testing.md, "Faults".

#[path = "../common/cluster.rs"]
mod cluster;
mod kill;
mod pg_restart;
mod relay;
#[path = "../common/smtp.rs"]
mod smtp;
mod support;
mod two_instances;
