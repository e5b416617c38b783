//! `If-Match` as the use cases see it (RFC 9110 §13.1.1): absent, `*`, or a
//! list of versions. The HTTP layer parses the header (a malformed one is a
//! 400 there and never reaches a use case); every domain uses this one type.

/// What an `If-Match` header asks for, as the HTTP layer parsed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Precondition {
    /// No `If-Match`: a change lost to a concurrent one is re-read and the
    /// rule applied again, so only the rule itself can refuse it.
    #[default]
    Absent,
    /// `If-Match: *`: any current representation matches.
    Any,
    /// `If-Match: "1", "7"`: one of these versions. Tags that can never match
    /// (weak ones, or ones this API never hands out) are left out, so an
    /// empty list never matches.
    Versions(Vec<i64>),
}

impl Precondition {
    /// Whether the resource at `version` satisfies the condition.
    pub fn matches(&self, version: i64) -> bool {
        match self {
            Self::Absent | Self::Any => true,
            Self::Versions(list) => list.contains(&version),
        }
    }

    /// Whether a lost race is a 412: only when the client named versions.
    pub fn names_versions(&self) -> bool {
        matches!(self, Self::Versions(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_matches_any_of_its_versions_and_star_matches_all() {
        assert!(Precondition::Absent.matches(7));
        assert!(Precondition::Any.matches(7));
        assert!(Precondition::Versions(vec![1, 7]).matches(7));
        assert!(!Precondition::Versions(vec![1, 2]).matches(7));
        assert!(!Precondition::Versions(vec![]).matches(7));
    }
}
