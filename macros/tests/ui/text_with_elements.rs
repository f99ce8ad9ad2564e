use xroad_mserv::xml::XmlRead;

#[derive(XmlRead)]
struct Hash {
    #[xml(text)]
    value: String,
    #[xml(element = "algorithm")]
    algorithm: String,
}

fn main() {}
