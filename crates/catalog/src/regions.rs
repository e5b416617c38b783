//! Zipcode → region resolution over the regions' 3-digit prefixes.

use std::collections::HashMap;

use kernel::Zipcode;

use crate::error::CatalogError;
use crate::model::Region;

/// The served regions, indexed by zip prefix.
#[derive(Debug, Clone, Default)]
pub struct RegionDirectory {
    regions: Vec<Region>,
    by_prefix: HashMap<String, usize>,
    by_code: HashMap<String, usize>,
}

fn valid_code(code: &str) -> bool {
    (2..=16).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// True for an IANA zone name (`America/New_York`, `UTC`).
pub fn valid_time_zone(name: &str) -> bool {
    name.parse::<chrono_tz::Tz>().is_ok()
}

impl RegionDirectory {
    /// Indexes the regions; refuses bad codes, bad prefixes and a prefix claimed twice.
    pub fn new(mut regions: Vec<Region>) -> Result<Self, CatalogError> {
        regions.sort_by(|a, b| a.code.cmp(&b.code));
        let mut by_prefix = HashMap::new();
        let mut by_code = HashMap::new();
        for (i, region) in regions.iter().enumerate() {
            let name_ok = !region.name.trim().is_empty()
                && region.name.chars().count() <= 255
                && kernel::check_text(&region.name).is_ok();
            if !valid_code(&region.code) || !name_ok {
                return Err(CatalogError::InvalidData(format!(
                    "region `{}`: bad code or name",
                    region.code
                )));
            }
            if !valid_time_zone(&region.time_zone) {
                return Err(CatalogError::InvalidData(format!(
                    "region `{}`: `{}` is not an IANA time zone",
                    region.code, region.time_zone
                )));
            }
            if by_code.insert(region.code.clone(), i).is_some() {
                return Err(CatalogError::InvalidData(format!(
                    "region `{}` listed twice",
                    region.code
                )));
            }
            for prefix in &region.zip_prefixes {
                if prefix.len() != 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(CatalogError::InvalidData(format!(
                        "region `{}`: prefix `{prefix}`",
                        region.code
                    )));
                }
                if let Some(other) = by_prefix.insert(prefix.clone(), i) {
                    let other = &regions[other].code;
                    return Err(CatalogError::InvalidData(format!(
                        "prefix `{prefix}` claimed by `{other}` and `{}`",
                        region.code
                    )));
                }
            }
        }
        Ok(Self {
            regions,
            by_prefix,
            by_code,
        })
    }

    /// The region serving a zipcode.
    pub fn resolve(&self, zipcode: &Zipcode) -> Result<&Region, CatalogError> {
        self.by_prefix
            .get(zipcode.prefix())
            .map(|&i| &self.regions[i])
            .ok_or_else(|| CatalogError::UnservedZipcode(zipcode.to_string()))
    }

    /// Parses raw input and resolves it: malformed input is a validation error
    /// on `field`, an unserved zipcode is [`CatalogError::UnservedZipcode`].
    pub fn resolve_input(&self, field: &str, input: &str) -> Result<&Region, CatalogError> {
        let zipcode = Zipcode::parse(input).map_err(|e| {
            CatalogError::Validation(vec![kernel::FieldError::new(field, e.to_string())])
        })?;
        self.resolve(&zipcode)
    }

    /// A region by code.
    pub fn get(&self, code: &str) -> Option<&Region> {
        self.by_code.get(code).map(|&i| &self.regions[i])
    }

    /// All regions, ordered by code.
    pub fn all(&self) -> &[Region] {
        &self.regions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn region(code: &str, prefixes: &[&str]) -> Region {
        Region {
            code: code.into(),
            name: code.to_uppercase(),
            time_zone: "America/New_York".into(),
            zip_prefixes: prefixes.iter().map(|p| (*p).to_owned()).collect(),
        }
    }

    fn directory() -> RegionDirectory {
        RegionDirectory::new(vec![
            region("nyc", &["100", "112"]),
            region("chi", &["606"]),
        ])
        .unwrap_or_default()
    }

    fn zip(s: &str) -> Zipcode {
        Zipcode::parse(s).unwrap_or_else(|_| panic!("bad test zipcode {s}"))
    }

    #[test]
    fn resolves_five_digit_and_zip_plus_four() {
        let dir = directory();
        assert_eq!(
            dir.resolve(&zip("10001")).map(|r| r.code.as_str()).ok(),
            Some("nyc")
        );
        assert_eq!(
            dir.resolve(&zip("60614-1234"))
                .map(|r| r.code.as_str())
                .ok(),
            Some("chi")
        );
    }

    #[test]
    fn unserved_and_malformed_zipcodes_are_told_apart() {
        let dir = directory();
        assert!(
            matches!(dir.resolve(&zip("99501")), Err(CatalogError::UnservedZipcode(z)) if z == "99501")
        );
        assert!(
            matches!(dir.resolve_input("zipcode", "ABCDE"), Err(CatalogError::Validation(f)) if f[0].field == "zipcode")
        );
    }

    #[test]
    fn a_prefix_claimed_twice_is_refused() {
        let err = RegionDirectory::new(vec![region("nyc", &["100"]), region("nj", &["100"])]);
        assert!(matches!(err, Err(CatalogError::InvalidData(msg)) if msg.contains("100")));
        assert!(RegionDirectory::new(vec![region("nyc", &["10"])]).is_err());
        assert!(RegionDirectory::new(vec![region("NYC", &["100"])]).is_err());
    }

    proptest! {
        #[test]
        fn every_zip_resolves_to_the_region_owning_its_prefix(n in 0u32..100_000) {
            let dir = directory();
            let z = zip(&format!("{n:05}"));
            let expected = match z.prefix() { "100" | "112" => Some("nyc"), "606" => Some("chi"), _ => None };
            prop_assert_eq!(dir.resolve(&z).ok().map(|r| r.code.as_str()), expected);
        }
    }
}
