use xroad_codec::xml::XmlRead;

#[derive(XmlRead)]
#[xml(namespace = "urn:test")]
struct List {
    #[xml(element = "item", max_occurs = "unbounded")]
    item: String,
    #[xml(element = "code", min_occurs = 0)]
    code: String,
    #[xml(element = "entry", min_occurs = 2, max_occurs = 1)]
    entries: Vec<String>,
    #[xml(element = "other")]
    others: Vec<String>,
}

fn main() {}
