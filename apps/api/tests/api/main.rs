//! HTTP tests of `stm-api`: one binary, each test its own server and database.

mod admin;
mod auth;
mod billing;
mod billing_isolation;
mod billing_payments;
mod billing_races;
mod billing_refunds;
mod billing_tenancy;
mod catalog;
mod cli;
mod decisions;
mod demo;
mod email;
mod errors;
mod helpers;
mod hostile_input;
mod operations;
mod portal;
mod postgres;
mod supply;
mod supply_support;
