use xroad_codec::operation::Operation;

#[derive(Operation)]
#[operation(name = "clientReg", header = (), request = (), response = (), parts(SoapMessage, Signatur))]
struct ClientReg;

fn main() {}
