use xroad_mserv::xml::XmlText;

#[derive(XmlText)]
enum ObjectType {
    #[xml(value = "MEMBER")]
    Member,
    #[xml(value = "MEMBER")]
    Subsystem,
}

fn main() {}
