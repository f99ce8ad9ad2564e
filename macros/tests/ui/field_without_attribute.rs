use xroad_codec::xml::XmlRead;

#[derive(XmlRead)]
#[xml(namespace = "urn:test")]
struct Client {
    #[xml(element = "code")]
    code: String,
    name: String,
    #[xml(namespace = "urn:other")]
    other: String,
}

fn main() {}
