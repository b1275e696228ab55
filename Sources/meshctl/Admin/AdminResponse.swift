/// A complete HTTP answer from the admin API.
struct AdminResponse: Sendable {
    let status: Int
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }
}
