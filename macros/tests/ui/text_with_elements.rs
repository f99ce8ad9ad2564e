use xroad_codec::xml::XmlRead;

#[derive(XmlRead)]
struct Hash {
    #[xml(text)]
    value: String,
    #[xml(element = "algorithm")]
    algorithm: String,
}

fn main() {}
