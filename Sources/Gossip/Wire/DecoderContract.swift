extension MessageDecoder {
    /// What the decoder must answer for any bytes, checked by the codec tests and the fuzz
    /// target (`fuzz/`): an error (the records before it are kept), or messages that encode
    /// back to exactly these bytes. Records of a type this version does not know are skipped,
    /// so a packet with some holds the known messages and nothing else: they encode to a
    /// packet that decodes to the same messages.
    static func answersAsPromised(_ bytes: [UInt8]) -> Bool {
        let packet = decode(bytes)
        if packet.error != nil { return true }
        var encoder = MessageEncoder()
        let again = encoder.packet(packet.messages)
        if packet.unknownRecords == 0 { return again == bytes }
        let redecoded = decode(again)
        return redecoded.error == nil && redecoded.unknownRecords == 0 && redecoded.messages == packet.messages
    }
}
