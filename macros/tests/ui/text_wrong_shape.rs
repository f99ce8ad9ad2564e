use xroad_codec::xml::XmlText;

#[derive(XmlText)]
struct Pair(String, String);

#[derive(XmlText)]
enum WithData {
    #[xml(value = "A")]
    A(u32),
}

#[derive(XmlText)]
enum Mixed {
    A,
    B(u32),
}

fn main() {}
