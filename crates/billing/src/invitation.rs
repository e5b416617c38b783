//! Staff by consent: the pure rules of tenant invitations and membership.
//!
//! Nobody becomes staff of a tenant without accepting an invitation addressed
//! to their e-mail; anyone may leave, and the owner may remove staff, but a
//! tenant never loses its last owner.

use chrono::Duration;
use kernel::{TenantId, Timestamp, UserId};

use crate::model::{Invitation, InvitationStatus, TenantRole};

/// How long an invitation can be accepted.
pub const INVITATION_DAYS: i64 = 7;

/// At most this many characters of the tenant's name go into an invitation e-mail.
pub const MAIL_NAME_CHARS: usize = 80;

/// The outbox template of invitation e-mails.
pub const INVITATION_TEMPLATE: &str = "tenant_invitation";

/// A fresh pending invitation (its id is assigned by storage).
pub fn new_invitation(
    tenant_id: TenantId,
    email: String,
    invited_by: UserId,
    now: Timestamp,
) -> Invitation {
    Invitation {
        id: 0,
        tenant_id,
        email,
        invited_by,
        status: InvitationStatus::Pending,
        expires_at: now + Duration::days(INVITATION_DAYS),
        created_at: now,
        decided_at: None,
    }
}

/// What the invitee answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Join the tenant as staff.
    Accept,
    /// Say no.
    Decline,
}

/// Why an answer was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Too late: the invitation's new state (`expired`) is to be stored.
    Expired(Invitation),
    /// Already accepted, declined, revoked or expired.
    Closed(InvitationStatus),
}

impl Invitation {
    /// The status as of `now`: a pending invitation past its expiry is expired.
    pub fn status_at(&self, now: Timestamp) -> InvitationStatus {
        if self.status == InvitationStatus::Pending && now >= self.expires_at {
            InvitationStatus::Expired
        } else {
            self.status
        }
    }

    /// The invitation after the invitee's answer at `now`.
    pub fn answer(&self, answer: Answer, now: Timestamp) -> Result<Invitation, Refusal> {
        match self.status_at(now) {
            InvitationStatus::Pending => Ok(self.closed(
                match answer {
                    Answer::Accept => InvitationStatus::Accepted,
                    Answer::Decline => InvitationStatus::Declined,
                },
                now,
            )),
            InvitationStatus::Expired if self.status == InvitationStatus::Pending => Err(
                Refusal::Expired(self.closed(InvitationStatus::Expired, now)),
            ),
            other => Err(Refusal::Closed(other)),
        }
    }

    fn closed(&self, status: InvitationStatus, now: Timestamp) -> Invitation {
        Invitation {
            status,
            decided_at: Some(now),
            ..self.clone()
        }
    }
}

/// Whether a member with `role` may leave (or be removed from) a tenant that has
/// `owners` owners: never its last owner.
pub fn may_leave(role: TenantRole, owners: u64) -> bool {
    role != TenantRole::Owner || owners > 1
}

/// Subject and body of the invitation e-mail. The subject is fixed text; the
/// tenant's name, which its owner chose, appears only in the body, on one
/// line, without invisible characters, quoted and cut to [`MAIL_NAME_CHARS`].
pub fn invitation_mail(tenant_name: &str, expires_at: Timestamp) -> (String, String) {
    let visible: String = tenant_name
        .chars()
        .filter(|c| !kernel::text::is_invisible(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let one_line = visible.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = kernel::text::truncate_chars(&one_line, MAIL_NAME_CHARS);
    let subject = "You are invited to join a business on STM".to_owned();
    let body = format!(
        "The owner of the business \"{name}\" invited you to join its back office as staff.\n\n\
         Sign in to STM with this e-mail address and open your tenant invitations to accept \
         or decline. The invitation expires on {} (UTC).\n\n\
         If you did not expect this, ignore this message: nothing changes unless you accept.",
        expires_at.format("%Y-%m-%d %H:%M")
    );
    (subject, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        chrono::DateTime::UNIX_EPOCH + Duration::seconds(secs)
    }

    fn pending() -> Invitation {
        new_invitation(TenantId(1), "a@example.com".into(), UserId(2), at(0))
    }

    #[test]
    fn invitations_last_seven_days() {
        let inv = pending();
        let week = Duration::days(7).num_seconds();
        assert_eq!(inv.expires_at, at(week));
        assert_eq!(inv.status_at(at(week - 1)), InvitationStatus::Pending);
        assert_eq!(inv.status_at(at(week)), InvitationStatus::Expired);
    }

    #[test]
    fn answers_close_a_pending_invitation_once() {
        let accepted = pending().answer(Answer::Accept, at(5));
        let accepted = accepted.unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (accepted.status, accepted.decided_at),
            (InvitationStatus::Accepted, Some(at(5)))
        );
        assert_eq!(
            accepted.answer(Answer::Decline, at(6)),
            Err(Refusal::Closed(InvitationStatus::Accepted))
        );
        let declined = pending().answer(Answer::Decline, at(5));
        assert_eq!(declined.map(|i| i.status), Ok(InvitationStatus::Declined));
    }

    #[test]
    fn a_late_answer_expires_the_invitation() {
        let late = at(Duration::days(8).num_seconds());
        match pending().answer(Answer::Accept, late) {
            Err(Refusal::Expired(inv)) => {
                assert_eq!(
                    (inv.status, inv.decided_at),
                    (InvitationStatus::Expired, Some(late))
                );
                assert_eq!(
                    inv.answer(Answer::Accept, late),
                    Err(Refusal::Closed(InvitationStatus::Expired))
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_last_owner_stays() {
        assert!(may_leave(TenantRole::Staff, 1));
        assert!(may_leave(TenantRole::Staff, 0));
        assert!(!may_leave(TenantRole::Owner, 1));
        assert!(may_leave(TenantRole::Owner, 2));
    }

    #[test]
    fn the_tenant_name_is_bounded_and_kept_out_of_the_subject() {
        let evil = format!(
            "Acme\u{202E}\nURGENT: reset your password{}",
            "x".repeat(500)
        );
        let (subject, body) = invitation_mail(&evil, at(0));
        assert!(!subject.contains("Acme"));
        let line = body.lines().next().unwrap_or_default();
        assert!(line.contains("\"Acme URGENT: reset your password"));
        assert!(!body.contains('\u{202E}'));
        assert!(line.chars().count() < MAIL_NAME_CHARS + 100);
    }
}
