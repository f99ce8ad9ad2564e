use xroad_codec::operation::Operation;

struct Header;

#[derive(Operation)]
#[operation(name = "clientReg", header = Header, response = Header)]
struct ClientReg;

fn main() {}
