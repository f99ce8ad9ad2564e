use xroad_codec::xml::XmlText;

#[derive(XmlText)]
enum ObjectType {
    #[xml(value = "MEMBER")]
    Member,
    Subsystem,
}

fn main() {}
