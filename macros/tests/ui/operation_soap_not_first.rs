use xroad_codec::operation::Operation;

#[derive(Operation)]
#[operation(name = "clientReg", header = (), request = (), response = (), parts(Signature, SoapMessage, Signature))]
struct ClientReg;

fn main() {}
