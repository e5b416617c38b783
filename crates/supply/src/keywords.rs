//! Keyword → catalog service: by name, slug or keyword synonym,
//! case-insensitively, tolerant of small typos.
//!
//! An exact match (after lower-casing and collapsing spaces; slugs also match
//! with spaces for dashes) wins. Otherwise the closest term by optimal string
//! alignment distance (Damerau–Levenshtein with adjacent transpositions) wins
//! when the distance is at most 1 for words of 3 to 6 characters and at most 2
//! for longer ones; shorter words must match exactly. Ties go to the lower
//! service id, so the answer is stable.

use catalog::{Catalog, Service, ServiceStatus};

/// The longest keyword accepted.
pub const MAX_KEYWORD_CHARS: usize = 100;

/// The folded form keywords are matched, stored and counted in
/// (`kernel::fold_keyword`: NFKC, invisible characters dropped, whitespace
/// collapsed, lower case).
pub fn normalise(keyword: &str) -> String {
    kernel::fold_keyword(keyword)
}

/// The largest typo distance tolerated for a keyword of `chars` characters.
pub fn tolerance(chars: usize) -> usize {
    match chars {
        0..=2 => 0,
        3..=6 => 1,
        _ => 2,
    }
}

/// Optimal string alignment distance between two strings, by characters.
pub fn osa_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(prev2[j - 2] + 1);
            }
            cur[j] = best;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

fn terms(service: &Service) -> impl Iterator<Item = String> + '_ {
    let d = &service.definition;
    [
        d.name.to_lowercase(),
        d.slug.clone(),
        d.slug.replace('-', " "),
    ]
    .into_iter()
    .chain(d.keywords.iter().map(|k| k.to_lowercase()))
}

/// The approved service a keyword names, if any.
pub fn resolve<'a>(catalog: &'a Catalog, keyword: &str) -> Option<&'a Service> {
    let q = normalise(keyword);
    if q.is_empty() {
        return None;
    }
    let approved = || {
        catalog
            .services()
            .iter()
            .filter(|s| s.status == ServiceStatus::Approved)
    };
    if let Some(exact) = approved().find(|s| terms(s).any(|t| t == q)) {
        return Some(exact);
    }
    let max = tolerance(q.chars().count());
    if max == 0 {
        return None;
    }
    approved()
        .filter_map(|s| {
            let best = terms(s).map(|t| osa_distance(&q, &t)).min()?;
            (best <= max).then_some((best, s))
        })
        .min_by_key(|(d, s)| (*d, s.id))
        .map(|(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use catalog::RegionDirectory;
    use proptest::prelude::*;

    fn catalog() -> Catalog {
        let defs = catalog::seed::parse_services(include_str!("../../../seed-data/services.json"))
            .unwrap_or_default();
        let now = chrono::Utc::now();
        let services = defs
            .into_iter()
            .enumerate()
            .map(|(i, definition)| Service {
                id: kernel::ServiceId(i as i64 + 1),
                definition,
                status: ServiceStatus::Approved,
                is_popular: false,
                created_at: now,
                updated_at: now,
            })
            .collect();
        Catalog::new(services, RegionDirectory::default())
    }

    fn slug(keyword: &str) -> Option<String> {
        resolve(&catalog(), keyword).map(|s| s.definition.slug.clone())
    }

    #[test]
    fn names_slugs_and_keywords_match_case_insensitively() {
        assert_eq!(slug("Dog Walking").as_deref(), Some("dog-walking"));
        assert_eq!(slug("  DOG   walking ").as_deref(), Some("dog-walking"));
        assert_eq!(slug("dog-walking").as_deref(), Some("dog-walking"));
        assert_eq!(slug("PLUMBING").as_deref(), Some("plumbing"));
    }

    #[test]
    fn small_typos_are_forgiven_big_ones_are_not() {
        assert_eq!(slug("plumbign").as_deref(), Some("plumbing"));
        assert_eq!(slug("dgo walking").as_deref(), Some("dog-walking"));
        assert_eq!(slug("dog wlaknig").as_deref(), Some("dog-walking"));
        assert_eq!(slug("xylophone repair"), None);
        assert_eq!(slug("zz"), None);
        assert_eq!(slug(""), None);
    }

    #[test]
    fn short_words_forgive_one_typo_only() {
        assert_eq!(slug("hvca").as_deref(), Some("hvac-repair"));
        assert_eq!(slug("fridg").as_deref(), Some("appliance-repair"));
        assert_eq!(slug("kenel").as_deref(), Some("pet-boarding"));
        assert_eq!(slug("hxxc"), None);
        assert_eq!(slug("dk"), None);
        assert_eq!(slug("DJ").as_deref(), Some("dj-services"));
    }

    #[test]
    fn retired_services_are_not_found() {
        let mut c = catalog();
        let mut services = c.services().to_vec();
        for s in &mut services {
            if s.definition.slug == "plumbing" {
                s.status = ServiceStatus::Retired;
            }
        }
        c = Catalog::new(services, RegionDirectory::default());
        assert_ne!(
            resolve(&c, "plumbing").map(|s| s.definition.slug.as_str()),
            Some("plumbing")
        );
    }

    #[test]
    fn distance_counts_transpositions_as_one() {
        assert_eq!(osa_distance("abcd", "acbd"), 1);
        assert_eq!(osa_distance("kitten", "sitting"), 3);
        assert_eq!(osa_distance("", "abc"), 3);
    }

    proptest! {
        #[test]
        fn distance_is_symmetric_and_zero_only_for_equal(a in "[a-d]{0,8}", b in "[a-d]{0,8}") {
            prop_assert_eq!(osa_distance(&a, &b), osa_distance(&b, &a));
            prop_assert_eq!(osa_distance(&a, &b) == 0, a == b);
            prop_assert!(osa_distance(&a, &b) <= a.chars().count().max(b.chars().count()));
        }

        #[test]
        fn every_service_is_found_by_its_own_name_in_any_case(i in 0usize..45, upper in any::<bool>()) {
            let c = catalog();
            let s = &c.services()[i];
            let name = if upper { s.definition.name.to_uppercase() } else { s.definition.name.clone() };
            prop_assert_eq!(resolve(&c, &name).map(|f| f.id), Some(s.id));
        }
    }
}
