import ManagerCore
import XCTest

@testable import Proxy

/// The manifest's syntax rules (ManagerCore) and the data plane's hot-path matchers (Proxy)
/// are written twice on purpose, as a validator and as bit sets; they must say the same.
final class SyntaxAgreementTests: XCTestCase {
    func testTokenAndHostCharactersAgree() {
        for byte in UInt8.min...UInt8.max {
            XCTAssertEqual(HTTPToken.isTokenChar(byte), HTTPSyntax.isTokenChar(byte), "token byte \(byte)")
            XCTAssertEqual(HTTPToken.isHostChar(byte), HTTPSyntax.isHostChar(byte), "host byte \(byte)")
        }
    }

    func testTheFieldsNoPolicyMayEditAreTheOnesTheGatewayFramesWith() {
        for name in HTTPToken.framingFields {
            XCTAssertTrue(ForwardingHeaders.isHopByHop(name, ConnectionOptions()) || name == "content-length", name)
        }
        for name in ["te", "trailer", "upgrade", "connection", "keep-alive", "proxy-connection", "transfer-encoding",
                     "proxy-authenticate", "proxy-authorization", "x-custom", "host"]
        where ForwardingHeaders.isHopByHop(name, ConnectionOptions()) {
            XCTAssertTrue(HTTPToken.isFramingField(name), "\(name) is hop-by-hop but a policy may edit it")
        }
    }
}
