use xroad_codec::xml::{XmlRead, XmlWrite};

#[derive(XmlRead, XmlWrite)]
#[xml(namespace = "urn:test", any_order)]
struct Header {
    #[xml(element = "id")]
    id: String,
    #[xml(element = "hop", min_occurs = 0, max_occurs = "unbounded")]
    hops: Vec<String>,
    #[xml(element = "id")]
    again: Option<String>,
}

fn main() {}
