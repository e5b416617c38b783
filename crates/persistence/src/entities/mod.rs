//! SeaORM models of the tables the repositories use, one module per table.
//! They mirror `migration/` and hold no logic; hand-written code lives beside them.
#![allow(missing_docs, missing_debug_implementations)]

pub mod account_tokens;
pub mod attachments;
pub mod audit_log;
pub mod ban_requests;
pub mod contacts;
pub mod customers;
pub mod dispute_attachments;
pub mod disputes;
pub mod email_outbox;
pub mod invoice_counters;
pub mod invoice_lines;
pub mod invoices;
pub mod job_events;
pub mod jobs;
pub mod local_service_managers;
pub mod marketplace_transactions;
pub mod message_threads;
pub mod messages;
pub mod notifications;
pub mod parties;
pub mod payments;
pub mod platform_settings;
pub mod provider_services;
pub mod provider_warnings;
pub mod ratings_feedback;
pub mod refresh_tokens;
pub mod regions;
pub mod revoked_sessions;
pub mod service_listings;
pub mod service_providers;
pub mod service_region_popularity;
pub mod service_requests;
pub mod service_search_logs;
pub mod services;
pub mod tenant_invitations;
pub mod tenants;
pub mod thread_reads;
pub mod user_event_counters;
pub mod user_events;
pub mod user_roles;
pub mod users;
