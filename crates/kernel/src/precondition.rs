//! `If-Match` as the use cases see it (RFC 9110 §13.1.1): absent, `*`, or a
//! list of versions. The HTTP layer parses the header; a malformed one is a
//! 400 there and never reaches a use case.

/// What the client demands of the current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// `*`: any current representation.
    Any,
    /// One of these versions.
    Versions(Vec<i64>),
}

impl IfMatch {
    /// Whether the resource at `version` satisfies the condition.
    pub fn matches(&self, version: i64) -> bool {
        match self {
            Self::Any => true,
            Self::Versions(list) => list.contains(&version),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_matches_any_of_its_versions_and_star_matches_all() {
        assert!(IfMatch::Any.matches(7));
        assert!(IfMatch::Versions(vec![1, 7]).matches(7));
        assert!(!IfMatch::Versions(vec![1, 2]).matches(7));
    }
}
