use xroad_codec::xml::XmlRead;

#[derive(XmlRead)]
enum Choice {
    A(String),
    B(u32),
}

fn main() {}
