//! Every XML Schema construct the generator supports, on a schema written for it
//! (`fixtures/schemas/<construct>/`): the bindings generated at build time read each instance
//! document, write it, read it again to an equal value, and xmllint finds both the instance and
//! what was written valid against the schema; invalid instances are refused, by xmllint and by
//! the bindings, with the path of the offending element.

use xroad_tests::{refused, round_trip};

/// The bindings of `builtins.xsd`.
#[allow(dead_code)]
mod builtins_xsd {
    include!(concat!(env!("OUT_DIR"), "/builtins.rs"));
}

/// The bindings of `open.xsd`.
#[allow(dead_code)]
mod open_xsd {
    include!(concat!(env!("OUT_DIR"), "/open.rs"));
}

mod open_content {
    use xroad_codec::xml::{AnyNode, XmlRead};

    use super::open_xsd::open::Envelope;
    use super::{refused, round_trip};

    const X: &str = "urn:example:x";

    #[test]
    fn open_content_round_trips_with_names_and_prefixes() {
        let envelope: Envelope = round_trip("open", "envelope-1.xml");
        let traced: Vec<(&str, &str)> = envelope
            .any_attributes
            .iter()
            .map(|a| (a.local.as_str(), a.value.as_str()))
            .collect();
        assert_eq!(traced, [("trace", "a1"), ("hop", "2")]);
        assert_eq!(envelope.payload.attributes[0].local, "kind");
        let order = envelope
            .payload
            .children
            .iter()
            .find_map(|n| match n {
                AnyNode::Element(e) => Some(e),
                AnyNode::Text(_) => None,
            })
            .expect("the order element");
        assert_eq!(
            (order.namespace.as_str(), order.local.as_str()),
            (X, "order")
        );
        // The prefix `x` inside the attribute value still resolves after writing.
        let written = xroad_codec::xml::to_string(&envelope).expect("written");
        assert!(written.contains(r#"y:kind="x:Reference""#), "{written}");
        assert!(written.contains(r#"xmlns:x="urn:example:x""#), "{written}");
        let extensions: Vec<&str> = envelope.any.iter().map(|e| e.local.as_str()).collect();
        assert_eq!(extensions, ["extension", "extension"]);
        let text = envelope.text.as_ref().expect("text");
        assert_eq!(text.lang.as_ref().map(|l| l.as_str()), Some("en"));
        assert_eq!(text.content.len(), 3, "{:?}", text.content);
        let note = envelope.note.as_ref().expect("note");
        assert_eq!(note.text(), None, "the note holds an element");

        let minimal: Envelope = round_trip("open", "envelope-2.xml");
        assert!(minimal.payload.children.is_empty() && minimal.any.is_empty());
        let _ = <Envelope as XmlRead>::read;
    }

    #[test]
    fn content_outside_the_wildcards_is_refused_with_its_path() {
        let own_namespace =
            r#"<envelope xmlns="urn:test:open"><id>1</id><payload/><id>2</id></envelope>"#;
        let (path, message) = refused::<Envelope>("open", own_namespace);
        assert_eq!(path, "/envelope/id", "{message}");
        assert!(message.contains("unexpected element"), "{message}");
        let own_attribute =
            r#"<envelope xmlns="urn:test:open" extra="1"><id>1</id><payload/></envelope>"#;
        let (path, message) = refused::<Envelope>("open", own_attribute);
        assert_eq!(path, "/envelope/@extra", "{message}");
        let no_payload = r#"<envelope xmlns="urn:test:open"><id>1</id></envelope>"#;
        let (path, message) = refused::<Envelope>("open", no_payload);
        assert_eq!(path, "/envelope", "{message}");
        assert!(
            message.contains("missing element `{urn:test:open}payload`"),
            "{message}"
        );
    }
}

/// The bindings of `structure.xsd`.
#[allow(dead_code)]
mod structure_xsd {
    include!(concat!(env!("OUT_DIR"), "/structure.rs"));
}

mod structure {
    use std::num::NonZeroU64;

    use super::structure_xsd::structure::{Order, OrderChoice, OrderChoice2, OrderSequence};
    use super::{refused, round_trip};

    #[test]
    fn choices_groups_and_all_round_trip() {
        let order: Order = round_trip("structure", "order-1.xml");
        assert_eq!(order.id.as_str(), "o1");
        assert_eq!(order.buyer, "Ann");
        assert_eq!(order.seller.as_deref(), Some("Shop"));
        let OrderChoice::Sequence(bank) = &order.choice else {
            panic!("{:?}", order.choice)
        };
        assert_eq!((bank.bank.as_str(), bank.account.as_str()), ("LHV", "EE00"));
        assert_eq!(
            order.sequence,
            [
                OrderSequence {
                    item: "book".into(),
                    quantity: Some(2)
                },
                OrderSequence {
                    item: "pen".into(),
                    quantity: None
                }
            ]
        );
        let kinds: Vec<&str> = order
            .choice_2
            .iter()
            .map(|c| match c {
                OrderChoice2::Gift(_) => "gift",
                OrderChoice2::Tag(_) => "tag",
                OrderChoice2::Any(_) => "any",
            })
            .collect();
        assert_eq!(kinds, ["gift", "tag", "any", "gift"]);
        assert_eq!(order.delivery.note.as_deref(), Some("ring twice"));

        let second: Order = round_trip("structure", "order-2.xml");
        assert_eq!(
            second.choice,
            OrderChoice::Invoice(NonZeroU64::new(17).unwrap())
        );
        assert!(second.choice_2.is_empty());
    }

    #[test]
    fn structure_violations_are_refused_with_their_path() {
        let base = |middle: &str, delivery: &str| {
            format!(
                r#"<order xmlns="urn:test:structure" id="o"><buyer>A</buyer>{middle}<delivery>{delivery}</delivery></order>"#
            )
        };
        for (xml, path, reason) in [
            (
                base("<item>x</item>", "<address>a</address>"),
                "/order",
                "missing element `one of `{urn:test:structure}card`",
            ),
            (
                base(
                    "<card>1</card><invoice>2</invoice><item>x</item>",
                    "<address>a</address>",
                ),
                "/order",
                "missing element `{urn:test:structure}item`, found `{urn:test:structure}invoice`",
            ),
            (
                base("<card>1</card>", "<address>a</address>"),
                "/order",
                "missing element `{urn:test:structure}item`, found `{urn:test:structure}delivery`",
            ),
            (
                base(
                    "<card>1</card><item>a</item><item>b</item><item>c</item><item>d</item>",
                    "<address>a</address>",
                ),
                "/order",
                "missing element `{urn:test:structure}delivery`, found `{urn:test:structure}item`",
            ),
            (
                base(
                    "<card>1</card><item>x</item>",
                    "<address>a</address><address>b</address>",
                ),
                "/order/delivery/address",
                "occurs more than once",
            ),
            (
                base("<card>1</card><item>x</item>", "<note>n</note>"),
                "/order/delivery",
                "missing element `{urn:test:structure}address`",
            ),
        ] {
            let (found, message) = refused::<Order>("structure", &xml);
            assert_eq!(found, path, "{xml}: {message}");
            assert!(message.contains(reason), "{xml}: {message}");
        }
    }
}

/// The bindings of `rest.xsd`.
#[allow(dead_code)]
mod rest_xsd {
    include!(concat!(env!("OUT_DIR"), "/rest.rs"));
}

mod the_rest {
    use xroad_codec::xml::Nillable;

    use super::rest_xsd::rest::{Flag, MetricSubstitutes, Report, Scores, Size, SizeMember2};
    use super::{refused, round_trip};

    #[test]
    fn unions_lists_nil_substitutes_and_redefinitions_round_trip() {
        let report: Report = round_trip("rest", "report-1.xml");
        assert_eq!(report.size, Size::U64(1024));
        assert_eq!(report.scores, Scores(vec![1, -2, 30].into()));
        assert_eq!(
            report.comment,
            [Nillable::Value("fine".to_owned()), Nillable::Nil]
        );
        let names: Vec<&str> = report
            .metric
            .iter()
            .map(|m| match m {
                MetricSubstitutes::NumericMetric(m) => m.name.as_str(),
                MetricSubstitutes::TextMetric(m) => m.name.as_str(),
            })
            .collect();
        assert_eq!(names, ["load", "state"]);
        assert_eq!(report.amount.currency.as_str(), "EUR");
        assert_eq!(report.member.code, "M1");
        assert_eq!(report.member.name.as_deref(), Some("Mack"));
        assert_eq!(report.flag, Flag(true));

        let second: Report = round_trip("rest", "report-2.xml");
        assert_eq!(second.size, Size::SizeMember2(SizeMember2::Unlimited));
        assert!(second.scores.0.is_empty());
        assert_eq!(second.comment, [Nillable::Value(String::new())]);
    }

    #[test]
    fn values_outside_the_rest_are_refused_with_their_path() {
        let report = |size: &str, comment: &str, metric: &str, flag: &str| {
            format!(
                r#"<report xmlns="urn:test:rest" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><size>{size}</size><scores>1</scores>{comment}{metric}<amount currency="EUR">1</amount><member><code>c</code></member><flag>{flag}</flag></report>"#
            )
        };
        let ok_metric = "<textMetric><name>n</name><value>v</value></textMetric>";
        for (xml, path, reason) in [
            (
                report("big", "<comment/>", ok_metric, "1"),
                "/report/size",
                "no member type of the union reads it",
            ),
            (
                report(
                    "1",
                    r#"<comment xsi:nil="true">x</comment>"#,
                    ok_metric,
                    "1",
                ),
                "/report/comment",
                "unexpected text",
            ),
            (
                report("1", "<comment/>", "<metric><name>n</name></metric>", "1"),
                "/report",
                "missing element",
            ),
            (
                report("1", "<comment/>", ok_metric, "true"),
                "/report/flag",
                "does not match the pattern `0|1`",
            ),
        ] {
            let (found, message) = refused::<Report>("rest", &xml);
            assert_eq!(found, path, "{xml}: {message}");
            assert!(message.contains(reason), "{xml}: {message}");
        }
    }
}

/// The bindings of `rpc.wsdl`.
#[allow(dead_code)]
mod rpc_wsdl {
    include!(concat!(env!("OUT_DIR"), "/rpc.rs"));
}

mod rpc_literal {
    use super::rpc_wsdl::rpc::{Move, MoveResponse};
    use super::{refused, round_trip};

    #[test]
    fn rpc_wrappers_of_type_and_element_parts_round_trip() {
        let request: Move = round_trip("rpc", "move-1.xml");
        assert_eq!((request.from.x, request.from.y), (1, -2));
        assert_eq!((request.to.x, request.to.y), (30, 4));
        assert_eq!(request.speed.to_string(), "1.50");
        let response: MoveResponse = round_trip("rpc", "move-response-1.xml");
        assert_eq!(response.status.as_str(), "arrived");
    }

    #[test]
    fn a_qualified_part_or_a_missing_one_is_refused_with_its_path() {
        let point = "<t:x>1</t:x><t:y>2</t:y>";
        let qualified = format!(
            r#"<r:move xmlns:r="urn:test:rpc" xmlns:t="urn:test:rpc-types"><r:from>{point}</r:from><to>{point}</to><speed>1</speed></r:move>"#
        );
        let (path, message) = refused::<Move>("rpc", &qualified);
        assert_eq!(path, "/move/from", "{message}");
        assert!(
            message.contains("is in namespace `urn:test:rpc`"),
            "{message}"
        );
        let missing = format!(
            r#"<r:move xmlns:r="urn:test:rpc" xmlns:t="urn:test:rpc-types"><from>{point}</from><speed>1</speed></r:move>"#
        );
        let (path, message) = refused::<Move>("rpc", &missing);
        assert_eq!(path, "/move", "{message}");
        assert!(message.contains("missing element `to`"), "{message}");
    }
}

mod built_in_types {
    use std::num::NonZeroU64;

    use xroad_codec::xsd::{Decimal, QName};

    use super::builtins_xsd::builtins::{CountryCode, Level, Offset, Percent, Values};
    use super::{refused, round_trip};

    const SOAP: &str = "http://schemas.xmlsoap.org/soap/envelope/";

    #[test]
    fn values_round_trip() {
        let first: Values = round_trip("builtins", "values-1.xml");
        assert_eq!(first.id.as_str(), "v1");
        assert_eq!(first.date_time.to_string(), "2024-02-29T23:59:59.125+02:00");
        assert_eq!(first.duration.to_string(), "P1Y2M3DT4H5M6.5S");
        assert_eq!(
            first.decimal,
            "-12345678901234567890.50".parse::<Decimal>().unwrap()
        );
        assert_eq!(first.positive_integer, NonZeroU64::new(7).unwrap());
        assert_eq!(first.qname, QName::new(SOAP, "Server"));
        assert_eq!(first.hex_binary.0, [0x0f, 0xa1]);
        assert_eq!(first.idrefs.len(), 2);
        assert_eq!(first.token.as_str(), "several words");
        assert_eq!(first.normalized_string.as_str(), "a tab");
        assert_eq!(first.code, CountryCode("EE".parse().unwrap()));
        assert_eq!(first.level, Level::High);
        assert_eq!(first.percent, Percent(100));
        assert_eq!(first.double, Some(-1500.0));
        assert_eq!(first.offset, Some(Offset(-12)));
        assert_eq!(first.float, Some(0.0325));
        assert_eq!(first.ncname.as_ref().map(|n| n.as_str()), Some("no-colon"));
        assert_eq!(first.unsigned_int, Some(u32::MAX));

        let second: Values = round_trip("builtins", "values-2.xml");
        assert_eq!(second.date_time.to_string(), "-0044-03-15T12:00:00");
        assert_eq!(second.time.to_string(), "00:00:00");
        assert_eq!(second.integer, i64::MAX);
        assert_eq!(second.qname, QName::new("urn:test:builtins", "local"));
        assert!(second.hex_binary.0.is_empty());
    }

    /// `values-2.xml` with `from` replaced by `to`.
    fn with(from: &str, to: &str) -> String {
        let text =
            std::fs::read_to_string(xroad_tests::construct_dir("builtins").join("values-2.xml"))
                .expect("fixture");
        assert!(text.contains(from), "{from}");
        text.replacen(from, to, 1)
    }

    #[test]
    fn values_outside_the_lexical_space_are_refused_with_their_path() {
        for (from, to, path, reason) in [
            (
                "<dateTime>-0044-03-15T12:00:00</dateTime>",
                "<dateTime>2023-02-29T12:00:00</dateTime>",
                "/values/dateTime",
                "not a date of the calendar",
            ),
            (
                "<duration>-PT0.000000001S</duration>",
                "<duration>P1S</duration>",
                "/values/duration",
                "not a duration",
            ),
            (
                "<decimal>.5</decimal>",
                "<decimal>1e5</decimal>",
                "/values/decimal",
                "not a decimal",
            ),
            (
                "<positiveInteger>1</positiveInteger>",
                "<positiveInteger>0</positiveInteger>",
                "/values/positiveInteger",
                "not positive",
            ),
            (
                "<negativeInteger>-9223372036854775808</negativeInteger>",
                "<negativeInteger>0</negativeInteger>",
                "/values/negativeInteger",
                "not negative",
            ),
            (
                "<hexBinary></hexBinary>",
                "<hexBinary>0</hexBinary>",
                "/values/hexBinary",
                "invalid hexadecimal",
            ),
            (
                "<idref>_2</idref>",
                "<idref>2x</idref>",
                "/values/idref",
                "not an IDREF",
            ),
            (
                "<language>en</language>",
                "<language>en_GB</language>",
                "/values/language",
                "not a language tag",
            ),
            (
                "<nmtoken>x</nmtoken>",
                "<nmtoken>a b</nmtoken>",
                "/values/nmtoken",
                "not a name token",
            ),
            (
                "<qname>local</qname>",
                "<qname>p:local</qname>",
                "/values/qname",
                "prefix `p` is not declared",
            ),
            (
                "<code>FI</code>",
                "<code>fin</code>",
                "/values/code",
                "does not match the pattern `[A-Z]{2}`",
            ),
            (
                "<short>x</short>",
                "<short>toolong</short>",
                "/values/short",
                "longer than the maximum length 5",
            ),
            (
                "<short>x</short>",
                "<short></short>",
                "/values/short",
                "shorter than the minimum length 1",
            ),
            (
                "<pin>0000</pin>",
                "<pin>00</pin>",
                "/values/pin",
                "not of the length 2",
            ),
            (
                "<level>low</level>",
                "<level>medium</level>",
                "/values/level",
                "expected one of `low`, `high`",
            ),
            (
                "<percent>1</percent>",
                "<percent>1</percent><offset>15</offset>",
                "/values/offset",
                "not less than the exclusive maximum 15",
            ),
            (
                "<percent>1</percent>",
                "<percent>1</percent><offset>-13</offset>",
                "/values/offset",
                "less than the minimum -12",
            ),
            (
                "<percent>1</percent>",
                "<percent>1</percent><ncname>a:b</ncname>",
                "/values/ncname",
                "not an NCName",
            ),
            (
                "<percent>1</percent>",
                "<percent>1</percent><unsignedInt>4294967296</unsignedInt>",
                "/values/unsignedInt",
                "integer 4294967296 is out of range for u32",
            ),
            (
                "<percent>1</percent>",
                "<percent>0</percent>",
                "/values/percent",
                "not greater than the exclusive minimum 0",
            ),
            (
                "<percent>1</percent>",
                "<percent>101</percent>",
                "/values/percent",
                "greater than the maximum 100",
            ),
            (r#"id="_2""#, r#"id="2""#, "/values/@id", "not an ID"),
        ] {
            let xml = with(from, to);
            let (found_path, message) = refused::<Values>("builtins", &xml);
            assert_eq!(found_path, path, "{to}: {message}");
            assert!(message.contains(reason), "{to}: {message}");
        }
    }
}
