//! HTTP tests of `stm-api`: one binary, each test its own server and database.

mod auth;
mod catalog;
mod cli;
mod demo;
mod email;
mod errors;
mod helpers;
mod operations;
mod postgres;
mod supply;
mod supply_support;
