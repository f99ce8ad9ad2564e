use xroad_codec::xml::XmlRead;

#[derive(XmlRead)]
#[xml(namespce = "urn:test")]
struct Client {
    #[xml(element = "code", optional)]
    code: String,
}

fn main() {}
