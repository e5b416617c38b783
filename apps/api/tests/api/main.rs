//! HTTP tests of `stm-api`: one binary, each test its own server and database.

mod admin;
mod auth;
mod billing;
mod billing_invitation_races;
mod billing_invitations;
mod billing_isolation;
mod billing_payments;
mod billing_races;
mod billing_refunds;
mod billing_tenancy;
mod catalog;
mod cli;
mod decisions;
mod demand;
mod demo;
mod email;
mod errors;
mod helpers;
mod hostile_input;
mod identity_text;
mod operations;
mod portal;
mod portal_sessions;
mod postgres;
mod supply;
mod supply_support;
