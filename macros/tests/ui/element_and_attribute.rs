use xroad_codec::xml::XmlWrite;

#[derive(XmlWrite)]
struct Item {
    #[xml(element = "code", attribute = "code")]
    code: String,
    #[xml(attribute = "id")]
    id: String,
    #[xml(attribute = "id")]
    id2: String,
    #[xml(attribute = "x", min_occurs = 0)]
    x: Option<String>,
}

fn main() {}
