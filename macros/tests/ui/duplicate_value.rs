use xroad_codec::xml::XmlText;

#[derive(XmlText)]
enum ObjectType {
    #[xml(value = "MEMBER")]
    Member,
    #[xml(value = "MEMBER")]
    Subsystem,
}

fn main() {}
