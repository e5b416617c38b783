//! The lifecycle: only the edges of the table, for the right actor, ever move a listing.

use proptest::prelude::*;

use crate::error::ListingError;
use crate::status::{Actor, EDGES, ListingAction, ListingStatus, transition};

fn action() -> impl Strategy<Value = ListingAction> {
    prop::sample::select(ListingAction::ALL.to_vec())
}

fn actor() -> impl Strategy<Value = Actor> {
    prop::sample::select(vec![Actor::Owner, Actor::Moderator])
}

#[test]
fn a_suspended_listing_is_only_reinstated_by_moderation() {
    let s = ListingStatus::Suspended;
    for a in [
        ListingAction::Edit,
        ListingAction::Publish,
        ListingAction::Unpublish,
    ] {
        assert!(matches!(
            transition(s, a, Actor::Owner),
            Err(ListingError::InvalidTransition { .. })
        ));
    }
    assert!(matches!(
        transition(s, ListingAction::Reinstate, Actor::Owner),
        Err(ListingError::Forbidden(_))
    ));
    assert_eq!(
        transition(s, ListingAction::Reinstate, Actor::Moderator),
        Ok(ListingStatus::Active)
    );
}

#[test]
fn publish_and_unpublish_move_between_active_and_inactive() {
    use ListingStatus::*;
    assert_eq!(
        transition(Draft, ListingAction::Publish, Actor::Owner),
        Ok(Active)
    );
    assert_eq!(
        transition(Active, ListingAction::Unpublish, Actor::Owner),
        Ok(Inactive)
    );
    assert_eq!(
        transition(Inactive, ListingAction::Publish, Actor::Owner),
        Ok(Active)
    );
    assert!(transition(Draft, ListingAction::Unpublish, Actor::Owner).is_err());
    assert!(transition(Draft, ListingAction::Suspend, Actor::Moderator).is_err());
}

proptest! {
    #[test]
    fn random_sequences_only_take_table_edges(
        steps in prop::collection::vec((action(), actor()), 0..40)
    ) {
        let mut status = ListingStatus::Draft;
        for (a, who) in steps {
            match transition(status, a, who) {
                Ok(to) => {
                    prop_assert!(EDGES.contains(&(a, status, to)));
                    prop_assert_eq!(a.actor(), who);
                    status = to;
                }
                Err(ListingError::Forbidden(_)) => prop_assert_ne!(a.actor(), who),
                Err(ListingError::InvalidTransition { .. }) => {
                    prop_assert_eq!(a.actor(), who);
                    prop_assert!(!EDGES.iter().any(|(ea, ef, _)| *ea == a && *ef == status));
                }
                Err(other) => prop_assert!(false, "unexpected {other:?}"),
            }
            // The owner never leaves `suspended` by itself.
            if status == ListingStatus::Suspended && who == Actor::Owner {
                prop_assert_eq!(status, ListingStatus::Suspended);
            }
        }
    }

    #[test]
    fn owner_only_sequences_never_reach_suspended(
        steps in prop::collection::vec(action(), 0..40)
    ) {
        let mut status = ListingStatus::Draft;
        for a in steps {
            if let Ok(to) = transition(status, a, Actor::Owner) {
                status = to;
            }
            prop_assert_ne!(status, ListingStatus::Suspended);
        }
    }
}
