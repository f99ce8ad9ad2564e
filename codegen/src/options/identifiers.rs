//! X-Road identifier facts: the codes of each object type and the shapes `FromStr` tries.

/// The codes each X-Road object type has, in textual-form order; `(code, required)`.
///
/// `FromStr` tries the shapes of a type in the order [`identifier_shapes`] lists them; for
/// `SERVICE` a five-part identifier is read as member, subsystem and service code.
pub fn object_type_codes(object_type: &str) -> Option<&'static [(&'static str, bool)]> {
    Some(match object_type {
        "MEMBER" => &[
            ("xRoadInstance", true),
            ("memberClass", true),
            ("memberCode", true),
        ],
        "SUBSYSTEM" => &[
            ("xRoadInstance", true),
            ("memberClass", true),
            ("memberCode", true),
            ("subsystemCode", true),
        ],
        "SERVER" => &[
            ("xRoadInstance", true),
            ("memberClass", true),
            ("memberCode", true),
            ("serverCode", true),
        ],
        "SERVICE" => &[
            ("xRoadInstance", true),
            ("memberClass", true),
            ("memberCode", true),
            ("subsystemCode", false),
            ("serviceCode", true),
            ("serviceVersion", false),
        ],
        "GLOBALGROUP" => &[("xRoadInstance", true), ("groupCode", true)],
        "LOCALGROUP" => &[("groupCode", true)],
        _ => return None,
    })
}

/// Every concrete combination of codes an object type allows, in the order `FromStr` tries
/// them (fewest optional codes first, optional codes switched on from the left).
pub fn identifier_shapes(object_type: &str) -> Vec<Vec<&'static str>> {
    let Some(codes) = object_type_codes(object_type) else {
        return Vec::new();
    };
    let optional: Vec<usize> = (0..codes.len()).filter(|i| !codes[*i].1).collect();
    // Subsets of the optional codes, by size, and within a size with the leftmost first.
    let mut subsets: Vec<Vec<usize>> = vec![Vec::new()];
    for size in 1..=optional.len() {
        let mut picks: Vec<Vec<usize>> = Vec::new();
        combinations(&optional, size, 0, &mut Vec::new(), &mut picks);
        subsets.extend(picks);
    }
    subsets
        .into_iter()
        .map(|on| {
            codes
                .iter()
                .enumerate()
                .filter(|(i, (_, required))| *required || on.contains(i))
                .map(|(_, (code, _))| *code)
                .collect()
        })
        .collect()
}

fn combinations(
    items: &[usize],
    size: usize,
    start: usize,
    current: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
) {
    if current.len() == size {
        out.push(current.clone());
        return;
    }
    for i in start..items.len() {
        current.push(items[i]);
        combinations(items, size, i + 1, current, out);
        current.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_shapes_put_subsystem_before_version() {
        let shapes = identifier_shapes("SERVICE");
        assert_eq!(shapes.len(), 4);
        assert_eq!(
            shapes[0],
            ["xRoadInstance", "memberClass", "memberCode", "serviceCode"]
        );
        assert_eq!(
            shapes[1],
            [
                "xRoadInstance",
                "memberClass",
                "memberCode",
                "subsystemCode",
                "serviceCode"
            ]
        );
        assert_eq!(shapes[3].len(), 6);
    }

    #[test]
    fn unknown_object_type_has_no_shapes() {
        assert!(identifier_shapes("PERSON").is_empty());
        assert_eq!(identifier_shapes("LOCALGROUP"), vec![vec!["groupCode"]]);
    }
}
